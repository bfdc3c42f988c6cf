"""Points ledger: earn and redeem on a ledger of 10,000 lots; a year-end expiry run.

One op is one earn of 100 points (a new lot) followed by one redemption of
100 points (taken from the lot that expires first), so the ledger keeps about
10,000 open lots however long the loop runs. The peer is a naive ledger
written the obvious way: a list of lots sorted by expiry on every
redemption, and a balance summed over all entries on every read.

The year-end expiry run builds 100,000 members with 10 lots each (10,000 with
``--quick``) and times one :meth:`~mallcore.membership.ledger.PointsLedger.expire_due`
over all of them; it is reported, with no target.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from itertools import count

from benchmarks._harness import Target, Workload, measure
from mallcore.membership.ledger import PointsLedger

LOTS = 10_000
START = datetime(2026, 1, 1, tzinfo=UTC)
NAME = "ledger: earn 100 + redeem 100 points on a ledger of 10,000 lots"
SUBJECT = "mallcore PointsLedger"
NAIVE = "naive ledger (sort lots per redemption, balance = sum of entries)"


class NaiveLedger:
    """The obvious implementation, for comparison: correct, and slow where it matters."""

    def __init__(self) -> None:
        self.entries: list[int] = []
        self.lots: list[list[object]] = []  # [expires_at, left]

    @property
    def balance(self) -> int:
        return sum(self.entries)

    def earn(self, points: int, at: datetime) -> None:
        self.entries.append(points)
        self.lots.append([at + timedelta(days=365), points])

    def redeem(self, points: int) -> None:
        if points > self.balance:
            msg = "not enough points"
            raise ValueError(msg)
        self.entries.append(-points)
        still = points
        for lot in sorted(self.lots, key=lambda lot: lot[0]):  # type: ignore[arg-type, return-value]
            left = int(lot[1])  # type: ignore[call-overload]
            take = min(left, still)
            lot[1] = left - take
            still -= take
            if not still:
                break
        self.lots = [lot for lot in self.lots if lot[1]]


def _ledger_workload() -> Workload:
    ticks = count(1)

    def now() -> datetime:
        return START + timedelta(microseconds=next(ticks))

    ledger = PointsLedger("bench")
    naive = NaiveLedger()
    for n in range(LOTS):
        at = now()
        ledger.earn(100, at=at, source="order", key=f"earn:{n}")
        naive.earn(100, at)
    serial = count()

    def mallcore_op() -> None:
        n = next(serial)
        ledger.earn(100, at=now(), source="order", key=f"e:{n}")
        ledger.redeem(100, at=now(), source="order", key=f"r:{n}")
        _ = ledger.balance

    def naive_op() -> None:
        naive.earn(100, now())
        naive.redeem(100)
        _ = naive.balance

    mallcore_op()
    naive_op()
    assert len(ledger.lots()) == LOTS and ledger.balance == naive.balance == 100 * LOTS
    assert ledger.balance == sum(entry.points for entry in ledger.entries)
    workload = Workload(
        name=NAME,
        subject=SUBJECT,
        targets=[Target(peer="", max_seconds=1e-3, label="earn + redeem")],
    )
    workload.timings[SUBJECT] = measure(mallcore_op)
    workload.timings[NAIVE] = measure(naive_op, target_s=0.5)
    assert len(ledger.lots()) == LOTS
    workload.notes.append(
        "target: under 1 ms per operation; the op here is two operations (an earn and a "
        "redemption) and a balance read, so each is under half of it"
    )
    return workload


def _expiry_note(members: int) -> str:
    ledgers = []
    built = time.perf_counter()
    for m in range(members):
        ledger = PointsLedger(f"m{m}")
        for lot in range(10):
            at = START + timedelta(days=30 * lot)
            ledger.earn(100, at=at, source="order", key=f"earn:{lot}")
        ledger.redeem(150, at=START + timedelta(days=300), source="order", key="redeem")
        ledgers.append(ledger)
    built = time.perf_counter() - built
    year_end = datetime(2028, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    expired = sum(len(ledger.expire_due(year_end)) for ledger in ledgers)
    took = time.perf_counter() - started
    assert all(ledger.balance == 0 for ledger in ledgers)
    return (
        f"year-end expiry over {members:,} members with 10 lots each ({expired:,} lots with "
        f"points left): {took:.2f} s ({took / members * 1e6:.1f} µs a member); building them "
        f"took {built:.2f} s; no target"
    )


def run(quick: bool) -> list[Workload]:
    """Measure the ledger; *quick* builds 10,000 members for the expiry run instead of 100,000."""
    workload = _ledger_workload()
    workload.notes.append(_expiry_note(10_000 if quick else 100_000))
    return [workload]
