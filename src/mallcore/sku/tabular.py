"""Products and SKUs as flat rows (one row per SKU, product columns repeated), both ways.

This is the format of :mod:`mallcore.sku.io` (CSV and XLSX). Every cell is
text. Structured product fields (names, tags, specs, exclusions) are JSON;
quantity tiers are written ``min_qty:price`` joined by ``;``. Import checks
every row and reports each problem as a :class:`RowProblem`; rows are numbered
as in a spreadsheet (the header is row 1, the first product row is row 2).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs

from mallcore.errors import ConfigError
from mallcore.sku._cells import CellError, parse_product_cells, parse_sku_cells
from mallcore.sku.catalog import Product, make_product
from mallcore.sku.skus import Sku
from mallcore.sku.specs import Spec

__all__ = ["COLUMNS", "ImportReport", "RowProblem", "export_rows", "import_rows"]

PRODUCT_COLUMNS: Final = (
    "product_id",
    "names",
    "default_locale",
    "category",
    "brand",
    "tags",
    "freight_template",
    "status",
    "list_at",
    "delist_at",
    "specs",
    "exclusions",
    "code_template",
)
SKU_COLUMNS: Final = (
    "sku",
    "code",
    "key",
    "price",
    "currency",
    "member_discount",
    "member_price",
    "quantity_tiers",
    "barcode",
    "weight_kg",
    "volume_m3",
    "low_stock_threshold",
    "sku_status",
)
#: Every column, in file order.
COLUMNS: Final = PRODUCT_COLUMNS + SKU_COLUMNS
_COLUMN_SET: Final = frozenset(COLUMNS)


@attrs.frozen
class RowProblem:
    """One problem found while importing: where it is, what was there and what is wrong."""

    row: int
    column: str
    value: str
    message: str


@attrs.frozen
class ImportReport:
    """The result of an import.

    Attributes:
        products: The imported products. Empty when any row was bad, unless
            the import was partial.
        problems: Every problem found, in row order.
        rows: How many data rows were read.
        partial: Whether valid rows were applied despite problems.
    """

    products: tuple[Product, ...]
    problems: tuple[RowProblem, ...]
    rows: int
    partial: bool = False

    @property
    def ok(self) -> bool:
        """True when no row had a problem."""
        return not self.problems


# --------------------------------------------------------------------------- export


def _spec_json(specs: Sequence[Spec]) -> str:
    data = [
        {
            "id": spec.id,
            "label": spec.label,
            "values": [
                {"id": v.id, "label": v.label, **({"code": v.code} if v.code is not None else {})}
                for v in spec.values
            ],
        }
        for spec in specs
    ]
    return json.dumps(data, ensure_ascii=False) if data else ""


def _product_cells(product: Product) -> dict[str, str]:
    return {
        "product_id": product.id,
        "names": json.dumps(dict(product.names.texts), ensure_ascii=False),
        "default_locale": product.names.default,
        "category": product.category_id or "",
        "brand": product.brand or "",
        "tags": json.dumps(sorted(product.tags), ensure_ascii=False) if product.tags else "",
        "freight_template": product.freight_template_id or "",
        "status": product.status.value,
        "list_at": product.list_at.isoformat() if product.list_at else "",
        "delist_at": product.delist_at.isoformat() if product.delist_at else "",
        "specs": _spec_json(product.specs),
        "exclusions": (
            json.dumps([dict(e) for e in product.exclusions], ensure_ascii=False)
            if product.exclusions
            else ""
        ),
        "code_template": product.code_template,
    }


def _sku_cells(sku: Sku) -> dict[str, str]:
    return {
        "sku": sku.id,
        "code": sku.code,
        "key": sku.key,
        "price": str(sku.price.amount),
        "currency": sku.price.currency.code,
        "member_discount": "true" if sku.member_discount else "false",
        "member_price": "" if sku.member_price is None else str(sku.member_price.amount),
        "quantity_tiers": ";".join(f"{t.min_qty}:{t.price.amount}" for t in sku.quantity_tiers),
        "barcode": sku.barcode or "",
        "weight_kg": str(sku.weight_kg),
        "volume_m3": str(sku.volume_m3),
        "low_stock_threshold": str(sku.low_stock_threshold),
        "sku_status": sku.status.value,
    }


def export_rows(products: Iterable[Product]) -> Iterator[dict[str, str]]:
    """One row per SKU (a product without SKUs gets one row with blank SKU columns).

    >>> from mallcore.sku.skus import make_sku
    >>> sku = make_sku("TEE", "tee", price="9.90", currency="CNY")
    >>> tee = make_product("tee", names="T-shirt", skus=[sku])
    >>> row = next(export_rows([tee]))
    >>> row["product_id"], row["sku"], row["price"], row["currency"]
    ('tee', 'TEE', '9.90', 'CNY')
    """
    blank = dict.fromkeys(SKU_COLUMNS, "")
    for product in products:
        cells = _product_cells(product)
        if not product.skus:
            yield cells | blank
        for sku in product.skus:
            yield cells | _sku_cells(sku)


# --------------------------------------------------------------------------- import


def import_rows(rows: Iterable[Mapping[str, str]], *, partial: bool = False) -> ImportReport:
    """Validate rows (as :func:`export_rows` writes them) and build the products.

    Every row is checked before anything is built. With problems, the report
    holds no product unless *partial* is true; then it holds the products
    built from the valid rows.

    Args:
        rows: Mappings of column name to text; missing columns count as blank.
        partial: Apply the valid rows even when others are bad.
    """
    problems: list[RowProblem] = []
    product_cache: dict[tuple[str, ...], dict[str, Any] | CellError] = {}
    first_seen: dict[str, tuple[str, ...]] = {}
    good: dict[str, list[Sku]] = {}
    fields_of: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    ids: set[str] = set()
    codes: set[str] = set()
    keys: set[tuple[str, str]] = set()
    count = 0
    for count, raw in enumerate(rows, start=1):
        line = count + 1
        if type(raw) is dict and raw.keys() >= _COLUMN_SET:
            row = raw  # already complete text rows (the CSV reader makes these)
        else:
            row = {column: str(raw.get(column) or "") for column in COLUMNS}
        product_raw = tuple(row[column] for column in PRODUCT_COLUMNS)
        parsed = product_cache.get(product_raw)
        if parsed is None:
            try:
                parsed = parse_product_cells(row)
            except CellError as exc:
                parsed = exc
            product_cache[product_raw] = parsed
        if isinstance(parsed, CellError):
            problems.append(RowProblem(line, parsed.column, row[parsed.column], parsed.message))
            continue
        product_id = parsed["product_id"]
        before = first_seen.setdefault(product_id, product_raw)
        if before != product_raw:
            column = next(
                c for c, a, b in zip(PRODUCT_COLUMNS, before, product_raw, strict=True) if a != b
            )
            message = f"differs from an earlier row of product {product_id!r}"
            problems.append(RowProblem(line, column, row[column], message))
            continue
        fields_of[product_id] = parsed
        first_line.setdefault(product_id, line)
        skus = good.setdefault(product_id, [])
        if not row["sku"].strip():
            continue
        try:
            sku = parse_sku_cells(row, parsed)
        except CellError as exc:
            problems.append(RowProblem(line, exc.column, row[exc.column], exc.message))
            continue
        # SKU ids and codes are unique in the whole file, keys within a product.
        if sku.id in ids:
            problems.append(RowProblem(line, "sku", sku.id, f"sku {sku.id!r} is used twice"))
        elif sku.code in codes:
            message = f"code {sku.code!r} is used twice"
            problems.append(RowProblem(line, "code", sku.code, message))
        elif (product_id, sku.key) in keys:
            message = f"key {sku.key!r} is used twice in product {product_id!r}"
            problems.append(RowProblem(line, "key", sku.key, message))
        else:
            ids.add(sku.id)
            codes.add(sku.code)
            keys.add((product_id, sku.key))
            skus.append(sku)
    if problems and not partial:
        return ImportReport((), tuple(problems), count, partial)
    products = []
    for product_id, skus in good.items():
        fields = dict(fields_of[product_id])
        for private in ("product_id", "spec_ids", "value_ids"):
            del fields[private]
        try:
            products.append(make_product(product_id, skus=skus, **fields))
        except ConfigError as exc:
            # Rows were checked column by column above; this is a last guard.
            problems.append(RowProblem(first_line[product_id], "product_id", product_id, str(exc)))
    if problems and not partial:
        return ImportReport((), tuple(problems), count, partial)
    return ImportReport(tuple(products), tuple(problems), count, partial)
