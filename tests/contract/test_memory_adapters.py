"""The in-memory adapters against the shared contracts of mallcore.testing.contracts."""

from collections.abc import Callable

import pytest

from mallcore.adapters.memory import (
    InMemoryCouponStore,
    InMemoryDatabase,
    InMemoryIdempotencyStore,
    InMemoryInventoryStore,
    InMemoryMemberRepository,
    InMemoryOrderRepository,
    InMemoryPointsLedgerStore,
    InMemoryProductRepository,
)
from mallcore.ports import (
    CouponStore,
    IdempotencyStore,
    InventoryStore,
    MemberRepository,
    OrderRepository,
    PointsLedgerStore,
    ProductRepository,
    UnitOfWork,
)
from mallcore.ports.payment import NonceStore
from mallcore.testing.contracts import (
    CouponStoreContract,
    IdempotencyStoreContract,
    InventoryStoreContract,
    MemberRepositoryContract,
    NonceStoreContract,
    OrderRepositoryContract,
    PointsLedgerStoreContract,
    ProductRepositoryContract,
    UnitOfWorkContract,
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


class TestInMemoryCouponStore(CouponStoreContract):
    @pytest.fixture
    def coupons(self) -> CouponStore:
        return InMemoryCouponStore()


class TestInMemoryIdempotencyStore(IdempotencyStoreContract):
    @pytest.fixture
    def keys(self) -> IdempotencyStore:
        return InMemoryIdempotencyStore()


class TestInMemoryIdempotencyStoreAsANonceStore(NonceStoreContract):
    @pytest.fixture
    def nonces(self) -> NonceStore:
        return InMemoryIdempotencyStore()


class TestInMemoryOrderRepository(OrderRepositoryContract):
    @pytest.fixture
    def orders(self) -> OrderRepository:
        return InMemoryOrderRepository()


class TestInMemoryProductRepository(ProductRepositoryContract):
    @pytest.fixture
    def products(self) -> ProductRepository:
        return InMemoryProductRepository()


class TestInMemoryUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def unit_of_work(self) -> Callable[[], UnitOfWork]:
        return InMemoryDatabase().unit_of_work
