"""Invariants of :mod:`mallcore.money`, checked against independent Fraction-based oracles."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    localcontext,
)
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from mallcore.money import (
    Money,
    RoundingPolicy,
    allocate,
    allocate_minor,
    from_minor,
    minor_units,
    percent_of_minor,
    proportional_refund,
    to_minor,
)
from mallcore.testing.strategies import currency_codes, money, weights

# --------------------------------------------------------------------------- oracles


def reference_allocation(total: int, ws: list[int]) -> list[int]:
    """The allocation rule of docs/explanation/money-and-rounding.rst, with exact fractions.

    Each part is floor(total * w / W); the missing units go one each to the largest
    fractional remainders; ties go to the larger weight, then to the earlier position.
    A negative total is split as its absolute value, then negated.
    """
    if total < 0:
        return [-part for part in reference_allocation(-total, ws)]
    whole = sum(ws)
    shares = [Fraction(total * w, whole) for w in ws]
    parts = [math.floor(share) for share in shares]
    missing = total - sum(parts)
    ranking = sorted(range(len(ws)), key=lambda i: (-(shares[i] - parts[i]), -ws[i], i))
    for index in ranking[:missing]:
        parts[index] += 1
    return parts


def round_half_up(value: Fraction) -> int:
    """Round to the nearest integer, halves away from zero."""
    magnitude = math.floor(abs(value) + Fraction(1, 2))
    return -magnitude if value < 0 else magnitude


DECIMAL_MODES = {
    RoundingPolicy.HALF_UP: ROUND_HALF_UP,
    RoundingPolicy.HALF_EVEN: ROUND_HALF_EVEN,
    RoundingPolicy.DOWN: ROUND_DOWN,
    RoundingPolicy.UP: ROUND_UP,
}

# Minor-unit amounts far beyond any real price, but well inside the 28 significant digits
# of the default decimal context that Money amounts are computed in.
minor_amounts = st.integers(-(10**20), 10**20)


@st.composite
def allocations(draw: st.DrawFn) -> tuple[int, list[int]]:
    """A total in minor units (any sign) and weights for it."""
    return draw(minor_amounts), draw(weights())


@st.composite
def partitions(draw: st.DrawFn, quantity: int) -> list[int]:
    """Positive counts that add up to *quantity*, in a random order of sizes."""
    if quantity == 1:
        return [1]
    cuts = draw(st.sets(st.integers(1, quantity - 1), max_size=quantity - 1))
    bounds = [0, *sorted(cuts), quantity]
    return [high - low for low, high in itertools.pairwise(bounds)]


# --------------------------------------------------------------------------- allocation


@given(money(min_amount=-1_000_000), weights())
def test_allocation_sums_exactly_to_the_total(total: Money, ws: list[int]) -> None:
    parts = allocate(total, ws)
    assert len(parts) == len(ws)
    assert all(part.currency == total.currency for part in parts)
    assert sum(to_minor(part) for part in parts) == to_minor(total)


@given(allocations())
def test_allocate_minor_sums_exactly_to_the_total(case: tuple[int, list[int]]) -> None:
    total, ws = case
    assert sum(allocate_minor(total, ws)) == total


@given(st.data(), weights(), currency_codes())
def test_no_part_exceeds_its_weight_when_the_total_fits(
    data: st.DataObject, ws: list[int], code: str
) -> None:
    total = data.draw(st.integers(0, sum(ws)), label="total")
    parts = [to_minor(part) for part in allocate(from_minor(total, code), ws)]
    assert all(0 <= part <= weight for part, weight in zip(parts, ws, strict=True))


@given(allocations())
def test_zero_weights_get_zero(case: tuple[int, list[int]]) -> None:
    total, ws = case
    parts = allocate_minor(total, [0, *ws, 0])
    assert parts[0] == parts[-1] == 0
    assert all(part == 0 for part, weight in zip(parts[1:-1], ws, strict=True) if weight == 0)


@given(allocations())
def test_each_part_is_its_exact_share_rounded_down_or_up(case: tuple[int, list[int]]) -> None:
    total, ws = case
    whole = sum(ws)
    for part, weight in zip(allocate_minor(total, ws), ws, strict=True):
        share = Fraction(total * weight, whole)
        assert math.floor(share) <= part <= math.ceil(share)


@given(allocations(), st.data())
def test_permuting_the_weights_permutes_the_result(
    case: tuple[int, list[int]], data: st.DataObject
) -> None:
    total, ws = case
    order = data.draw(st.permutations(range(len(ws))), label="order")
    whole = sum(ws)
    # The tie-break key of each line, computed here rather than taken from the code.
    keys = [((abs(total) * w) % whole, w) for w in ws]
    before = allocate_minor(total, ws)
    after = allocate_minor(total, [ws[i] for i in order])
    if len(set(keys)) == len(keys):
        assert after == [before[i] for i in order]
    else:
        # Lines that tie on (remainder, weight) are interchangeable: the extra units may
        # move between them with their positions, but each group keeps the same parts.
        groups_before: dict[tuple[int, int], list[int]] = defaultdict(list)
        groups_after: dict[tuple[int, int], list[int]] = defaultdict(list)
        for index, part in enumerate(before):
            groups_before[keys[index]].append(part)
        for position, index in enumerate(order):
            groups_after[keys[index]].append(after[position])
        assert {k: sorted(v) for k, v in groups_after.items()} == {
            k: sorted(v) for k, v in groups_before.items()
        }


@given(allocations())
def test_allocation_matches_the_fraction_reference(case: tuple[int, list[int]]) -> None:
    total, ws = case
    assert allocate_minor(total, ws) == reference_allocation(total, ws)


@given(
    st.integers(-50, 50),
    st.lists(st.integers(0, 4), min_size=1, max_size=6).filter(any),
)
def test_allocation_matches_the_reference_on_small_tie_heavy_cases(
    total: int, ws: list[int]
) -> None:
    # Small weights make equal remainders and equal weights common, so the tie-breaks run.
    assert allocate_minor(total, ws) == reference_allocation(total, ws)


# --------------------------------------------------------------------------- refunds


@given(
    money(min_amount=0, max_amount=100_000),
    st.integers(1, 40).flatmap(lambda quantity: partitions(quantity)),
    st.sampled_from(RoundingPolicy),
)
def test_partial_refunds_over_any_partition_add_up_to_what_was_paid(
    paid: Money, pieces: list[int], rounding: RoundingPolicy
) -> None:
    quantity = sum(pieces)
    returned = 0
    refunded = 0
    for returning in pieces:
        refund = proportional_refund(paid, quantity, returned, returning, rounding=rounding)
        assert refund.currency == paid.currency
        assert to_minor(refund) >= 0
        refunded += to_minor(refund)
        returned += returning
    assert refunded == to_minor(paid)


@given(
    money(min_amount=0, max_amount=100_000),
    st.integers(1, 40).flatmap(lambda quantity: st.tuples(st.just(quantity), partitions(quantity))),
)
def test_each_refund_is_the_difference_of_rounded_shares(
    paid: Money, case: tuple[int, list[int]]
) -> None:
    quantity, pieces = case
    units = to_minor(paid)

    def shares_of(m: int) -> int:
        return round_half_up(Fraction(units * m, quantity))

    returned = 0
    for returning in pieces:
        refund = to_minor(proportional_refund(paid, quantity, returned, returning))
        assert refund == shares_of(returned + returning) - shares_of(returned)
        returned += returning


# --------------------------------------------------------------------------- minor units


@given(minor_amounts, currency_codes())
def test_minor_units_round_trip(units: int, code: str) -> None:
    assert to_minor(from_minor(units, code)) == units


@given(money(min_amount=-1_000_000))
def test_money_round_trips_through_minor_units(amount: Money) -> None:
    units = to_minor(amount)
    assert Fraction(units, 10 ** minor_units(amount.currency)) == Fraction(amount.amount)
    assert from_minor(units, amount.currency) == amount


# --------------------------------------------------------------------------- percentages


@given(
    st.integers(-(10**12), 10**12),
    st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
)
def test_percent_of_minor_rounds_half_up_like_the_fraction_reference(
    units: int, percent: Decimal
) -> None:
    expected = round_half_up(Fraction(units) * Fraction(percent) / 100)
    assert percent_of_minor(units, percent) == expected


@given(
    st.integers(-(10**15), 10**15),
    st.integers(1, 10**6),
    st.sampled_from(RoundingPolicy),
)
def test_rounding_policy_divide_matches_decimal(
    numerator: int, denominator: int, policy: RoundingPolicy
) -> None:
    # Enough digits that the quotient is never rounded onto (or across) a half or a whole
    # before it is quantized; the division itself truncates, which cannot cross either.
    with localcontext() as context:
        context.prec = len(str(abs(numerator))) + len(str(denominator)) + 10
        context.rounding = ROUND_DOWN
        quotient = Decimal(numerator) / Decimal(denominator)
        expected = int(quotient.quantize(Decimal(1), rounding=DECIMAL_MODES[policy]))
    assert policy.divide(numerator, denominator) == expected
