"""The in-memory adapters against the shared contracts of mallcore.testing.contracts."""

import pytest

from mallcore.adapters.memory import (
    InMemoryInventoryStore,
    InMemoryMemberRepository,
    InMemoryPointsLedgerStore,
)
from mallcore.ports import InventoryStore, MemberRepository, PointsLedgerStore
from mallcore.testing.contracts import (
    InventoryStoreContract,
    MemberRepositoryContract,
    PointsLedgerStoreContract,
)


class TestInMemoryInventoryStore(InventoryStoreContract):
    @pytest.fixture
    def store(self) -> InventoryStore:
        return InMemoryInventoryStore()


class TestInMemoryMemberRepository(MemberRepositoryContract):
    @pytest.fixture
    def members(self) -> MemberRepository:
        return InMemoryMemberRepository()


class TestInMemoryPointsLedgerStore(PointsLedgerStoreContract):
    @pytest.fixture
    def ledgers(self) -> PointsLedgerStore:
        return InMemoryPointsLedgerStore()
