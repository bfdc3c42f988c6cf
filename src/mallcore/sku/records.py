"""Build products from plain mappings spelled like a scenario file's catalog.

A product is ``{"id", "category", "brand", "tags", "freight_template", "skus"}``
(plus optional ``names``, ``status``); a SKU is ``{"sku", "price", "currency",
"weight_kg", "volume_m3", "member_discount", "quantity_tiers"}`` (plus optional
``member_price``, ``barcode``, ``code``, ``low_stock_threshold``). This is
hand validation with the usual mallcore errors, for callers that do not go
through the pydantic rule models. The keys mean what they mean in a scenario
file (docs/reference/scenario-files.rst, "Products"); the SKU-matrix keys
(``specs``, ``exclusions``, ``sku_defaults``, ...) are not accepted here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from mallcore.errors import ConfigError
from mallcore.sku.catalog import Product, make_product
from mallcore.sku.skus import Sku, make_sku

__all__ = ["product_from_mapping", "sku_from_mapping"]

_PRODUCT_KEYS: Final = frozenset(
    {"id", "names", "category", "brand", "tags", "freight_template", "status", "skus"}
)
_SKU_KEYS: Final = frozenset(
    {
        "sku",
        "code",
        "price",
        "currency",
        "weight_kg",
        "volume_m3",
        "member_discount",
        "member_price",
        "quantity_tiers",
        "barcode",
        "low_stock_threshold",
    }
)


def _check_keys(data: Mapping[str, object], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        msg = f"{where}: unknown keys {unknown!r} (allowed: {sorted(allowed)!r})"
        raise ConfigError(msg)


def sku_from_mapping(data: Mapping[str, object], *, product_id: str, currency: str) -> Sku:
    """Build one SKU; *currency* applies when the mapping has no ``currency``.

    Raises:
        ConfigError: Unknown keys, a missing ``sku`` or ``price``, or a bad field.
        InvalidAmountError: A price with more decimals than its currency allows.

    >>> sku_from_mapping({"sku": "A", "price": "50.00"}, product_id="A", currency="CNY").price
    Money('50.00', 'CNY')
    """
    where = f"product {product_id!r}, SKU {data.get('sku')!r}"
    _check_keys(data, _SKU_KEYS, where)
    for required in ("sku", "price"):
        if required not in data:
            msg = f"{where}: {required!r} is required"
            raise ConfigError(msg)
    sku_id = data["sku"]
    if not isinstance(sku_id, str):
        msg = f"{where}: sku={sku_id!r} must be a string"
        raise ConfigError(msg)
    code = data.get("code")
    sku_currency = data.get("currency", currency)
    tiers = data.get("quantity_tiers") or ()
    threshold = data.get("low_stock_threshold", 0)
    if not isinstance(sku_currency, str) or not isinstance(tiers, list | tuple):
        msg = f"{where}: currency must be a code and quantity_tiers a list"
        raise ConfigError(msg)
    return make_sku(
        sku_id,
        product_id,
        price=data["price"],
        currency=sku_currency,
        code=code if isinstance(code, str) else None,
        member_discount=data.get("member_discount", True),
        member_price=data.get("member_price"),
        quantity_tiers=tiers,
        barcode=data.get("barcode"),
        weight_kg=data.get("weight_kg", 0),
        volume_m3=data.get("volume_m3", 0),
        low_stock_threshold=threshold,
    )


def product_from_mapping(data: Mapping[str, object], *, currency: str) -> Product:
    """Build a product and its explicitly listed SKUs from a scenario-style mapping.

    Without ``names`` the product is named by its id. Products from scenarios
    are ``listed`` unless ``status`` says otherwise.

    Raises:
        ConfigError: Unknown keys, a missing ``id``, or any invalid product or SKU field.
        InvalidAmountError: A price with more decimals than its currency allows.

    >>> product = product_from_mapping(
    ...     {"id": "C", "category": "food", "freight_template": "T2",
    ...      "skus": [{"sku": "C", "price": "20.00", "weight_kg": "0.5"}]},
    ...     currency="CNY",
    ... )
    >>> product.category_id, product.freight_template_id, product.skus[0].weight_kg
    ('food', 'T2', Decimal('0.5'))
    """
    product_id = data.get("id")
    if not isinstance(product_id, str) or not product_id:
        msg = f"product id={product_id!r} must be a non-empty string"
        raise ConfigError(msg)
    where = f"product {product_id!r}"
    _check_keys(data, _PRODUCT_KEYS, where)
    raw_skus = data.get("skus") or []
    tags = data.get("tags") or []
    names = data.get("names") or product_id
    if not isinstance(raw_skus, list | tuple) or not isinstance(tags, list | tuple):
        msg = f"{where}: skus and tags must be lists"
        raise ConfigError(msg)
    if not isinstance(names, str | Mapping):
        msg = f"{where}: names={names!r} must be a string or a mapping of locale to text"
        raise ConfigError(msg)
    skus = []
    for raw in raw_skus:
        if not isinstance(raw, Mapping):
            msg = f"{where}: SKU {raw!r} must be a mapping"
            raise ConfigError(msg)
        skus.append(sku_from_mapping(raw, product_id=product_id, currency=currency))
    return make_product(
        product_id,
        names=names,
        skus=skus,
        category_id=_optional_text(data, "category", where),
        brand=_optional_text(data, "brand", where),
        tags=tags,
        freight_template_id=_optional_text(data, "freight_template", where),
        status=str(data.get("status", "listed")),
    )


def _optional_text(data: Mapping[str, object], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    msg = f"{where}: {key}={value!r} must be a string"
    raise ConfigError(msg)
