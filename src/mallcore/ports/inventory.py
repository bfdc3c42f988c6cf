"""The InventoryStore port: where stock levels and reservations live, changed atomically."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from mallcore.sku.inventory import (
    DeductOn,
    LinesInput,
    Reservation,
    ReservationChange,
    StockChange,
    StockLevel,
)

__all__ = ["InventoryStore"]


@runtime_checkable
class InventoryStore(Protocol):
    """Port: stock levels and reservations, each operation atomic.

    The semantics are those of the pure functions in :mod:`mallcore.sku.inventory`
    (reserve, commit, release, expire, restock, set_stock); an adapter stores their
    result. The contract, checked by
    :class:`~mallcore.testing.contracts.InventoryStoreContract`:

    * **Atomic and conditional.** Each call is one atomic step: a reservation that
      does not fit, or any error, changes nothing. Adapters decide with a conditional
      update (``UPDATE ... SET reserved = reserved + :q WHERE on_hand - reserved >= :q``,
      a Lua script, a lock held across the check and the write), never by reading a
      level, computing in Python and writing it back unguarded. N threads or processes
      reserving the last units sell exactly the available units, never more; two
      commits of one reservation deduct once.
    * **All or nothing.** A multi-line reservation holds every line or none.
    * **Idempotent by reservation id.** Reserving again under an id with the same
      lines returns the stored reservation; committing a committed reservation,
      and releasing or expiring a released or expired one, changes nothing and
      returns a :class:`~mallcore.sku.inventory.ReservationChange` with no events.
    * **Never negative.** ``0 <= reserved <= on_hand`` holds for every SKU at every
      moment, and ``on_hand`` plus the units committed equals the units set and
      restocked.
    * **Events are returned**, in the order they happened, including a
      :class:`~mallcore.sku.inventory.LowStockAlerted` once per crossing of the
      threshold; the caller publishes them (the store records none).

    Errors adapters raise: :class:`~mallcore.errors.InsufficientStockError` (with
    ``sku``, ``requested`` and ``available``),
    :class:`~mallcore.errors.ReservationStateError` (a refused transition, or an id
    reused for other lines), :class:`~mallcore.errors.UnknownReservationError`,
    :class:`~mallcore.errors.ConfigError` (a bad quantity or instant, naming the
    field) and :class:`~mallcore.errors.StorageError` for backend failures, with
    the backend's exception chained.
    """

    def get(self, sku_id: str) -> StockLevel | None:
        """Return the stock level of *sku_id*, or ``None`` if it was never stocked."""
        ...

    def get_reservation(self, reservation_id: str) -> Reservation | None:
        """Return the reservation stored under *reservation_id*, or ``None``."""
        ...

    def set_stock(
        self, sku_id: str, on_hand: int, *, low_stock_threshold: int | None = None
    ) -> StockChange:
        """Set ``on_hand`` after a stock count, creating the level if needed.

        ``reserved`` is kept; ``low_stock_threshold=None`` keeps the threshold (0 for
        a new SKU). Raises :class:`~mallcore.errors.ConfigError` if *on_hand* is below
        ``reserved``.
        """
        ...

    def restock(self, sku_id: str, quantity: int) -> StockChange:
        """Add *quantity* units to ``on_hand``, creating the level if needed."""
        ...

    def reserve(
        self,
        reservation_id: str,
        lines: LinesInput,
        expires_at: datetime,
        *,
        deduct_on: DeductOn = DeductOn.PLACEMENT,
    ) -> ReservationChange:
        """Hold *lines* (``{sku_id: quantity}`` or pairs) until *expires_at*, all or none.

        With ``deduct_on=payment`` only availability is checked and nothing is held.
        Raises :class:`~mallcore.errors.InsufficientStockError` if a line does not fit.
        """
        ...

    def commit(self, reservation_id: str) -> ReservationChange:
        """Deduct a paid reservation's units from ``on_hand``; idempotent.

        A commit that reaches an open reservation after its ``expires_at`` but before
        the expiry sweep still commits: the units were held until now.
        """
        ...

    def release(self, reservation_id: str) -> ReservationChange:
        """Return a cancelled reservation's held units; idempotent after release or expiry."""
        ...

    def expire_due(self, now: datetime) -> list[ReservationChange]:
        """Expire every open reservation whose ``expires_at`` is at or before *now*.

        Returns one change per expired reservation, earliest ``expires_at`` first (then
        by id). A second sweep finds nothing left to expire.
        """
        ...
