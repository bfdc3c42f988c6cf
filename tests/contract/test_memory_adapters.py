"""The in-memory adapters against the shared contracts of mallcore.testing.contracts."""

import pytest

from mallcore.adapters.memory import InMemoryInventoryStore
from mallcore.ports import InventoryStore
from mallcore.testing.contracts import InventoryStoreContract


class TestInMemoryInventoryStore(InventoryStoreContract):
    @pytest.fixture
    def store(self) -> InventoryStore:
        return InMemoryInventoryStore()
