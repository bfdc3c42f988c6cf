"""Storage ports of membership: member accounts and their points ledgers.

Both are optimistic: a writer says what it read (the account's version, the
ledger's number of entries), and a store that has moved on since refuses the
write with :exc:`~mallcore.errors.StorageError`, so two processes crediting
one member never lose an entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from mallcore.membership.account import MemberAccount
from mallcore.membership.ledger import LedgerEntry

__all__ = ["MemberRepository", "PointsLedgerStore"]


@runtime_checkable
class MemberRepository(Protocol):
    """Port: keep member accounts.

    Contract (``MemberRepositoryContract`` in :mod:`mallcore.testing.contracts`):
    ``get`` returns an account equal to the one saved, never the caller's own
    object; ``add`` refuses an id that exists; ``save`` refuses a version other
    than the stored one (someone saved in between) and changes nothing then.
    """

    def add(self, account: MemberAccount) -> None:
        """Store a new account. Raises StorageError if its id is taken."""
        ...

    def get(self, member_id: str) -> MemberAccount | None:
        """The stored account, or None."""
        ...

    def save(self, account: MemberAccount, *, expected_version: int) -> None:
        """Replace the stored account if it is still at *expected_version*; else StorageError."""
        ...


@runtime_checkable
class PointsLedgerStore(Protocol):
    """Port: keep members' ledger entries, append only, with a maintained balance.

    Contract (``PointsLedgerStoreContract``): ``append`` adds entries only if
    the member has exactly *expected_count* stored (else StorageError, nothing
    added) and numbered from there; ``balance`` is the sum of the stored
    entries, read without summing them; ``entries`` returns them in order.
    """

    def append(
        self, member_id: str, entries: Sequence[LedgerEntry], *, expected_count: int
    ) -> None:
        """Append *entries* after the *expected_count* already stored, all or none."""
        ...

    def entries(self, member_id: str) -> list[LedgerEntry]:
        """The member's entries in order (empty for an unknown member)."""
        ...

    def balance(self, member_id: str) -> int:
        """The sum of the member's entries (0 for an unknown member)."""
        ...
