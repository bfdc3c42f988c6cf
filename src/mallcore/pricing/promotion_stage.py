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


def _run_stacked(
    groups: Sequence[Sequence[int]],
    candidates: Sequence[_Candidate | None],
    sheet: PriceSheet,
    rounding: RoundingPolicy,
) -> tuple[list[tuple[int, Outcome]], dict[int, Outcome]]:
    """Apply the *groups* of candidates in order; return the winners and every member's outcome.

    Positions are those of the rule book's order rules; a None candidate may not run.
    """
    winners: list[tuple[int, Outcome]] = []
    seen: dict[int, Outcome] = {}
    qty, consumed = sheet.qty, sheet.consumed
    for members in groups:
        best: tuple[int, Outcome] | None = None
        for position in members:
            candidate = candidates[position]
            if candidate is None:
                continue
            _, benefit, indices = candidate
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
    # One entry per order rule (same positions): what it may discount, or None.
    candidates: list[_Candidate | None] = []
    exclusive: list[int] = []
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
            candidates.append(None)
            continue
        if promotion.exclusive:
            exclusive.append(len(candidates))
        candidates.append((promotion, benefit, indices))

    groups = book.order_groups
    if not exclusive:
        # The common case: nothing to compare the stacked combination with.
        winners, seen = _run_stacked(groups, candidates, sheet, rounding)
        applied = [(position, outcome) for position, outcome in winners]
        something_applied = bool(winners)
        won_exclusive: set[int] = set()
    else:
        applied, seen, won_exclusive = _stacked_or_exclusive(
            groups, candidates, exclusive, sheet, rounding
        )
        something_applied = bool(applied)

    won = {position for position, _ in applied}
    groups_won = {
        candidate[0].group_name
        for position in won - won_exclusive
        if (candidate := candidates[position]) is not None
    }
    for position, candidate in enumerate(candidates):
        if candidate is None or position in won:
            continue
        promotion = candidate[0]
        if promotion.exclusive:
            lost_to_other = something_applied
        else:
            # A group member that lost to its group's winner, or any stacked
            # candidate when an exclusive won, failed the combinability check.
            lost_to_other = something_applied and (
                bool(won_exclusive) or promotion.group_name in groups_won
            )
        rejected.append(_loser(promotion, seen[position], lost_to_other))
    return PromotionsApplied(
        tuple((_promotion(candidates, position), outcome) for position, outcome in applied),
        tuple(rejected),
    )


def _promotion(candidates: Sequence[_Candidate | None], position: int) -> Promotion:
    candidate = candidates[position]
    assert candidate is not None
    return candidate[0]


def _stacked_or_exclusive(
    groups: Sequence[Sequence[int]],
    candidates: Sequence[_Candidate | None],
    exclusive: Sequence[int],
    sheet: PriceSheet,
    rounding: RoundingPolicy,
) -> tuple[list[tuple[int, Outcome]], dict[int, Outcome], set[int]]:
    """The stacked combination, or the best exclusive promotion alone if it gives strictly more.

    Returns what applied, every candidate's own outcome and the exclusive
    winner's position (empty when the stacked combination won).
    """
    start_amount, start_consumed = list(sheet.amount), list(sheet.consumed)
    winners, seen = _run_stacked(groups, candidates, sheet, rounding)
    stacked_total = sum(outcome.discount for _, outcome in winners)
    stacked_after = (list(sheet.amount), list(sheet.consumed))

    best: tuple[int, Outcome] | None = None
    for position in exclusive:
        candidate = candidates[position]
        assert candidate is not None
        _, benefit, indices = candidate
        sheet.amount[:], sheet.consumed[:] = start_amount, start_consumed
        outcome = benefit.evaluate(sheet, indices, rounding)
        seen[position] = outcome
        if outcome.gives and (best is None or outcome.discount > best[1].discount):
            best = (position, outcome)

    if best is not None and (best[1].discount > stacked_total or not winners):
        sheet.amount[:], sheet.consumed[:] = start_amount, start_consumed
        _take(sheet, best[1])
        return [best], seen, {best[0]}
    sheet.amount[:], sheet.consumed[:] = stacked_after
    return winners, seen, set()
