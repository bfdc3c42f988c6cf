"""Parsing of one imported row's cells, column by column (private to :mod:`mallcore.sku.tabular`).

Each parser raises :class:`CellError` naming the column, so the import report
can say exactly which cell is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from mallcore.errors import ConfigError, MallcoreError, shown
from mallcore.money import resolve_currency
from mallcore.sku.catalog import ListingStatus
from mallcore.sku.matrix import (
    DEFAULT_CODE_TEMPLATE,
    check_code_template,
    check_exclusions,
)
from mallcore.sku.names import LocalizedText
from mallcore.sku.skus import Sku, SkuStatus, make_sku
from mallcore.sku.specs import Spec, SpecValue, escape_id, key_pairs, validate_specs

_TRUE: Final = frozenset({"true", "1", "yes", "y"})
_BOOLEANS: Final = _TRUE | frozenset({"false", "0", "no", "n"})
_SKU_STATUSES: Final = frozenset(s.value for s in SkuStatus)
_LISTING_STATUSES: Final = frozenset(s.value for s in ListingStatus)


class CellError(Exception):
    """One bad cell: the column and what is wrong with its value."""

    def __init__(self, column: str, message: str) -> None:
        self.column = column
        self.message = message
        super().__init__(message)


def _json(text: str, column: str, expected: type) -> Any:
    if not text.strip():
        return expected()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CellError(column, f"is not valid JSON ({exc.msg})") from None
    if not isinstance(data, expected):
        raise CellError(column, f"must be a JSON {expected.__name__}")
    return data


def _moment(text: str, column: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CellError(column, "is not an ISO 8601 date-time") from None
    if moment.utcoffset() is None:
        raise CellError(column, "has no time zone; give an offset such as +08:00")
    return moment


def _specs(text: str) -> tuple[Spec, ...]:
    specs = []
    for item in _json(text, "specs", list):
        if not isinstance(item, dict) or not isinstance(item.get("values", []), list):
            raise CellError("specs", "each spec must be an object with id, label and values")
        values = []
        for value in item.get("values", []):
            if not isinstance(value, dict):
                raise CellError(
                    "specs", f"spec {item.get('id')!r}: value {value!r} is not an object"
                )
            values.append(SpecValue(value.get("id", ""), value.get("label", ""), value.get("code")))
        specs.append(Spec(item.get("id", ""), item.get("label", ""), values))
    return tuple(specs)


def parse_product_cells(row: Mapping[str, str]) -> dict[str, Any]:
    """Parse the product columns of a row; raise CellError naming the column."""
    product_id = row["product_id"].strip()
    if not product_id:
        raise CellError("product_id", "must not be empty")
    texts = _json(row["names"], "names", dict)
    if not texts:
        raise CellError("names", "must name the product in at least one locale")
    try:
        names = LocalizedText(texts, default=row["default_locale"] or next(iter(texts)))
    except ConfigError as exc:
        raise CellError("names", str(exc)) from None
    tags = _json(row["tags"], "tags", list)
    if not all(isinstance(tag, str) and tag for tag in tags):
        raise CellError("tags", "must be a JSON list of non-empty strings")
    status = row["status"].strip() or ListingStatus.DRAFT.value
    if status not in _LISTING_STATUSES:
        raise CellError("status", "must be draft, listed or delisted")
    specs = _specs(row["specs"])
    try:
        validate_specs(specs, product_id=product_id)
    except ConfigError as exc:
        raise CellError("specs", str(exc)) from None
    exclusions = _json(row["exclusions"], "exclusions", list)
    if not all(isinstance(e, dict) for e in exclusions):
        raise CellError("exclusions", "must be a JSON list of objects (spec id → value id)")
    try:
        check_exclusions(specs, exclusions, product_id)
    except ConfigError as exc:
        raise CellError("exclusions", str(exc)) from None
    template = row["code_template"] or DEFAULT_CODE_TEMPLATE
    try:
        check_code_template(template, product_id)
    except ConfigError as exc:
        raise CellError("code_template", str(exc)) from None
    list_at = _moment(row["list_at"], "list_at")
    delist_at = _moment(row["delist_at"], "delist_at")
    if list_at is not None and delist_at is not None and delist_at <= list_at:
        raise CellError("delist_at", "must come after list_at")
    return {
        "product_id": product_id,
        # Precomputed once per product so each SKU row checks its key cheaply.
        "spec_ids": tuple(spec.id for spec in specs),
        "value_ids": tuple(frozenset(value.id for value in spec.values) for spec in specs),
        "names": names,
        "category_id": row["category"] or None,
        "brand": row["brand"] or None,
        "tags": tags,
        "freight_template_id": row["freight_template"] or None,
        "status": status,
        "list_at": list_at,
        "delist_at": delist_at,
        "specs": specs,
        "exclusions": exclusions,
        "code_template": template,
    }


def _tiers(text: str) -> list[dict[str, str]]:
    """``10:9.00;50:8.00`` as raw tiers for :func:`~mallcore.sku.skus.make_sku`."""
    tiers = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        qty, sep, price = part.partition(":")
        if not sep or not qty.strip().isdigit():
            raise CellError("quantity_tiers", f"tier {part!r} must be written min_qty:price")
        tiers.append({"min_qty": qty.strip(), "price": price.strip()})
    return tiers


#: The column of each field :func:`~mallcore.sku.skus.make_sku` may refuse.
_COLUMNS: Final = {
    "sku": "sku",
    "price": "price",
    "member_price": "member_price",
    "quantity_tiers": "quantity_tiers",
    "weight_kg": "weight_kg",
    "volume_m3": "volume_m3",
    "code": "code",
    "barcode": "barcode",
    "low_stock_threshold": "low_stock_threshold",
    "status": "sku_status",
    "member_discount": "member_discount",
    "currency": "currency",
}


def parse_sku_cells(row: Mapping[str, str], product: Mapping[str, Any]) -> Sku:
    """Parse the SKU columns of a row; raise CellError naming the column.

    The cells are read into plain values here (a CSV cell is always text);
    :func:`~mallcore.sku.skus.make_sku`, the one SKU parser, checks them.
    """
    product_id: str = product["product_id"]
    sku_id = row["sku"].strip()
    flag = row["member_discount"].strip().lower() or "true"
    if flag not in _BOOLEANS:
        raise CellError("member_discount", "must be true or false")
    threshold = row["low_stock_threshold"].strip() or "0"
    if not threshold.isdigit():
        raise CellError("low_stock_threshold", "must be a whole number, zero or more")
    status = row["sku_status"].strip() or SkuStatus.LISTED.value
    if status not in _SKU_STATUSES:
        raise CellError("sku_status", "must be listed, delisted or retired")
    key = row["key"] or escape_id(sku_id)
    options: tuple[tuple[str, str], ...] = ()
    if product["spec_ids"]:
        try:
            options = key_pairs(key)
        except ConfigError as exc:
            raise CellError("key", str(exc)) from None
        if status != SkuStatus.RETIRED.value:
            # Retired SKUs may name values the specs have since dropped.
            _check_options(options, product["spec_ids"], product["value_ids"])
    member = row["member_price"].strip()
    try:
        currency = resolve_currency(row["currency"]).code
    except MallcoreError as exc:
        raise CellError("currency", str(exc)) from None
    try:
        return make_sku(
            sku_id,
            product_id,
            price=row["price"],
            currency=currency,
            code=row["code"].strip() or sku_id,
            key=key,
            member_discount=flag in _TRUE,
            member_price=member or None,
            quantity_tiers=_tiers(row["quantity_tiers"]),
            barcode=row["barcode"] or None,
            weight_kg=row["weight_kg"] or "0",
            volume_m3=row["volume_m3"] or "0",
            low_stock_threshold=int(threshold),
            status=status,
            options=options,
        )
    except MallcoreError as exc:
        field = (exc.field or "").split(".")[0].split("[")[0]
        # The report names the row and column already: the message needs no product or SKU.
        text = str(exc) if exc.reason is None else f"{exc.field}={shown(exc.value)} {exc.reason}"
        raise CellError(_COLUMNS.get(field, "sku"), text) from None


def _check_options(
    options: tuple[tuple[str, str], ...],
    spec_ids: tuple[str, ...],
    value_ids: tuple[frozenset[str], ...],
) -> None:
    if tuple(spec for spec, _ in options) != spec_ids:
        raise CellError("key", "must name the product's specs in spec order")
    for (_, value_id), spec_id, known in zip(options, spec_ids, value_ids, strict=True):
        if value_id not in known:
            raise CellError("key", f"spec {spec_id!r} has no value {value_id!r}")
