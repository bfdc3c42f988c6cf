"""The price sheet of one quote: a row per cart line, a column per stage, in minor units.

Every stage of :func:`mallcore.quote` reads the sheet and writes its own
column; ``amount`` is each line's item amount after the stages so far (every
stage subtracts there what it records in its column, so it is the net of the
columns and nothing recomputes it). Rows are in cart order, the order the
customer built the cart in, so every tie "to the earlier position"
(allocation remainders, equal units) goes to the earlier cart line. The sheet
is the :class:`~mallcore.promotions.benefit.LineView` promotions read.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from mallcore.money import Currency, largest_remainder
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.quote import Adjustment, LineColumns, Stage
from mallcore.promotions.scope import ScopedItem

__all__ = ["PriceSheet", "split"]


@attrs.define
class PriceSheet:
    """Per-line amounts of one quote in minor units (parallel lists; internal, mutable).

    The first :attr:`cart_lines` rows are the cart's lines; gift lines are
    appended after the price stages.
    """

    currency: Currency
    per_major: int
    keys: list[str]
    items: list[CatalogItem]
    qty: list[int]
    list_unit: list[int]
    scoped: list[ScopedItem]
    #: Item amount after the stages so far (the net of the columns below).
    amount: list[int]
    #: Units used by quantity-consuming promotions.
    consumed: list[int]
    activity: list[bool]
    promotions_ok: list[bool]
    coupons_ok: list[bool]
    item: list[int]
    promotion: list[int]
    coupon: list[int]
    points: list[int]
    freight: list[int]
    shipping_discount: list[int]
    tax: list[int]
    gift: list[bool]
    cart_lines: int
    tax_added: bool = False

    @classmethod
    def start(
        cls,
        skus: list[str],
        items: list[CatalogItem],
        units: list[int],
        quantities: list[int],
        *,
        currency: Currency,
        per_major: int,
    ) -> PriceSheet:
        """The sheet after stage 1: each line's SKU, item, unit list price and quantity.

        The lists become the sheet's own columns (not copied).
        """
        n = len(items)
        zeros = [0] * n
        return cls(
            currency,
            per_major,
            skus,
            items,
            quantities,
            units,
            [item.scoped for item in items],
            [unit * quantity for unit, quantity in zip(units, quantities, strict=True)],
            list(zeros),
            [False] * n,
            [True] * n,
            [True] * n,
            list(zeros),
            list(zeros),
            list(zeros),
            list(zeros),
            list(zeros),
            list(zeros),
            zeros,
            [False] * n,
            n,
        )

    def copy(self) -> PriceSheet:
        """A copy whose columns can change without touching this one."""
        return PriceSheet(
            self.currency,
            self.per_major,
            list(self.keys),
            list(self.items),
            list(self.qty),
            list(self.list_unit),
            list(self.scoped),
            list(self.amount),
            list(self.consumed),
            list(self.activity),
            list(self.promotions_ok),
            list(self.coupons_ok),
            list(self.item),
            list(self.promotion),
            list(self.coupon),
            list(self.points),
            list(self.freight),
            list(self.shipping_discount),
            list(self.tax),
            list(self.gift),
            self.cart_lines,
            self.tax_added,
        )

    def adjust(
        self,
        source: str,
        stage: Stage,
        shares: Sequence[tuple[int, int]],
        *,
        base: int | None = None,
    ) -> Adjustment:
        """An adjustment from ``(line index, amount)`` *shares*, given in line order."""
        keys = self.keys
        return Adjustment(
            source,
            stage,
            sum([part for _, part in shares]),
            tuple([(keys[i], part) for i, part in shares]),
            self.currency,
            base,
        )

    def add_gifts(self, gifts: Sequence[tuple[CatalogItem, int]]) -> None:
        """Append zero-priced gift lines keyed ``gift:SKU`` (merged by SKU)."""
        merged: dict[str, tuple[CatalogItem, int]] = {}
        for item, quantity in gifts:
            earlier = merged.get(item.sku)
            merged[item.sku] = (item, quantity + (earlier[1] if earlier else 0))
        for sku, (item, quantity) in merged.items():
            self.keys.append(f"gift:{sku}")
            self.items.append(item)
            self.qty.append(quantity)
            self.list_unit.append(0)
            self.scoped.append(item.scoped)
            self.amount.append(0)
            for column in (
                self.consumed, self.item, self.promotion, self.coupon, self.points,
                self.freight, self.shipping_discount, self.tax,
            ):  # fmt: skip
                column.append(0)
            for flag in (self.activity, self.promotions_ok, self.coupons_ok):
                flag.append(False)
            self.gift.append(True)

    def columns(self, earned: list[int]) -> LineColumns:
        """The finished sheet as a quote's :class:`LineColumns` (``paid`` computed here, once)."""
        shipping = [f - d for f, d in zip(self.freight, self.shipping_discount, strict=True)]
        # Every stage subtracts what it takes from amount as it records it in its
        # own column, so the amount left is the net of the columns; the line
        # identity property test checks the two never drift apart.
        if self.tax_added:
            paid = [a + s + t for a, s, t in zip(self.amount, shipping, self.tax, strict=True)]
        else:
            paid = [a + s for a, s in zip(self.amount, shipping, strict=True)]
        gifts = len(self.keys) - self.cart_lines
        return LineColumns(
            key=self.keys,
            sku=[item.sku for item in self.items] if gifts else self.keys,
            quantity=self.qty,
            list_price=self.list_unit,
            list_subtotal=[u * q for u, q in zip(self.list_unit, self.qty, strict=True)],
            item_discount=self.item,
            promotion_discount=self.promotion,
            coupon_discount=self.coupon,
            points_deduction=self.points,
            shipping=shipping,
            tax=self.tax,
            points_earned=earned,
            activity=self.activity,
            gift=self.gift,
            paid=paid,
            tax_added=self.tax_added,
        )


def split(total: int, indices: Sequence[int], weights: Sequence[int]) -> list[tuple[int, int]]:
    """Allocate *total* minor units over the lines *indices* by *weights*; drop zero shares.

    Largest remainder: ties go to the larger weight, then to the earlier cart line.
    """
    whole = sum(weights)
    if total <= 0 or not whole:
        return []
    # Weights here are line amounts or freight, never negative: no checks needed.
    parts = largest_remainder(total, weights, whole)
    return [(i, part) for i, part in zip(indices, parts, strict=True) if part]
