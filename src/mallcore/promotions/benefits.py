"""What each order-level promotion kind gives on the current line amounts.

:func:`evaluate` is pure: it reads a :class:`~mallcore.promotions.lines.Lines`
and returns an :class:`Outcome` (the discount, its split over lines, the units
it consumes, gifts, the base it looked at and any shortfall); the engine
decides which outcomes apply. Everything is integer minor units, rounded once
per promotion.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from mallcore.money import RoundingPolicy, allocate_minor, largest_remainder
from mallcore.promotions.kinds import (
    BundlePrice,
    BuyXGetY,
    EveryOff,
    Gift,
    GiftItem,
    NthItem,
    PercentOff,
    ThresholdOff,
    ThresholdPercent,
)
from mallcore.promotions.lines import Lines
from mallcore.promotions.promotion import Promotion

__all__ = ["Outcome", "allocate_over", "evaluate", "percent_of"]


class Outcome(NamedTuple):
    """What one promotion would give on the current amounts (a tuple: built per rule per quote)."""

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


def allocate_over(total: int, lines: Lines, indices: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """Split *total* minor units over the lines *indices* by their current amounts.

    Largest remainder, as :func:`~mallcore.money.allocate_minor`; returns
    ``(line index, share)`` pairs in line order, zero shares left out.
    """
    weights = lines.amounts_of(indices)
    whole = sum(weights)
    # Line amounts are never negative; a zero sum goes to allocate_minor to raise.
    if whole > 0 and total >= 0:
        parts = largest_remainder(total, weights, whole)
    else:
        parts = allocate_minor(total, weights)
    return tuple([(i, part) for i, part in zip(indices, parts, strict=True) if part])


@functools.lru_cache(maxsize=1024)
def _ratio(percent: Decimal) -> tuple[int, int]:
    """A percentage as an exact ``(numerator, denominator)`` of a fraction of 1."""
    numerator, denominator = percent.as_integer_ratio()
    return numerator, denominator * 100


def percent_of(base: int, percent: Decimal, rounding: RoundingPolicy) -> int:
    """*percent* % of *base* minor units, rounded once."""
    numerator, denominator = _ratio(percent)
    return rounding.divide(base * numerator, denominator)


def _scale(lines: Lines, indices: Sequence[int]) -> int:
    """The least common multiple of the lines' quantities."""
    return math.lcm(*(lines.qty[i] for i in indices)) if indices else 1


def _units(
    lines: Lines, indices: Sequence[int], scale: int = 0
) -> tuple[list[tuple[int, int]], int]:
    """Every unconsumed unit of the lines as (unit amount × scale, line index), and the scale.

    A unit's amount is its line's amount divided by its quantity; scaling by
    a common multiple of the quantities keeps it an exact integer.
    """
    scale = scale or _scale(lines, indices)
    units: list[tuple[int, int]] = []
    for i in indices:
        free = lines.qty[i] - lines.consumed[i]
        if free > 0:
            units.extend([(lines.amount[i] * (scale // lines.qty[i]), i)] * free)
    return units, scale


def evaluate(
    promotion: Promotion, lines: Lines, indices: Sequence[int], rounding: RoundingPolicy
) -> Outcome:
    """What *promotion* gives on the eligible lines *indices* at their current amounts."""
    benefit = promotion.benefit
    base = sum(lines.amounts_of(indices))
    if isinstance(benefit, ThresholdOff):
        reached = [t for t in benefit.tiers if t.min_spend_minor <= base]
        if not reached:
            lowest = min(t.min_spend_minor for t in benefit.tiers)
            return Outcome(base=base, shortfall=lowest - base)
        best = max(reached, key=lambda t: t.min_spend_minor)
        discount = min(best.amount_off_minor, base)
        return Outcome(discount, allocate_over(discount, lines, indices), base=base)
    if isinstance(benefit, EveryOff):
        per = benefit.per_minor
        times = base // per
        if benefit.max_times is not None:
            times = min(times, benefit.max_times)
        if times <= 0:
            return Outcome(base=base, shortfall=per - base)
        discount = min(times * benefit.amount_off_minor, base)
        return Outcome(discount, allocate_over(discount, lines, indices), base=base)
    if isinstance(benefit, ThresholdPercent):
        return _thresholdpercent_of(benefit, lines, indices, base, rounding)
    if isinstance(benefit, PercentOff):
        discount = percent_of(base, benefit.percent_off, rounding)
        if benefit.max_discount_minor is not None:
            discount = min(discount, benefit.max_discount_minor)
        discount = min(discount, base)
        if discount <= 0:
            return Outcome(base=base)
        return Outcome(discount, allocate_over(discount, lines, indices), base=base)
    if isinstance(benefit, Gift):
        need = benefit.min_spend_minor
        if base < need:
            return Outcome(base=base, shortfall=need - base)
        return Outcome(gifts=benefit.gifts, base=base)
    if isinstance(benefit, NthItem):
        return _nth_item(benefit, lines, indices, base, rounding)
    if isinstance(benefit, BuyXGetY):
        return _buy_x_get_y(benefit, lines, indices, base, rounding)
    if isinstance(benefit, BundlePrice):
        return _bundle(benefit, lines, indices, base, rounding)
    return Outcome(base=base)


def _thresholdpercent_of(
    benefit: ThresholdPercent,
    lines: Lines,
    indices: Sequence[int],
    base: int,
    rounding: RoundingPolicy,
) -> Outcome:
    quantity = sum([lines.qty[i] for i in indices])
    reached = [
        tier
        for tier in benefit.tiers
        if (tier.min_spend_minor is None or tier.min_spend_minor <= base)
        and (tier.min_qty is None or tier.min_qty <= quantity)
    ]
    if not reached:
        spends = [t.min_spend_minor - base for t in benefit.tiers if t.min_spend_minor is not None]
        return Outcome(base=base, shortfall=min(spends) if spends else None)
    best = max(reached, key=lambda tier: tier.percent_off)
    discount = min(percent_of(base, best.percent_off, rounding), base)
    if discount <= 0:
        return Outcome(base=base)
    return Outcome(discount, allocate_over(discount, lines, indices), base=base)


def _unit_outcome(
    weights: dict[int, int],
    exact: tuple[int, int],
    consumed: dict[int, int],
    base: int,
    rounding: RoundingPolicy,
) -> Outcome:
    """Round the exact discount ``numerator / denominator`` once and split it by *weights*."""
    discount = min(rounding.divide(*exact), base)
    if discount <= 0:
        return Outcome(base=base)
    indices = sorted(weights)
    parts = largest_remainder(discount, [weights[i] for i in indices], sum(weights.values()))
    shares = tuple((i, part) for i, part in zip(indices, parts, strict=True) if part)
    return Outcome(discount, shares, tuple(sorted(consumed.items())), base=base)


def _nth_item(
    benefit: NthItem, lines: Lines, indices: Sequence[int], base: int, rounding: RoundingPolicy
) -> Outcome:
    # Every n-th unit of a product, counted across its SKUs with the cheapest
    # units first (DESIGN.md section 12). When max_times caps the applications,
    # the ones that save the customer most are taken first (a product's own
    # applications stay in order), so the result never depends on line order.
    by_product: dict[str, list[int]] = {}
    for i in indices:
        by_product.setdefault(lines.scoped[i].product_id, []).append(i)
    scale = _scale(lines, indices)  # one scale for every product keeps weights comparable
    n = benefit.n
    units_of: dict[str, list[tuple[int, int]]] = {}
    heap: list[tuple[int, str, int]] = []
    for product, product_lines in by_product.items():
        units, _ = _units(lines, product_lines, scale)
        units.sort()
        if len(units) >= n:
            units_of[product] = units
            heap.append((-units[n - 1][0], product, 0))
    heapq.heapify(heap)
    weights: dict[int, int] = {}
    consumed: dict[int, int] = {}
    discounted = 0
    times_left = benefit.max_times
    while heap and (times_left is None or times_left > 0):
        _, product, block = heapq.heappop(heap)
        units = units_of[product]
        for _, i in units[block * n : (block + 1) * n]:
            consumed[i] = consumed.get(i, 0) + 1
        value, i = units[(block + 1) * n - 1]
        weights[i] = weights.get(i, 0) + value
        discounted += value
        if (block + 2) * n <= len(units):
            heapq.heappush(heap, (-units[(block + 2) * n - 1][0], product, block + 1))
        if times_left is not None:
            times_left -= 1
    if not weights:
        return Outcome(base=base)
    numerator, denominator = _ratio(benefit.percent_off)
    exact = (discounted * numerator, scale * denominator)
    return _unit_outcome(weights, exact, consumed, base, rounding)


def _buy_x_get_y(
    benefit: BuyXGetY, lines: Lines, indices: Sequence[int], base: int, rounding: RoundingPolicy
) -> Outcome:
    size = benefit.x + benefit.y
    units, scale = _units(lines, indices)
    units.sort(key=_dearest_first)
    groups = len(units) // size
    if benefit.max_times is not None:
        groups = min(groups, benefit.max_times)
    weights: dict[int, int] = {}
    consumed: dict[int, int] = {}
    discounted = 0
    for group in range(groups):
        for position, (value, i) in enumerate(units[group * size : (group + 1) * size]):
            consumed[i] = consumed.get(i, 0) + 1
            if position >= benefit.x:
                weights[i] = weights.get(i, 0) + value
                discounted += value
    if not weights:
        return Outcome(base=base)
    numerator, denominator = _ratio(benefit.percent_off)
    exact = (discounted * numerator, scale * denominator)
    return _unit_outcome(weights, exact, consumed, base, rounding)


def _dearest_first(unit: tuple[int, int]) -> tuple[int, int]:
    return (-unit[0], unit[1])


def _bundle(
    benefit: BundlePrice, lines: Lines, indices: Sequence[int], base: int, rounding: RoundingPolicy
) -> Outcome:
    units, scale = _units(lines, indices)
    units.sort(key=_dearest_first)
    price = benefit.price_minor * scale
    n = benefit.n
    groups = len(units) // n
    if benefit.max_times is not None:
        groups = min(groups, benefit.max_times)
    weights: dict[int, int] = {}
    consumed: dict[int, int] = {}
    saving = 0
    for group in range(groups):
        chunk = units[group * n : (group + 1) * n]
        amount = sum(value for value, _ in chunk)
        if amount <= price:
            break  # later groups are cheaper still: none of them saves
        saving += amount - price
        for value, i in chunk:
            weights[i] = weights.get(i, 0) + value
            consumed[i] = consumed.get(i, 0) + 1
    if not weights:
        return Outcome(base=base)
    return _unit_outcome(weights, (saving, scale), consumed, base, rounding)
