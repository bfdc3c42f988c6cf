"""Stage 3 of the quote: order-level promotions, their groups, exclusivity and unit consumption.

Groups apply in ``priority`` order (a group runs at its highest member's
priority; equal priorities in listing order). Inside a group the candidate
with the larger discount on the amounts left at that point wins (ties: the
earlier listed); the winner's discount is subtracted before the next group
runs. An ``exclusive`` promotion is compared alone with the stacked
combination and wins only when its discount is strictly larger. A unit used
by a quantity-consuming promotion cannot feed another one.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from mallcore.money import RoundingPolicy
from mallcore.pricing.rulebook import RuleBook
from mallcore.pricing.sheet import PriceSheet
from mallcore.promotions.benefit import OrderBenefit, Outcome
from mallcore.promotions.promotion import Promotion
from mallcore.promotions.reasons import Reason

__all__ = ["PromotionsApplied", "apply_promotions"]

#: A promotion that may run on this cart, its benefit and the lines it may discount.
_Candidate = tuple[Promotion, OrderBenefit, list[int]]


@attrs.frozen
class PromotionsApplied:
    """What stage 3 applied (with outcomes) and what it rejected (with reason and shortfall)."""

    applied: tuple[tuple[Promotion, Outcome], ...]
    rejected: tuple[tuple[Promotion, Reason, int | None], ...]


def _take(sheet: PriceSheet, outcome: Outcome) -> None:
    amount, consumed = sheet.amount, sheet.consumed
    for i, part in outcome.shares:
        amount[i] -= part
    for i, units in outcome.consumed:
        consumed[i] += units


def _group_order(candidates: Sequence[_Candidate]) -> list[list[int]]:
    """Candidate positions grouped, groups by highest priority then first listing."""
    groups: dict[str, list[int]] = {}
    for position, (promotion, _, _) in enumerate(candidates):
        groups.setdefault(promotion.group_name, []).append(position)
    return sorted(
        groups.values(),
        key=lambda members: (-max(candidates[m][0].priority for m in members), members[0]),
    )


def _run_stacked(
    candidates: Sequence[_Candidate], sheet: PriceSheet, rounding: RoundingPolicy
) -> tuple[list[tuple[int, Outcome]], dict[int, Outcome]]:
    """Apply the groups in order; return the winners and every member's own outcome."""
    winners: list[tuple[int, Outcome]] = []
    seen: dict[int, Outcome] = {}
    qty, consumed = sheet.qty, sheet.consumed
    for members in _group_order(candidates):
        best: tuple[int, Outcome] | None = None
        for position in members:
            _, benefit, indices = candidates[position]
            if benefit.consumes_units:
                indices = [i for i in indices if consumed[i] < qty[i]]
            outcome = benefit.evaluate(sheet, indices, rounding)
            seen[position] = outcome
            if outcome.gives and (best is None or outcome.discount > best[1].discount):
                best = (position, outcome)
        if best is not None:
            _take(sheet, best[1])
            winners.append(best)
    return winners, seen


def _loser(
    promotion: Promotion, outcome: Outcome, lost_to_other: bool
) -> tuple[Promotion, Reason, int | None]:
    if lost_to_other:
        return (promotion, Reason.NOT_COMBINABLE, None)
    return (promotion, Reason.BELOW_THRESHOLD, outcome.shortfall)


def apply_promotions(
    sheet: PriceSheet, book: RuleBook, rounding: RoundingPolicy
) -> PromotionsApplied:
    """Run stage 3 on *sheet* (changed in place); return what applied and what did not.

    Rejection reasons follow the first failing check: window and eligibility
    (screened once per context), scope, activity lines, usage limit,
    combinability (group or exclusive losers), threshold.
    """
    rejected: list[tuple[Promotion, Reason, int | None]] = [
        (promotion, reason, None) for promotion, reason in book.order_rejected
    ]
    stacked: list[_Candidate] = []
    exclusive: list[_Candidate] = []
    ok = sheet.promotions_ok
    keys, scoped = sheet.keys, sheet.scoped
    for promotion, benefit in book.order_rules:
        in_scope = book.in_scope(promotion.source, promotion.scope, keys, scoped)
        indices = [i for i in in_scope if ok[i]] if False in ok else in_scope
        reason = None
        if not indices:
            reason = Reason.ACTIVITY_LINE if in_scope else Reason.OUT_OF_SCOPE
        elif promotion.usage_limit_reached:
            reason = Reason.USAGE_LIMIT_REACHED
        if reason is not None:
            rejected.append((promotion, reason, None))
        else:
            (exclusive if promotion.exclusive else stacked).append((promotion, benefit, indices))

    if not exclusive:
        # The common case: nothing to compare the stacked combination with.
        winners, seen = _run_stacked(stacked, sheet, rounding)
        won = {position for position, _ in winners}
        groups_won = {stacked[p][0].group_name for p in won}
        for position, (promotion, _, _) in enumerate(stacked):
            if position not in won:
                lost = promotion.group_name in groups_won
                rejected.append(_loser(promotion, seen[position], lost))
        return PromotionsApplied(
            tuple((stacked[position][0], outcome) for position, outcome in winners),
            tuple(rejected),
        )

    start_amount, start_consumed = list(sheet.amount), list(sheet.consumed)
    winners, seen = _run_stacked(stacked, sheet, rounding)
    stacked_total = sum(outcome.discount for _, outcome in winners)
    stacked_after = (list(sheet.amount), list(sheet.consumed))

    best_exclusive: tuple[int, Outcome] | None = None
    exclusive_seen: dict[int, Outcome] = {}
    for position, (_, benefit, indices) in enumerate(exclusive):
        sheet.amount[:], sheet.consumed[:] = start_amount, start_consumed
        outcome = benefit.evaluate(sheet, indices, rounding)
        exclusive_seen[position] = outcome
        if outcome.gives and (
            best_exclusive is None or outcome.discount > best_exclusive[1].discount
        ):
            best_exclusive = (position, outcome)

    applied: list[tuple[Promotion, Outcome]]
    if best_exclusive is not None and (
        best_exclusive[1].discount > stacked_total or (not winners and best_exclusive[1].gives)
    ):
        sheet.amount[:], sheet.consumed[:] = start_amount, start_consumed
        _take(sheet, best_exclusive[1])
        applied = [(exclusive[best_exclusive[0]][0], best_exclusive[1])]
        won_stacked: set[int] = set()
        won_exclusive = {best_exclusive[0]}
        something_applied = True
    else:
        sheet.amount[:], sheet.consumed[:] = stacked_after
        applied = [(stacked[position][0], outcome) for position, outcome in winners]
        won_stacked = {position for position, _ in winners}
        won_exclusive = set()
        something_applied = bool(winners)

    groups_won = {stacked[p][0].group_name for p in won_stacked}
    for position, (promotion, _, _) in enumerate(stacked):
        if position in won_stacked:
            continue
        # A group member that lost to its group's winner, or any stacked
        # candidate when an exclusive won, failed the combinability check.
        lost_to_other = something_applied and (
            not won_stacked or promotion.group_name in groups_won
        )
        rejected.append(_loser(promotion, seen[position], lost_to_other))
    for position, (promotion, _, _) in enumerate(exclusive):
        if position not in won_exclusive:
            rejected.append(_loser(promotion, exclusive_seen[position], something_applied))
    return PromotionsApplied(tuple(applied), tuple(rejected))
