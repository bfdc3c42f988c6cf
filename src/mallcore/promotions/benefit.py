"""What a promotion kind must offer the pricing engine, and the read-only view it works on.

Each kind implements exactly one of three protocols:

- :class:`ItemPriceBenefit` (限时折扣, 秒杀, 拼团) proposes a unit price in stage 2;
- :class:`OrderBenefit` (满减, 每满减, 满折, 第N件, N件M元, 买X送Y, 满赠, percent off)
  says what it gives on the lines' current amounts in stage 3;
- :class:`ShippingBenefit` (满包邮) says whether it waives freight in stage 6.

The engine in :mod:`mallcore.pricing` decides which benefits apply and writes
the result; a benefit only reads a :class:`LineView` and returns an
:class:`Outcome`. Everything is integer minor units.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from mallcore.money import Currency, RoundingPolicy, allocate_minor, largest_remainder
from mallcore.promotions.reasons import Reason
from mallcore.promotions.scope import ScopedItem

if TYPE_CHECKING:
    from mallcore.promotions.order_kinds import GiftItem

__all__ = [
    "ItemPriceBenefit",
    "LineView",
    "OrderBenefit",
    "Outcome",
    "ShippingBenefit",
    "allocate_over",
    "dearest_first",
    "split_by_unit_weights",
    "unit_amounts",
    "unit_counts",
    "unit_scale",
    "unit_weights",
]


class LineView(Protocol):
    """The working lines of one quote, as a benefit may read them (never write).

    Every sequence runs per line, in cart order; amounts are minor units.
    """

    @property
    def keys(self) -> Sequence[str]:
        """Line keys (the SKU ids)."""
        ...

    @property
    def qty(self) -> Sequence[int]:
        """Units per line."""
        ...

    @property
    def scoped(self) -> Sequence[ScopedItem]:
        """What scopes look at per line: product, category, brand, tags."""
        ...

    @property
    def amount(self) -> Sequence[int]:
        """Each line's amount after the stages so far."""
        ...

    @property
    def consumed(self) -> Sequence[int]:
        """Units of each line already used by a quantity-consuming promotion."""
        ...


class Outcome(NamedTuple):
    """What one benefit would give on the current amounts (a tuple: built per rule per quote).

    Attributes:
        discount: Money off, in minor units.
        shares: ``(line index, share)`` pairs, in line order, summing to *discount*.
        consumed: ``(line index, units)`` pairs this benefit uses up.
        gifts: Gift lines to add.
        base: The amount the benefit looked at (its threshold base).
        shortfall: How much more spend would reach the threshold, if money.
    """

    discount: int = 0
    shares: tuple[tuple[int, int], ...] = ()
    consumed: tuple[tuple[int, int], ...] = ()
    gifts: tuple[GiftItem, ...] = ()
    base: int = 0
    shortfall: int | None = None

    @property
    def gives(self) -> bool:
        """Whether it gives anything (money off or gifts)."""
        return self.discount > 0 or bool(self.gifts)


@runtime_checkable
class ItemPriceBenefit(Protocol):
    """A kind that proposes an item price in stage 2 (one winner per line, no stacking)."""

    @property
    def kind(self) -> str:
        """The kind's name in rule files (``time_limited``, ``flash_sale``, ...)."""
        ...

    @property
    def currency(self) -> Currency | None:
        """The currency of its amounts, or None when it has none."""
        ...

    @property
    def activity(self) -> bool:
        """Whether a line it wins becomes an activity line (秒杀, 拼团)."""
        ...

    @property
    def allow_promotions(self) -> bool:
        """Whether its activity lines still take stage-3 promotions."""
        ...

    @property
    def allow_coupons(self) -> bool:
        """Whether its activity lines still take coupons."""
        ...

    def price_for(self, list_unit: int, rounding: RoundingPolicy) -> int:
        """The unit price it offers for a unit listed at *list_unit* minor units."""
        ...

    def allows(self, quantity: int) -> bool:
        """Whether a line of *quantity* units is within its per-customer and total limits."""
        ...


@runtime_checkable
class OrderBenefit(Protocol):
    """A kind that discounts the in-scope lines' current amounts in stage 3."""

    @property
    def kind(self) -> str:
        """The kind's name in rule files (``threshold_off``, ``nth_item``, ...)."""
        ...

    @property
    def currency(self) -> Currency | None:
        """The currency of its amounts, or None when it has none."""
        ...

    @property
    def consumes_units(self) -> bool:
        """Whether the units it uses cannot feed another quantity-consuming promotion."""
        ...

    def evaluate(
        self, lines: LineView, indices: Sequence[int], rounding: RoundingPolicy
    ) -> Outcome:
        """What it gives on the lines *indices* (sorted, eligible) at their current amounts."""
        ...


@runtime_checkable
class ShippingBenefit(Protocol):
    """A kind that waives its lines' freight in stage 6 when its thresholds are met."""

    @property
    def kind(self) -> str:
        """The kind's name in rule files (``free_shipping``)."""
        ...

    @property
    def currency(self) -> Currency | None:
        """The currency of its amounts, or None when it has none."""
        ...

    def qualifies(
        self, *, amount: int, quantity: int, region: str | None
    ) -> tuple[Reason | None, int | None]:
        """``(None, None)`` when it applies, else the reason and any money shortfall.

        Args:
            amount: The in-scope lines' net item amount after coupons, minor units.
            quantity: The in-scope lines' pieces.
            region: The ship-to region, or None.
        """
        ...


def allocate_over(
    total: int, lines: LineView, indices: Sequence[int]
) -> tuple[tuple[int, int], ...]:
    """Split *total* minor units over the lines *indices* by their current amounts.

    Largest remainder (ties: larger amount, then earlier cart line); returns
    ``(line index, share)`` pairs in line order, zero shares left out.
    """
    amount = lines.amount
    weights = [amount[i] for i in indices]
    whole = sum(weights)
    # Line amounts are never negative; a zero sum goes to allocate_minor to raise.
    if whole > 0 and total >= 0:
        parts = largest_remainder(total, weights, whole)
    else:
        parts = allocate_minor(total, weights)
    return tuple([(i, part) for i, part in zip(indices, parts, strict=True) if part])


def unit_scale(lines: LineView, indices: Sequence[int]) -> int:
    """The least common multiple of the lines' quantities (1 for no lines)."""
    qty = lines.qty
    return math.lcm(*(qty[i] for i in indices)) if indices else 1


def unit_amounts(
    lines: LineView, indices: Sequence[int], scale: int = 0
) -> tuple[list[tuple[int, int]], int]:
    """Every unconsumed unit of the lines as ``(unit amount × scale, line index)``, and the scale.

    A unit's amount is its line's amount divided by its quantity; scaling by
    a common multiple of the quantities (by default :func:`unit_scale` of
    *indices*) keeps it an exact integer. Units come in line order.
    """
    qty, consumed, amount = lines.qty, lines.consumed, lines.amount
    scale = scale or unit_scale(lines, indices)
    units: list[tuple[int, int]] = []
    for i in indices:
        free = qty[i] - consumed[i]
        if free > 0:
            units.extend([(amount[i] * (scale // qty[i]), i)] * free)
    return units, scale


def dearest_first(units: list[tuple[int, int]]) -> None:
    """Sort units from :func:`unit_amounts` dearest first, in place; equal units keep line order.

    The sort is stable and the units come in line order, so among equal
    amounts the earlier cart line's units come first.
    """
    units.sort(key=itemgetter(0), reverse=True)


def unit_weights(units: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Line index → the summed (scaled) amounts of its *units*."""
    weights: dict[int, int] = {}
    for value, line in units:
        weights[line] = weights.get(line, 0) + value
    return weights


def unit_counts(units: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Line index → how many of *units* are its own."""
    return Counter(map(itemgetter(1), units))


def split_by_unit_weights(
    weights: dict[int, int],
    exact: tuple[int, int],
    consumed: dict[int, int],
    base: int,
    rounding: RoundingPolicy,
) -> Outcome:
    """Round the exact discount ``numerator / denominator`` once and split it by *weights*.

    *weights* maps a line index to the (scaled) amount of its units the
    discount bears on: a unit-level discount belongs to the lines of the units
    it discounts or bundles.
    """
    discount = min(rounding.divide(*exact), base)
    if discount <= 0:
        return Outcome(base=base)
    indices = sorted(weights)
    parts = largest_remainder(discount, [weights[i] for i in indices], sum(weights.values()))
    shares = tuple((i, part) for i, part in zip(indices, parts, strict=True) if part)
    return Outcome(discount, shares, tuple(sorted(consumed.items())), base=base)
