"""Contracts of the membership storage ports: member accounts and points ledgers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from mallcore.errors import StorageError
from mallcore.membership import Tier
from mallcore.membership.account import MemberAccount
from mallcore.membership.ledger import PointsLedger
from mallcore.ports import MemberRepository, PointsLedgerStore

__all__ = ["CONTRACT_TIERS", "MemberRepositoryContract", "PointsLedgerStoreContract"]

_AT = datetime(2026, 11, 11, 12, tzinfo=UTC)
CONTRACT_TIERS = (Tier("member"), Tier("gold", 1000))


def _account(member_id: str = "u-1") -> MemberAccount:
    return MemberAccount(member_id, CONTRACT_TIERS)


class MemberRepositoryContract:
    """Behaviour shared by every :class:`~mallcore.ports.MemberRepository` adapter.

    Provide a ``members`` fixture returning a new, empty repository::

        class TestSqlMemberRepository(MemberRepositoryContract):
            @pytest.fixture
            def members(self, tmp_path) -> MemberRepository:
                database = SqlDatabase.open(tmp_path / "shop.sqlite", tiers=CONTRACT_TIERS)
                return database.members
    """

    def test_an_added_account_reads_back_equal_and_not_as_the_same_object(
        self, members: MemberRepository
    ) -> None:
        account = _account()
        account.earn_growth(1200, at=_AT, source="o-1", key="growth:o-1")
        account.ledger.earn(300, at=_AT, source="o-1", key="earn:o-1")
        members.add(account)
        stored = members.get("u-1")
        assert stored is not None and stored is not account
        assert (stored.growth, stored.tier, stored.ledger.balance) == (1200, "gold", 300)
        assert stored.version == account.version
        assert members.get("nobody") is None

    def test_an_id_is_added_once(self, members: MemberRepository) -> None:
        members.add(_account())
        with pytest.raises(StorageError):
            members.add(_account())

    def test_save_needs_the_version_it_read(self, members: MemberRepository) -> None:
        members.add(_account())
        first, second = members.get("u-1"), members.get("u-1")
        assert first is not None and second is not None
        seen = first.version
        first.earn_growth(100, at=_AT, source="o-1", key="g1")
        members.save(first, expected_version=seen)
        second.earn_growth(200, at=_AT, source="o-2", key="g2")
        with pytest.raises(StorageError):
            members.save(second, expected_version=seen)  # lost update refused
        stored = members.get("u-1")
        assert stored is not None and stored.growth == 100

    def test_saving_an_account_never_added_is_refused(self, members: MemberRepository) -> None:
        with pytest.raises(StorageError):
            members.save(_account("u-9"), expected_version=0)


class PointsLedgerStoreContract:
    """Behaviour shared by every :class:`~mallcore.ports.PointsLedgerStore` adapter.

    Provide a ``ledgers`` fixture returning a new, empty store, usable from
    several threads at once.
    """

    def test_appended_entries_read_back_in_order_and_restore_the_ledger(
        self, ledgers: PointsLedgerStore
    ) -> None:
        ledger = PointsLedger("u-1")
        ledger.earn(300, at=_AT, source="o-1", key="earn:o-1")
        ledger.redeem(120, at=_AT, source="o-2", key="redeem:o-2")
        ledgers.append("u-1", ledger.entries, expected_count=0)
        stored = ledgers.entries("u-1")
        assert stored == ledger.entries
        assert ledgers.balance("u-1") == 180 == PointsLedger.restore("u-1", stored).balance
        assert (ledgers.entries("nobody"), ledgers.balance("nobody")) == ([], 0)

    def test_an_append_after_someone_else_is_refused_whole(
        self, ledgers: PointsLedgerStore
    ) -> None:
        mine, theirs = PointsLedger("u-1"), PointsLedger("u-1")
        theirs.earn(100, at=_AT, source="o-1", key="earn:o-1")
        ledgers.append("u-1", theirs.entries, expected_count=0)
        mine.earn(500, at=_AT, source="o-2", key="earn:o-2")
        with pytest.raises(StorageError):
            ledgers.append("u-1", mine.entries, expected_count=0)
        assert ledgers.balance("u-1") == 100 and len(ledgers.entries("u-1")) == 1

    def test_the_balance_is_the_sum_of_the_stored_entries(self, ledgers: PointsLedgerStore) -> None:
        ledger = PointsLedger("u-1")
        for n in range(20):
            count = len(ledger.entries)
            ledger.earn(10 + n, at=_AT + timedelta(days=n), source="o", key=f"e{n}")
            if n % 3 == 0:
                ledger.clawback(15, at=_AT + timedelta(days=n), source="r", key=f"c{n}")
            ledgers.append("u-1", ledger.entries[count:], expected_count=count)
        assert ledgers.balance("u-1") == sum(e.points for e in ledgers.entries("u-1"))
        assert ledgers.balance("u-1") == ledger.balance

    def test_of_racing_writers_exactly_one_appends(self, ledgers: PointsLedgerStore) -> None:
        wins: list[int] = []
        barrier = threading.Barrier(8)

        def write(n: int) -> None:
            ledger = PointsLedger("u-1")
            ledger.earn(n + 1, at=_AT, source="o", key=f"e{n}")
            barrier.wait()
            try:
                ledgers.append("u-1", ledger.entries, expected_count=0)
            except StorageError:
                return
            wins.append(n)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(wins) == 1
        assert ledgers.balance("u-1") == wins[0] + 1
