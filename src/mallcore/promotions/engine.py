"""Stage 3 of the quote: order-level promotions, their groups, exclusivity and unit consumption.

The engine works on integer minor units in a mutable :class:`Lines` state that
the pipeline owns. Each promotion is evaluated on the amounts left at that
point; a winner's discount is allocated to lines with the largest-remainder
rule and subtracted before the next group runs.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

import attrs

from mallcore.money import RoundingPolicy, _largest_remainder, allocate_minor
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
from mallcore.promotions.promotion import Promotion
from mallcore.promotions.scope import Scope, ScopedItem
from mallcore.promotions.windows import WindowState

__all__ = [
    "Lines",
    "Outcome",
    "Stage3Result",
    "eligibility",
    "evaluate",
    "run_promotions",
    "run_screened",
    "screen",
]


@attrs.define
class Lines:
    """Per-line working state of one quote (internal to the pipeline; mutable, parallel lists)."""

    keys: list[str]
    qty: list[int]
    scoped: list[ScopedItem]
    amount: list[int]
    activity: list[bool]
    promotions_ok: list[bool]
    coupons_ok: list[bool]
    consumed: list[int] = attrs.field(factory=list)
    #: rule id → line key → in scope; shared across the quotes of one context.
    scope_cache: dict[str, dict[str, bool]] = attrs.field(factory=dict)

    def in_scope(self, rule_id: str, scope: Scope) -> list[int]:
        """The lines *scope* covers (remembered per rule and SKU)."""
        if scope.exclude is None and scope.is_everything:
            return list(range(len(self.keys)))
        known = self.scope_cache.get(rule_id)
        if known is None:
            known = self.scope_cache[rule_id] = {}
        covered = list(map(known.get, self.keys))
        if None in covered:  # a SKU this rule has not seen yet
            for i, key in enumerate(self.keys):
                if covered[i] is None:
                    covered[i] = known[key] = scope.matches(self.scoped[i])
        return [i for i, hit in enumerate(covered) if hit]

    def amounts_of(self, indices: Sequence[int]) -> list[int]:
        """The current amounts of the lines *indices* (sorted, distinct), in minor units."""
        amount = self.amount
        # Order-level rules usually cover the whole cart: then a copy does it.
        if len(indices) == len(self.keys):
            return amount[: len(indices)]
        return [amount[i] for i in indices]

    def __attrs_post_init__(self) -> None:
        if not self.consumed:
            self.consumed = [0] * len(self.keys)


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


@attrs.frozen
class Stage3Result:
    """Applied promotions with outcomes; rejections as (promotion, reason, shortfall)."""

    applied: tuple[tuple[Promotion, Outcome], ...]
    rejected: tuple[tuple[Promotion, str, int | None], ...]


def eligibility(
    promotion: Promotion,
    *,
    at: datetime,
    tier: str | None,
    first_order: bool,
    channel: str | None,
) -> str | None:
    """The first reason *promotion* cannot run for this customer now, or None."""
    state = promotion.window.state(at)
    if state != WindowState.ACTIVE:
        return state
    if promotion.channels and channel not in promotion.channels:
        return "wrong_channel"
    if promotion.member_tiers and tier not in promotion.member_tiers:
        return "tier_required"
    if promotion.first_order_only and not first_order:
        return "first_order_only"
    return None


def _allocate(total: int, lines: Lines, indices: Sequence[int]) -> tuple[tuple[int, int], ...]:
    weights = lines.amounts_of(indices)
    whole = sum(weights)
    # Line amounts are never negative; a zero sum goes to allocate_minor to raise.
    if whole > 0 and total >= 0:
        parts = _largest_remainder(total, weights, whole)
    else:
        parts = allocate_minor(total, weights)
    return tuple([(i, part) for i, part in zip(indices, parts, strict=True) if part])


@functools.lru_cache(maxsize=1024)
def _ratio(percent: Decimal) -> tuple[int, int]:
    """A percentage as an exact ``(numerator, denominator)`` of a fraction of 1."""
    numerator, denominator = percent.as_integer_ratio()
    return numerator, denominator * 100


def _percent(base: int, percent: Decimal, rounding: RoundingPolicy) -> int:
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
        return Outcome(discount, _allocate(discount, lines, indices), base=base)
    if isinstance(benefit, EveryOff):
        per = benefit.per_minor
        times = base // per
        if benefit.max_times is not None:
            times = min(times, benefit.max_times)
        if times <= 0:
            return Outcome(base=base, shortfall=per - base)
        discount = min(times * benefit.amount_off_minor, base)
        return Outcome(discount, _allocate(discount, lines, indices), base=base)
    if isinstance(benefit, ThresholdPercent):
        return _threshold_percent(benefit, lines, indices, base, rounding)
    if isinstance(benefit, PercentOff):
        discount = _percent(base, benefit.percent_off, rounding)
        if benefit.max_discount_minor is not None:
            discount = min(discount, benefit.max_discount_minor)
        discount = min(discount, base)
        if discount <= 0:
            return Outcome(base=base)
        return Outcome(discount, _allocate(discount, lines, indices), base=base)
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


def _threshold_percent(
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
    discount = min(_percent(base, best.percent_off, rounding), base)
    if discount <= 0:
        return Outcome(base=base)
    return Outcome(discount, _allocate(discount, lines, indices), base=base)


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
    parts = _largest_remainder(discount, [weights[i] for i in indices], sum(weights.values()))
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


def _apply(lines: Lines, outcome: Outcome) -> None:
    for i, part in outcome.shares:
        lines.amount[i] -= part
    for i, units in outcome.consumed:
        lines.consumed[i] += units


def _eligible(promotion: Promotion, lines: Lines) -> tuple[list[int], str | None]:
    """Lines the promotion may discount, or the reason there are none."""
    in_scope = lines.in_scope(promotion.source, promotion.scope)
    ok = lines.promotions_ok
    eligible = [i for i in in_scope if ok[i]] if False in ok else in_scope
    if eligible:
        return eligible, None
    return [], ("activity_line" if in_scope else "out_of_scope")


def _group_order(candidates: Sequence[tuple[Promotion, list[int]]]) -> list[list[int]]:
    """Candidate positions grouped, groups by highest priority then first listing."""
    groups: dict[str, list[int]] = {}
    for position, (promotion, _) in enumerate(candidates):
        groups.setdefault(promotion.group_name, []).append(position)
    return sorted(
        groups.values(),
        key=lambda members: (-max(candidates[m][0].priority for m in members), members[0]),
    )


def _run_stacked(
    candidates: Sequence[tuple[Promotion, list[int]]], lines: Lines, rounding: RoundingPolicy
) -> tuple[list[tuple[int, Outcome]], dict[int, Outcome]]:
    """Apply the groups in order; return the winners and every member's own outcome."""
    winners: list[tuple[int, Outcome]] = []
    seen: dict[int, Outcome] = {}
    for members in _group_order(candidates):
        best: tuple[int, Outcome] | None = None
        for position in members:
            promotion, indices = candidates[position]
            if promotion.consumes_quantity:
                indices = [i for i in indices if lines.consumed[i] < lines.qty[i]]
            outcome = evaluate(promotion, lines, indices, rounding)
            seen[position] = outcome
            if outcome.gives and (best is None or outcome.discount > best[1].discount):
                best = (position, outcome)
        if best is not None:
            _apply(lines, best[1])
            winners.append(best)
    return winners, seen


def screen(
    promotions: Sequence[Promotion],
    *,
    at: datetime,
    tier: str | None,
    first_order: bool,
    channel: str | None,
) -> tuple[list[Promotion], list[tuple[Promotion, str, int | None]]]:
    """Split *promotions* into those that may run for this customer now and the rejected.

    The checks depend on the time, tier, first-order flag and channel only, so
    a pricing context can screen once and price many carts.
    """
    candidates: list[Promotion] = []
    rejected: list[tuple[Promotion, str, int | None]] = []
    for promotion in promotions:
        reason = eligibility(promotion, at=at, tier=tier, first_order=first_order, channel=channel)
        if reason is None:
            candidates.append(promotion)
        else:
            rejected.append((promotion, reason, None))
    return candidates, rejected


def run_promotions(
    promotions: Sequence[Promotion],
    lines: Lines,
    *,
    rounding: RoundingPolicy,
    at: datetime,
    tier: str | None,
    first_order: bool,
    channel: str | None,
) -> Stage3Result:
    """Run stage 3 over *lines* (mutated in place); return what applied and what did not.

    Rejection reasons follow the first failing check: window, eligibility,
    scope, usage limit, combinability (group or exclusive losers), threshold.
    """
    candidates, rejected = screen(
        promotions, at=at, tier=tier, first_order=first_order, channel=channel
    )
    return run_screened(candidates, rejected, lines, rounding)


def run_screened(
    candidates: Sequence[Promotion],
    screened_out: Sequence[tuple[Promotion, str, int | None]],
    lines: Lines,
    rounding: RoundingPolicy,
) -> Stage3Result:
    """:func:`run_promotions` after :func:`screen`: scope, usage, stacking, exclusivity."""
    rejected = list(screened_out)
    stacked: list[tuple[Promotion, list[int]]] = []
    exclusive: list[tuple[Promotion, list[int]]] = []
    for promotion in candidates:
        indices, reason = _eligible(promotion, lines)
        if reason is None and promotion.usage_limit_reached:
            reason = "usage_limit_reached"
        if reason is not None:
            rejected.append((promotion, reason, None))
        else:
            (exclusive if promotion.exclusive else stacked).append((promotion, indices))

    if not exclusive:
        # The common case: nothing to compare the stacked combination with.
        winners, seen = _run_stacked(stacked, lines, rounding)
        won = {position for position, _ in winners}
        groups_won = {stacked[p][0].group_name for p in won}
        for position, (promotion, _) in enumerate(stacked):
            if position not in won:
                lost = promotion.group_name in groups_won
                rejected.append(_loser(promotion, seen[position], lost))
        return Stage3Result(
            tuple((stacked[position][0], outcome) for position, outcome in winners),
            tuple(rejected),
        )

    start_amount, start_consumed = list(lines.amount), list(lines.consumed)
    winners, seen = _run_stacked(stacked, lines, rounding)
    stacked_total = sum(outcome.discount for _, outcome in winners)
    stacked_after = (list(lines.amount), list(lines.consumed))

    best_exclusive: tuple[int, Outcome] | None = None
    exclusive_seen: dict[int, Outcome] = {}
    for position, (promotion, indices) in enumerate(exclusive):
        lines.amount[:], lines.consumed[:] = start_amount, start_consumed
        outcome = evaluate(promotion, lines, indices, rounding)
        exclusive_seen[position] = outcome
        if outcome.gives and (
            best_exclusive is None or outcome.discount > best_exclusive[1].discount
        ):
            best_exclusive = (position, outcome)

    applied: list[tuple[Promotion, Outcome]]
    if best_exclusive is not None and (
        best_exclusive[1].discount > stacked_total or (not winners and best_exclusive[1].gives)
    ):
        lines.amount[:], lines.consumed[:] = start_amount, start_consumed
        _apply(lines, best_exclusive[1])
        applied = [(exclusive[best_exclusive[0]][0], best_exclusive[1])]
        won_stacked: set[int] = set()
        won_exclusive = {best_exclusive[0]}
        something_applied = True
    else:
        lines.amount[:], lines.consumed[:] = stacked_after
        applied = [(stacked[position][0], outcome) for position, outcome in winners]
        won_stacked = {position for position, _ in winners}
        won_exclusive = set()
        something_applied = bool(winners)

    groups_won = {stacked[p][0].group_name for p in won_stacked}
    for position, (promotion, _) in enumerate(stacked):
        if position in won_stacked:
            continue
        # A group member that lost to its group's winner, or any stacked
        # candidate when an exclusive won, failed the combinability check.
        lost_to_other = something_applied and (
            not won_stacked or promotion.group_name in groups_won
        )
        rejected.append(_loser(promotion, seen[position], lost_to_other))
    for position, (promotion, _) in enumerate(exclusive):
        if position not in won_exclusive:
            rejected.append(_loser(promotion, exclusive_seen[position], something_applied))
    return Stage3Result(tuple(applied), tuple(rejected))


def _loser(
    promotion: Promotion, outcome: Outcome, lost_to_other: bool
) -> tuple[Promotion, str, int | None]:
    if lost_to_other:
        return (promotion, "not_combinable", None)
    return (promotion, "below_threshold", outcome.shortfall)
