"""Flash-sale (秒杀) stock counters and per-customer limits in Redis, and their reconciliation.

During a flash sale thousands of customers ask for the last units of one SKU
within a second. :class:`FlashSaleCounters` answers them from Redis: each
:meth:`~FlashSaleCounters.take` is **one Lua script**, which Redis runs to the
end before it runs any other command, so the check (enough units left, the
customer under the limit) and the write (stock down, the customer's count up,
the take recorded under its order ref) cannot be interleaved by another buyer.
*N* processes racing for the last units sell exactly those units, never more.

The counter is the **fast gate during the sale**, not the book of record: the
durable stock lives in an :class:`~mallcore.ports.inventory.InventoryStore`
(the SQL store, or any other). :func:`reconcile` makes the two agree after the
payment window: units of paid orders are deducted from the store exactly once
(by reservation id ``flash:<sale>:<sku>:<order_ref>``), and units of orders
that were not paid go back to the counter. The how-to guide
:doc:`/how-to/run-a-flash-sale-on-redis` explains the keys, the scripts and the
failure modes.

Importing this module does not import ``redis``; building a
:class:`FlashSaleCounters` does, and raises
:class:`~mallcore.errors.ConfigError` naming ``pip install mallcore[redis]``
when it is missing. Example (not run here, it needs a server)::

    counters = FlashSaleCounters("redis://127.0.0.1:6379/0")
    counters.open_sale("1111", "TEA-1", 100, per_customer_limit=2, ends_at=ends)
    took = counters.take("1111", "TEA-1", "c-42", 1, order_ref="o-9001")
    took.remaining  # units left after this take
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import attrs

from mallcore.checks import check_count, check_flag, check_text
from mallcore.clock import Clock, SystemClock, aware
from mallcore.errors import (
    ConfigError,
    InsufficientStockError,
    MallcoreError,
    PurchaseLimitError,
    ReservationStateError,
    StorageError,
    UnknownReservationError,
    invalid,
)
from mallcore.sku.inventory import StockLevel

if TYPE_CHECKING:
    from redis import Redis
    from redis.cluster import RedisCluster
    from redis.commands.core import Script

    from mallcore.ports.inventory import InventoryStore

__all__ = ["FlashSaleCounters", "FlashSaleTake", "Reconciliation", "reconcile"]

_INSTALL_HINT = "the Redis flash-sale counters need redis-py: pip install mallcore[redis]"

#: How long the reservation :func:`reconcile` opens for a paid take stays open before
#: its commit; the commit follows at once, so this only matters after a crash between them.
_RECONCILE_HOLD = timedelta(days=1)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The keys of one sale of one SKU (KEYS[1..5] of every script):
#   meta      hash: stock (units opened with), limit ('' for none), ends_at and expire_at (ms)
#   stock     string: units left
#   bought    hash: customer_id -> units the customer holds
#   orders    hash: order_ref -> "quantity:remaining:bought:customer_id", at the take
#   returned  set: order refs given back (so a given-back ref is never taken again)
_KINDS = ("meta", "stock", "bought", "orders", "returned")

_OPEN = """
local old = redis.call('HMGET', KEYS[1], 'stock', 'limit', 'ends_at')
if old[1] and ARGV[5] ~= '1' then
  if old[1] == ARGV[1] and old[2] == ARGV[2] and old[3] == ARGV[3] then
    return {'same'}
  end
  return {'differs', old[1], old[2] or '', old[3] or ''}
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
redis.call('HSET', KEYS[1], 'stock', ARGV[1], 'limit', ARGV[2], 'ends_at', ARGV[3],
           'expire_at', ARGV[4])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[4])
redis.call('PEXPIREAT', KEYS[2], ARGV[4])
return {'opened'}
"""

_TAKE = """
local prior = redis.call('HGET', KEYS[4], ARGV[3])
if prior then
  return {'replay', prior}
end
if redis.call('SISMEMBER', KEYS[5], ARGV[3]) == 1 then
  return {'returned'}
end
local meta = redis.call('HMGET', KEYS[1], 'limit', 'expire_at')
local remaining = redis.call('GET', KEYS[2])
if not remaining or not meta[2] then
  return {'closed'}
end
remaining = tonumber(remaining)
local quantity = tonumber(ARGV[2])
local bought = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if meta[1] ~= '' and bought + quantity > tonumber(meta[1]) then
  return {'limit', meta[1], tostring(bought)}
end
if remaining < quantity then
  return {'sold_out', tostring(remaining)}
end
remaining = redis.call('DECRBY', KEYS[2], quantity)
bought = redis.call('HINCRBY', KEYS[3], ARGV[1], quantity)
local record = ARGV[2] .. ':' .. remaining .. ':' .. bought .. ':' .. ARGV[1]
redis.call('HSET', KEYS[4], ARGV[3], record)
redis.call('PEXPIREAT', KEYS[3], meta[2])
redis.call('PEXPIREAT', KEYS[4], meta[2])
return {'taken', record}
"""

_GIVE_BACK = """
local record = redis.call('HGET', KEYS[4], ARGV[1])
if not record then
  if redis.call('SISMEMBER', KEYS[5], ARGV[1]) == 1 then
    return {'again'}
  end
  return {'unknown'}
end
local quantity, customer = string.match(record, '^(%d+):%d+:%d+:(.*)$')
quantity = tonumber(quantity)
local remaining = redis.call('INCRBY', KEYS[2], quantity)
if redis.call('HINCRBY', KEYS[3], customer, -quantity) <= 0 then
  redis.call('HDEL', KEYS[3], customer)
end
redis.call('HDEL', KEYS[4], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[1])
local expire_at = redis.call('HGET', KEYS[1], 'expire_at')
if expire_at then
  redis.call('PEXPIREAT', KEYS[5], expire_at)
end
return {'given_back', tostring(quantity), tostring(remaining)}
"""


@attrs.frozen
class FlashSaleTake:
    """What one :meth:`FlashSaleCounters.take` took.

    ``remaining`` and ``bought`` are the sale's units left and the customer's units
    right after this take. A replay (the same ``order_ref`` again) returns the take
    recorded the first time, equal to it; only ``replayed`` tells them apart.
    """

    sale_id: str
    sku_id: str
    order_ref: str
    customer_id: str
    quantity: int
    remaining: int
    bought: int
    #: True when the take was recorded by an earlier call with the same ``order_ref``.
    replayed: bool = attrs.field(default=False, eq=False)


@attrs.frozen
class Reconciliation:
    """What :func:`reconcile` did for one sale of one SKU, and the levels it left.

    ``sold`` counts the units of every paid take, whether this run or an earlier one
    deducted them from the store; ``deducted`` only those this run deducted (0 when
    the run is repeated). ``given_back`` counts the units this run returned to the
    counter, ``pending`` the units of takes it left alone.
    """

    sale_id: str
    sku_id: str
    sold: int
    deducted: int
    given_back: int
    pending: int
    sold_orders: tuple[str, ...]
    given_back_orders: tuple[str, ...]
    pending_orders: tuple[str, ...]
    #: Units left on the counter after the run.
    remaining: int
    #: The store's level of the SKU after the run (None if it was never stocked).
    stock: StockLevel | None


def _escaped(part: str) -> str:
    # Injective, and without the characters that structure a key (':') or pick its
    # cluster slot ('{', '}'): "a:b" + "c" and "a" + "b:c" never share keys.
    return part.replace("%", "%25").replace(":", "%3A").replace("{", "%7B").replace("}", "%7D")


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _record(value: object) -> tuple[int, int, int, str]:
    """``quantity, remaining, bought, customer_id`` of a stored take."""
    quantity, remaining, bought, customer = _text(value).split(":", 3)
    return int(quantity), int(remaining), int(bought), customer


def _millis(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _redis_module() -> Any:
    try:
        import redis  # optional dependency: loaded only when counters are built
    except ImportError:
        raise ConfigError(_INSTALL_HINT) from None
    return redis


def _described(url: str) -> str:
    """*url* without its password, for messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # redis-py refuses the URL with its own words
        return "<a URL that does not parse>"
    try:
        port: int | None = parts.port
    except ValueError:
        port = None
    netloc = f"{host}:{port}" if port is not None else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _client_described(client: object) -> str:
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", None)
    if isinstance(kwargs, dict):
        if kwargs.get("path"):
            return f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
        host, port = kwargs.get("host", "localhost"), kwargs.get("port", 6379)
        return f"redis://{host}:{port}/{kwargs.get('db', 0)}"
    host, port = getattr(client, "host", None), getattr(client, "port", None)
    if host is not None:
        return f"redis://{host}:{port}"
    return type(client).__name__


class FlashSaleCounters:
    """Flash-sale stock counters and per-customer purchase limits in one Redis.

    Args:
        client_or_url: A ``redis://`` (or ``rediss://``, ``unix://``) URL, for a
            client this object owns and :meth:`close` closes; or a ``redis.Redis``
            (or ``RedisCluster``) client the caller owns. All keys of one sale of
            one SKU share a hash tag, so the scripts work on a cluster too.
        prefix: The first part of every key; several shops or test runs share one
            server under different prefixes.
        keep_for: How long after ``ends_at`` the sale's keys live (``PEXPIREAT``);
            run :func:`reconcile` before then.
        clock: Where "now" comes from (only :meth:`open_sale` asks, to refuse a
            sale that has ended already).

    Raises:
        ConfigError: A bad argument, naming it, or redis-py missing.

    Every method checks its arguments before it talks to Redis and raises
    :class:`~mallcore.errors.ConfigError` naming the field; a failure of Redis
    itself (refused connection, timeout, an error reply) is a
    :class:`~mallcore.errors.StorageError` naming the server, with redis-py's
    exception chained. The object is safe to share between threads (redis-py's
    pool is); each process builds its own.
    """

    def __init__(
        self,
        client_or_url: str | Redis | RedisCluster,
        *,
        prefix: str = "mallcore:flash",
        keep_for: timedelta = timedelta(days=7),
        clock: Clock | None = None,
    ) -> None:
        check_text("prefix", prefix)
        if "{" in prefix or "}" in prefix:
            raise invalid("prefix", prefix, "must not contain '{' or '}' (they pick the slot)")
        if not isinstance(keep_for, timedelta) or keep_for <= timedelta(0):
            raise invalid("keep_for", keep_for, "must be a timedelta longer than zero")
        if isinstance(client_or_url, str):
            check_text("client_or_url", client_or_url)
        elif not callable(getattr(client_or_url, "register_script", None)):
            raise invalid(
                "client_or_url", client_or_url, "must be a redis:// URL or a redis client"
            )
        redis = _redis_module()
        self._errors: type[Exception] = redis.exceptions.RedisError
        self._owned = isinstance(client_or_url, str)
        if isinstance(client_or_url, str):
            self._where = _described(client_or_url)
            try:
                self._client: Redis | RedisCluster = redis.Redis.from_url(client_or_url)
            except ValueError as exc:
                reason = f"is not a Redis URL: {exc}"
                raise invalid("client_or_url", self._where, reason) from exc
        else:
            self._where = _client_described(client_or_url)
            self._client = client_or_url
        self._prefix = prefix
        self._keep_for = keep_for
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._open: Script = self._client.register_script(_OPEN)
        self._take: Script = self._client.register_script(_TAKE)
        self._give_back: Script = self._client.register_script(_GIVE_BACK)
        self._closed = False

    def __repr__(self) -> str:
        return f"FlashSaleCounters({self._where!r}, prefix={self._prefix!r})"

    def __enter__(self) -> FlashSaleCounters:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the client if this object built it from a URL; a given client stays open."""
        if self._owned and not self._closed:
            self._closed = True
            self._client.close()

    # ----------------------------------------------------------------------- the sale

    def open_sale(
        self,
        sale_id: str,
        sku_id: str,
        stock: int,
        *,
        per_customer_limit: int | None,
        ends_at: datetime,
        replace: bool = False,
    ) -> bool:
        """Open the sale of *stock* units of *sku_id*; its keys expire ``keep_for`` after *ends_at*.

        Opening a running sale again with the same settings changes nothing (a
        deploy script may run twice). Other settings are refused unless *replace*,
        which **starts the sale over**: the counter is set to *stock* and the
        customers' counts and recorded takes are discarded (reconcile first).

        Args:
            sale_id: The sale (活动) id, shared by its SKUs.
            sku_id: The SKU on sale.
            stock: Units on sale, at least 1.
            per_customer_limit: Units one customer may hold at most (限购), or
                ``None`` for no limit.
            ends_at: When the sale ends, time-zone aware and in the future.
            replace: Start a running sale over with these settings.

        Returns:
            True if this call opened (or replaced) the sale, False if it was
            open already with these settings.

        Raises:
            ConfigError: A bad argument, naming it; or a running sale with other
                settings (naming the first that differs) and no *replace*.
            StorageError: Redis failed.
        """
        keys = self._keys(sale_id, sku_id)
        check_count("stock", stock)
        limit = (
            None
            if per_customer_limit is None
            else check_count("per_customer_limit", per_customer_limit)
        )
        aware(ends_at, field="ends_at")
        check_flag("replace", replace)
        now = self._clock.now()
        if ends_at <= now:
            raise invalid("ends_at", ends_at.isoformat(), f"must be after now ({now.isoformat()})")
        ends_ms = _millis(ends_at)
        wanted = (str(stock), "" if limit is None else str(limit), str(ends_ms))
        expire_ms = _millis(ends_at + self._keep_for)
        args = [*wanted, expire_ms, "1" if replace else "0"]
        reply = self._run("open_sale", self._open, keys, args)
        status = _text(reply[0])
        if status == "differs":
            old = [_text(value) for value in reply[1:]]
            fields = ("stock", "per_customer_limit", "ends_at")
            given: tuple[object, ...] = (stock, limit, ends_at.isoformat())
            running: tuple[object, ...] = (
                int(old[0]),
                int(old[1]) if old[1] else None,
                (_EPOCH + timedelta(milliseconds=int(old[2]))).isoformat() if old[2] else None,
            )
            for field, value, running_value, asked, stored in zip(
                fields, given, running, wanted, old, strict=True
            ):
                if asked != stored:
                    reason = (
                        f"differs from the running sale's {running_value!r}; pass replace=True "
                        "to start the sale over (its takes are discarded)"
                    )
                    raise invalid(field, value, reason)
        return status == "opened"

    def take(
        self, sale_id: str, sku_id: str, customer_id: str, quantity: int, *, order_ref: str
    ) -> FlashSaleTake:
        """Take *quantity* units for *customer_id*'s order *order_ref*, or nothing.

        One Lua script checks that *quantity* units are left and that the customer's
        units plus *quantity* stay within the limit, then takes them, counts them for
        the customer and records them under *order_ref*. The limit is checked first:
        a customer at the limit hears about the limit even when the sale is sold out.

        Idempotent by *order_ref*: the same call again (a retry after a timeout)
        returns the recorded take, equal to the first result, and takes nothing.

        Raises:
            ConfigError: A bad argument, naming it; or no open sale under these ids.
            InsufficientStockError: Fewer than *quantity* units are left
                (``available`` says how many).
            PurchaseLimitError: The customer would go past the per-customer limit.
            ReservationStateError: *order_ref* was given back already, or was taken
                for another customer or quantity.
            StorageError: Redis failed.
        """
        keys = self._keys(sale_id, sku_id)
        check_text("customer_id", customer_id)
        check_count("quantity", quantity)
        check_text("order_ref", order_ref)
        reply = self._run("take", self._take, keys, [customer_id, quantity, order_ref])
        status = _text(reply[0])
        if status in ("taken", "replay"):
            units, remaining, bought, customer = _record(reply[1])
            if (customer, units) != (customer_id, quantity):
                state = f"taken by customer {customer!r} for {units} units"
                raise ReservationStateError(order_ref, state, "take other units for")
            return FlashSaleTake(
                sale_id,
                sku_id,
                order_ref,
                customer,
                units,
                remaining,
                bought,
                replayed=status == "replay",
            )
        if status == "sold_out":
            raise InsufficientStockError(sku_id, quantity, int(_text(reply[1])))
        if status == "limit":
            limit, bought = int(_text(reply[1])), int(_text(reply[2]))
            raise PurchaseLimitError(sku_id, customer_id, quantity, limit, bought)
        if status == "returned":
            raise ReservationStateError(order_ref, "given back", "take")
        raise self._no_sale(sale_id, sku_id)

    def give_back(self, sale_id: str, sku_id: str, order_ref: str) -> int:
        """Return the units of order *order_ref* (cancelled, unpaid) to the sale.

        One Lua script adds them back to the counter, takes them off the customer's
        count and marks *order_ref* given back, so it can never be taken again.

        Returns:
            The units given back; 0 when *order_ref* was given back before.

        Raises:
            ConfigError: A bad argument, naming it.
            UnknownReservationError: No take was recorded under *order_ref*.
            StorageError: Redis failed.
        """
        keys = self._keys(sale_id, sku_id)
        check_text("order_ref", order_ref)
        reply = self._run("give_back", self._give_back, keys, [order_ref])
        status = _text(reply[0])
        if status == "given_back":
            return int(_text(reply[1]))
        if status == "again":
            return 0
        raise UnknownReservationError(order_ref)

    # ----------------------------------------------------------------------- reading

    def remaining(self, sale_id: str, sku_id: str) -> int:
        """Units left on the counter.

        Raises:
            ConfigError: A bad argument, or no open sale under these ids (never
                opened, or its keys expired).
            StorageError: Redis failed.
        """
        keys = self._keys(sale_id, sku_id)
        value = self._call("remaining", lambda: self._client.get(keys[1]))
        if value is None:
            raise self._no_sale(sale_id, sku_id)
        return int(_text(value))

    def bought(self, sale_id: str, sku_id: str, customer_id: str) -> int:
        """Units *customer_id* holds in the sale (0 for a customer who took none)."""
        keys = self._keys(sale_id, sku_id)
        check_text("customer_id", customer_id)
        value = self._call("bought", lambda: self._client.hget(keys[2], customer_id))
        return 0 if value is None else int(_text(value))

    def taken(self, sale_id: str, sku_id: str) -> dict[str, tuple[str, int]]:
        """The takes not given back, ``{order_ref: (customer_id, quantity)}`` by order ref."""
        keys = self._keys(sale_id, sku_id)
        stored = self._call("taken", lambda: self._client.hgetall(keys[3]))
        takes: dict[str, tuple[str, int]] = {}
        for ref, value in sorted((_text(ref), value) for ref, value in stored.items()):
            quantity, _, _, customer = _record(value)
            takes[ref] = (customer, quantity)
        return takes

    # ----------------------------------------------------------------------- helpers

    def _keys(self, sale_id: str, sku_id: str) -> list[str]:
        check_text("sale_id", sale_id)
        check_text("sku_id", sku_id)
        tag = f"{{{_escaped(sale_id)}:{_escaped(sku_id)}}}"
        return [f"{self._prefix}:{tag}:{kind}" for kind in _KINDS]

    def _no_sale(self, sale_id: str, sku_id: str) -> MallcoreError:
        reason = (
            f"has no open flash sale of SKU {sku_id!r} under prefix {self._prefix!r} at "
            f"{self._where}: call open_sale() first (a sale's keys expire keep_for after "
            "it ends)"
        )
        return invalid("sale_id", sale_id, reason)

    def _run(
        self, operation: str, script: Script, keys: list[str], args: Sequence[str | int]
    ) -> Any:
        return self._call(operation, lambda: script(keys=keys, args=args))

    def _call(self, operation: str, action: Callable[[], Any]) -> Any:
        try:
            return action()
        except self._errors as exc:
            msg = f"Redis at {self._where} failed in {operation}(): {exc}"
            raise StorageError(msg) from exc


# --------------------------------------------------------------------------- reconciliation


def _refs(field: str, refs: object) -> frozenset[str]:
    if isinstance(refs, str | bytes) or not isinstance(refs, Collection):
        raise invalid(field, refs, "must be a collection of order refs, such as a set")
    for ref in refs:
        check_text(field, ref)
    return frozenset(refs)


def _reservation_id(sale_id: str, sku_id: str, order_ref: str) -> str:
    return f"flash:{_escaped(sale_id)}:{_escaped(sku_id)}:{_escaped(order_ref)}"


def reconcile(
    counters: FlashSaleCounters,
    sale_id: str,
    sku_id: str,
    store: InventoryStore,
    *,
    paid: Collection[str],
    pending: Collection[str] = (),
) -> Reconciliation:
    """Make the durable *store* and the sale's counter agree; safe to run again.

    The counter is the fast gate during the sale; *store* (the SQL store, or any
    :class:`~mallcore.ports.inventory.InventoryStore`) is the book of record. For
    each take recorded on the counter, by order ref:

    * an order in *paid* has its units deducted from the store's ``on_hand``
      exactly once: ``store.reserve("flash:<sale>:<sku>:<order_ref>", {sku: q})``
      then ``store.commit(...)``, both idempotent by that reservation id, so a
      second run (or a run after a crash half way) deducts nothing twice. The take
      stays on the counter, still counting against the customer's limit;
    * an order in *pending* (payment still possible) is left alone;
    * any other order is given back to the counter (cancelled, or never paid).

    *paid* and *pending* may name orders of other SKUs and sales too; only this
    sale's takes of *sku_id* are looked at. Run it once the payment window of the
    sale's orders has closed (and before ``keep_for`` after the end, when the keys
    expire), or during the sale with the orders still payable in *pending*.

    Raises:
        ConfigError: A bad argument, naming it; an order in both *paid* and
            *pending*; or no open sale under these ids.
        InsufficientStockError: The store has fewer units available than the paid
            takes: it was sold elsewhere too. The orders before it were deducted;
            fix the stock and run again.
        ReservationStateError: A reservation under a take's id was expired or
            released in the store between a crash and this run.
        StorageError: Redis or the store failed; run again.
    """
    paid_refs = _refs("paid", paid)
    pending_refs = _refs("pending", pending)
    both = sorted(paid_refs & pending_refs)
    if both:
        raise invalid("pending", both, "names orders that are in paid too")
    takes = counters.taken(sale_id, sku_id)
    hold_until = counters._clock.now() + _RECONCILE_HOLD
    sold: list[str] = []
    held: list[str] = []
    deducted = 0
    for ref, (_, quantity) in takes.items():
        if ref in paid_refs:
            reservation_id = _reservation_id(sale_id, sku_id, ref)
            store.reserve(reservation_id, {sku_id: quantity}, hold_until)
            if store.commit(reservation_id).changed:
                deducted += quantity
            sold.append(ref)
        elif ref in pending_refs:
            held.append(ref)
    returned: list[str] = []
    given_back = 0
    for ref in takes:
        if ref not in paid_refs and ref not in pending_refs:
            units = counters.give_back(sale_id, sku_id, ref)
            if units:
                returned.append(ref)
                given_back += units
    return Reconciliation(
        sale_id=sale_id,
        sku_id=sku_id,
        sold=sum(takes[ref][1] for ref in sold),
        deducted=deducted,
        given_back=given_back,
        pending=sum(takes[ref][1] for ref in held),
        sold_orders=tuple(sold),
        given_back_orders=tuple(returned),
        pending_orders=tuple(held),
        remaining=counters.remaining(sale_id, sku_id),
        stock=store.get(sku_id),
    )
