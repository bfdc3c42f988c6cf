"""The points ledger: lots, earliest-expiry-first spending, expiry, debt, returns, statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mallcore.errors import ConfigError, InsufficientPointsError
from mallcore.membership.ledger import EntryKind, LedgerPolicy, PointsLedger

JAN = datetime(2026, 1, 5, 10, tzinfo=UTC)
JUN = datetime(2026, 6, 1, 10, tzinfo=UTC)


def _ledger() -> PointsLedger:
    ledger = PointsLedger("u-42")
    ledger.earn(300, at=JAN, source="order-1", key="earn:1")
    ledger.earn(200, at=JUN, source="order-2", key="earn:2")
    return ledger


def test_earned_points_form_lots_that_expire_twelve_months_later() -> None:
    ledger = _ledger()
    assert ledger.balance == 500
    assert ledger.lots() == [(1, 300, JAN.replace(year=2027)), (2, 200, JUN.replace(year=2027))]


def test_a_redemption_takes_the_lots_that_expire_first() -> None:
    ledger = _ledger()
    entry = ledger.redeem(350, at=JUN, source="order-3", key="redeem:3")
    assert (entry.kind, entry.points, entry.lots) == (EntryKind.REDEEM, -350, ((1, -300), (2, -50)))
    assert ledger.balance == 150
    assert ledger.lots() == [(2, 150, JUN.replace(year=2027))]


def test_a_redemption_above_the_balance_is_refused_and_changes_nothing() -> None:
    ledger = _ledger()
    with pytest.raises(InsufficientPointsError, match="can't spend 501 points: 500 available"):
        ledger.redeem(501, at=JUN, source="order-3", key="redeem:3")
    assert (ledger.balance, len(ledger.entries)) == (500, 2)


def test_expiry_takes_only_what_is_left_of_a_lot() -> None:
    ledger = _ledger()
    ledger.redeem(250, at=JUN, source="order-3", key="redeem:3")
    expired = ledger.expire_due(JAN.replace(year=2027))
    assert [(e.kind, e.points, e.lots) for e in expired] == [(EntryKind.EXPIRE, -50, ((1, -50),))]
    assert ledger.balance == 200
    assert ledger.expire_due(JAN.replace(year=2027)) == []  # once


def test_expired_points_are_never_spent() -> None:
    ledger = _ledger()
    later = JAN.replace(year=2027) + timedelta(days=1)
    with pytest.raises(InsufficientPointsError, match="200 available"):
        ledger.redeem(300, at=later, source="order-9", key="redeem:9")
    assert ledger.balance == 200  # the first lot expired on the way, as it was due
    assert [e.kind for e in ledger.entries] == [EntryKind.EARN, EntryKind.EARN, EntryKind.EXPIRE]


def test_a_clawback_beyond_the_balance_is_debt_that_blocks_redemptions() -> None:
    ledger = _ledger()
    ledger.redeem(450, at=JUN, source="order-3", key="redeem:3")
    entry = ledger.clawback(120, at=JUN, source="order-1 refund", key="claw:1")
    assert entry.lots == ((2, -50),)
    assert (ledger.balance, ledger.debt) == (-70, 70)
    with pytest.raises(InsufficientPointsError, match="debt from a clawback"):
        ledger.redeem(1, at=JUN, source="order-4", key="redeem:4")
    paid = ledger.earn(100, at=JUN, source="order-5", key="earn:5")
    assert paid.lots == ((paid.number, 30),)  # 70 paid the debt off
    assert (ledger.balance, ledger.debt, ledger.lots()[0][1]) == (30, 0, 30)


def test_returned_points_go_back_to_the_lots_they_came_from() -> None:
    ledger = _ledger()
    ledger.redeem(350, at=JUN, source="order-3", key="redeem:3")
    entry = ledger.return_points(
        100, at=JUN, source="order-3 cancelled", key="return:3", redemption_key="redeem:3"
    )
    assert entry.lots == ((2, 50), (1, 50))  # last taken, first returned
    assert ledger.lots() == [(1, 50, JAN.replace(year=2027)), (2, 200, JUN.replace(year=2027))]
    with pytest.raises(ConfigError, match="more than the 250 point"):
        ledger.return_points(251, at=JUN, source="x", key="return:3b", redemption_key="redeem:3")
    with pytest.raises(ConfigError, match="is not the key of a redemption"):
        ledger.return_points(1, at=JUN, source="x", key="return:3c", redemption_key="earn:1")


def test_returned_points_without_a_redemption_form_a_new_lot() -> None:
    ledger = _ledger()
    entry = ledger.return_points(40, at=JUN, source="order-7", key="return:7")
    assert entry.expires_at == JUN.replace(year=2027) and ledger.balance == 540


def test_the_same_key_twice_is_one_entry() -> None:
    ledger = _ledger()
    first = ledger.redeem(100, at=JUN, source="order-3", key="redeem:3")
    assert ledger.redeem(100, at=JUN, source="order-3", key="redeem:3") is first
    assert ledger.balance == 400 and len(ledger.entries) == 3
    with pytest.raises(ConfigError, match="key='redeem:3' was already used for redeem of -100"):
        ledger.redeem(200, at=JUN, source="order-3", key="redeem:3")


def test_an_entry_dated_before_the_last_one_is_refused() -> None:
    ledger = _ledger()
    with pytest.raises(ConfigError, match="is before the ledger's last entry"):
        ledger.earn(10, at=JAN, source="late", key="earn:late")


@pytest.mark.parametrize("points", [0, -5, True, 1.5, "10", 10**13])
def test_points_must_be_a_whole_positive_number(points: object) -> None:
    ledger = PointsLedger("u-1")
    with pytest.raises(ConfigError, match="points="):
        ledger.earn(points, at=JAN, source="s", key="k")  # type: ignore[arg-type]
    assert ledger.entries == []


def test_one_key_cannot_be_a_debit_and_a_credit() -> None:
    ledger = _ledger()
    ledger.adjust(-100, at=JUN, source="support", key="adj:1")
    with pytest.raises(ConfigError, match="key='adj:1' was already used for adjust of -100"):
        ledger.adjust(100, at=JUN, source="support", key="adj:1")
    assert ledger.balance == 400


def test_a_negative_adjustment_cannot_make_debt() -> None:
    ledger = _ledger()
    assert ledger.adjust(-100, at=JUN, source="support", key="adj:1").points == -100
    with pytest.raises(InsufficientPointsError):
        ledger.adjust(-401, at=JUN, source="support", key="adj:2")
    assert ledger.adjust(25, at=JUN, source="support", key="adj:3").lots[0][1] == 25


def test_end_of_following_year_expiry_in_the_members_time_zone() -> None:
    cst = timezone(timedelta(hours=8))
    ledger = PointsLedger("u-1", LedgerPolicy("end_of_following_year"))
    entry = ledger.earn(10, at=datetime(2026, 12, 31, 23, tzinfo=cst), source="s", key="k")
    assert entry.expires_at == datetime(2028, 1, 1, tzinfo=cst)


def test_the_policy_refuses_an_unknown_expiry_rule() -> None:
    with pytest.raises(ConfigError, match="expiry='never'"):
        LedgerPolicy("never")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="months=0"):
        LedgerPolicy(months=0)


def test_a_statement_of_a_period() -> None:
    ledger = _ledger()
    ledger.redeem(100, at=JUN + timedelta(days=1), source="order-3", key="redeem:3")
    ledger.expire_due(JAN.replace(year=2027))
    year = ledger.statement(datetime(2026, 3, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC))
    assert (year.opening, year.closing) == (300, 200)
    assert year.moves[EntryKind.EARN] == 200
    assert year.moves[EntryKind.REDEEM] == -100
    assert year.moves[EntryKind.EXPIRE] == -200
    assert year.closing == ledger.balance


def test_points_returned_to_an_expired_lot_expire_again_under_their_own_key() -> None:
    ledger = _ledger()
    ledger.redeem(250, at=JUN, source="order-3", key="redeem:3")  # lot 1 keeps 50
    later = JAN.replace(year=2027) + timedelta(days=1)
    (first,) = ledger.expire_due(later)
    ledger.return_points(100, at=later, source="o", key="ret:3", redemption_key="redeem:3")
    (again,) = ledger.expire_due(later)
    assert (first.lots, again.lots, ledger.balance) == (((1, -50),), ((1, -100),), 200)
    assert len({entry.key for entry in ledger.entries}) == len(ledger.entries)
