"""W3 money: sum 100 amounts and split a discount over them; W3b: format them.

The data is workload W3 of the peer benchmarks (``benchmarks/peers/workloads.json``):
100 CNY amounts and a 50.00 discount, with the exact expected total and
allocation (largest remainder). Every implementation takes Money in and gives
Money out in its own terms (mallcore and py-moneyed ``moneyed.Money``,
``prices.Money``, ``Decimal``, integer cents) and must reproduce the expected
result exactly before it is timed. Inputs are built once, outside the timing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import ROUND_DOWN, Decimal
from functools import partial
from pathlib import Path
from typing import Any

import prices  # type: ignore[import-untyped]
from babel import Locale
from babel.numbers import format_currency
from moneyed import Money

from benchmarks._harness import Target, Workload, measure
from mallcore.money import Money as MallcoreMoney
from mallcore.money import allocate, format_money, from_minor, sum_money, to_minor, to_minor_all

WORKLOADS = Path(__file__).resolve().parent / "peers" / "workloads.json"
CENT = Decimal("0.01")

W3 = "W3 money: sum 100 amounts + allocate 50.00"
W3B = "W3b money: format 100 amounts (zh_CN)"
SUBJECT = "mallcore"
MONEYED = "py-moneyed Money"
INT_CENTS = "int cents (limit)"
BABEL = 'babel format_currency(locale="zh_CN")'

# (total, allocation) of one implementation, in that implementation's types.
Result = tuple[Any, list[Any]]


def load_w3() -> dict[str, Any]:
    """Return workload W3 from ``benchmarks/peers/workloads.json``."""
    if not WORKLOADS.is_file():
        msg = (
            f"workloads file {WORKLOADS} not found: the money benchmark reads workload W3 "
            "from benchmarks/peers/workloads.json (the peer benchmarks)"
        )
        raise FileNotFoundError(msg)
    w3: dict[str, Any] = json.loads(WORKLOADS.read_text(encoding="utf-8"))["W3"]
    return w3


# --------------------------------------------------------------------------- W3 implementations
# Ties between equal remainders go to the larger weight, then to the earlier
# position (mallcore's allocate, docs/explanation/money-and-rounding.rst) in every
# implementation, so all compute one function.


def mallcore_w3(amounts: Sequence[Money], discount: Money) -> Result:
    # The hot-path idiom: convert once at the boundary (checking that every
    # amount has one currency, as py-moneyed's and prices' additions do),
    # compute on integers, convert back.
    weights, currency = to_minor_all(amounts)
    return from_minor(sum(weights), currency), allocate(discount, weights)


def mallcore_two_pass_w3(amounts: Sequence[Money], discount: Money) -> Result:
    """The naive composition: sum_money, then to_minor per amount (converts twice)."""
    return sum_money(amounts), allocate(discount, [to_minor(amount) for amount in amounts])


def moneyed_w3(amounts: Sequence[Money], discount: Money) -> Result:
    currency = discount.currency
    zero = Money(0, currency)
    cent = Money(CENT, currency)
    total = sum(amounts, zero)
    raw = [discount * (amount / total) for amount in amounts]
    shares = [Money(part.amount.quantize(CENT, ROUND_DOWN), currency) for part in raw]
    left = int((discount - sum(shares, zero)).amount / CENT)
    order = sorted(
        range(len(amounts)),
        key=lambda i: ((shares[i] - raw[i]).amount, -amounts[i].amount),
    )
    for i in order[:left]:
        shares[i] += cent
    return total, shares


def prices_w3(amounts: Sequence[prices.Money], discount: prices.Money) -> Result:
    currency = discount.currency
    zero = prices.Money(0, currency)
    cent = prices.Money(CENT, currency)
    total = sum(amounts, zero)
    raw = [discount * (amount / total) for amount in amounts]
    shares = [part.quantize(rounding=ROUND_DOWN) for part in raw]
    left = int((discount - sum(shares, zero)) / cent)
    order = sorted(
        range(len(amounts)), key=lambda i: ((shares[i] - raw[i]).amount, -amounts[i].amount)
    )
    for i in order[:left]:
        shares[i] += cent
    return total, shares


def decimal_w3(amounts: Sequence[Decimal], discount: Decimal) -> Result:
    total = sum(amounts, Decimal(0))
    raw = [discount * amount / total for amount in amounts]
    shares = [part.quantize(CENT, ROUND_DOWN) for part in raw]
    left = int((discount - sum(shares, Decimal(0))) / CENT)
    order = sorted(range(len(amounts)), key=lambda i: (shares[i] - raw[i], -amounts[i]))
    for i in order[:left]:
        shares[i] += CENT
    return total, shares


def int_cents_w3(cents: Sequence[int], discount: int) -> Result:
    total = sum(cents)
    shares: list[int] = []
    remainders: list[int] = []
    for amount in cents:
        share, remainder = divmod(discount * amount, total)
        shares.append(share)
        remainders.append(remainder)
    left = discount - sum(shares)
    for i in sorted(range(len(cents)), key=lambda i: (-remainders[i], -cents[i]))[:left]:
        shares[i] += 1
    return total, shares


def largest_remainder(
    total: int, weights: Sequence[int], tie: Callable[[int], tuple[int, ...]]
) -> list[int]:
    """Reference split for the tie-rule check; *tie* orders equal remainders."""
    whole = sum(weights)
    parts = [total * weight // whole for weight in weights]
    remainders = [total * weight % whole for weight in weights]
    left = total - sum(parts)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], tie(i)))[:left]:
        parts[i] += 1
    return parts


def tie_rule_note(cents: Sequence[int], discount: int) -> str:
    """Say whether mallcore's tie rule and workloads.json's ("lower index") agree here."""
    by_weight = largest_remainder(discount, cents, lambda i: (-cents[i], i))
    by_index = largest_remainder(discount, cents, lambda i: (i,))
    whole = sum(cents)
    remainders = [discount * amount % whole for amount in cents]
    repeats = len(remainders) - len(set(remainders))
    if by_weight == by_index:
        return (
            "tie rules agree on this data (mallcore: larger weight, then earlier position; "
            f"workloads.json: lower index); {repeats} of the remainders repeat an earlier one"
        )
    diff = [i for i, (a, b) in enumerate(zip(by_weight, by_index, strict=True)) if a != b]
    return f"tie rules DISAGREE on this data at positions {diff}; checked against mallcore's rule"


def _check(
    label: str, result: Result, to_decimal: Callable[[Any], Decimal], w3: dict[str, Any]
) -> None:
    total, shares = result
    expected_total = Decimal(w3["expected"]["total"])
    expected = [Decimal(share) for share in w3["expected"]["allocation"]]
    got = [to_decimal(share) for share in shares]
    if to_decimal(total) != expected_total or got != expected:
        wrong = [
            (i, str(g), str(e))
            for i, (g, e) in enumerate(zip(got, expected, strict=False))
            if g != e
        ]
        msg = f"{label}: total {total!r} (want {expected_total}), wrong shares {wrong[:5]}"
        raise AssertionError(msg)


def w3_workload(w3: dict[str, Any]) -> Workload:
    currency = w3["currency"]
    decimals = [Decimal(amount) for amount in w3["amounts"]]
    discount = Decimal(w3["discount"])
    moneys = [Money(amount, currency) for amount in decimals]
    mallcore_moneys = [MallcoreMoney(amount, currency) for amount in decimals]
    cents = [to_minor(money) for money in moneys]
    discount_cents = to_minor(Money(discount, currency))
    prices_amounts = [prices.Money(amount, currency) for amount in decimals]
    implementations: list[tuple[str, Callable[[], Result], Callable[[Any], Decimal]]] = [
        (
            SUBJECT,
            partial(mallcore_w3, mallcore_moneys, MallcoreMoney(discount, currency)),
            _amount,
        ),
        (MONEYED, partial(moneyed_w3, moneys, Money(discount, currency)), _amount),
        (
            "prices Money",
            partial(prices_w3, prices_amounts, prices.Money(discount, currency)),
            _amount,
        ),
        ("decimal.Decimal (limit)", partial(decimal_w3, decimals, discount), Decimal),
        (INT_CENTS, partial(int_cents_w3, cents, discount_cents), _from_cents),
    ]
    total, shares = implementations[0][1]()
    results = [total, *shares]
    if not all(type(m) is MallcoreMoney and m.currency.code == currency for m in results):
        msg = f"{SUBJECT}: results must be mallcore.money.Money in {currency}"
        raise AssertionError(msg)
    for label, op, to_decimal in implementations:
        _check(label, op(), to_decimal, w3)
    workload = Workload(
        name=W3,
        subject=SUBJECT,
        targets=[Target(peer=MONEYED, at_least=10), Target(peer=INT_CENTS, at_least=1 / 3)],
        notes=[tie_rule_note(cents, discount_cents)],
    )
    for label, op, _ in implementations:
        workload.timings[label] = measure(op)
    two_pass = partial(mallcore_two_pass_w3, mallcore_moneys, MallcoreMoney(discount, currency))
    _check("mallcore two pass", two_pass(), _amount, w3)
    seconds = measure(two_pass).median_s
    limit = workload.timings[INT_CENTS].median_s
    workload.notes.append(
        f"mallcore converting twice (sum_money, then to_minor per amount): "
        f"{seconds * 1e6:.1f} µs/op, {seconds / limit:.2f}x the int-cents time"
    )
    return workload


def _amount(money: Money | prices.Money) -> Decimal:
    amount: Decimal = money.amount
    return amount


def _from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


# --------------------------------------------------------------------------- W3b formatting


def w3b_workload(w3: dict[str, Any]) -> Workload:
    currency = w3["currency"]
    decimals = [Decimal(amount) for amount in w3["amounts"]]
    mallcore_moneys = [MallcoreMoney(amount, currency) for amount in decimals]
    zh_cn = Locale.parse("zh_CN")
    implementations: dict[str, Callable[[], list[str]]] = {
        SUBJECT: lambda: [format_money(money, "zh_CN") for money in mallcore_moneys],
        BABEL: lambda: [format_currency(d, currency, locale="zh_CN") for d in decimals],
        "babel format_currency(Locale object)": lambda: [
            format_currency(d, currency, locale=zh_cn) for d in decimals
        ],
        "f-string '¥{:,.2f}' (limit)": lambda: [f"¥{d:,.2f}" for d in decimals],
    }
    reference = implementations[SUBJECT]()
    for label, op in implementations.items():
        if op() != reference:
            msg = f"W3b: {label} formats differently from {SUBJECT}"
            raise AssertionError(msg)
    workload = Workload(name=W3B, subject=SUBJECT)
    for label, op in implementations.items():
        workload.timings[label] = measure(op)
    workload.notes.append(
        f"format_money is {workload.ratio(BABEL):.1f}x faster than babel with a string locale "
        "(it reuses a cached Locale); no target"
    )
    return workload


def run(quick: bool) -> list[Workload]:
    """Measure W3 and W3b; *quick* is honoured by the runner's shorter timing loops."""
    w3 = load_w3()
    return [w3_workload(w3), w3b_workload(w3)]
