"""The Redis flash-sale counters against a real server, in one process and in eight.

Set ``MALLCORE_REDIS_URL`` (``redis://127.0.0.1:6379/0``) to run them; each test works
under its own key prefix and deletes its keys afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mallcore.adapters.memory import InMemoryInventoryStore
from mallcore.adapters.redis import FlashSaleCounters, FlashSaleTake, reconcile
from mallcore.errors import (
    ConfigError,
    InsufficientStockError,
    PurchaseLimitError,
    ReservationStateError,
    StorageError,
    UnknownReservationError,
)
from mallcore.sku.inventory import ReservationState

URL = os.environ.get("MALLCORE_REDIS_URL", "")
if not URL:
    pytest.skip(
        "MALLCORE_REDIS_URL is not set: the Redis flash-sale tests need a Redis server",
        allow_module_level=True,
    )

import redis  # noqa: E402  (after the skip: the module needs a server, not only the library)
from redis.backoff import NoBackoff  # noqa: E402
from redis.retry import Retry  # noqa: E402

SALE, SKU = "1111", "TEA-1"


def ends(minutes: int = 30) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


@pytest.fixture
def prefix() -> Iterator[str]:
    name = f"mallcore-test:{uuid.uuid4().hex}"
    yield name
    raw = redis.Redis.from_url(URL)
    try:
        keys = list(raw.scan_iter(match=f"{name}:*", count=1000))
        if keys:
            raw.delete(*keys)
    finally:
        raw.close()


@pytest.fixture
def counters(prefix: str) -> Iterator[FlashSaleCounters]:
    with FlashSaleCounters(URL, prefix=prefix) as flash:
        yield flash


@pytest.fixture
def raw() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(URL)
    yield client
    client.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable() -> Iterator[FlashSaleCounters]:
    """Counters whose server does not exist: a call that reaches Redis raises StorageError."""
    with FlashSaleCounters(f"redis://127.0.0.1:{closed_port()}/0", prefix="never") as flash:
        yield flash


# --------------------------------------------------------------------------- take


def test_a_take_counts_the_stock_and_the_customer(counters: FlashSaleCounters) -> None:
    assert counters.open_sale(SALE, SKU, 10, per_customer_limit=3, ends_at=ends()) is True
    took = counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")
    assert took == FlashSaleTake(SALE, SKU, "o-1", "c-1", 2, remaining=8, bought=2)
    assert not took.replayed
    counters.take(SALE, SKU, "c-2", 1, order_ref="o-2")
    assert counters.remaining(SALE, SKU) == 7
    assert counters.bought(SALE, SKU, "c-1") == 2
    assert counters.bought(SALE, SKU, "nobody") == 0
    assert counters.taken(SALE, SKU) == {"o-1": ("c-1", 2), "o-2": ("c-2", 1)}


def test_the_per_customer_limit_refuses_what_goes_past_it(counters: FlashSaleCounters) -> None:
    counters.open_sale(SALE, SKU, 10, per_customer_limit=2, ends_at=ends())
    counters.take(SALE, SKU, "c-1", 1, order_ref="o-1")
    with pytest.raises(PurchaseLimitError) as caught:
        counters.take(SALE, SKU, "c-1", 2, order_ref="o-2")
    error = caught.value
    assert (error.sku, error.customer, error.requested, error.limit, error.bought) == (
        SKU,
        "c-1",
        2,
        2,
        1,
    )
    assert "'c-1'" in str(error) and "'TEA-1'" in str(error) and "limit is 2" in str(error)
    # Nothing was taken by the refusal; the customer may still take up to the limit.
    assert counters.remaining(SALE, SKU) == 9
    assert counters.take(SALE, SKU, "c-1", 1, order_ref="o-3").bought == 2
    assert counters.take(SALE, SKU, "c-2", 2, order_ref="o-4").bought == 2


def test_without_a_limit_one_customer_may_take_everything(counters: FlashSaleCounters) -> None:
    counters.open_sale(SALE, SKU, 5, per_customer_limit=None, ends_at=ends())
    assert counters.take(SALE, SKU, "c-1", 5, order_ref="o-1").remaining == 0


def test_a_sold_out_sale_says_how_many_are_left(counters: FlashSaleCounters) -> None:
    counters.open_sale(SALE, SKU, 3, per_customer_limit=None, ends_at=ends())
    counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")
    with pytest.raises(InsufficientStockError) as caught:
        counters.take(SALE, SKU, "c-2", 2, order_ref="o-2")
    assert (caught.value.sku, caught.value.requested, caught.value.available) == (SKU, 2, 1)
    assert counters.remaining(SALE, SKU) == 1
    assert counters.bought(SALE, SKU, "c-2") == 0
    assert counters.taken(SALE, SKU) == {"o-1": ("c-1", 2)}


def test_the_limit_is_checked_before_the_stock(counters: FlashSaleCounters) -> None:
    counters.open_sale(SALE, SKU, 2, per_customer_limit=2, ends_at=ends())
    counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")
    with pytest.raises(PurchaseLimitError):
        counters.take(SALE, SKU, "c-1", 1, order_ref="o-2")
    with pytest.raises(InsufficientStockError):
        counters.take(SALE, SKU, "c-2", 1, order_ref="o-3")


def test_the_same_order_ref_again_takes_nothing_twice(counters: FlashSaleCounters) -> None:
    counters.open_sale(SALE, SKU, 3, per_customer_limit=2, ends_at=ends())
    first = counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")
    counters.take(SALE, SKU, "c-2", 1, order_ref="o-2")  # now sold out
    again = counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")
    assert again == first  # the first result, even though nothing is left now
    assert again.replayed and again.remaining == 1
    assert counters.remaining(SALE, SKU) == 0
    assert counters.bought(SALE, SKU, "c-1") == 2


def test_an_order_ref_reused_for_other_units_is_refused(counters: FlashSaleCounters) -> None:
    counters.open_sale(SALE, SKU, 10, per_customer_limit=None, ends_at=ends())
    counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")
    with pytest.raises(ReservationStateError, match="'c-1' for 2 units"):
        counters.take(SALE, SKU, "c-1", 3, order_ref="o-1")
    with pytest.raises(ReservationStateError):
        counters.take(SALE, SKU, "c-2", 2, order_ref="o-1")
    assert counters.remaining(SALE, SKU) == 8


def test_a_take_of_a_sale_never_opened_names_the_sale(counters: FlashSaleCounters) -> None:
    with pytest.raises(ConfigError, match="open_sale") as caught:
        counters.take(SALE, SKU, "c-1", 1, order_ref="o-1")
    assert caught.value.field == "sale_id"
    with pytest.raises(ConfigError) as read:
        counters.remaining(SALE, SKU)
    assert read.value.field == "sale_id"
    assert counters.taken(SALE, SKU) == {}


def test_ids_with_separators_do_not_share_keys(counters: FlashSaleCounters) -> None:
    counters.open_sale("a:b", "c", 1, per_customer_limit=None, ends_at=ends())
    counters.open_sale("a", "b:c", 2, per_customer_limit=None, ends_at=ends())
    counters.open_sale("{x}", "}y{", 3, per_customer_limit=None, ends_at=ends())
    counters.take("a:b", "c", "c-1", 1, order_ref="o-1")
    assert (counters.remaining("a:b", "c"), counters.remaining("a", "b:c")) == (0, 2)
    assert counters.take("{x}", "}y{", "c-1", 3, order_ref="o-1").remaining == 0


def test_a_client_with_decoded_responses_works_too(prefix: str) -> None:
    client = redis.Redis.from_url(URL, decode_responses=True)
    try:
        flash = FlashSaleCounters(client, prefix=prefix)
        flash.open_sale(SALE, SKU, 4, per_customer_limit=None, ends_at=ends())
        assert flash.take(SALE, SKU, "客户-1", 1, order_ref="订单-1").remaining == 3
        assert flash.taken(SALE, SKU) == {"订单-1": ("客户-1", 1)}
        assert flash.give_back(SALE, SKU, "订单-1") == 1
        flash.close()  # the caller's client stays open
        assert client.ping()
    finally:
        client.close()


# --------------------------------------------------------------------------- give back


def test_give_back_returns_the_units_once(counters: FlashSaleCounters) -> None:
    counters.open_sale(SALE, SKU, 5, per_customer_limit=2, ends_at=ends())
    counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")
    counters.take(SALE, SKU, "c-2", 1, order_ref="o-2")
    assert counters.give_back(SALE, SKU, "o-1") == 2
    assert counters.give_back(SALE, SKU, "o-1") == 0
    assert counters.remaining(SALE, SKU) == 4
    assert counters.bought(SALE, SKU, "c-1") == 0
    assert counters.taken(SALE, SKU) == {"o-2": ("c-2", 1)}
    # The customer's count came back, so they may buy again, under a new order ref ...
    assert counters.take(SALE, SKU, "c-1", 2, order_ref="o-3").bought == 2
    # ... but the given-back order itself is never taken again.
    with pytest.raises(ReservationStateError, match="given back"):
        counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")


def test_give_back_of_an_unknown_order_is_refused(counters: FlashSaleCounters) -> None:
    counters.open_sale(SALE, SKU, 5, per_customer_limit=None, ends_at=ends())
    with pytest.raises(UnknownReservationError):
        counters.give_back(SALE, SKU, "o-404")
    assert counters.remaining(SALE, SKU) == 5


# --------------------------------------------------------------------------- open_sale


def test_opening_again_with_the_same_settings_changes_nothing(
    counters: FlashSaleCounters,
) -> None:
    at = ends()
    counters.open_sale(SALE, SKU, 5, per_customer_limit=2, ends_at=at)
    counters.take(SALE, SKU, "c-1", 1, order_ref="o-1")
    assert counters.open_sale(SALE, SKU, 5, per_customer_limit=2, ends_at=at) is False
    assert counters.remaining(SALE, SKU) == 4


@pytest.mark.parametrize(
    ("field", "stock", "limit", "shift"),
    [
        ("stock", 6, 2, 0),
        ("per_customer_limit", 5, 3, 0),
        ("per_customer_limit", 5, None, 0),
        ("ends_at", 5, 2, 1),
    ],
)
def test_reopening_a_running_sale_with_other_settings_is_refused(
    counters: FlashSaleCounters, field: str, stock: int, limit: int | None, shift: int
) -> None:
    at = ends()
    counters.open_sale(SALE, SKU, 5, per_customer_limit=2, ends_at=at)
    counters.take(SALE, SKU, "c-1", 1, order_ref="o-1")
    later = at + timedelta(minutes=shift)
    with pytest.raises(ConfigError, match="replace=True") as caught:
        counters.open_sale(SALE, SKU, stock, per_customer_limit=limit, ends_at=later)
    assert caught.value.field == field
    assert counters.remaining(SALE, SKU) == 4


def test_replace_starts_the_sale_over(counters: FlashSaleCounters) -> None:
    counters.open_sale(SALE, SKU, 5, per_customer_limit=2, ends_at=ends())
    counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")
    opened = counters.open_sale(
        SALE, SKU, 50, per_customer_limit=None, ends_at=ends(60), replace=True
    )
    assert opened is True
    assert counters.remaining(SALE, SKU) == 50
    assert counters.taken(SALE, SKU) == {}
    assert counters.bought(SALE, SKU, "c-1") == 0
    assert counters.take(SALE, SKU, "c-1", 10, order_ref="o-1").remaining == 40


def test_every_key_expires_keep_for_after_the_end(prefix: str, raw: redis.Redis) -> None:
    at = ends().replace(microsecond=123000)
    keep = timedelta(hours=2)
    with FlashSaleCounters(URL, prefix=prefix, keep_for=keep) as flash:
        flash.open_sale(SALE, SKU, 5, per_customer_limit=2, ends_at=at)
        flash.take(SALE, SKU, "c-1", 1, order_ref="o-1")
        flash.take(SALE, SKU, "c-2", 1, order_ref="o-2")
        flash.give_back(SALE, SKU, "o-2")
    keys = sorted(raw.scan_iter(match=f"{prefix}:*"))
    assert len(keys) == 5  # meta, stock, bought, orders, returned
    expected = (at + keep - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)
    assert {raw.pexpiretime(key) for key in keys} == {expected}


# --------------------------------------------------------------------------- reconcile


def test_reconcile_deducts_paid_orders_once_and_gives_the_rest_back(
    counters: FlashSaleCounters,
) -> None:
    store = InMemoryInventoryStore()
    store.set_stock(SKU, 100)
    counters.open_sale(SALE, SKU, 10, per_customer_limit=None, ends_at=ends())
    counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")  # paid
    counters.take(SALE, SKU, "c-2", 1, order_ref="o-2")  # never paid
    counters.take(SALE, SKU, "c-3", 3, order_ref="o-3")  # still payable

    done = reconcile(counters, SALE, SKU, store, paid={"o-1", "o-of-another-sku"}, pending=["o-3"])
    assert (done.sold, done.deducted, done.given_back, done.pending) == (2, 2, 1, 3)
    assert (done.sold_orders, done.given_back_orders, done.pending_orders) == (
        ("o-1",),
        ("o-2",),
        ("o-3",),
    )
    assert done.remaining == 5 == counters.remaining(SALE, SKU)
    assert done.stock is not None and (done.stock.on_hand, done.stock.reserved) == (98, 0)
    reservation = store.get_reservation(f"flash:{SALE}:{SKU}:o-1")
    assert reservation is not None and reservation.state is ReservationState.COMMITTED

    again = reconcile(counters, SALE, SKU, store, paid={"o-1"}, pending={"o-3"})
    assert (again.sold, again.deducted, again.given_back) == (2, 0, 0)
    assert again.stock == done.stock

    last = reconcile(counters, SALE, SKU, store, paid={"o-1", "o-3"})
    assert (last.sold, last.deducted, last.given_back, last.pending) == (5, 3, 0, 0)
    assert last.stock is not None and last.stock.on_hand == 95
    assert last.remaining == 5
    # What the counter gave away plus what is left is what was opened: they agree.
    assert last.sold + last.remaining == 10


def test_reconcile_stops_where_the_book_runs_out_and_resumes(
    counters: FlashSaleCounters,
) -> None:
    store = InMemoryInventoryStore()
    store.set_stock(SKU, 2)  # other channels sold the rest during the sale
    counters.open_sale(SALE, SKU, 10, per_customer_limit=None, ends_at=ends())
    counters.take(SALE, SKU, "c-1", 2, order_ref="o-1")
    counters.take(SALE, SKU, "c-2", 2, order_ref="o-2")
    with pytest.raises(InsufficientStockError) as caught:
        reconcile(counters, SALE, SKU, store, paid={"o-1", "o-2"})
    assert (caught.value.requested, caught.value.available) == (2, 0)
    level = store.get(SKU)
    assert level is not None and level.on_hand == 0  # o-1 was deducted
    store.restock(SKU, 5)
    done = reconcile(counters, SALE, SKU, store, paid={"o-1", "o-2"})
    assert (done.sold, done.deducted) == (4, 2)
    assert done.stock is not None and done.stock.on_hand == 3


# --------------------------------------------------------------------------- bad input


CASES: list[tuple[str, Callable[[FlashSaleCounters], object]]] = [
    ("sale_id", lambda c: c.take("", SKU, "c-1", 1, order_ref="o-1")),
    ("sku_id", lambda c: c.take(SALE, " ", "c-1", 1, order_ref="o-1")),
    ("customer_id", lambda c: c.take(SALE, SKU, "", 1, order_ref="o-1")),
    ("quantity", lambda c: c.take(SALE, SKU, "c-1", 0, order_ref="o-1")),
    ("quantity", lambda c: c.take(SALE, SKU, "c-1", -1, order_ref="o-1")),
    ("quantity", lambda c: c.take(SALE, SKU, "c-1", True, order_ref="o-1")),
    ("quantity", lambda c: c.take(SALE, SKU, "c-1", 1.0, order_ref="o-1")),  # type: ignore[arg-type]
    ("order_ref", lambda c: c.take(SALE, SKU, "c-1", 1, order_ref="")),
    ("order_ref", lambda c: c.give_back(SALE, SKU, "")),
    ("sale_id", lambda c: c.give_back("", SKU, "o-1")),
    ("sale_id", lambda c: c.remaining("", SKU)),
    ("customer_id", lambda c: c.bought(SALE, SKU, "")),
    ("sku_id", lambda c: c.taken(SALE, "")),
    ("stock", lambda c: c.open_sale(SALE, SKU, 0, per_customer_limit=None, ends_at=ends())),
    ("stock", lambda c: c.open_sale(SALE, SKU, True, per_customer_limit=None, ends_at=ends())),
    (
        "per_customer_limit",
        lambda c: c.open_sale(SALE, SKU, 5, per_customer_limit=0, ends_at=ends()),
    ),
    (
        "per_customer_limit",
        lambda c: c.open_sale(SALE, SKU, 5, per_customer_limit=True, ends_at=ends()),
    ),
    (
        "ends_at",
        lambda c: c.open_sale(
            SALE, SKU, 5, per_customer_limit=None, ends_at=datetime(2099, 11, 11, 20)
        ),
    ),
    (
        "ends_at",
        lambda c: c.open_sale(
            SALE, SKU, 5, per_customer_limit=None, ends_at=datetime(2020, 11, 11, tzinfo=UTC)
        ),
    ),
    (
        "replace",
        lambda c: c.open_sale(SALE, SKU, 5, per_customer_limit=None, ends_at=ends(), replace=1),  # type: ignore[arg-type]
    ),
    ("paid", lambda c: reconcile(c, SALE, SKU, InMemoryInventoryStore(), paid="o-1")),
    ("paid", lambda c: reconcile(c, SALE, SKU, InMemoryInventoryStore(), paid={""})),
    (
        "pending",
        lambda c: reconcile(c, SALE, SKU, InMemoryInventoryStore(), paid={"o-1"}, pending={"o-1"}),
    ),
]


@pytest.mark.parametrize(
    ("field", "call"), CASES, ids=[f"{i}-{f}" for i, (f, _) in enumerate(CASES)]
)
def test_bad_input_names_its_field_before_redis_is_asked(
    unreachable: FlashSaleCounters, field: str, call: Callable[[FlashSaleCounters], object]
) -> None:
    # The server does not exist: reaching it would raise StorageError instead.
    with pytest.raises(ConfigError) as caught:
        call(unreachable)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}=")


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("prefix", {"prefix": ""}),
        ("prefix", {"prefix": "a{b}"}),
        ("keep_for", {"keep_for": timedelta(0)}),
        ("keep_for", {"keep_for": 3600}),
        ("client_or_url", {"client_or_url": ""}),
        ("client_or_url", {"client_or_url": 6379}),
        ("client_or_url", {"client_or_url": "http://127.0.0.1:6379"}),
        ("client_or_url", {"client_or_url": "redis://127.0.0.1:port/0"}),
    ],
)
def test_bad_settings_name_their_field(field: str, kwargs: dict[str, Any]) -> None:
    arguments: dict[str, Any] = {"client_or_url": URL, **kwargs}
    with pytest.raises(ConfigError) as caught:
        FlashSaleCounters(**arguments)
    assert caught.value.field == field


# --------------------------------------------------------------------------- failures


def test_a_refused_connection_is_a_storage_error_naming_the_server() -> None:
    port = closed_port()
    with FlashSaleCounters(f"redis://:secret@127.0.0.1:{port}/3") as flash:
        with pytest.raises(StorageError) as caught:
            flash.open_sale(SALE, SKU, 5, per_customer_limit=None, ends_at=ends())
        assert isinstance(caught.value.__cause__, redis.exceptions.ConnectionError)
        message = str(caught.value)
        assert f"redis://127.0.0.1:{port}/3" in message
        assert "open_sale()" in message
        assert "secret" not in message
        with pytest.raises(StorageError, match=f"127.0.0.1:{port}"):
            flash.take(SALE, SKU, "c-1", 1, order_ref="o-1")


def test_a_given_client_that_cannot_connect_names_its_host() -> None:
    port = closed_port()
    # No retries: redis-py's default backs off for seconds before it gives up.
    client = redis.Redis(host="127.0.0.1", port=port, db=2, retry=Retry(NoBackoff(), 0))
    try:
        with pytest.raises(StorageError, match=f"redis://127.0.0.1:{port}/2") as caught:
            FlashSaleCounters(client).remaining(SALE, SKU)
        assert isinstance(caught.value.__cause__, redis.exceptions.ConnectionError)
    finally:
        client.close()


def test_the_module_imports_without_redis_and_says_what_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['redis'] = None\n"  # import redis now raises ImportError
        "import mallcore.adapters.redis as flash\n"
        "from mallcore.errors import ConfigError\n"
        "try:\n"
        "    flash.FlashSaleCounters('redis://127.0.0.1:6379/0')\n"
        "except ConfigError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "pip install mallcore[redis]" in done.stdout


# --------------------------------------------------------------------------- real processes

WORKERS = 8
ATTEMPTS = 200


def take_worker(
    url: str,
    prefix: str,
    worker: int,
    same_customer: bool,
    start: Any,
    results: Any,
) -> None:
    """Try ATTEMPTS takes of one unit, each under its own order ref; report the outcomes."""
    outcome: dict[str, Any] = {"taken": [], "sold_out": 0, "limit": 0, "other": []}
    try:
        with FlashSaleCounters(url, prefix=prefix) as flash:
            start.wait(timeout=30)
            for attempt in range(ATTEMPTS):
                customer = "the-same-customer" if same_customer else f"c-{worker}-{attempt}"
                ref = f"o-{worker}-{attempt}"
                try:
                    flash.take(SALE, SKU, customer, 1, order_ref=ref)
                except InsufficientStockError as exc:
                    assert exc.available == 0
                    outcome["sold_out"] += 1
                except PurchaseLimitError as exc:
                    assert (exc.limit, exc.bought) == (2, 2)
                    outcome["limit"] += 1
                else:
                    outcome["taken"].append(ref)
    except BaseException as exc:  # reported to the test instead of dying silently
        outcome["other"].append(repr(exc))
    results.put(outcome)


def race(prefix: str, *, same_customer: bool) -> list[dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    results = context.Queue()
    workers = [
        context.Process(
            target=take_worker, args=(URL, prefix, worker, same_customer, start, results)
        )
        for worker in range(WORKERS)
    ]
    for process in workers:
        process.start()
    try:
        outcomes = [results.get(timeout=60) for _ in workers]
    finally:
        for process in workers:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    assert all(process.exitcode == 0 for process in workers)
    return outcomes


@pytest.mark.slow
def test_eight_processes_sell_exactly_the_last_hundred_units(
    counters: FlashSaleCounters, prefix: str
) -> None:
    counters.open_sale(SALE, SKU, 100, per_customer_limit=None, ends_at=ends())
    outcomes = race(prefix, same_customer=False)
    assert [outcome["other"] for outcome in outcomes] == [[]] * WORKERS
    taken = [ref for outcome in outcomes for ref in outcome["taken"]]
    assert len(taken) == len(set(taken)) == 100
    assert sum(outcome["sold_out"] for outcome in outcomes) == WORKERS * ATTEMPTS - 100
    assert sum(outcome["limit"] for outcome in outcomes) == 0
    assert counters.remaining(SALE, SKU) == 0
    assert sorted(counters.taken(SALE, SKU)) == sorted(taken)


@pytest.mark.slow
def test_eight_processes_of_one_customer_take_only_the_limit(
    counters: FlashSaleCounters, prefix: str
) -> None:
    counters.open_sale(SALE, SKU, 100, per_customer_limit=2, ends_at=ends())
    outcomes = race(prefix, same_customer=True)
    assert [outcome["other"] for outcome in outcomes] == [[]] * WORKERS
    taken = [ref for outcome in outcomes for ref in outcome["taken"]]
    assert len(taken) == 2
    assert sum(outcome["limit"] for outcome in outcomes) == WORKERS * ATTEMPTS - 2
    assert counters.remaining(SALE, SKU) == 98
    assert counters.bought(SALE, SKU, "the-same-customer") == 2
