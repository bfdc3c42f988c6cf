"""The working state of one quote: per-line amounts in parallel lists, in minor units.

Every stage of :func:`mallcore.quote` reads and writes a :class:`Work`;
:func:`split` allocates an amount over some of its lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat

import attrs

from mallcore.money import largest_remainder, minor_units
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.context import PricingContext
from mallcore.pricing.quote import Adjustment, Row
from mallcore.promotions.lines import Lines

__all__ = ["Work", "split"]


@attrs.define
class Work:
    """Per-line amounts of one quote in minor units (parallel lists, internal).

    ``lines.amount`` is each line's item amount after the price stages so far:
    every stage subtracts there what it records in its own column, so it is
    the net of the columns and nothing recomputes it.
    """

    per_major: int
    keys: list[str]
    items: list[CatalogItem | None]
    qty: list[int]
    list_unit: list[int]
    lines: Lines
    item: list[int]
    promotion: list[int]
    coupon: list[int]
    points: list[int]
    freight: list[int]
    shipping_discount: list[int]
    tax: list[int]
    gift: list[bool]
    tax_added: bool = False
    #: Working index of each cart line, in cart order (see :meth:`start`).
    cart_order: list[int] = attrs.field(factory=list)

    @classmethod
    def start(cls, priced: Sequence[tuple[CatalogItem, int, int]], context: PricingContext) -> Work:
        """The state after stage 1: list prices and quantities.

        Lines are worked on in SKU order, not cart order, so that every tie
        "to the earlier position" (allocation remainders, unit ordering, the
        max_first template) is decided the same way however the cart is
        sorted: order totals never depend on the order of cart lines. Rows
        come out in cart order again.
        """
        n = len(priced)
        skus = [entry[0].sku for entry in priced]
        canonical = sorted(range(n), key=skus.__getitem__)
        cart_order = [0] * n
        for position, i in enumerate(canonical):
            cart_order[i] = position
        priced = [priced[i] for i in canonical]
        keys = [skus[i] for i in canonical]
        qty = [quantity for _, _, quantity in priced]
        lines = Lines(
            keys=list(keys),  # gift lines join Work.keys only
            qty=qty,
            scoped=[item.scoped for item, _, _ in priced],
            amount=[unit * quantity for _, unit, quantity in priced],
            activity=[False] * n,
            promotions_ok=[True] * n,
            coupons_ok=[True] * n,
            scope_cache=context._cache.setdefault("scope", {}),  # type: ignore[arg-type]
        )
        return cls(
            per_major=10 ** _places(context),
            keys=keys,
            items=[item for item, _, _ in priced],
            qty=list(qty),
            list_unit=[unit for _, unit, _ in priced],
            lines=lines,
            item=[0] * n,
            promotion=[0] * n,
            coupon=[0] * n,
            points=[0] * n,
            freight=[0] * n,
            shipping_discount=[0] * n,
            tax=[0] * n,
            gift=[False] * n,
            cart_order=cart_order,
        )

    def copy(self) -> Work:
        """A copy whose lists can be changed without touching this one."""
        lines = self.lines
        return Work(
            self.per_major,
            list(self.keys),
            list(self.items),
            list(self.qty),
            list(self.list_unit),
            Lines(
                keys=list(lines.keys),
                qty=lines.qty,
                scoped=list(lines.scoped),
                amount=list(lines.amount),
                activity=lines.activity,
                promotions_ok=lines.promotions_ok,
                coupons_ok=lines.coupons_ok,
                consumed=list(lines.consumed),
                scope_cache=lines.scope_cache,
            ),
            list(self.item),
            list(self.promotion),
            list(self.coupon),
            list(self.points),
            list(self.freight),
            list(self.shipping_discount),
            list(self.tax),
            list(self.gift),
            self.tax_added,
            self.cart_order,
        )

    def adjust(
        self,
        source: str,
        stage: str,
        shares: Sequence[tuple[int, int]],
        *,
        base: int | None = None,
        detail: str = "",
    ) -> Adjustment:
        """An adjustment from (line index, amount) *shares*, in ascending line order.

        Every stage produces its shares in line order already (that is the SKU
        order of :meth:`start`), so nothing is sorted here.
        """
        keys = self.keys
        return Adjustment(
            source,
            stage,
            sum([part for _, part in shares]),
            tuple([(keys[i], part) for i, part in shares]),
            detail,
            base,
        )

    def add_gifts(self, gifts: Sequence[tuple[str, int]], context: PricingContext) -> None:
        """Append zero-priced gift lines keyed ``gift:SKU`` (merged by SKU)."""
        merged: dict[str, int] = {}
        for sku, quantity in gifts:
            merged[sku] = merged.get(sku, 0) + quantity
        for sku, quantity in merged.items():
            self.keys.append(f"gift:{sku}")
            self.items.append(context.catalog.get(sku))
            self.qty.append(quantity)
            self.list_unit.append(0)
            self.lines.amount.append(0)
            for column in (
                self.item, self.promotion, self.coupon, self.points,
                self.freight, self.shipping_discount, self.tax,
            ):  # fmt: skip
                column.append(0)
            self.gift.append(True)

    def rows(self, earned: Sequence[int]) -> tuple[Row, ...]:
        """The finished lines as :class:`Quote` rows (see :data:`ROW_FIELDS`), in cart order.

        Gift lines come last. Built column by column: the line identity of
        DESIGN.md section 4 (``paid``) is computed here, once.
        """
        n = len(self.keys)
        shipping = [f - d for f, d in zip(self.freight, self.shipping_discount, strict=True)]
        # Every stage subtracts what it takes from lines.amount as it records it
        # in its own column, so the amount left is the net of the columns; the
        # line identity property test checks the two never drift apart.
        net = self.lines.amount
        if self.tax_added:
            paid = [a + s + t for a, s, t in zip(net, shipping, self.tax, strict=True)]
        else:
            paid = [a + s for a, s in zip(net, shipping, strict=True)]
        activity = self.lines.activity
        rows: list[Row] = list(
            zip(
                self.keys,
                [key[5:] if gift else key for key, gift in zip(self.keys, self.gift, strict=True)],
                self.qty,
                self.list_unit,
                [unit * quantity for unit, quantity in zip(self.list_unit, self.qty, strict=True)],
                self.item,
                self.promotion,
                self.coupon,
                self.points,
                shipping,
                self.tax,
                repeat(self.tax_added, n),
                earned,
                [*activity, *repeat(False, n - len(activity))],
                self.gift,
                paid,
                strict=True,
            )
        )
        order = [*self.cart_order, *range(len(self.cart_order), n)]
        return tuple(map(rows.__getitem__, order))


def _places(context: PricingContext) -> int:
    return minor_units(context.currency)


def split(total: int, indices: Iterable[int], weights: Sequence[int]) -> list[tuple[int, int]]:
    """Allocate *total* minor units over the lines *indices* by *weights*; drop zero shares."""
    whole = sum(weights)
    if total <= 0 or not whole:
        return []
    # Weights here are line amounts or freight, never negative: no checks needed.
    parts = largest_remainder(total, weights, whole)
    return [(i, part) for i, part in zip(indices, parts, strict=True) if part]
