"""Stage 3 of the quote: order-level promotions, their groups, exclusivity and unit consumption.

The engine works on integer minor units in a mutable :class:`~mallcore.promotions.lines.Lines` that
the pipeline owns. Each promotion is evaluated on the amounts left at that
point; a winner's discount is allocated to lines with the largest-remainder
rule and subtracted before the next group runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from mallcore.money import RoundingPolicy
from mallcore.promotions.benefits import Outcome, evaluate
from mallcore.promotions.lines import Lines
from mallcore.promotions.promotion import Promotion
from mallcore.promotions.windows import WindowState

__all__ = [
    "Stage3Result",
    "eligibility",
    "run_promotions",
    "run_screened",
    "screen",
]


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
