"""The UnitOfWork port: several stores changed together, all or nothing."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from mallcore.ports.coupons import CouponStore
from mallcore.ports.idempotency import IdempotencyStore
from mallcore.ports.inventory import InventoryStore
from mallcore.ports.membership import MemberRepository, PointsLedgerStore
from mallcore.ports.orders import OrderRepository, ProductRepository

__all__ = ["UnitOfWork"]


@runtime_checkable
class UnitOfWork(Protocol):
    """Port: one transaction over every store, used as a context manager.

    ``with database.unit_of_work() as uow:`` gives stores that all write in
    one transaction. Leaving the block normally commits it; an exception rolls
    every change back (stock, coupons, orders, ledgers, idempotency keys) and
    propagates. A refused operation inside (a reservation that does not fit, a
    lost optimistic save) changes nothing, and the block may go on. A broken
    connection raises :class:`~mallcore.errors.StorageUnavailableError` and
    nothing of the unit of work is stored.

    The contract is :class:`~mallcore.testing.contracts.UnitOfWorkContract`.
    """

    @property
    def products(self) -> ProductRepository:
        """The catalog's products."""
        ...

    @property
    def orders(self) -> OrderRepository:
        """The orders."""
        ...

    @property
    def members(self) -> MemberRepository:
        """The member accounts."""
        ...

    @property
    def ledgers(self) -> PointsLedgerStore:
        """The members' points ledgers."""
        ...

    @property
    def inventory(self) -> InventoryStore:
        """Stock levels and reservations."""
        ...

    @property
    def coupons(self) -> CouponStore:
        """Coupons claimed, locked and used."""
        ...

    @property
    def idempotency(self) -> IdempotencyStore:
        """Keys of work done (and payment nonces)."""
        ...

    def __enter__(self) -> Self:
        """Begin the transaction."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Commit when the block succeeded, else roll back."""
        ...
