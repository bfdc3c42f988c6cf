"""The IdempotencyStore port: keys of work already done, and what it answered."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

__all__ = ["IdempotencyStore"]


@runtime_checkable
class IdempotencyStore(Protocol):
    """Port: remember that the work under a key was done, and its result.

    It is also a :class:`~mallcore.ports.NonceStore` (a payment
    notification's nonce is a key with no result), so one store serves both.

    * :meth:`remember` is one atomic "add if absent": of N processes
      remembering one key at once, exactly one gets ``True``. Inside a unit of
      work the key is written in the same transaction as the work, so a unit
      of work that rolls back forgets it and a retry with the same key runs
      once; a retry after a commit finds the key and the stored result.
    * A key is kept until ``keep_until``; after that the store may forget it,
      and :meth:`forget_before` deletes such keys (schedule it, e.g. daily).
    * Naive datetimes raise :class:`~mallcore.errors.ConfigError`; backend
      failures :class:`~mallcore.errors.StorageError`.

    The contract is :class:`~mallcore.testing.contracts.IdempotencyStoreContract`.
    """

    def remember(self, nonce: str, *, at: datetime, keep_until: datetime, result: str = "") -> bool:
        """Remember *nonce* (a key) with *result*; ``False`` if it was remembered already."""
        ...

    def seen(self, nonce: str, *, at: datetime) -> bool:
        """Whether the key is remembered and *at* is not past its ``keep_until``."""
        ...

    def result(self, nonce: str, *, at: datetime) -> str | None:
        """The result remembered with the key, or None when it is not remembered."""
        ...

    def forget_before(self, at: datetime) -> int:
        """Delete the keys kept until before *at*; return how many went (run it now and then)."""
        ...
