"""An order's prices as they were when it was placed: every line and every allocation, frozen.

An order never re-prices itself: :meth:`OrderSnapshot.from_quote` copies what
the quote computed (each line's list price, discounts by stage, points,
freight, tax and paid amount, and each adjustment's split over the lines) into
integers of minor units, and refunds, statements and after-sale cases read
them from here. :meth:`OrderSnapshot.to_dict` and :meth:`OrderSnapshot.from_dict`
give the same snapshot back exactly, for storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from mallcore.checks import as_tuple, check_count, check_text, invalid
from mallcore.money import Currency, Money, from_minor, minor_units, resolve_currency
from mallcore.pricing.quote import Quote

__all__ = ["OrderAdjustment", "OrderLine", "OrderSnapshot"]

#: The amount columns of a line, in minor units, in the order of the file contract.
_AMOUNTS = (
    "list_price",
    "item_discount",
    "promotion_discount",
    "coupon_discount",
    "points_deduction",
    "shipping",
    "tax",
    "paid",
)


@attrs.frozen
class OrderLine:
    """One order line as priced at placement; amounts in minor units of the order currency.

    ``paid`` is what the line costs the customer: its items after every
    discount and points deduction, plus its share of freight (and of tax when
    tax is added on top). ``list_price`` is per unit; the others are the
    line's totals.
    """

    key: str
    sku: str
    quantity: int
    list_price: int
    item_discount: int
    promotion_discount: int
    coupon_discount: int
    points_deduction: int
    shipping: int
    tax: int
    paid: int
    points_earned: int = 0
    gift: bool = False

    def __attrs_post_init__(self) -> None:
        check_text("key", self.key)
        check_text("sku", self.sku)
        check_count("quantity", self.quantity)
        for field in (*_AMOUNTS, "points_earned"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise invalid(field, value, "must be a whole, non-negative number of minor units")

    @property
    def items_paid(self) -> int:
        """What the line's items paid, freight left out (minor units)."""
        return self.paid - self.shipping


@attrs.frozen
class OrderAdjustment:
    """One adjustment of the quote: its source, stage, amount and split (minor units)."""

    source: str
    stage: str
    amount: int
    lines: tuple[tuple[str, int], ...]

    def __attrs_post_init__(self) -> None:
        if sum(part for _, part in self.lines) != self.amount:
            raise invalid("lines", list(self.lines), f"must add up to amount={self.amount}")


def _lines(values: object) -> tuple[OrderLine, ...]:
    return as_tuple("lines", values)


def _adjustments(values: object) -> tuple[OrderAdjustment, ...]:
    return as_tuple("adjustments", values)


@attrs.frozen
class OrderSnapshot:
    """Every line and adjustment of the quote an order was placed from.

    Raises:
        ConfigError: No lines, two lines with one key, or an adjustment that
            names a line the snapshot lacks.
    """

    currency: Currency = attrs.field(converter=resolve_currency)
    lines: tuple[OrderLine, ...] = attrs.field(converter=_lines)
    adjustments: tuple[OrderAdjustment, ...] = attrs.field(default=(), converter=_adjustments)
    points_used: int = 0

    def __attrs_post_init__(self) -> None:
        if not self.lines:
            raise invalid("lines", [], "must hold at least one line")
        keys = [line.key for line in self.lines]
        if len(set(keys)) != len(keys):
            raise invalid("lines", keys, "repeat a key")
        known = set(keys)
        for index, adjustment in enumerate(self.adjustments):
            for key, _ in adjustment.lines:
                if key not in known:
                    raise invalid(f"adjustments[{index}].lines", key, "is not a line of the order")

    @classmethod
    def from_quote(cls, quote: Quote) -> OrderSnapshot:
        """The snapshot of *quote*: its lines and adjustments, in minor units."""
        c = quote.columns  # the quote's own integer columns: no Money round trip
        lines = tuple(
            OrderLine(*row)
            for row in zip(
                c.key,
                c.sku,
                c.quantity,
                c.list_price,
                c.item_discount,
                c.promotion_discount,
                c.coupon_discount,
                c.points_deduction,
                c.shipping,
                c.tax,
                c.paid,
                c.points_earned,
                c.gift,
                strict=True,
            )
        )
        adjustments = tuple(
            OrderAdjustment(a.source, a.stage.value, a.amount_minor, tuple(a.lines))
            for a in quote.adjustments
        )
        return cls(quote.currency, lines, adjustments, quote.points_used)

    @property
    def total(self) -> Money:
        """What the order costs the customer: the sum of its lines' ``paid``."""
        return from_minor(self.total_minor, self.currency)

    @property
    def total_minor(self) -> int:
        """:attr:`total` in minor units."""
        return sum(line.paid for line in self.lines)

    def line(self, key: str) -> OrderLine:
        """The line keyed *key*.

        Raises:
            ConfigError: No line has that key.
        """
        for line in self.lines:
            if line.key == key:
                return line
        raise invalid("key", key, "is not a line of the order")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, amounts as integers of minor units (the currency says how many digits)."""
        return {
            "currency": self.currency.code,
            "minor_units": minor_units(self.currency),
            "points_used": self.points_used,
            "lines": [attrs.asdict(line) for line in self.lines],
            "adjustments": [
                {**attrs.asdict(a, recurse=False), "lines": [list(pair) for pair in a.lines]}
                for a in self.adjustments
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OrderSnapshot:
        """The snapshot :meth:`to_dict` wrote.

        Raises:
            ConfigError: A field missing or malformed (the message names it).
        """
        try:
            lines = [OrderLine(**line) for line in data["lines"]]
            adjustments = [
                OrderAdjustment(
                    a["source"],
                    a["stage"],
                    a["amount"],
                    tuple((key, part) for key, part in a["lines"]),
                )
                for a in data["adjustments"]
            ]
            return cls(data["currency"], lines, adjustments, data.get("points_used", 0))
        except (KeyError, TypeError) as exc:
            raise invalid(
                "snapshot", type(exc).__name__, f"is not a snapshot dict: {exc}"
            ) from None
