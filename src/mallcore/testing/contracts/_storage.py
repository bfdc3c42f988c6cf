"""Contracts of the storage ports: coupons, idempotency keys, orders, products, units of work."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import mallcore
from mallcore.errors import (
    ConfigError,
    ConflictError,
    CouponLimitError,
    CouponStateError,
    InsufficientStockError,
    StorageError,
    UnknownCouponError,
)
from mallcore.orders import Order, order_to_dict
from mallcore.ports import (
    CouponBatch,
    CouponStore,
    IdempotencyStore,
    OrderRepository,
    ProductRepository,
    UnitOfWork,
)
from mallcore.pricing.quote import Quote
from mallcore.sku.catalog import make_product
from mallcore.sku.skus import make_sku

__all__ = [
    "CONTRACT_SCENARIO",
    "CouponStoreContract",
    "IdempotencyStoreContract",
    "OrderRepositoryContract",
    "ProductRepositoryContract",
    "UnitOfWorkContract",
    "contract_order",
    "contract_quote",
]

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)
THREADS = 8

#: Tea × 2 and a cup, a ¥5 coupon (SAVE-1) and up to 500 of customer c-1's 800 points
#: (¥5): 2 × 58.00 + 19.90 - 5.00 - 5.00 = 125.90 CNY.
CONTRACT_SCENARIO: dict[str, Any] = {
    "currency": "CNY",
    "at": "2026-11-11T20:00:00+08:00",
    "catalog": {
        "products": [
            {"id": "TEA", "skus": [{"sku": "TEA-1", "price": "58.00"}]},
            {"id": "CUP", "skus": [{"sku": "CUP-1", "price": "19.90"}]},
        ]
    },
    "coupons": [{"code": "SAVE-1", "kind": "no_threshold", "amount_off": "5.00"}],
    "membership": {"points": {"max_points_per_order": 500}},
    "customer": {"id": "c-1", "points": 800},
    "cart": {
        "lines": [{"sku": "TEA-1", "quantity": 2}, {"sku": "CUP-1", "quantity": 1}],
        "coupons": ["SAVE-1"],
        "points": "max",
    },
}


def contract_quote(**cart: Any) -> Quote:
    """The quote of :data:`CONTRACT_SCENARIO`, its cart's keys replaced by *cart*."""
    data = {**CONTRACT_SCENARIO, "cart": {**CONTRACT_SCENARIO["cart"], **cart}}
    scenario = mallcore.load_scenario(data)
    return mallcore.quote(scenario.cart, scenario.context)


def contract_order(number: str = "20261111120000CONTRACT01", customer_id: str = "c-1") -> Order:
    """A placed, unpaid order of two lines without coupon or points (135.90 CNY)."""
    quote = contract_quote(coupons=[], points=0)
    return Order.place(quote, customer_id=customer_id, at=AT, number=number, reservation_id=number)


def _race(n: int, action: Callable[[int], object]) -> list[object]:
    start = threading.Barrier(n)

    def attempt(i: int) -> object:
        start.wait(timeout=30)
        try:
            return action(i)
        except Exception as exc:  # collected and checked by the caller
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        return [f.result(timeout=60) for f in [pool.submit(attempt, i) for i in range(n)]]


class CouponStoreContract:
    """Behaviour shared by every :class:`~mallcore.ports.CouponStore` adapter.

    Provide a ``coupons`` fixture returning a new, empty store usable from any thread.
    """

    def test_a_claim_holds_an_available_coupon(self, coupons: CouponStore) -> None:
        coupons.define(CouponBatch("SAVE10", total_quantity=5, per_customer_limit=2))
        held = coupons.claim("SAVE10", "c-1", code="SAVE10-0001", at=AT)
        assert (held.code, held.template_id, held.customer_id, held.state) == (
            "SAVE10-0001",
            "SAVE10",
            "c-1",
            "available",
        )
        assert held.claimed_at == AT
        assert coupons.get("SAVE10-0001") == held
        assert coupons.held_by("c-1") == [held]
        assert coupons.claimed("SAVE10") == 1
        assert coupons.batch("SAVE10") == CouponBatch("SAVE10", 5, 2)

    def test_claims_stop_at_the_total_and_the_per_customer_limit(
        self, coupons: CouponStore
    ) -> None:
        coupons.define(CouponBatch("SAVE10", total_quantity=3, per_customer_limit=2))
        coupons.claim("SAVE10", "c-1", code="a", at=AT)
        coupons.claim("SAVE10", "c-1", code="b", at=AT)
        with pytest.raises(CouponLimitError, match="per_customer_limit=2") as caught:
            coupons.claim("SAVE10", "c-1", code="c", at=AT)
        assert caught.value.limit == "per_customer_limit"
        coupons.claim("SAVE10", "c-2", code="d", at=AT)
        with pytest.raises(CouponLimitError, match="total_quantity=3"):
            coupons.claim("SAVE10", "c-3", code="e", at=AT)
        assert coupons.claimed("SAVE10") == 3
        assert coupons.get("c") is None and coupons.get("e") is None
        assert [c.code for c in coupons.held_by("c-1")] == ["a", "b"]

    def test_a_repeated_claim_under_one_code_counts_once(self, coupons: CouponStore) -> None:
        coupons.define(CouponBatch("SAVE10", total_quantity=2))
        first = coupons.claim("SAVE10", "c-1", code="a", at=AT)
        assert coupons.claim("SAVE10", "c-1", code="a", at=AT + timedelta(hours=1)) == first
        assert coupons.claimed("SAVE10") == 1
        with pytest.raises(CouponStateError, match="held by customer 'c-1'"):
            coupons.claim("SAVE10", "c-2", code="a", at=AT)

    def test_an_undefined_template_and_bad_input_are_refused(self, coupons: CouponStore) -> None:
        with pytest.raises(ConfigError, match="template_id"):
            coupons.claim("NOPE", "c-1", code="a", at=AT)
        coupons.define(CouponBatch("SAVE10"))
        with pytest.raises(ConfigError, match="at"):
            coupons.claim("SAVE10", "c-1", code="a", at=datetime(2026, 11, 11))
        with pytest.raises(ConfigError, match="code"):
            coupons.claim("SAVE10", "c-1", code="", at=AT)
        with pytest.raises(ConfigError, match="per_customer_limit"):
            CouponBatch("SAVE10", per_customer_limit=0)

    def test_limits_may_not_drop_below_what_is_claimed(self, coupons: CouponStore) -> None:
        coupons.define(CouponBatch("SAVE10", total_quantity=5))
        coupons.claim("SAVE10", "c-1", code="a", at=AT)
        coupons.claim("SAVE10", "c-2", code="b", at=AT)
        with pytest.raises(ConfigError, match="total_quantity=1"):
            coupons.define(CouponBatch("SAVE10", total_quantity=1))
        coupons.define(CouponBatch("SAVE10", total_quantity=2))
        assert coupons.batch("SAVE10") == CouponBatch("SAVE10", 2)
        assert coupons.claimed("SAVE10") == 2

    def test_lock_use_and_unlock_follow_the_coupon_machine(self, coupons: CouponStore) -> None:
        coupons.define(CouponBatch("SAVE10"))
        coupons.claim("SAVE10", "c-1", code="a", at=AT)
        locked = coupons.lock("a", order_number="O-1", at=AT)
        assert (locked.state, locked.order_number) == ("locked", "O-1")
        assert coupons.lock("a", order_number="O-1", at=AT) == locked  # a replay
        with pytest.raises(CouponStateError, match="by order 'O-1'"):
            coupons.unlock("a", order_number="O-2", at=AT)
        with pytest.raises(CouponStateError):
            coupons.lock("a", order_number="O-2", at=AT)
        back = coupons.unlock("a", order_number="O-1", at=AT)
        assert (back.state, back.order_number) == ("available", None)
        assert coupons.unlock("a", order_number="O-1", at=AT) == back  # a replay
        coupons.lock("a", order_number="O-2", at=AT)
        used = coupons.use("a", order_number="O-2", at=AT)
        assert (used.state, used.order_number) == ("used", "O-2")
        assert coupons.use("a", order_number="O-2", at=AT) == used
        refusals: list[Callable[[], object]] = [
            lambda: coupons.unlock("a", order_number="O-2", at=AT),
            lambda: coupons.lock("a", order_number="O-3", at=AT),
            lambda: coupons.expire("a", at=AT),
        ]
        for refused in refusals:
            with pytest.raises(CouponStateError):
                refused()
        assert coupons.get("a") == used

    def test_an_available_coupon_expires_and_stays_expired(self, coupons: CouponStore) -> None:
        coupons.define(CouponBatch("SAVE10"))
        coupons.claim("SAVE10", "c-1", code="a", at=AT)
        assert coupons.expire("a", at=AT).state == "expired"
        assert coupons.expire("a", at=AT).state == "expired"
        with pytest.raises(CouponStateError):
            coupons.lock("a", order_number="O-1", at=AT)

    def test_an_unknown_code_is_refused(self, coupons: CouponStore) -> None:
        with pytest.raises(UnknownCouponError):
            coupons.lock("nope", order_number="O-1", at=AT)

    def test_racing_claims_of_the_last_coupons_get_exactly_those(
        self, coupons: CouponStore
    ) -> None:
        coupons.define(CouponBatch("LAST", total_quantity=3))
        results = _race(THREADS, lambda i: coupons.claim("LAST", f"c-{i}", code=f"L-{i}", at=AT))
        won = [r for r in results if not isinstance(r, Exception)]
        assert len(won) == 3
        assert all(isinstance(r, CouponLimitError) for r in results if isinstance(r, Exception))
        assert coupons.claimed("LAST") == 3

    def test_racing_orders_lock_one_coupon_once(self, coupons: CouponStore) -> None:
        coupons.define(CouponBatch("SAVE10"))
        coupons.claim("SAVE10", "c-1", code="a", at=AT)
        results = _race(THREADS, lambda i: coupons.lock("a", order_number=f"O-{i}", at=AT))
        won = [r for r in results if not isinstance(r, Exception)]
        assert len(won) == 1
        assert all(isinstance(r, CouponStateError) for r in results if isinstance(r, Exception))


class IdempotencyStoreContract:
    """Behaviour shared by every :class:`~mallcore.ports.IdempotencyStore` adapter.

    Provide a ``keys`` fixture returning a new, empty store usable from any thread.
    (Run :class:`NonceStoreContract` on it too: an idempotency store is a nonce store.)
    """

    def test_a_key_is_new_once_and_keeps_its_result(self, keys: IdempotencyStore) -> None:
        keep = AT + timedelta(days=1)
        assert keys.remember("place:c-1:1", at=AT, keep_until=keep, result="O-1") is True
        assert keys.remember("place:c-1:1", at=AT, keep_until=keep, result="O-2") is False
        assert keys.result("place:c-1:1", at=AT) == "O-1"
        assert keys.result("place:c-1:2", at=AT) is None
        assert keys.result("place:c-1:1", at=keep + timedelta(seconds=1)) is None

    def test_a_forgotten_key_may_be_remembered_again(self, keys: IdempotencyStore) -> None:
        keep = AT + timedelta(minutes=5)
        keys.remember("k", at=AT, keep_until=keep, result="first")
        later = keep + timedelta(seconds=1)
        assert keys.remember("k", at=later, keep_until=later + (keep - AT), result="second")
        assert keys.result("k", at=later) == "second"

    def test_forget_before_deletes_only_keys_past_their_keep_until(
        self, keys: IdempotencyStore
    ) -> None:
        keys.remember("old", at=AT, keep_until=AT + timedelta(minutes=5), result="1")
        keys.remember("new", at=AT, keep_until=AT + timedelta(days=5), result="2")
        assert keys.forget_before(AT + timedelta(hours=1)) == 1
        assert keys.result("new", at=AT) == "2"
        assert keys.result("old", at=AT) is None
        assert keys.forget_before(AT + timedelta(hours=1)) == 0

    def test_bad_input_is_refused(self, keys: IdempotencyStore) -> None:
        naive = datetime(2026, 11, 11)
        with pytest.raises(ConfigError, match="keep_until"):
            keys.remember("k", at=AT, keep_until=naive)
        with pytest.raises(ConfigError, match="nonce"):
            keys.remember("", at=AT, keep_until=AT)

    def test_racing_writers_of_one_key_have_one_winner(self, keys: IdempotencyStore) -> None:
        keep = AT + timedelta(days=1)
        results = _race(
            THREADS, lambda i: keys.remember("pay:O-1", at=AT, keep_until=keep, result=str(i))
        )
        assert results.count(True) == 1 and results.count(False) == THREADS - 1
        assert keys.result("pay:O-1", at=AT) == str(results.index(True))


class OrderRepositoryContract:
    """Behaviour shared by every :class:`~mallcore.ports.OrderRepository` adapter.

    Provide an ``orders`` fixture returning a new, empty repository usable from any thread.
    """

    def test_an_added_order_reads_back_equal_in_every_field(self, orders: OrderRepository) -> None:
        order = contract_order()
        orders.add(order)
        stored = orders.get(order.number)
        assert stored is not None and stored is not order
        assert order_to_dict(stored) == order_to_dict(order)
        assert (stored.state, stored.version, stored.payable) == (
            order.state,
            order.version,
            order.payable,
        )
        assert orders.get("nope") is None

    def test_a_number_is_added_once(self, orders: OrderRepository) -> None:
        orders.add(contract_order())
        with pytest.raises(StorageError, match="exists already"):
            orders.add(contract_order())

    def test_save_checks_the_version_read(self, orders: OrderRepository) -> None:
        orders.add(contract_order())
        first = orders.get("20261111120000CONTRACT01")
        second = orders.get("20261111120000CONTRACT01")
        assert first is not None and second is not None
        read = first.version
        first.cancel(at=AT + timedelta(minutes=1), actor="buyer")
        orders.save(first, expected_version=read)
        second.cancel(at=AT + timedelta(minutes=2), actor="seller")
        with pytest.raises(ConflictError, match="version"):
            orders.save(second, expected_version=read)
        stored = orders.get("20261111120000CONTRACT01")
        assert stored is not None
        assert stored.state == "cancelled"
        assert stored.lifecycle.events[-1].actor == "buyer"

    def test_save_of_an_order_never_added_is_refused(self, orders: OrderRepository) -> None:
        with pytest.raises(StorageError, match="not stored"):
            orders.save(contract_order(), expected_version=0)

    def test_numbers_lists_by_state_and_customer(self, orders: OrderRepository) -> None:
        a = contract_order("20261111120000CONTRACTAA", "c-1")
        b = contract_order("20261111120000CONTRACTBB", "c-2")
        orders.add(a)
        orders.add(b)
        b.cancel(at=AT, actor="buyer")
        orders.save(b, expected_version=0)
        assert orders.numbers() == [a.number, b.number]
        assert orders.numbers(state="pending_payment") == [a.number]
        assert orders.numbers(customer_id="c-2") == [b.number]

    def test_racing_saves_of_one_version_have_one_winner(self, orders: OrderRepository) -> None:
        orders.add(contract_order())
        copies = [orders.get("20261111120000CONTRACT01") for _ in range(THREADS)]
        for i, copy in enumerate(copies):
            assert copy is not None
            copy.cancel(at=AT, actor=f"clerk-{i}")

        def save(i: int) -> object:
            orders.save(copies[i], expected_version=0)  # type: ignore[arg-type]
            return i

        results = _race(THREADS, save)
        won = [r for r in results if not isinstance(r, Exception)]
        assert len(won) == 1
        assert all(isinstance(r, ConflictError) for r in results if isinstance(r, Exception))


class ProductRepositoryContract:
    """Behaviour shared by every :class:`~mallcore.ports.ProductRepository` adapter.

    Provide a ``products`` fixture returning a new, empty repository.
    """

    @staticmethod
    def _tee() -> Any:
        skus = [
            make_sku("TEE-RED", "tee", price="99.00", currency="CNY", weight_kg="0.2"),
            make_sku("TEE-BLUE", "tee", price="89.50", currency="CNY", member_price="80.00"),
        ]
        return make_product("tee", names={"en": "T-shirt", "zh_CN": "T恤"}, skus=skus)

    def test_a_product_reads_back_with_its_skus(self, products: ProductRepository) -> None:
        products.add(self._tee())
        stored = products.get("tee")
        assert stored is not None
        assert [(s.id, s.price) for s in stored.skus] == [(s.id, s.price) for s in self._tee().skus]
        assert stored.name("zh_CN") == "T恤"
        assert [(s.weight_kg, s.member_price) for s in stored.skus] == [
            (s.weight_kg, s.member_price) for s in self._tee().skus
        ]
        assert products.get("nope") is None

    def test_ids_and_sku_ids_are_unique(self, products: ProductRepository) -> None:
        products.add(self._tee())
        with pytest.raises(StorageError, match="exists already"):
            products.add(self._tee())
        other = make_product(
            "other",
            names="Other",
            skus=[make_sku("TEE-RED", "other", price="1.00", currency="CNY")],
        )
        with pytest.raises(StorageError, match="TEE-RED"):
            products.add(other)
        assert products.get("other") is None

    def test_save_all_and_product_of(self, products: ProductRepository) -> None:
        tee = self._tee()
        products.add(tee)
        tee.mark_listed(AT)
        products.save(tee)
        stored = products.get("tee")
        assert stored is not None and stored.status == tee.status
        assert [p.id for p in products.all()] == ["tee"]
        found = products.product_of("TEE-BLUE")
        assert found is not None and found.id == "tee"
        assert products.product_of("NOPE") is None
        with pytest.raises(StorageError, match="not stored"):
            products.save(make_product("ghost", names="Ghost"))


class UnitOfWorkContract:
    """Behaviour shared by every :class:`~mallcore.ports.UnitOfWork` adapter.

    Provide a ``unit_of_work`` fixture: a callable returning a new unit of work
    on one fresh, empty database each time it is called.
    """

    def test_a_unit_that_succeeds_keeps_every_change(
        self, unit_of_work: Callable[[], UnitOfWork]
    ) -> None:
        order = contract_order()
        with unit_of_work() as uow:
            uow.inventory.set_stock("TEA-1", 5)
            uow.inventory.set_stock("CUP-1", 5)
            uow.inventory.reserve(order.number, {"TEA-1": 2, "CUP-1": 1}, AT + timedelta(hours=1))
            uow.coupons.define(CouponBatch("SAVE10"))
            uow.coupons.claim("SAVE10", "c-1", code="a", at=AT)
            uow.coupons.lock("a", order_number=order.number, at=AT)
            uow.orders.add(order)
            uow.idempotency.remember("place:1", at=AT, keep_until=AT + timedelta(days=1))
        with unit_of_work() as uow:
            level = uow.inventory.get("TEA-1")
            assert level is not None and level.reserved == 2
            held = uow.coupons.get("a")
            assert held is not None and held.state == "locked"
            assert uow.orders.get(order.number) is not None
            assert uow.idempotency.seen("place:1", at=AT)

    def test_a_unit_that_raises_leaves_nothing_behind(
        self, unit_of_work: Callable[[], UnitOfWork]
    ) -> None:
        with unit_of_work() as uow:
            uow.inventory.set_stock("TEA-1", 5)
            uow.coupons.define(CouponBatch("SAVE10"))
            uow.coupons.claim("SAVE10", "c-1", code="a", at=AT)
        order = contract_order()
        with pytest.raises(RuntimeError, match="crash"), unit_of_work() as uow:
            uow.inventory.reserve(order.number, {"TEA-1": 2}, AT + timedelta(hours=1))
            uow.coupons.lock("a", order_number=order.number, at=AT)
            uow.orders.add(order)
            uow.idempotency.remember("place:1", at=AT, keep_until=AT + timedelta(days=1))
            raise RuntimeError("crash before the commit")
        with unit_of_work() as uow:
            level = uow.inventory.get("TEA-1")
            assert level is not None and level.reserved == 0
            held = uow.coupons.get("a")
            assert held is not None and held.state == "available"
            assert uow.orders.get(order.number) is None
            assert uow.inventory.get_reservation(order.number) is None
            assert not uow.idempotency.seen("place:1", at=AT)

    def test_a_refused_call_inside_a_unit_changes_nothing_and_the_unit_goes_on(
        self, unit_of_work: Callable[[], UnitOfWork]
    ) -> None:
        with unit_of_work() as uow:
            uow.inventory.set_stock("TEA-1", 1)
            uow.inventory.set_stock("CUP-1", 5)
            with pytest.raises(InsufficientStockError):
                uow.inventory.reserve("r-1", {"CUP-1": 1, "TEA-1": 2}, AT + timedelta(hours=1))
            uow.inventory.reserve("r-2", {"CUP-1": 1}, AT + timedelta(hours=1))
        with unit_of_work() as uow:
            cup = uow.inventory.get("CUP-1")
            assert cup is not None and cup.reserved == 1
            assert uow.inventory.get_reservation("r-1") is None

    def test_a_retried_unit_with_the_same_key_applies_once(
        self, unit_of_work: Callable[[], UnitOfWork]
    ) -> None:
        with unit_of_work() as uow:
            uow.inventory.set_stock("TEA-1", 5)

        def place(attempt: int) -> str:
            with unit_of_work() as uow:
                keep = AT + timedelta(days=1)
                if not uow.idempotency.remember("place:c-1:7", at=AT, keep_until=keep, result=""):
                    return "replayed"
                uow.inventory.reserve(f"r-{attempt}", {"TEA-1": 2}, AT + timedelta(hours=1))
                if attempt == 0:
                    raise RuntimeError("the connection broke")
                return "placed"

        with pytest.raises(RuntimeError):
            place(0)
        assert place(1) == "placed"
        assert place(2) == "replayed"
        with unit_of_work() as uow:
            level = uow.inventory.get("TEA-1")
            assert level is not None and level.reserved == 2
