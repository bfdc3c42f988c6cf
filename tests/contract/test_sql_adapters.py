"""The SQL adapters against the shared contracts, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mallcore.adapters.sql import SqlDatabase
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


class TestSqlInventoryStore(InventoryStoreContract):
    @pytest.fixture
    def store(self, sql_database: SqlDatabase) -> InventoryStore:
        return sql_database.inventory


class TestSqlCouponStore(CouponStoreContract):
    @pytest.fixture
    def coupons(self, sql_database: SqlDatabase) -> CouponStore:
        return sql_database.coupons


class TestSqlIdempotencyStore(IdempotencyStoreContract):
    @pytest.fixture
    def keys(self, sql_database: SqlDatabase) -> IdempotencyStore:
        return sql_database.idempotency


class TestSqlIdempotencyStoreAsANonceStore(NonceStoreContract):
    @pytest.fixture
    def nonces(self, sql_database: SqlDatabase) -> NonceStore:
        return sql_database.idempotency


class TestSqlOrderRepository(OrderRepositoryContract):
    @pytest.fixture
    def orders(self, sql_database: SqlDatabase) -> OrderRepository:
        return sql_database.orders


class TestSqlProductRepository(ProductRepositoryContract):
    @pytest.fixture
    def products(self, sql_database: SqlDatabase) -> ProductRepository:
        return sql_database.products


class TestSqlMemberRepository(MemberRepositoryContract):
    @pytest.fixture
    def members(self, sql_database: SqlDatabase) -> MemberRepository:
        return sql_database.members


class TestSqlPointsLedgerStore(PointsLedgerStoreContract):
    @pytest.fixture
    def ledgers(self, sql_database: SqlDatabase) -> PointsLedgerStore:
        return sql_database.ledgers


class TestSqlUnitOfWork(UnitOfWorkContract):
    @pytest.fixture
    def unit_of_work(self, sql_database: SqlDatabase) -> Callable[[], UnitOfWork]:
        return sql_database.unit_of_work
