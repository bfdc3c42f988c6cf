"""Distribution: binding rules, commissions per line, freezing, refunds, withdrawals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mallcore.errors import ConfigError, InvalidTransitionError
from mallcore.membership.distribution import (
    BindMode,
    Commission,
    CommissionPlan,
    LevelRate,
    PromoterNetwork,
    Withdrawal,
    available_balance,
    commissions_for_line,
)

AT = datetime(2026, 11, 11, tzinfo=UTC)
WINDOW_CLOSES = AT + timedelta(days=7)
PLAN = CommissionPlan([LevelRate(5), LevelRate(3)])


def _line(items_paid: int = 9999, units: int = 1) -> list[Commission]:
    return commissions_for_line(
        PLAN,
        ["bob", "alice"],
        order="o-1",
        line_key="A",
        items_paid=items_paid,
        units=units,
        releases_at=WINDOW_CLOSES,
    )


def test_five_and_three_percent_of_a_line_paying_99_99_are_4_99_and_2_99() -> None:
    first, second = _line()
    assert (first.promoter, first.level, first.amount) == ("bob", 1, 499)
    assert (second.promoter, second.level, second.amount) == ("alice", 2, 299)


def test_a_fixed_commission_is_per_unit_and_never_above_what_the_line_paid() -> None:
    plan = CommissionPlan([LevelRate(fixed_per_unit=150)])
    (one,) = commissions_for_line(
        plan, ["bob"], order="o", line_key="A", items_paid=1000, units=3, releases_at=AT
    )
    assert one.amount == 450
    (capped,) = commissions_for_line(
        plan, ["bob"], order="o", line_key="A", items_paid=200, units=3, releases_at=AT
    )
    assert capped.amount == 200


def test_a_level_without_a_promoter_earns_nothing() -> None:
    made = commissions_for_line(
        PLAN, ["bob"], order="o", line_key="A", items_paid=9999, units=1, releases_at=AT
    )
    assert [c.promoter for c in made] == ["bob"]


def test_a_commission_is_frozen_until_the_window_closes_then_available() -> None:
    first, _ = _line()
    assert first.release(at=WINDOW_CLOSES - timedelta(seconds=1)) is None
    assert first.state == "frozen"
    assert first.release(at=WINDOW_CLOSES) is not None
    assert first.state == "available"
    with pytest.raises(InvalidTransitionError):
        first.reduce(1, at=WINDOW_CLOSES, key="refund:1")  # too late to take back


def test_refunds_reduce_a_frozen_commission_and_a_full_refund_cancels_it() -> None:
    (first, _) = _line(items_paid=9999, units=3)  # 499
    first.reduce(1, at=AT, key="r1")
    assert (first.amount, first.state) == (499 - 166, "frozen")
    assert first.reduce(1, at=AT, key="r1").action == "reduce"  # the same key: once
    assert first.amount == 333
    first.reduce(2, at=AT, key="r2")
    assert (first.amount, first.state) == (0, "cancelled")


@given(
    st.integers(1, 10**7),
    st.lists(st.integers(1, 5), min_size=1, max_size=8),
)
def test_a_fully_refunded_line_pays_no_commission(items_paid: int, parts: list[int]) -> None:
    units = sum(parts)
    for commission in _line(items_paid=items_paid, units=units):
        for n, part in enumerate(parts):
            commission.reduce(part, at=AT, key=f"r{n}")
            assert 0 <= commission.amount <= commission.original
        assert (commission.amount, commission.state) == (0, "cancelled")


def test_binding_refuses_self_and_cycles() -> None:
    network = PromoterNetwork()
    with pytest.raises(ConfigError, match="nobody promotes themselves"):
        network.bind("bob", "bob")
    network.bind("bob", "alice")
    network.bind("carol", "bob")
    with pytest.raises(ConfigError, match="would close a cycle"):
        network.bind("alice", "carol")
    assert network.promoter_of("alice") is None


@pytest.mark.parametrize(
    ("mode", "later", "registering", "promoter"),
    [
        (BindMode.FIRST_BIND, "dave", False, "alice"),
        (BindMode.OVERWRITE, "dave", False, "dave"),
        (BindMode.REGISTRATION_BIND, "dave", False, None),
        (BindMode.REGISTRATION_BIND, "dave", True, "dave"),
    ],
)
def test_bind_modes(mode: BindMode, later: str, registering: bool, promoter: str | None) -> None:
    network = PromoterNetwork(mode)
    if mode is not BindMode.REGISTRATION_BIND:
        network.bind("bob", "alice")
    network.bind("bob", later, registering=registering)
    assert network.promoter_of("bob") == promoter


def test_uplines_stop_at_the_levels_asked() -> None:
    network = PromoterNetwork()
    for customer, promoter in (("b", "a"), ("c", "b"), ("d", "c")):
        network.bind(customer, promoter)
    assert network.uplines("d", levels=2) == ["c", "b"]
    assert network.uplines("d", levels=3) == ["c", "b", "a"]


def test_a_plan_has_one_to_three_levels() -> None:
    with pytest.raises(ConfigError, match="1 to 3 levels"):
        CommissionPlan([LevelRate(1)] * 4)
    with pytest.raises(ConfigError, match="exactly one of"):
        LevelRate()
    with pytest.raises(ConfigError, match="exactly one of"):
        LevelRate(5, fixed_per_unit=10)


def test_a_withdrawal_fee_rounds_half_up_and_comes_off_the_transfer() -> None:
    # 0.6 % of 123.25 = 0.7395 -> 0.74
    w = Withdrawal.request(
        "bob", 12_325, available=20_000, minimum=1_000, fee_percent=Decimal("0.6"), at=AT
    )
    assert (w.fee, w.transfer, w.state) == (74, 12_251, "requested")
    w.approve(at=AT)
    w.pay(at=AT)
    assert w.state == "paid"


def test_a_rejected_withdrawal_returns_the_money() -> None:
    w = Withdrawal.request("bob", 5_000, available=5_000, minimum=1_000, fee_percent=1, at=AT)
    assert w.reject(at=AT, reason="bank details missing") == 5_000
    with pytest.raises(InvalidTransitionError):
        w.pay(at=AT)


@pytest.mark.parametrize(("amount", "match"), [(999, "below the minimum"), (6_000, "more than")])
def test_a_withdrawal_below_the_minimum_or_above_the_balance_is_refused(
    amount: int, match: str
) -> None:
    with pytest.raises(ConfigError, match=match):
        Withdrawal.request("bob", amount, available=5_000, minimum=1_000, fee_percent=1, at=AT)


def test_the_available_balance_is_released_commissions_less_withdrawals_not_rejected() -> None:
    first, second = _line()
    first.release(at=WINDOW_CLOSES)  # 4.99 available; 2.99 still frozen
    taken = Withdrawal.request("bob", 300, available=499, minimum=100, fee_percent=1, at=AT)
    refused = Withdrawal.request("bob", 100, available=199, minimum=100, fee_percent=1, at=AT)
    refused.reject(at=AT, reason="duplicate")
    assert available_balance([first, second], [taken, refused]) == 199
