"""Examples for every documented behaviour of :mod:`mallcore.money`.

The rules are stated in docs/explanation/money-and-rounding.rst and in the API reference.
Expected values are worked out by hand in the comments, never copied from what the code prints.
"""

from __future__ import annotations

from decimal import Decimal

import moneyed
import pytest
from babel import Locale

from mallcore.errors import (
    ConfigError,
    CurrencyMismatchError,
    InvalidAmountError,
    UnknownCurrencyError,
)
from mallcore.money import (
    Money,
    RoundingPolicy,
    allocate,
    allocate_minor,
    check_percent,
    format_money,
    from_minor,
    get_locale,
    minor_units,
    parse_money,
    percent_of,
    percent_of_minor,
    proportional_refund,
    proportional_refund_minor,
    quantize,
    resolve_currency,
    sum_money,
    to_minor,
)


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


def amounts(parts: list[Money]) -> list[str]:
    """The parts as plain strings, so a wrong currency or scale shows in the diff too."""
    return [f"{part.amount} {part.currency.code}" for part in parts]


# --------------------------------------------------------------------------- currencies


@pytest.mark.parametrize(
    ("code", "places"),
    [("CNY", 2), ("USD", 2), ("EUR", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3)],
)
def test_minor_units_follow_iso_4217(code: str, places: int) -> None:
    assert minor_units(code) == places


def test_resolve_currency_accepts_lower_case_and_padding() -> None:
    assert resolve_currency(" cny ").code == "CNY"


def test_resolve_currency_passes_a_currency_through() -> None:
    currency = resolve_currency("EUR")
    assert resolve_currency(currency) is currency


@pytest.mark.parametrize("code", ["RMB", "XXXX", "", 156])
def test_an_unknown_currency_is_refused_and_named(code: object) -> None:
    with pytest.raises(UnknownCurrencyError) as info:
        resolve_currency(code)  # type: ignore[arg-type]
    assert repr(code) in str(info.value)
    assert info.value.code == code


# --------------------------------------------------------------------------- allocation


def test_allocate_ten_yuan_three_ways_gives_the_odd_fen_to_the_first() -> None:
    # 1000 fen / 3 = 333 r 1 each; the one missing fen goes to the earliest of three equal lines.
    parts = allocate(cny("10.00"), [1, 1, 1])
    assert amounts(parts) == ["3.34 CNY", "3.33 CNY", "3.33 CNY"]


def test_allocate_one_to_two() -> None:
    # 1000*1/3 = 333.33 -> 333 (remainder 1/3); 1000*2/3 = 666.67 -> 666 (remainder 2/3).
    # One fen is missing and goes to the larger remainder, the second part: 333 + 667.
    parts = allocate(cny("10.00"), [1, 2])
    assert amounts(parts) == ["3.33 CNY", "6.67 CNY"]


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        # Equal remainders go to the larger weight, wherever it stands.
        # total 2, W 4: exact shares 2*1/4 = 0.5 and 2*3/4 = 1.5; floors 0 and 1, both
        # remainders 1/2; one unit is missing and the weight-3 part takes it.
        (2, [1, 3], [0, 2]),
        (2, [3, 1], [2, 0]),
        # Equal remainder and equal weight: the earlier position wins.
        # total 2, W 3: each share is 2/3, floor 0; two units missing -> first two parts.
        (2, [1, 1, 1], [1, 1, 0]),
        # total 3, W 6: shares 1, 0.5, 1, 0.5 -> floors 1, 0, 1, 0; one unit missing; the two
        # weight-1 parts tie on remainder 1/2 and on weight, so position 1 beats position 3.
        (3, [2, 1, 2, 1], [1, 1, 1, 0]),
        # The remainder comes before the weight: total 3, W 5: shares 0.6 and 2.4 -> floors
        # 0 and 2; one unit missing; remainder 0.6 beats 0.4 although its weight is smaller.
        (3, [1, 4], [1, 2]),
        # A zero weight never takes a unit, even from the front: total 1, W 2: shares 0, 0.5, 0.5.
        (1, [0, 1, 1], [0, 1, 0]),
    ],
)
def test_allocate_breaks_ties_by_remainder_then_weight_then_position(
    total: int, weights: list[int], expected: list[int]
) -> None:
    assert allocate_minor(total, weights) == expected
    # The Money form follows the same rule (here in JPY, whose minor unit is the yen).
    assert [to_minor(part) for part in allocate(Money(total, "JPY"), weights)] == expected


def test_zero_weights_get_zero() -> None:
    # W = 2: the two weight-1 lines share 1000 fen equally; the zero lines get nothing.
    parts = allocate(cny("10.00"), [0, 1, 0, 1])
    assert amounts(parts) == ["0.00 CNY", "5.00 CNY", "0.00 CNY", "5.00 CNY"]
    assert allocate_minor(1, [0, 0, 5]) == [0, 0, 1]


def test_allocate_a_negative_total_mirrors_the_positive_split() -> None:
    # |-1000| splits as 334, 333, 333 (see above); the signs flip, nothing else changes.
    parts = allocate(cny("-10.00"), [1, 1, 1])
    assert amounts(parts) == ["-3.34 CNY", "-3.33 CNY", "-3.33 CNY"]
    assert allocate_minor(-1, [1, 3]) == [0, -1]


def test_allocate_zero_gives_zeros() -> None:
    assert allocate_minor(0, [5, 0, 7]) == [0, 0, 0]


def test_allocate_in_yen_has_no_decimals() -> None:
    # 100 yen / 3 = 33 r 1 -> the first line takes the extra yen.
    parts = allocate(Money("100", "JPY"), [1, 1, 1])
    assert amounts(parts) == ["34 JPY", "33 JPY", "33 JPY"]


def test_allocate_in_kuwaiti_dinar_has_three_decimals() -> None:
    # 1.000 KWD = 1000 fils; 1000 / 3 = 333 r 1 -> 334, 333, 333 fils.
    parts = allocate(Money("1.000", "KWD"), [1, 1, 1])
    assert amounts(parts) == ["0.334 KWD", "0.333 KWD", "0.333 KWD"]
    # 5 fils by 1:1 -> 2.5 each; floors 2, 2; the missing fil goes to the earlier line.
    assert amounts(allocate(Money("0.005", "KWD"), [1, 1])) == ["0.003 KWD", "0.002 KWD"]


def test_allocate_keeps_the_currency_scale_for_whole_totals() -> None:
    # A total given as a whole number still comes back with the currency's two decimals.
    assert amounts(allocate(Money(10, "CNY"), [1, 1])) == ["5.00 CNY", "5.00 CNY"]


@pytest.mark.parametrize(
    ("weights", "why"),
    [
        ([], "at least one weight"),
        ([1, -1], "non-negative"),
        ([0, 0], "sum to more than 0"),
        ([1, 1.5], "must be integers"),
        ([1, "2"], "must be integers"),
        ([1, Decimal(2)], "must be integers"),
        # bool is an int subclass, but True as a weight is always a mistake.
        ([True, 1], "must be integers"),
    ],
)
def test_bad_weights_are_refused(weights: list[object], why: str) -> None:
    with pytest.raises(InvalidAmountError, match=why) as info:
        allocate(cny("10.00"), weights)  # type: ignore[arg-type]
    assert "weights=" in str(info.value)


def test_a_negative_weight_of_an_int_subclass_is_refused() -> None:
    class Units(int):
        pass

    # Weights -1 and 3 sum to 2; without the check the split would be [-5, 15].
    with pytest.raises(InvalidAmountError, match="non-negative"):
        allocate_minor(10, [Units(-1), Units(3)])


def test_allocate_refuses_a_total_finer_than_the_currency() -> None:
    with pytest.raises(InvalidAmountError, match="more decimals than CNY allows"):
        allocate(cny("10.005"), [1, 1])


# --------------------------------------------------------------------------- sums


def test_sum_money_adds_exactly() -> None:
    # 0.1 + 0.2 is exactly 0.3 in fen (10 + 20 = 30), unlike in binary floating point.
    assert sum_money([cny("0.10"), cny("0.20")]) == cny("0.30")


def test_sum_of_nothing_needs_a_currency() -> None:
    assert amounts([sum_money([], "KWD")]) == ["0.000 KWD"]
    with pytest.raises(InvalidAmountError, match="currency="):
        sum_money([])


def test_sum_money_refuses_mixed_currencies() -> None:
    with pytest.raises(CurrencyMismatchError) as info:
        sum_money([cny("1.00"), Money("1.00", "USD")])
    assert (info.value.left, info.value.right) == ("CNY", "USD")
    assert "CNY" in str(info.value)
    assert "USD" in str(info.value)


def test_sum_money_refuses_amounts_not_in_the_given_currency() -> None:
    with pytest.raises(CurrencyMismatchError):
        sum_money([cny("1.00")], "JPY")


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        ("19.90", "CNY", "19.90 CNY"),
        (" 19.9 ", "CNY", "19.90 CNY"),
        (Decimal("19.9"), "CNY", "19.90 CNY"),
        (20, "CNY", "20.00 CNY"),
        ("1500", "JPY", "1500 JPY"),
        ("1.5", "KWD", "1.500 KWD"),
        ("0", "CNY", "0.00 CNY"),
    ],
)
def test_parse_money_accepts_exact_amounts(value: object, currency: str, expected: str) -> None:
    assert amounts([parse_money(value, currency)]) == [expected]


def test_parse_money_accepts_negative_amounts_only_when_allowed() -> None:
    assert parse_money("-3.50", "CNY", allow_negative=True) == cny("-3.50")


@pytest.mark.parametrize(
    ("value", "currency", "why"),
    [
        ("NaN", "CNY", "finite"),
        (Decimal("NaN"), "CNY", "finite"),
        ("Infinity", "CNY", "finite"),
        (Decimal("-Infinity"), "CNY", "finite"),
        (19.9, "CNY", "not a float"),
        (True, "CNY", "not a bool"),
        ("-1", "CNY", "must not be negative"),
        (Decimal("-0.01"), "CNY", "must not be negative"),
        ("9.999", "CNY", r"more decimals than CNY allows \(2\)"),
        ("1.5", "JPY", r"more decimals than JPY allows \(0\)"),
        ("0.0001", "KWD", r"more decimals than KWD allows \(3\)"),
        ("abc", "CNY", "not a number"),
        ("", "CNY", "not a number"),
        (None, "CNY", "must be a Decimal"),
    ],
)
def test_parse_money_refuses_bad_input_and_names_the_field(
    value: object, currency: str, why: str
) -> None:
    with pytest.raises(InvalidAmountError, match=why) as info:
        parse_money(value, currency, field="price")
    assert str(info.value).startswith("price=")


def test_parse_money_checks_precision_even_for_allowed_negatives() -> None:
    with pytest.raises(InvalidAmountError, match="more decimals"):
        parse_money("-9.999", "CNY", allow_negative=True)


def test_parse_money_refuses_an_unknown_currency() -> None:
    with pytest.raises(UnknownCurrencyError, match="RMB"):
        parse_money("1.00", "RMB")


# --------------------------------------------------------------------------- minor units


@pytest.mark.parametrize(
    ("money", "units"),
    [
        (cny("12.30"), 1230),
        (cny("12.3"), 1230),
        (cny("-0.01"), -1),
        (Money("1234", "JPY"), 1234),
        (Money("-5", "KWD"), -5000),
        (Money("0.001", "KWD"), 1),
    ],
)
def test_to_minor_and_from_minor_round_trip(money: Money, units: int) -> None:
    assert to_minor(money) == units
    back = from_minor(units, money.currency)
    assert back == money
    assert back.currency == money.currency


def test_from_minor_writes_the_currency_scale() -> None:
    assert amounts([from_minor(5, "CNY"), from_minor(5, "JPY"), from_minor(5, "KWD")]) == [
        "0.05 CNY",
        "5 JPY",
        "0.005 KWD",
    ]


@pytest.mark.parametrize(
    ("money", "why"),
    [
        (cny("0.005"), "more decimals than CNY allows"),
        (Money("0.5", "JPY"), "more decimals than JPY allows"),
        # mallcore's Money refuses them when built; py-moneyed's may still carry them in.
        (moneyed.Money(Decimal("NaN"), "CNY"), "finite"),
        (moneyed.Money(Decimal("Infinity"), "CNY"), "finite"),
    ],
)
def test_to_minor_refuses_amounts_that_are_not_whole_minor_units(money: Money, why: str) -> None:
    with pytest.raises(InvalidAmountError, match=why):
        to_minor(money)


# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("amount", "policy", "expected"),
    [
        # A positive half: half up and up go away from zero, half even to the even 4, down cuts.
        ("2.345", RoundingPolicy.HALF_UP, "2.35"),
        ("2.345", RoundingPolicy.HALF_EVEN, "2.34"),
        ("2.345", RoundingPolicy.DOWN, "2.34"),
        ("2.345", RoundingPolicy.UP, "2.35"),
        # Half even goes up when the kept digit is odd: 2.355 -> 2.36.
        ("2.355", RoundingPolicy.HALF_EVEN, "2.36"),
        # A negative half mirrors the positive one (half up is "half away from zero").
        ("-2.345", RoundingPolicy.HALF_UP, "-2.35"),
        ("-2.345", RoundingPolicy.HALF_EVEN, "-2.34"),
        ("-2.345", RoundingPolicy.DOWN, "-2.34"),
        ("-2.345", RoundingPolicy.UP, "-2.35"),
        # Below the half: only up moves away from zero.
        ("2.341", RoundingPolicy.HALF_UP, "2.34"),
        ("2.341", RoundingPolicy.HALF_EVEN, "2.34"),
        ("2.341", RoundingPolicy.DOWN, "2.34"),
        ("2.341", RoundingPolicy.UP, "2.35"),
        ("-2.341", RoundingPolicy.UP, "-2.35"),
        # Above the half: only down stays.
        ("2.349", RoundingPolicy.DOWN, "2.34"),
        ("-2.349", RoundingPolicy.HALF_UP, "-2.35"),
        # Already exact: nothing moves.
        ("2.34", RoundingPolicy.UP, "2.34"),
    ],
)
def test_quantize_rounds_to_the_fen_by_policy(
    amount: str, policy: RoundingPolicy, expected: str
) -> None:
    assert amounts([quantize(cny(amount), policy)]) == [f"{expected} CNY"]


def test_quantize_defaults_to_half_up() -> None:
    assert quantize(cny("0.005")) == cny("0.01")
    assert quantize(cny("-0.005")) == cny("-0.01")


def test_quantize_uses_the_currency_minor_unit() -> None:
    # JPY rounds to the yen, KWD to the fils.
    assert quantize(Money("2.5", "JPY"), RoundingPolicy.HALF_EVEN) == Money("2", "JPY")
    assert quantize(Money("2.5", "JPY")) == Money("3", "JPY")
    assert quantize(Money("1.0005", "KWD")) == Money("1.001", "KWD")


def test_quantize_refuses_nan() -> None:
    with pytest.raises(InvalidAmountError, match="finite"):
        quantize(Money(Decimal("NaN"), "CNY"))


def test_rounding_policies_are_named_by_their_config_spelling() -> None:
    assert [policy.value for policy in RoundingPolicy] == ["half_up", "half_even", "down", "up"]
    assert RoundingPolicy("half_even") is RoundingPolicy.HALF_EVEN


@pytest.mark.parametrize(
    ("numerator", "denominator", "half_up", "half_even", "down", "up"),
    [
        (5, 2, 3, 2, 2, 3),  # 2.5
        (7, 2, 4, 4, 3, 4),  # 3.5: half even goes to the even 4
        (-5, 2, -3, -2, -2, -3),  # -2.5
        (-7, 2, -4, -4, -3, -4),  # -3.5
        (10, 3, 3, 3, 3, 4),  # 3.33...
        (11, 3, 4, 4, 3, 4),  # 3.66...
        (-10, 3, -3, -3, -3, -4),  # -3.33...
        (6, 3, 2, 2, 2, 2),  # exact
        (0, 7, 0, 0, 0, 0),
        (1, 1000, 0, 0, 0, 1),  # 0.001
    ],
)
def test_rounding_policy_divide(
    numerator: int, denominator: int, half_up: int, half_even: int, down: int, up: int
) -> None:
    assert RoundingPolicy.HALF_UP.divide(numerator, denominator) == half_up
    assert RoundingPolicy.HALF_EVEN.divide(numerator, denominator) == half_even
    assert RoundingPolicy.DOWN.divide(numerator, denominator) == down
    assert RoundingPolicy.UP.divide(numerator, denominator) == up


@pytest.mark.parametrize("denominator", [0, -2])
def test_rounding_policy_divide_needs_a_positive_denominator(denominator: int) -> None:
    with pytest.raises(InvalidAmountError, match=f"denominator={denominator}"):
        RoundingPolicy.HALF_UP.divide(5, denominator)


# --------------------------------------------------------------------------- percentages


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        # Percent units: 20 means 20 %, so 20 of 100.00 is 20.00 (not 2000.00, not 0.20).
        ("100.00", 20, "20.00"),
        ("100.00", "20", "20.00"),
        # 10 % of 155.50 = 15.55 exactly.
        ("155.50", 10, "15.55"),
        # 95 % of 47.99 = 45.5905 -> 45.59.
        ("47.99", 95, "45.59"),
        # 12.5 % of 9.95 = 1.24375 -> 1.24.
        ("9.95", Decimal("12.5"), "1.24"),
        # 50 % of 0.01 = 0.005: a half, rounded up by default.
        ("0.01", 50, "0.01"),
        ("0.00", 35, "0.00"),
        ("47.99", 0, "0.00"),
        ("47.99", 100, "47.99"),
    ],
)
def test_percent_of(amount: str, percent: object, expected: str) -> None:
    assert amounts([percent_of(cny(amount), percent)]) == [f"{expected} CNY"]  # type: ignore[arg-type]


def test_percent_of_rounds_once_by_the_given_policy() -> None:
    # 50 % of 0.01 = 0.005 exactly: half even keeps the even 0.00, down cuts, up lifts.
    assert percent_of(cny("0.01"), 50, RoundingPolicy.HALF_EVEN) == cny("0.00")
    assert percent_of(cny("0.01"), 50, RoundingPolicy.DOWN) == cny("0.00")
    # 1 % of 0.01 = 0.0001: up still gives a whole fen.
    assert percent_of(cny("0.01"), 1, RoundingPolicy.UP) == cny("0.01")


def test_percent_of_keeps_the_currency() -> None:
    # 15 % of 1000 yen = 150 yen; 12.5 % of 1.001 KWD = 0.125125 -> 0.125.
    assert amounts([percent_of(Money("1000", "JPY"), 15)]) == ["150 JPY"]
    assert amounts([percent_of(Money("1.001", "KWD"), "12.5")]) == ["0.125 KWD"]


@pytest.mark.parametrize("percent", [-5, 1.5, "abc", "NaN"])
def test_percent_of_refuses_bad_percentages(percent: object) -> None:
    with pytest.raises(InvalidAmountError, match="percent="):
        percent_of(cny("10.00"), percent)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("units", "percent", "expected"),
    [
        (15550, 10, 1555),
        (995, Decimal("12.5"), 124),  # 124.375
        (1, 50, 1),  # 0.5 -> 1, half up
        (-1, 50, -1),  # -0.5 -> -1, half away from zero
        (3, Decimal("50"), 2),  # 1.5 -> 2
        (10000, Decimal("0.01"), 1),  # 0.01 % of 100.00 = 0.01
    ],
)
def test_percent_of_minor(units: int, percent: Decimal | int, expected: int) -> None:
    assert percent_of_minor(units, percent) == expected


def test_percent_of_minor_takes_a_rounding_policy() -> None:
    # 995 * 12.5 / 100 = 124.375: up 125, down 124.
    assert percent_of_minor(995, Decimal("12.5"), RoundingPolicy.UP) == 125
    assert percent_of_minor(995, Decimal("12.5"), RoundingPolicy.DOWN) == 124


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, Decimal(0)), (100, Decimal(100)), ("12.5", Decimal("12.5")), (Decimal(20), Decimal(20))],
)
def test_check_percent_accepts_zero_to_a_hundred(value: object, expected: Decimal) -> None:
    assert check_percent(value) == expected


@pytest.mark.parametrize(
    ("value", "why"),
    [
        (-1, "between 0 and 100"),
        ("100.01", "between 0 and 100"),
        (101, "between 0 and 100"),
        ("NaN", "between 0 and 100"),
        ("Infinity", "between 0 and 100"),
        (0.2, "must be a Decimal"),
        (True, "must be a Decimal"),
        (None, "must be a Decimal"),
        ("twenty", "not a number"),
    ],
)
def test_check_percent_refuses_out_of_range_and_names_the_field(value: object, why: str) -> None:
    with pytest.raises(InvalidAmountError, match=why) as info:
        check_percent(value, field="percent_off")
    assert str(info.value).startswith(f"percent_off={value!r}")


def test_check_percent_takes_a_maximum() -> None:
    assert check_percent(150, maximum=200) == Decimal(150)
    with pytest.raises(InvalidAmountError, match="between 0 and 50"):
        check_percent(51, maximum=50)


# --------------------------------------------------------------------------- refunds


def test_refunding_three_units_one_by_one() -> None:
    # F(m) = round(1000 * m / 3): F(0)=0, F(1)=333 (333.3), F(2)=667 (666.7), F(3)=1000.
    # Refunds are the differences: 333, 334, 333 -> together exactly 10.00.
    paid = cny("10.00")
    refunds = [proportional_refund(paid, 3, before, 1) for before in range(3)]
    assert amounts(refunds) == ["3.33 CNY", "3.34 CNY", "3.33 CNY"]
    assert sum_money(refunds) == paid


def test_refunding_three_units_in_two_parts() -> None:
    # Two then one: F(2) - F(0) = 667, F(3) - F(2) = 333.
    paid = cny("10.00")
    assert proportional_refund(paid, 3, 0, 2) == cny("6.67")
    assert proportional_refund(paid, 3, 2, 1) == cny("3.33")
    # One then two: F(1) - F(0) = 333, F(3) - F(1) = 667.
    assert proportional_refund(paid, 3, 0, 1) == cny("3.33")
    assert proportional_refund(paid, 3, 1, 2) == cny("6.67")


def test_refunding_everything_at_once_gives_back_what_was_paid() -> None:
    assert proportional_refund(cny("10.01"), 7, 0, 7) == cny("10.01")
    assert proportional_refund(cny("10.01"), 7, 3, 0) == cny("0.00")


def test_refund_rounding_policy_moves_the_odd_fen() -> None:
    # Rounding F down: F(1)=333, F(2)=666, F(3)=1000 -> 333, 333, 334.
    refunds = [
        proportional_refund_minor(1000, 3, before, 1, rounding=RoundingPolicy.DOWN)
        for before in range(3)
    ]
    assert refunds == [333, 333, 334]


def test_refund_in_yen() -> None:
    # F(m) = round(100 * m / 3): 33 (33.3), 67 (66.7), 100 -> 33, 34, 33.
    paid = Money("100", "JPY")
    refunds = [proportional_refund(paid, 3, before, 1) for before in range(3)]
    assert amounts(refunds) == ["33 JPY", "34 JPY", "33 JPY"]


@pytest.mark.parametrize(
    ("quantity", "returned_before", "returning", "why"),
    [
        (0, 0, 0, "quantity=0 must be at least 1"),
        (-3, 0, 1, "quantity=-3 must be at least 1"),
        (3, -1, 1, "returned_before=-1"),
        (3, 0, -1, "returning=-1"),
        (3, 2, 2, "between 0 and quantity=3"),
        (3, 0, 4, "between 0 and quantity=3"),
        (3.0, 0, 1, "quantity=3.0 must be an integer"),
        (3, 0, True, "returning=True must be an integer"),
        (3, "1", 1, "returned_before='1' must be an integer"),
    ],
)
def test_refund_refuses_bad_counts(
    quantity: object, returned_before: object, returning: object, why: str
) -> None:
    with pytest.raises(InvalidAmountError, match=why):
        proportional_refund(cny("10.00"), quantity, returned_before, returning)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("money", "locale", "expected"),
    [
        # CLDR zh: CNY's symbol is "¥", pattern "¤#,##0.00".
        (Money("1234.5", "CNY"), "zh_CN", "¥1,234.50"),
        # Outside its home locale the yuan is "CN¥" (en) and "元" (ja); the yen is "JP¥" in zh.
        (Money("1234.5", "CNY"), "en_US", "CN¥1,234.50"),
        (Money("1234.5", "CNY"), "ja_JP", "元1,234.50"),
        (Money("1234", "JPY"), "zh_CN", "JP¥1,234"),
        (Money("1234.5", "USD"), "zh_CN", "US$1,234.50"),
        # CLDR en: "$" for USD, "¥" for JPY, which has no decimals.
        (Money("1234.5", "USD"), "en_US", "$1,234.50"),
        (Money("1234", "JPY"), "en_US", "¥1,234"),
        (Money("-1234.5", "USD"), "en_US", "-$1,234.50"),
        # CLDR de: "." groups, "," is the decimal mark, the symbol follows after a no-break space.
        (Money("1234.5", "EUR"), "de_DE", "1.234,50\xa0€"),
        (Money("1234", "JPY"), "de_DE", "1.234\xa0¥"),
        (Money("1234.5", "KWD"), "de_DE", "1.234,500\xa0KWD"),
        # CLDR ja: the home yen is the full-width "￥", no decimals.
        (Money("1234", "JPY"), "ja_JP", "￥1,234"),
        (Money("1234.5", "EUR"), "ja_JP", "€1,234.50"),
    ],
)
def test_format_money_follows_cldr(money: Money, locale: str, expected: str) -> None:
    assert format_money(money, locale) == expected


def test_format_money_defaults_to_zh_cn() -> None:
    assert format_money(Money("1234.5", "CNY")) == "¥1,234.50"


def test_format_money_shows_three_decimals_for_kwd() -> None:
    # Whether a space follows the "KWD" symbol is babel's business; the digits are ours.
    assert format_money(Money("1234.5", "KWD"), "en_US").endswith("1,234.500")


def test_format_money_accepts_a_babel_locale() -> None:
    assert format_money(Money("1234.5", "EUR"), Locale.parse("de_DE")) == "1.234,50\xa0€"


@pytest.mark.parametrize("name", ["xx_XX", "not a locale"])
def test_format_money_refuses_an_unknown_locale(name: str) -> None:
    with pytest.raises(ConfigError) as info:
        format_money(cny("1.00"), name)
    assert f"locale={name!r}" in str(info.value)


def test_get_locale_is_cached() -> None:
    first = get_locale("de_DE")
    assert get_locale("de_DE") is first
    assert str(first) == "de_DE"
