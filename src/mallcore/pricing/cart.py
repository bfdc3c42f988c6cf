"""What the customer wants to buy: cart lines, coupon codes and a points request."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from mallcore.checks import (
    MAX_LINES,
    MAX_POINTS,
    MAX_QUANTITY,
    as_tuple,
    check_count,
    check_text,
    invalid,
)
from mallcore.errors import ConfigError

__all__ = ["Cart", "CartLine", "PointsRequest"]

#: ``"max"`` (as many as allowed), a number of points, or None (redeem nothing).
PointsRequest = int | Literal["max"] | None


@attrs.frozen
class CartLine:
    """``quantity`` units of one SKU."""

    sku: str
    quantity: int

    def __attrs_post_init__(self) -> None:
        check_text("sku", self.sku)
        try:
            check_count("quantity", self.quantity)
        except ConfigError as exc:
            exc.args = (f"cart line {self.sku!r}: {exc}",)
            raise


def _merge(lines: Iterable[CartLine | Mapping[str, object]]) -> tuple[CartLine, ...]:
    """Merge lines of the same SKU at the position of its first occurrence."""
    merged: dict[str, CartLine] = {}
    for index, raw in enumerate(as_tuple("lines", lines)):
        line = raw if isinstance(raw, CartLine) else _line_from_mapping(index, raw)
        if earlier := merged.get(line.sku):
            line = CartLine(line.sku, earlier.quantity + line.quantity)
        merged[line.sku] = line
    return tuple(merged.values())


_SET_SKU = CartLine.__dict__["sku"].__set__
_SET_QUANTITY = CartLine.__dict__["quantity"].__set__


def _line_from_mapping(index: int, raw: Mapping[str, object]) -> CartLine:
    try:
        sku, quantity = raw["sku"], raw["quantity"]
    except (KeyError, TypeError):
        reason = "must be a CartLine or a mapping with 'sku' and 'quantity'"
        raise invalid(f"lines[{index}]", raw, reason) from None
    if (
        type(sku) is not str
        or not sku
        or type(quantity) is not int
        or not 1 <= quantity <= MAX_QUANTITY
    ):
        return CartLine(sku, quantity)  # type: ignore[arg-type]  # raises the exact error
    # The same checks as CartLine's, already done: fill the slots directly, since
    # carts built from request data are the hot path of with_cart.
    line = object.__new__(CartLine)
    _SET_SKU(line, sku)
    _SET_QUANTITY(line, quantity)
    return line


def _codes(codes: Iterable[str]) -> tuple[str, ...]:
    items = as_tuple("coupons", codes)
    for index, code in enumerate(items):
        check_text(f"coupons[{index}]", code)
    return items


def _points(value: object) -> PointsRequest:
    if value is None:
        return None
    if value == "max":
        return "max"
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POINTS:
        raise invalid("points", value, f"must be 'max', a whole number 0..{MAX_POINTS:,} or None")
    return value


@attrs.frozen
class Cart:
    """A cart: lines (merged by SKU), coupon codes in the order given, and a points request.

    >>> cart = Cart([CartLine("A", 1), {"sku": "B", "quantity": 2}, CartLine("A", 2)])
    >>> [(line.sku, line.quantity) for line in cart.lines]
    [('A', 3), ('B', 2)]
    """

    lines: tuple[CartLine, ...] = attrs.field(converter=_merge)
    coupons: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    points: PointsRequest = attrs.field(default=None, converter=_points)

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise invalid("lines", [], "must hold at least one line")
        if len(self.lines) > MAX_LINES:
            raise invalid(
                "lines", f"{len(self.lines)} lines", f"must hold at most {MAX_LINES:,} lines"
            )
