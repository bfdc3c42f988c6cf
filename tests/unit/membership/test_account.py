"""The member account: growth value, tiers by policy, birthday and referrer checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mallcore.errors import ConfigError
from mallcore.membership import Tier
from mallcore.membership.account import MemberAccount, TierPolicy

AT = datetime(2026, 11, 11, tzinfo=UTC)
TIERS = [Tier("member"), Tier("silver", 500), Tier("gold", 2000)]


def test_a_new_member_starts_in_the_tier_of_zero_growth() -> None:
    account = MemberAccount("u-1", TIERS)
    assert (account.growth, account.tier, account.tier_history) == (0, "member", [])


def test_growth_raises_the_tier_at_once_and_a_clawback_lowers_it_under_immediate() -> None:
    account = MemberAccount("u-1", TIERS)
    account.earn_growth(2100, at=AT, source="o-1", key="growth:o-1")
    assert account.tier == "gold"
    account.claw_back_growth(200, at=AT + timedelta(days=1), source="o-1", key="claw:o-1")
    assert (account.growth, account.tier) == (1900, "silver")
    assert [(c.from_tier, c.to_tier, c.growth) for c in account.tier_history] == [
        ("member", "gold", 2100),
        ("gold", "silver", 1900),
    ]


def test_hold_until_period_end_keeps_the_tier_until_the_period_closes() -> None:
    account = MemberAccount("u-1", TIERS, tier_policy="hold_until_period_end")
    account.earn_growth(2100, at=AT, source="o-1", key="growth:o-1")
    account.claw_back_growth(2000, at=AT, source="o-1", key="claw:o-1")
    assert (account.growth, account.tier) == (100, "gold")  # held
    change = account.close_period(at=datetime(2027, 1, 1, tzinfo=UTC))
    assert change is not None and (change.from_tier, change.to_tier) == ("gold", "member")
    assert account.close_period(at=datetime(2027, 1, 1, tzinfo=UTC)) is None


def test_growth_never_falls_below_zero() -> None:
    account = MemberAccount("u-1", TIERS)
    account.earn_growth(100, at=AT, source="o-1", key="g")
    entry = account.claw_back_growth(300, at=AT, source="o-1", key="c")
    assert (entry.growth, account.growth) == (-100, 0)


def test_the_same_key_twice_is_one_move() -> None:
    account = MemberAccount("u-1", TIERS)
    first = account.earn_growth(100, at=AT, source="o-1", key="g")
    assert account.earn_growth(100, at=AT, source="o-1", key="g") is first
    assert account.growth == 100
    with pytest.raises(ConfigError, match="key='g' was already used"):
        account.earn_growth(200, at=AT, source="o-1", key="g")


def test_bad_accounts_are_refused_when_built() -> None:
    with pytest.raises(ConfigError, match="referrer='u-1' is the member themself"):
        MemberAccount("u-1", TIERS, referrer="u-1")
    with pytest.raises(ConfigError, match="birthday="):
        MemberAccount("u-1", TIERS, birthday="1990-01-01")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="min_growth"):
        MemberAccount("u-1", [Tier("gold", 2000), Tier("member")])
    with pytest.raises(ConfigError, match="tier_policy="):
        MemberAccount("u-1", TIERS, tier_policy="later")  # type: ignore[arg-type]
    assert MemberAccount("u-1", TIERS, birthday=date(1990, 1, 1)).birthday == date(1990, 1, 1)


@given(st.lists(st.integers(1, 3000), min_size=1, max_size=6))
def test_earning_then_clawing_all_back_returns_to_where_it_was(amounts: list[int]) -> None:
    account = MemberAccount("u-1", TIERS, tier_policy=TierPolicy.IMMEDIATE)
    for n, growth in enumerate(amounts):
        account.earn_growth(growth, at=AT, source="o", key=f"g{n}")
    for n, growth in enumerate(amounts):
        account.claw_back_growth(growth, at=AT, source="o", key=f"c{n}")
    assert (account.growth, account.tier) == (0, "member")
