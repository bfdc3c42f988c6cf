"""The catalog: products, categories, specs, the SKU matrix, spec edits, bulk CSV/XLSX io and stock.

The stock operations themselves (``reserve``, ``commit``, ``release``, ``expire``,
``restock``, ``set_stock``) live in :mod:`mallcore.sku.inventory`.
"""

from mallcore.sku.catalog import (
    ListingStatus,
    Product,
    ProductDelisted,
    ProductListed,
    SkusRegenerated,
    is_purchasable,
    listing_status,
    make_product,
    price_range,
    total_stock,
)
from mallcore.sku.categories import Category, CategoryTree
from mallcore.sku.inventory import (
    DeductOn,
    InventoryEvent,
    LowStockAlerted,
    Reservation,
    ReservationChange,
    ReservationCommitted,
    ReservationExpired,
    ReservationLine,
    ReservationReleased,
    ReservationState,
    StockAdjusted,
    StockChange,
    StockLevel,
    StockReserved,
    StockRestocked,
)
from mallcore.sku.io import export_csv, export_xlsx, import_csv, import_xlsx
from mallcore.sku.matrix import (
    SkuMatrix,
    build_matrix,
    check_code,
)
from mallcore.sku.names import LocalizedText
from mallcore.sku.records import product_from_mapping, sku_from_mapping
from mallcore.sku.regeneration import RegenerationPlan, apply_plan, plan_regeneration
from mallcore.sku.skus import QuantityTier, Sku, SkuStatus, make_sku
from mallcore.sku.specs import Spec, SpecValue, key_pairs, sku_key
from mallcore.sku.tabular import ImportReport, RowProblem

__all__ = [
    "Category",
    "CategoryTree",
    "DeductOn",
    "ImportReport",
    "InventoryEvent",
    "ListingStatus",
    "LocalizedText",
    "LowStockAlerted",
    "Product",
    "ProductDelisted",
    "ProductListed",
    "QuantityTier",
    "RegenerationPlan",
    "Reservation",
    "ReservationChange",
    "ReservationCommitted",
    "ReservationExpired",
    "ReservationLine",
    "ReservationReleased",
    "ReservationState",
    "RowProblem",
    "Sku",
    "SkuMatrix",
    "SkuStatus",
    "SkusRegenerated",
    "Spec",
    "SpecValue",
    "StockAdjusted",
    "StockChange",
    "StockLevel",
    "StockReserved",
    "StockRestocked",
    "apply_plan",
    "build_matrix",
    "check_code",
    "export_csv",
    "export_xlsx",
    "import_csv",
    "import_xlsx",
    "is_purchasable",
    "key_pairs",
    "listing_status",
    "make_product",
    "make_sku",
    "plan_regeneration",
    "price_range",
    "product_from_mapping",
    "sku_from_mapping",
    "sku_key",
    "total_stock",
]
