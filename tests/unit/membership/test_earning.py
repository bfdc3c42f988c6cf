"""Earning rules (registration, review, share, sign-in streaks) and programme files."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mallcore.errors import ConfigError, RulesValidationError
from mallcore.membership import PointsLedger, Tier
from mallcore.membership.earning import EarningRules, SignInRule, SignInStreak
from mallcore.membership.programme import Programme
from mallcore.membership.rules import load_programme

AT = datetime(2026, 11, 1, 8, tzinfo=UTC)
WEEK = SignInRule(5, {3: 10, 7: 30})


def _sign_in_on(days: list[int], rule: SignInRule) -> list[tuple[str, int]]:
    ledger, streak = PointsLedger("u-1"), SignInStreak()
    out = []
    for n in days:
        entry = streak.sign_in(
            ledger, rule, day=date(2026, 11, n), at=AT + timedelta(days=n, hours=1)
        )
        out.append((entry.source, entry.points))
    return out


def test_a_week_of_sign_ins_earns_the_streak_bonuses_then_starts_again() -> None:
    earned = _sign_in_on(list(range(1, 10)), WEEK)
    assert [points for _, points in earned] == [5, 5, 15, 5, 5, 5, 35, 5, 5]
    assert earned[7][0] == "sign-in day 1"  # day 8 starts a new cycle


def test_a_missed_day_resets_the_streak_or_keeps_it() -> None:
    assert _sign_in_on([1, 2, 4, 5, 6], WEEK) == [
        ("sign-in day 1", 5),
        ("sign-in day 2", 5),
        ("sign-in day 1", 5),
        ("sign-in day 2", 5),
        ("sign-in day 3", 15),
    ]
    keep = SignInRule(5, {3: 10, 7: 30}, "keep")
    assert [s for s, _ in _sign_in_on([1, 2, 4], keep)] == [
        "sign-in day 1",
        "sign-in day 2",
        "sign-in day 3",
    ]


def test_signing_in_twice_a_day_earns_once() -> None:
    ledger, streak = PointsLedger("u-1"), SignInStreak()
    first = streak.sign_in(ledger, WEEK, day=date(2026, 11, 1), at=AT)
    assert streak.sign_in(ledger, WEEK, day=date(2026, 11, 1), at=AT) is first
    assert ledger.balance == 5
    with pytest.raises(ConfigError, match="is not after the last sign-in"):
        streak.sign_in(ledger, WEEK, day=date(2026, 10, 31), at=AT)


def test_awards_for_registration_review_and_share() -> None:
    rules = EarningRules(registration=100, review=10)
    ledger = PointsLedger("u-1")
    assert rules.award(ledger, "registration", at=AT, key="reg").points == 100  # type: ignore[union-attr]
    assert rules.award(ledger, "review", at=AT, key="rev:o-1").points == 10  # type: ignore[union-attr]
    assert rules.award(ledger, "share", at=AT, key="share:1") is None  # worth 0 here
    with pytest.raises(ConfigError, match="reason='like'"):
        rules.award(ledger, "like", at=AT, key="x")
    assert ledger.balance == 110


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: SignInRule(-1), "base=-1"),
        (lambda: SignInRule(5, {0: 10}), "streak_bonus day=0"),
        (lambda: SignInRule(5, {3: -1}), "streak_bonus[3]=-1"),
        (lambda: SignInRule(5, missed="forgive"), "missed='forgive'"),
        (lambda: EarningRules(review=-5), "review=-5"),
    ],
)
def test_bad_earning_rules_are_refused_when_built(build: object, field: str) -> None:
    with pytest.raises(ConfigError, match=field.replace("[", r"\[").replace("]", r"\]")):
        build()  # type: ignore[operator]


PROGRAMME = {
    "tiers": [
        {"id": "member"},
        {"id": "gold", "min_growth": 2000, "rate": "95", "coupon_templates": ["GOLD-ONLY"]},
    ],
    "tier_policy": "hold_until_period_end",
    "points": {"max_ratio": "30"},
    "expiry": {"rule": "months", "months": 24},
    "earning": {"registration": 100, "sign_in": {"base": 2, "streak_bonus": {"7": 20}}},
    "growth_per_major": 2,
}


def test_a_programme_file_builds_every_part() -> None:
    programme = load_programme(PROGRAMME)
    assert [t.id for t in programme.tiers] == ["member", "gold"]
    assert programme.tiers[1].coupon_templates == ("GOLD-ONLY",)
    assert str(programme.points.max_ratio) == "30"
    assert programme.ledger.months == 24 and programme.growth_per_major == 2
    account = programme.new_account("u-1", birthday=date(1990, 5, 1))
    assert (account.tier, account.tier_policy.value) == ("member", "hold_until_period_end")
    entry = account.ledger.earn(10, at=AT, source="s", key="k")
    assert entry.expires_at == AT.replace(year=2028)


def test_a_bad_programme_file_lists_every_problem_with_its_path() -> None:
    bad = {
        **PROGRAMME,
        "tiers": [{"id": "gold", "min_growth": 2000}, {"id": "member", "min_growth": 0}],
        "expiry": {"rule": "months", "months": 0},
        "earning": {"sign_in": {"streak_bonus": {"7": -3}}},
    }
    with pytest.raises(RulesValidationError) as caught:
        load_programme(bad)
    text = str(caught.value)
    assert "tiers[1].min_growth: must be above the previous tier's (2000)" in text
    assert "expiry.months: must be at least 1 (got 0)" in text
    assert "earning.sign_in.streak_bonus[7]: must be at least 0 (got -3)" in text


def test_an_unknown_key_is_a_problem() -> None:
    with pytest.raises(RulesValidationError, match="tier_polcy"):
        load_programme({**PROGRAMME, "tier_polcy": "immediate"})


def test_a_programme_built_in_python_checks_its_parts() -> None:
    with pytest.raises(ConfigError, match="tiers"):
        Programme("member")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="earning"):
        Programme([Tier("member")], earning={"registration": 1})  # type: ignore[arg-type]
