"""In-memory adapters for tests, notebooks and single-process tools.

:class:`InMemoryInventoryStore` keeps stock levels and reservations,
:class:`InMemoryNonceStore` the nonces of accepted payment notifications,
:class:`InMemoryIdempotencyStore` keys of work done with their results,
:class:`InMemoryMemberRepository` member accounts,
:class:`InMemoryPointsLedgerStore` members' ledger entries,
:class:`InMemoryCouponStore` coupons claimed, locked and used,
:class:`InMemoryOrderRepository` orders and :class:`InMemoryProductRepository`
products. :class:`InMemoryDatabase` holds one of each and gives units of work
over all of them (:class:`InMemoryUnitOfWork`).

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
from types import TracebackType
from typing import TYPE_CHECKING, Self

from mallcore.checks import check_text, invalid
from mallcore.clock import aware
from mallcore.errors import ConflictError, StorageError, UnknownCouponError, UnknownReservationError
from mallcore.membership.account import MemberAccount
from mallcore.membership.ledger import LedgerEntry
from mallcore.orders.order import Order
from mallcore.ports.coupons import (
    CouponBatch,
    HeldCoupon,
    check_claim,
    check_new_limits,
    coupon_move,
    same_claim,
)
from mallcore.sku import inventory
from mallcore.sku.catalog import Product
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
    from mallcore.ports import (
        CouponStore,
        IdempotencyStore,
        InventoryStore,
        MemberRepository,
        NonceStore,
        OrderRepository,
        PointsLedgerStore,
        ProductRepository,
        UnitOfWork,
    )

__all__ = [
    "InMemoryCouponStore",
    "InMemoryDatabase",
    "InMemoryIdempotencyStore",
    "InMemoryInventoryStore",
    "InMemoryMemberRepository",
    "InMemoryNonceStore",
    "InMemoryOrderRepository",
    "InMemoryPointsLedgerStore",
    "InMemoryProductRepository",
    "InMemoryUnitOfWork",
]


class InMemoryInventoryStore:
    """An :class:`~mallcore.ports.InventoryStore` in a dict, safe to share between threads.

    One lock is held across each operation's check and write, which is what makes a
    read-compute-write atomic here; the domain functions decide, the store only keeps
    their results. Nothing survives the process.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
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
        self._lock = threading.RLock()
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
        self._lock = threading.RLock()
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
                raise ConflictError.lost_update(
                    "member", account.member_id, stored.version, expected_version
                )
            self._accounts[account.member_id] = copy.deepcopy(account)


class InMemoryPointsLedgerStore:
    """A :class:`~mallcore.ports.PointsLedgerStore` in lists, with a running balance per member."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
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
                raise ConflictError.lost_append(member_id, len(stored), expected_count)
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


class InMemoryIdempotencyStore(InMemoryNonceStore):
    """An :class:`~mallcore.ports.IdempotencyStore` in a dict: keys with their results.

    >>> from datetime import datetime, timedelta, UTC
    >>> keys = InMemoryIdempotencyStore()
    >>> now = datetime(2026, 11, 11, 20, tzinfo=UTC)
    >>> keys.remember("place:c-1:42", at=now, keep_until=now + timedelta(days=1), result="O-1")
    True
    >>> keys.result("place:c-1:42", at=now)
    'O-1'
    """

    def __init__(self) -> None:
        super().__init__()
        self._results: dict[str, str] = {}

    def remember(self, nonce: str, *, at: datetime, keep_until: datetime, result: str = "") -> bool:
        """Remember *nonce* with *result* until *keep_until*; ``False`` if remembered already."""
        if not isinstance(result, str):
            raise invalid("result", result, "must be a string")
        with self._lock:
            if not super().remember(nonce, at=at, keep_until=keep_until):
                return False
            self._results[nonce] = result
            return True

    def result(self, nonce: str, *, at: datetime) -> str | None:
        """The result remembered with *nonce*, or None."""
        with self._lock:
            if not self.seen(nonce, at=at):
                return None
            return self._results.get(nonce)

    def forget_before(self, at: datetime) -> int:
        """Delete the keys kept until before *at*; return how many went."""
        aware(at, field="at")
        with self._lock:
            before = len(self._kept)
            self._forget_before(at)
            return before - len(self._kept)

    def _forget_before(self, at: datetime) -> None:
        super()._forget_before(at)
        for nonce in [n for n in self._results if n not in self._kept]:
            del self._results[nonce]


class InMemoryCouponStore:
    """A :class:`~mallcore.ports.CouponStore` in dicts; one lock makes each move atomic."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._batches: dict[str, CouponBatch] = {}
        self._claimed: dict[str, int] = {}
        self._per_customer: dict[tuple[str, str], int] = {}
        self._coupons: dict[str, HeldCoupon] = {}

    def define(self, batch: CouponBatch) -> None:
        """Create or change a template's limits (never below what is claimed)."""
        if not isinstance(batch, CouponBatch):
            raise invalid("batch", batch, "must be a CouponBatch")
        with self._lock:
            check_new_limits(batch, self._claimed.get(batch.template_id, 0))
            self._batches[batch.template_id] = batch

    def batch(self, template_id: str) -> CouponBatch | None:
        """The template's limits, or None."""
        with self._lock:
            return self._batches.get(template_id)

    def claimed(self, template_id: str) -> int:
        """How many coupons of *template_id* were claimed."""
        with self._lock:
            return self._claimed.get(template_id, 0)

    def claim(self, template_id: str, customer_id: str, *, code: str, at: datetime) -> HeldCoupon:
        """Give *customer_id* a coupon of *template_id* under *code*, within the limits."""
        wanted = HeldCoupon(code, template_id, customer_id, "available", aware(at, field="at"))
        with self._lock:
            batch = self._batches.get(template_id)
            if batch is None:
                raise invalid("template_id", template_id, "has no limits defined: define() it")
            held = self._coupons.get(code)
            if held is not None:
                return same_claim(held, wanted)
            claimed = self._claimed.get(template_id, 0)
            mine = self._per_customer.get((template_id, customer_id), 0)
            check_claim(batch, customer_id, claimed, mine)
            self._claimed[template_id] = claimed + 1
            self._per_customer[(template_id, customer_id)] = mine + 1
            self._coupons[code] = wanted
            return wanted

    def get(self, code: str) -> HeldCoupon | None:
        """The coupon held under *code*, or None."""
        with self._lock:
            return self._coupons.get(code)

    def held_by(self, customer_id: str) -> list[HeldCoupon]:
        """The customer's coupons, by code."""
        with self._lock:
            return sorted(
                (c for c in self._coupons.values() if c.customer_id == customer_id),
                key=lambda c: c.code,
            )

    def lock(self, code: str, *, order_number: str, at: datetime) -> HeldCoupon:
        """Lock an available coupon for *order_number*."""
        return self._move(code, "lock", order_number, at)

    def unlock(self, code: str, *, order_number: str, at: datetime) -> HeldCoupon:
        """Give a coupon locked by *order_number* back."""
        return self._move(code, "unlock", order_number, at)

    def use(self, code: str, *, order_number: str, at: datetime) -> HeldCoupon:
        """Mark a coupon locked by *order_number* used."""
        return self._move(code, "use", order_number, at)

    def expire(self, code: str, *, at: datetime) -> HeldCoupon:
        """Expire an available coupon."""
        return self._move(code, "expire", None, at)

    def _move(self, code: str, action: str, order_number: str | None, at: datetime) -> HeldCoupon:
        aware(at, field="at")
        if order_number is not None:
            check_text("order_number", order_number)
        with self._lock:
            held = self._coupons.get(code)
            if held is None:
                raise UnknownCouponError(code)
            moved = coupon_move(held, action, order_number)
            self._coupons[code] = moved
            return moved


class InMemoryOrderRepository:
    """A :class:`~mallcore.ports.OrderRepository` in a dict of copies, safe between threads."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._orders: dict[str, Order] = {}

    def add(self, order: Order) -> None:
        """Store a new order; StorageError if its number is taken."""
        with self._lock:
            if order.number in self._orders:
                msg = f"order {order.number!r} exists already: save it instead"
                raise StorageError(msg)
            self._orders[order.number] = copy.deepcopy(order)

    def get(self, number: str) -> Order | None:
        """A copy of the stored order, or None."""
        with self._lock:
            stored = self._orders.get(number)
            return copy.deepcopy(stored) if stored is not None else None

    def save(self, order: Order, *, expected_version: int) -> None:
        """Replace the stored order if it is still at *expected_version*."""
        with self._lock:
            stored = self._orders.get(order.number)
            if stored is None:
                msg = f"order {order.number!r} is not stored: add it first"
                raise StorageError(msg)
            if stored.version != expected_version:
                raise ConflictError.lost_update(
                    "order", order.number, stored.version, expected_version
                )
            self._orders[order.number] = copy.deepcopy(order)

    def numbers(self, *, state: str | None = None, customer_id: str | None = None) -> list[str]:
        """Order numbers, oldest first, optionally filtered."""
        with self._lock:
            chosen = [
                o
                for o in self._orders.values()
                if (state is None or o.state == state)
                and (customer_id is None or o.customer_id == customer_id)
            ]
            return [o.number for o in sorted(chosen, key=lambda o: (o.placed_at, o.number))]


class InMemoryProductRepository:
    """A :class:`~mallcore.ports.ProductRepository` in a dict of copies."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._products: dict[str, Product] = {}

    def add(self, product: Product) -> None:
        """Store a new product; StorageError if its id or a SKU id is taken."""
        with self._lock:
            if product.id in self._products:
                msg = f"product {product.id!r} exists already: save it instead"
                raise StorageError(msg)
            self._check_skus_free(product)
            self._products[product.id] = copy.deepcopy(product)

    def get(self, product_id: str) -> Product | None:
        """A copy of the stored product, or None."""
        with self._lock:
            stored = self._products.get(product_id)
            return copy.deepcopy(stored) if stored is not None else None

    def save(self, product: Product) -> None:
        """Replace a stored product."""
        with self._lock:
            if product.id not in self._products:
                msg = f"product {product.id!r} is not stored: add it first"
                raise StorageError(msg)
            self._check_skus_free(product)
            self._products[product.id] = copy.deepcopy(product)

    def all(self) -> list[Product]:
        """Copies of every product, by id."""
        with self._lock:
            return [copy.deepcopy(self._products[key]) for key in sorted(self._products)]

    def product_of(self, sku_id: str) -> Product | None:
        """The product that has *sku_id*, or None."""
        with self._lock:
            for product in self._products.values():
                if any(sku.id == sku_id for sku in product.skus):
                    return copy.deepcopy(product)
            return None

    def _check_skus_free(self, product: Product) -> None:
        mine = {sku.id for sku in product.skus}
        for other in self._products.values():
            if other.id != product.id and (taken := mine & {sku.id for sku in other.skus}):
                msg = f"SKU {sorted(taken)[0]!r} belongs to product {other.id!r} already"
                raise StorageError(msg)


_STORES = ("products", "orders", "members", "ledgers", "inventory", "coupons", "idempotency")


class InMemoryDatabase:
    """One in-memory store of each kind, and units of work over all of them.

    Every store shares one re-entrant lock, and a unit of work holds it from
    start to end: units of work run one at a time, and a store call from
    another thread waits for the one in progress. A unit of work that raises
    puts every store back as it was when it began (from copies taken then),
    so it is all or nothing like a database transaction. Nothing survives the
    process; use :mod:`mallcore.adapters.sql` for that.

    >>> from datetime import datetime, UTC
    >>> db = InMemoryDatabase()
    >>> _ = db.inventory.set_stock("TEA-1", 2)
    >>> try:
    ...     with db.unit_of_work() as uow:
    ...         _ = uow.inventory.reserve("o-1", {"TEA-1": 2}, datetime(2026, 11, 11, tzinfo=UTC))
    ...         raise RuntimeError("the order could not be saved")
    ... except RuntimeError:
    ...     pass
    >>> db.inventory.get("TEA-1").available  # the reservation was rolled back
    2
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.products = InMemoryProductRepository()
        self.orders = InMemoryOrderRepository()
        self.members = InMemoryMemberRepository()
        self.ledgers = InMemoryPointsLedgerStore()
        self.inventory = InMemoryInventoryStore()
        self.coupons = InMemoryCouponStore()
        self.idempotency = InMemoryIdempotencyStore()
        for name in _STORES:
            # One lock for all: a unit of work and a lone store call never interleave.
            getattr(self, name)._lock = self._lock

    def unit_of_work(self) -> InMemoryUnitOfWork:
        """A unit of work over this database's stores."""
        return InMemoryUnitOfWork(self)


class InMemoryUnitOfWork:
    """A :class:`~mallcore.ports.UnitOfWork` over an :class:`InMemoryDatabase`."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self._database = database
        self.products = database.products
        self.orders = database.orders
        self.members = database.members
        self.ledgers = database.ledgers
        self.inventory = database.inventory
        self.coupons = database.coupons
        self.idempotency = database.idempotency
        self._saved: dict[str, dict[str, object]] | None = None

    def __enter__(self) -> Self:
        """Take the database's lock and copies of every store to roll back to."""
        if self._saved is not None:
            msg = "this unit of work is in progress already: start a new one"
            raise StorageError(msg)
        self._database._lock.acquire()
        self._saved = {
            name: {
                key: copy.deepcopy(value)
                for key, value in vars(getattr(self._database, name)).items()
                if key != "_lock"
            }
            for name in _STORES
        }
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Keep the changes when the block succeeded, else put the copies back."""
        saved, self._saved = self._saved, None
        try:
            if exc_type is not None and saved is not None:
                for name, state in saved.items():
                    vars(getattr(self._database, name)).update(state)
        finally:
            self._database._lock.release()


if TYPE_CHECKING:
    # mypy proves here that the adapters have the ports' structure.
    _store: InventoryStore = InMemoryInventoryStore()
    _nonces: NonceStore = InMemoryNonceStore()
    _members: MemberRepository = InMemoryMemberRepository()
    _ledgers: PointsLedgerStore = InMemoryPointsLedgerStore()
    _keys: IdempotencyStore = InMemoryIdempotencyStore()
    _key_nonces: NonceStore = InMemoryIdempotencyStore()
    _coupons: CouponStore = InMemoryCouponStore()
    _orders: OrderRepository = InMemoryOrderRepository()
    _products: ProductRepository = InMemoryProductRepository()
    _uow: UnitOfWork = InMemoryDatabase().unit_of_work()
