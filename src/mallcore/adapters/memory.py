"""In-memory adapters for tests, notebooks and single-process tools.

:class:`InMemoryInventoryStore` keeps stock levels and reservations,
:class:`InMemoryNonceStore` the nonces of accepted payment notifications,
:class:`InMemoryMemberRepository` member accounts and
:class:`InMemoryPointsLedgerStore` members' ledger entries.

>>> from datetime import datetime, UTC
>>> store = InMemoryInventoryStore()
>>> _ = store.set_stock("TEA-1", 3)
>>> store.reserve("o-1", {"TEA-1": 2}, datetime(2026, 11, 11, tzinfo=UTC)).changed
True
>>> store.get("TEA-1").available
1
"""

from __future__ import annotations

import copy
import heapq
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from mallcore.checks import check_text
from mallcore.clock import aware
from mallcore.errors import StorageError, UnknownReservationError
from mallcore.membership.account import MemberAccount
from mallcore.membership.ledger import LedgerEntry
from mallcore.sku import inventory
from mallcore.sku.inventory import (
    DeductOn,
    LinesInput,
    Reservation,
    ReservationChange,
    ReservationState,
    StockChange,
    StockLevel,
)

if TYPE_CHECKING:
    from mallcore.ports import InventoryStore, MemberRepository, NonceStore, PointsLedgerStore

__all__ = [
    "InMemoryInventoryStore",
    "InMemoryMemberRepository",
    "InMemoryNonceStore",
    "InMemoryPointsLedgerStore",
]


class InMemoryInventoryStore:
    """An :class:`~mallcore.ports.InventoryStore` in a dict, safe to share between threads.

    One lock is held across each operation's check and write, which is what makes a
    read-compute-write atomic here; the domain functions decide, the store only keeps
    their results. Nothing survives the process.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._levels: dict[str, StockLevel] = {}
        self._reservations: dict[str, Reservation] = {}

    def get(self, sku_id: str) -> StockLevel | None:
        """Return the stock level of *sku_id*, or ``None`` if it was never stocked."""
        with self._lock:
            return self._levels.get(sku_id)

    def get_reservation(self, reservation_id: str) -> Reservation | None:
        """Return the reservation stored under *reservation_id*, or ``None``."""
        with self._lock:
            return self._reservations.get(reservation_id)

    def set_stock(
        self, sku_id: str, on_hand: int, *, low_stock_threshold: int | None = None
    ) -> StockChange:
        """Set ``on_hand`` after a stock count, creating the level if needed."""
        with self._lock:
            change = inventory.set_stock(
                self._levels.get(sku_id), sku_id, on_hand, low_stock_threshold=low_stock_threshold
            )
            self._levels[sku_id] = change.level
            return change

    def restock(self, sku_id: str, quantity: int) -> StockChange:
        """Add *quantity* units to ``on_hand``, creating the level if needed."""
        with self._lock:
            level = self._levels.get(sku_id) or StockLevel(sku_id, on_hand=0)
            change = inventory.restock(level, quantity)
            self._levels[sku_id] = change.level
            return change

    def reserve(
        self,
        reservation_id: str,
        lines: LinesInput,
        expires_at: datetime,
        *,
        deduct_on: DeductOn = DeductOn.PLACEMENT,
    ) -> ReservationChange:
        """Hold *lines* until *expires_at*, all or none; idempotent by *reservation_id*."""
        requested = Reservation(reservation_id, lines, expires_at, deduct_on)
        with self._lock:
            existing = self._reservations.get(reservation_id)
            return self._apply(inventory.reserve(self._levels, requested, existing=existing))

    def commit(self, reservation_id: str) -> ReservationChange:
        """Deduct a paid reservation's units from ``on_hand``; idempotent."""
        with self._lock:
            return self._apply(inventory.commit(self._levels, self._find(reservation_id)))

    def release(self, reservation_id: str) -> ReservationChange:
        """Return a cancelled reservation's held units; idempotent after release or expiry."""
        with self._lock:
            return self._apply(inventory.release(self._levels, self._find(reservation_id)))

    def expire_due(self, now: datetime) -> list[ReservationChange]:
        """Expire every open reservation due at or before *now*, earliest first."""
        aware(now, field="now")
        with self._lock:
            due = sorted(
                (
                    r
                    for r in self._reservations.values()
                    if r.state is ReservationState.OPEN and r.expires_at <= now
                ),
                key=lambda r: (r.expires_at, r.id),
            )
            return [self._apply(inventory.expire(self._levels, r, now)) for r in due]

    def _find(self, reservation_id: str) -> Reservation:
        reservation = self._reservations.get(reservation_id)
        if reservation is None:
            raise UnknownReservationError(reservation_id)
        return reservation

    def _apply(self, change: ReservationChange) -> ReservationChange:
        # Called with the lock held, after the domain function accepted the whole
        # operation, so a refusal above leaves both dicts untouched.
        for level in change.levels:
            self._levels[level.sku_id] = level
        self._reservations[change.reservation.id] = change.reservation
        return change


class InMemoryNonceStore:
    """A :class:`~mallcore.ports.payment.NonceStore` in a dict, safe to share between threads.

    Nonces past their ``keep_until`` are dropped as later calls go by, so the
    store holds only the nonces whose notifications could still pass a
    gateway's timestamp check. Nothing survives the process: a gateway in
    another process does not see these nonces (use a shared store there).

    >>> from datetime import datetime, timedelta, UTC
    >>> nonces = InMemoryNonceStore()
    >>> now = datetime(2026, 11, 11, 20, tzinfo=UTC)
    >>> later = now + timedelta(minutes=5)
    >>> nonces.remember("n-1", at=now, keep_until=later)
    True
    >>> nonces.remember("n-1", at=now, keep_until=later)  # seen before
    False
    >>> nonces.seen("n-1", at=later), nonces.seen("n-1", at=later + timedelta(seconds=1))
    (True, False)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[str, datetime] = {}
        # (keep_until, nonce), earliest first: what to forget next.
        self._expiry: list[tuple[datetime, str]] = []

    def remember(self, nonce: str, *, at: datetime, keep_until: datetime) -> bool:
        """Remember *nonce* until *keep_until*; ``False`` if it is remembered already."""
        check_text("nonce", nonce)
        aware(at, field="at")
        aware(keep_until, field="keep_until")
        with self._lock:
            self._forget_before(at)
            if nonce in self._kept:
                return False
            self._kept[nonce] = keep_until
            heapq.heappush(self._expiry, (keep_until, nonce))
            return True

    def seen(self, nonce: str, *, at: datetime) -> bool:
        """Whether *nonce* is remembered and *at* is not past its ``keep_until``."""
        check_text("nonce", nonce)
        aware(at, field="at")
        with self._lock:
            keep_until = self._kept.get(nonce)
            return keep_until is not None and at <= keep_until

    def __len__(self) -> int:
        """How many nonces are held (some may be past their ``keep_until``, not yet dropped)."""
        with self._lock:
            return len(self._kept)

    def _forget_before(self, at: datetime) -> None:
        # Called with the lock held.
        while self._expiry and self._expiry[0][0] < at:
            keep_until, nonce = heapq.heappop(self._expiry)
            if self._kept.get(nonce) == keep_until:
                del self._kept[nonce]


class InMemoryMemberRepository:
    """A :class:`~mallcore.ports.MemberRepository` in a dict of copies, safe between threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accounts: dict[str, MemberAccount] = {}

    def add(self, account: MemberAccount) -> None:
        """Store a new account; StorageError if its id is taken."""
        with self._lock:
            if account.member_id in self._accounts:
                msg = f"member {account.member_id!r} exists already: save it instead"
                raise StorageError(msg)
            self._accounts[account.member_id] = copy.deepcopy(account)

    def get(self, member_id: str) -> MemberAccount | None:
        """A copy of the stored account, or None."""
        with self._lock:
            stored = self._accounts.get(member_id)
            return copy.deepcopy(stored) if stored is not None else None

    def save(self, account: MemberAccount, *, expected_version: int) -> None:
        """Replace the stored account if it is still at *expected_version*."""
        with self._lock:
            stored = self._accounts.get(account.member_id)
            if stored is None:
                msg = f"member {account.member_id!r} is not stored: add it first"
                raise StorageError(msg)
            if stored.version != expected_version:
                msg = (
                    f"member {account.member_id!r} is at version {stored.version}, not "
                    f"{expected_version}: someone saved it since it was read; read it again"
                )
                raise StorageError(msg)
            self._accounts[account.member_id] = copy.deepcopy(account)


class InMemoryPointsLedgerStore:
    """A :class:`~mallcore.ports.PointsLedgerStore` in lists, with a running balance per member."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, list[LedgerEntry]] = {}
        self._balances: dict[str, int] = {}

    def append(
        self, member_id: str, entries: Sequence[LedgerEntry], *, expected_count: int
    ) -> None:
        """Append *entries* after the *expected_count* stored, all or none."""
        check_text("member_id", member_id)
        with self._lock:
            stored = self._entries.setdefault(member_id, [])
            if len(stored) != expected_count:
                msg = (
                    f"member {member_id!r} has {len(stored)} ledger entries, not "
                    f"{expected_count}: someone appended since they were read; read them again"
                )
                raise StorageError(msg)
            for offset, entry in enumerate(entries, start=expected_count + 1):
                if not isinstance(entry, LedgerEntry) or entry.number != offset:
                    msg = f"entry {entry!r} must be a LedgerEntry numbered {offset}"
                    raise StorageError(msg)
            stored.extend(entries)
            self._balances[member_id] = self._balances.get(member_id, 0) + sum(
                entry.points for entry in entries
            )

    def entries(self, member_id: str) -> list[LedgerEntry]:
        """The member's entries in order."""
        with self._lock:
            return list(self._entries.get(member_id, ()))

    def balance(self, member_id: str) -> int:
        """The running sum of the member's entries."""
        with self._lock:
            return self._balances.get(member_id, 0)


if TYPE_CHECKING:
    # mypy proves here that the adapters have the ports' structure.
    _store: InventoryStore = InMemoryInventoryStore()
    _nonces: NonceStore = InMemoryNonceStore()
    _members: MemberRepository = InMemoryMemberRepository()
    _ledgers: PointsLedgerStore = InMemoryPointsLedgerStore()
