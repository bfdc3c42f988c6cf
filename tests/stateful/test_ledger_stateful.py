"""Random earns, redemptions, clawbacks, returns, adjustments and expiry runs on one ledger.

Whatever happens: the balance is the sum of the entries (the maintained total
is checked against it after every step), the lots hold exactly the positive
part of the balance, no lot gives out more than it received (points are never
spent twice), expiry only takes what is left of a lot, a redemption never makes
the balance negative, a refused action changes nothing, and the same key twice
is one entry.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from mallcore.errors import ConfigError, InsufficientPointsError
from mallcore.membership.ledger import EntryKind, PointsLedger

START = datetime(2026, 1, 1, tzinfo=UTC)
POINTS = st.integers(1, 2_000)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.ledger = PointsLedger("u-1")
        self.now = START
        self.serial = 0
        self.redemptions: list[str] = []

    def _key(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}:{self.serial}"

    def _snapshot(self) -> tuple[object, ...]:
        return (self.ledger.balance, len(self.ledger.entries), self.ledger.lots())

    @rule(days=st.integers(0, 200))
    def time_passes(self, days: int) -> None:
        self.now += timedelta(days=days)

    @rule(points=POINTS)
    def earn(self, points: int) -> None:
        self.ledger.earn(points, at=self.now, source="order", key=self._key("earn"))

    @rule(points=POINTS)
    def redeem(self, points: int) -> None:
        before = self.ledger.balance
        key = self._key("redeem")
        try:
            self.ledger.redeem(points, at=self.now, source="order", key=key)
        except InsufficientPointsError:
            assert self.ledger.balance < points or self.ledger.balance < 0
            assert self.ledger.entry_for(key) is None
            return
        assert before >= points  # possibly after an expiry on the way
        assert self.ledger.balance >= 0
        self.redemptions.append(key)

    @rule(points=POINTS)
    def clawback(self, points: int) -> None:
        before = self.ledger.balance
        self.ledger.clawback(points, at=self.now, source="refund", key=self._key("claw"))
        assert self.ledger.balance == before - points

    @rule(data=st.data())
    def return_some(self, data: st.DataObject) -> None:
        if not self.redemptions:
            return
        of = data.draw(st.sampled_from(self.redemptions))
        points = data.draw(POINTS)
        before = self._snapshot()
        try:
            self.ledger.return_points(
                points, at=self.now, source="cancel", key=self._key("ret"), redemption_key=of
            )
        except ConfigError:
            assert self._snapshot() == before

    @rule(points=st.integers(-2_000, 2_000).filter(bool))
    def adjust(self, points: int) -> None:
        before = self._snapshot()
        try:
            self.ledger.adjust(points, at=self.now, source="support", key=self._key("adj"))
        except InsufficientPointsError:
            assert self._snapshot() == before

    @rule()
    def expire(self) -> None:
        self.ledger.expire_due(self.now)
        assert all(expires > self.now for _, _, expires in self.ledger.lots())

    @rule()
    def replay_the_last_entry(self) -> None:
        if not self.ledger.entries:
            return
        last = self.ledger.entries[-1]
        before = self._snapshot()
        if last.kind is EntryKind.EARN:
            again = self.ledger.earn(last.points, at=self.now, source="order", key=last.key)
        elif last.kind is EntryKind.CLAWBACK:
            again = self.ledger.clawback(-last.points, at=self.now, source="refund", key=last.key)
        else:
            return
        assert again == last and self._snapshot() == before

    @invariant()
    def the_balance_is_the_sum_of_the_entries(self) -> None:
        assert self.ledger.balance == sum(entry.points for entry in self.ledger.entries)

    @invariant()
    def the_lots_hold_the_positive_part_of_the_balance(self) -> None:
        assert sum(left for _, left, _ in self.ledger.lots()) == max(self.ledger.balance, 0)

    @invariant()
    def no_lot_gives_out_more_than_it_received(self) -> None:
        moved: dict[int, int] = defaultdict(int)
        for entry in self.ledger.entries:
            for lot, points in entry.lots:
                moved[lot] += points
                assert moved[lot] >= 0, f"lot {lot} spent twice at entry {entry.number}"
        left = {lot: points for lot, points, _ in self.ledger.lots()}
        assert {lot: n for lot, n in moved.items() if n} == left

    @invariant()
    def the_stored_entries_restore_the_same_ledger(self) -> None:
        restored = PointsLedger.restore("u-1", self.ledger.entries)
        assert restored.balance == self.ledger.balance
        assert restored.lots() == self.ledger.lots()

    @invariant()
    def entries_are_in_time_order(self) -> None:
        times = [entry.at for entry in self.ledger.entries]
        assert times == sorted(times)


TestLedger = LedgerMachine.TestCase
