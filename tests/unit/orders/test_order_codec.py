"""Orders as JSON-ready dicts: exact round trips, restored orders that behave the same, and errors.

The worked order is tests/examples' stacked cart (lines A ×2, B ×1, C ×3; ¥152.50;
2,000 points redeemed), placed and handled at Shanghai time (+08:00) so that every
instant is converted to UTC on the way out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

import mallcore
from mallcore.errors import (
    AfterSaleWindowError,
    ConfigError,
    InvalidTransitionError,
    PaymentMismatchError,
    UndeliverableError,
    ZeroPaymentError,
)
from mallcore.lifecycle import Lifecycle, Transition
from mallcore.money import Money, from_minor, to_minor
from mallcore.orders import (
    ORDER_MACHINE,
    AfterSaleCase,
    Order,
    OrderPolicy,
    due_actions,
    order_from_dict,
    order_to_dict,
)
from mallcore.testing.strategies import corrupted_documents, scenarios

SHANGHAI = timezone(timedelta(hours=8))
AT = datetime(2026, 11, 11, 20, tzinfo=SHANGHAI)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"
QUOTE = mallcore.quote(*(lambda s: (s.cart, s.context))(mallcore.load_scenario(EXAMPLE)))
REFUSED = (InvalidTransitionError, AfterSaleWindowError, ConfigError, PaymentMismatchError)


def through_json(order: Order) -> dict[str, Any]:
    data = order_to_dict(order)
    return json.loads(json.dumps(data))  # type: ignore[no-any-return]


def round_trip(order: Order) -> Order:
    return order_from_dict(through_json(order))


def behaviour(order: Order, now: datetime) -> tuple[object, ...]:
    """What a caller reads off an order, to compare a restored one with its original."""
    lines = [line.key for line in order.snapshot.lines]
    return (
        order.state,
        order.version,
        order.payable,
        order.refunded,
        order.refund_due(),
        order.delivered_at,
        order.shipped_units(),
        [order.refunded_units(key) for key in lines],
        [order.line_refunded(key) for key in lines],
        [(case.id, case.state, case.is_open, case.refunded) for case in order.after_sales],
        due_actions(order, now),
        order.lifecycle.events,
    )


def delivered_order() -> Order:
    """Placed, paid, shipped in two parcels, delivered; one refund-only and one return refunded."""
    order = Order.place(
        QUOTE,
        customer_id="u1",
        at=AT,
        number="20261111200000ABCDEFGHJK",
        reservation_id="r-1",
        coupons=["SAVE10P"],
    )
    order.pay(order.payable, payment_id="p-1", at=AT + timedelta(minutes=5))
    order.ship(
        tracking_number="SF1",
        carrier="sf",
        at=AT + timedelta(hours=2),
        lines={"A": 2, "C": 1},
        key="ship:SF1",
    )
    order.ship(tracking_number="SF2", carrier="sf", at=AT + timedelta(hours=3), key="ship:SF2")
    order.deliver(at=AT + timedelta(days=2))
    later = AT + timedelta(days=3)
    damaged = order.request_after_sale(
        "C", kind="refund_only", reason="damaged", quantity=1, at=later
    )
    order.review_after_sale(damaged.id, approve=True, at=later)
    order.refund_after_sale(damaged.id, at=later, key="refund:damaged")
    back = order.request_after_sale(
        "A", kind="return_and_refund", reason="no_reason", quantity=1, at=later
    )
    order.review_after_sale(back.id, approve=True, at=later)
    order.receive_return(back.id, at=later + timedelta(days=1))
    order.refund_after_sale(back.id, at=later + timedelta(days=1))
    rejected = order.request_after_sale(
        "B", kind="refund_only", reason="other", quantity=1, at=later
    )
    order.review_after_sale(rejected.id, approve=False, at=later, reason="used")
    return order


# --------------------------------------------------------------------------- examples


def test_a_delivered_order_with_refunds_comes_back_exactly_through_json() -> None:
    order = delivered_order()
    data = order_to_dict(order)
    assert json.loads(json.dumps(data)) == data  # JSON-ready: no tuples, no Money, no datetimes
    restored = order_from_dict(json.loads(json.dumps(data)))
    assert order_to_dict(restored) == data
    now = AT + timedelta(days=5)
    assert behaviour(restored, now) == behaviour(order, now)
    assert restored.state == "delivered" and restored.version == order.version == 4
    assert restored.refunded == order.refunded == Money("49.74", "CNY")
    assert [restored.refunded_units(k) for k in "ABC"] == [1, 0, 1]
    assert restored.line_refunded("C") == order.line_refunded("C") == (1441, 500)


def test_the_dict_layout_holds_every_field_in_minor_units_and_utc() -> None:
    data = through_json(delivered_order())
    assert list(data) == [
        "format",
        "number",
        "customer_id",
        "placed_at",
        "snapshot",
        "lifecycle",
        "reservation_id",
        "coupons",
        "points_used",
        "payments",
        "shipments",
        "after_sales",
    ]
    assert data["format"] == 1
    assert data["placed_at"] == "2026-11-11T12:00:00+00:00"  # 20:00 in Shanghai
    assert (data["reservation_id"], data["coupons"], data["points_used"]) == (
        "r-1",
        ["SAVE10P"],
        2000,
    )
    assert data["payments"] == [
        {
            "payment_id": "p-1",
            "amount": 15250,
            "currency": "CNY",
            "at": "2026-11-11T12:05:00+00:00",
            "late": False,
        }
    ]
    assert data["shipments"][0]["lines"] == [["A", 2], ["C", 1]]
    assert data["shipments"][1]["lines"] == [["B", 1], ["C", 2]]
    assert list(data["lifecycle"]) == ["machine", "state", "version", "events"]
    assert data["lifecycle"]["events"][0] == {
        "action": "pay",
        "source": "pending_payment",
        "target": "paid",
        "at": "2026-11-11T12:05:00+00:00",
        "actor": "gateway",
        "reason": "",
        "key": "pay:p-1",
        "version": 1,
    }
    damaged, back, rejected = data["after_sales"]
    assert damaged["lifecycle"]["state"] == "refunded"
    assert (damaged["refunded"], damaged["freight_refunded"], damaged["freight_lines"]) == (
        1941,
        500,
        [["C", 500]],
    )
    assert back["kind"] == "return_and_refund" and back["reason"] == "no_reason"
    assert rejected["lifecycle"]["state"] == "rejected"
    assert rejected["lifecycle"]["events"][0]["reason"] == "used"


def test_instants_come_back_as_the_same_instants_in_utc() -> None:
    order = delivered_order()
    restored = round_trip(order)
    assert restored.placed_at == order.placed_at == AT
    assert restored.placed_at.tzinfo is UTC
    assert restored.payments == order.payments
    assert restored.shipments == order.shipments
    assert all(event.at.tzinfo is UTC for event in restored.lifecycle.events)
    assert restored.after_sales == order.after_sales  # attrs equality: lifecycles and refunds


def test_a_restored_order_goes_on_exactly_as_the_original() -> None:
    order = delivered_order()
    restored = round_trip(order)
    later = AT + timedelta(days=4)

    def go_on(each: Order) -> list[object]:
        case = each.request_after_sale(
            "C", kind="return_and_refund", reason="wrong_item", quantity=2, at=later
        )
        each.review_after_sale(case.id, approve=True, at=later)
        each.receive_return(case.id, at=later)
        effects = each.refund_after_sale(case.id, at=later, key="refund:wrong")
        again = each.refund_after_sale(case.id, at=later, key="refund:wrong")
        return [case.id, effects, again, each.confirm(at=later)]

    assert go_on(restored) == go_on(order)
    assert order_to_dict(restored) == order_to_dict(order)
    assert behaviour(restored, later) == behaviour(order, later)


def test_used_keys_are_still_known_after_a_round_trip() -> None:
    order = delivered_order()
    restored = round_trip(order)
    at = AT + timedelta(days=9)
    assert restored.pay(order.payable, payment_id="p-1", at=at) == []  # the same notification
    first = order.lifecycle.event_for("ship:SF1")
    assert first is not None
    assert restored.ship(tracking_number="SF1", carrier="sf", at=at, key="ship:SF1") == first
    case = restored.after_sales[0].id
    assert restored.refund_after_sale(case, at=at, key="refund:damaged") == []
    assert order_to_dict(restored) == order_to_dict(order)


def test_an_unpaid_order_restored_is_paid_or_cancelled_the_same_way() -> None:
    order = Order.place(QUOTE, customer_id="u1", at=AT, reservation_id="r-9", coupons=["SAVE10P"])
    restored = round_trip(order)
    assert due_actions(restored, AT + timedelta(hours=1)) == due_actions(
        order, AT + timedelta(hours=1)
    )
    at = AT + timedelta(minutes=1)
    assert restored.cancel(at=at, actor="buyer") == order.cancel(at=at, actor="buyer")
    late = restored.pay(restored.payable, payment_id="p-9", at=at)
    assert late == order.pay(order.payable, payment_id="p-9", at=at)
    assert restored.refund_due() == order.refund_due() == order.payable
    assert order_to_dict(round_trip(restored)) == order_to_dict(order)
    assert order_to_dict(order)["payments"][0]["late"] is True


def test_an_extended_machine_is_passed_in_to_restore() -> None:
    reviewed = ORDER_MACHINE.extend(
        states=["awaiting_review"],
        remove=[("paid", "ship")],
        transitions=[
            Transition("review", "paid", "awaiting_review"),
            Transition("ship", "awaiting_review", "shipped"),
        ],
    )
    placed = Order.place(QUOTE, customer_id="u1", at=AT, number="N-1")
    order = Order(placed.number, "u1", placed.snapshot, AT, Lifecycle(reviewed, "N-1"))
    order.pay(order.payable, payment_id="p-1", at=AT)
    order.lifecycle.fire("review", at=AT, actor="ops")
    data = through_json(order)
    restored = order_from_dict(data, order_machine=reviewed)
    assert restored.state == "awaiting_review"
    restored.ship(tracking_number="SF1", carrier="sf", at=AT)
    assert restored.state == "shipped"
    with pytest.raises(ConfigError) as caught:
        order_from_dict(data)
    assert caught.value.field == "lifecycle.state"


def test_a_shanghai_or_a_utc_instant_in_the_dict_is_read_as_the_same_instant() -> None:
    data = through_json(delivered_order())
    data["placed_at"] = "2026-11-11T20:00:00+08:00"
    data["payments"][0]["at"] = "2026-11-11T12:05:00Z"
    restored = order_from_dict(data)
    assert restored.placed_at == AT and restored.placed_at.tzinfo is UTC
    assert order_to_dict(restored) == through_json(delivered_order())


# --------------------------------------------------------------------------- malformed input


def _drop(key: str) -> Callable[[dict[str, Any]], object]:
    return lambda d: d.pop(key)


def _set(path: Sequence[str | int], value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _remove(path: Sequence[str | int]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


MALFORMED: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
    ("format", _set(["format"], 2)),
    ("format", _drop("format")),
    ("number", _drop("number")),
    ("number", _set(["number"], "")),
    ("customer_id", _set(["customer_id"], 42)),
    ("placed_at", _set(["placed_at"], "2026-11-11T12:00:00")),  # naive
    ("placed_at", _set(["placed_at"], "yesterday")),
    ("placed_at", _set(["placed_at"], 1763000000)),
    ("snapshot", _drop("snapshot")),
    ("snapshot", _remove(["snapshot", "lines"])),
    ("snapshot", _set(["snapshot", "adjustments"], [["a", "b", "c"]])),
    ("snapshot.currency", _set(["snapshot", "currency"], "RMB")),
    ("snapshot.minor_units", _set(["snapshot", "minor_units"], 3)),
    ("snapshot.points_used", _set(["snapshot", "points_used"], "2000")),
    ("snapshot.quantity", _set(["snapshot", "lines", 0, "quantity"], 0)),
    ("lifecycle", _set(["lifecycle"], "paid")),
    ("lifecycle.machine", _set(["lifecycle", "machine"], "after_sale")),
    ("lifecycle.state", _set(["lifecycle", "state"], "teleported")),
    ("lifecycle.state", _set(["lifecycle", "state"], "completed")),
    ("lifecycle.version", _set(["lifecycle", "version"], 5)),
    ("lifecycle.version", _set(["lifecycle", "version"], True)),
    ("lifecycle.events", _set(["lifecycle", "events"], {})),
    ("lifecycle.events[0]", _set(["lifecycle", "events", 0], None)),
    ("lifecycle.events[0]", _set(["lifecycle", "events", 0, "action"], "cancel")),
    ("lifecycle.events[1].at", _remove(["lifecycle", "events", 1, "at"])),
    ("lifecycle.events[1].key", _set(["lifecycle", "events", 1, "key"], 7)),
    ("lifecycle.events[2].version", _set(["lifecycle", "events", 2, "version"], 0)),
    ("reservation_id", _remove(["reservation_id"])),
    ("coupons", _set(["coupons"], "SAVE10P")),
    ("coupons[0]", _set(["coupons", 0], None)),
    ("points_used", _set(["points_used"], -1)),
    ("payments", _set(["payments"], None)),
    ("payments[0]", _set(["payments", 0], "p-1")),
    ("payments[0].amount", _set(["payments", 0, "amount"], "152.50")),
    ("payments[0].currency", _set(["payments", 0, "currency"], "USD")),
    ("payments[0].currency", _set(["payments", 0, "currency"], "RMB")),
    ("payments[0].late", _set(["payments", 0, "late"], 0)),
    ("payments[0].payment_id", _remove(["payments", 0, "payment_id"])),
    ("shipments[0].lines[0][0]", _set(["shipments", 0, "lines", 0, 0], "Z")),
    ("shipments[0].lines[0][1]", _set(["shipments", 0, "lines", 0, 1], 0)),
    ("shipments[0].lines[1]", _set(["shipments", 0, "lines", 1], ["C", 1, 2])),
    ("shipments[1].carrier", _set(["shipments", 1, "carrier"], [])),
    ("after_sales[0].kind", _set(["after_sales", 0, "kind"], "exchange")),
    ("after_sales[0].reason", _remove(["after_sales", 0, "reason"])),
    ("after_sales[0].quantity", _set(["after_sales", 0, "quantity"], 0)),
    ("after_sales[0].line_key", _set(["after_sales", 0, "line_key"], "Z")),
    ("after_sales[0].order_number", _set(["after_sales", 0, "order_number"], "other")),
    ("after_sales[0].refunded", _set(["after_sales", 0, "refunded"], 19.4)),
    ("after_sales[0].freight_refunded", _set(["after_sales", 0, "freight_refunded"], 5000)),
    ("after_sales[0].freight_lines[0][0]", _set(["after_sales", 0, "freight_lines", 0, 0], 1)),
    ("after_sales[1].lifecycle.state", _set(["after_sales", 1, "lifecycle", "state"], "lost")),
    ("after_sales[1].lifecycle.machine", _set(["after_sales", 1, "lifecycle", "machine"], "order")),
    (
        "after_sales[1].lifecycle.events[0]",
        _set(["after_sales", 1, "lifecycle", "events", 0, "target"], "rejected"),
    ),
    ("after_sales[2].points_returned", _remove(["after_sales", 2, "points_returned"])),
]


@pytest.mark.parametrize(("field", "change"), MALFORMED)
def test_a_malformed_dict_raises_a_config_error_naming_the_field(
    field: str, change: Callable[[dict[str, Any]], object]
) -> None:
    data = through_json(delivered_order())
    change(data)
    with pytest.raises(ConfigError) as caught:
        order_from_dict(data)
    assert caught.value.field == field, str(caught.value)
    assert str(caught.value).startswith(f"{field}=")


@pytest.mark.parametrize("data", [None, [], "order", 1])
def test_something_that_is_not_a_dict_is_refused(data: Any) -> None:
    with pytest.raises(ConfigError, match=r"^order=.* must be a dict"):
        order_from_dict(data)


# --------------------------------------------------------------------------- properties


TIME_ZONES = st.integers(-12 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
ACTIONS = st.one_of(
    st.tuples(st.just("time"), st.sampled_from([1, 60, 60 * 24, 60 * 24 * 8])),
    st.tuples(st.just("pay"), st.sampled_from(["p-1", "p-1", "p-2"]), st.sampled_from([0, 0, 1])),
    st.tuples(st.just("ship"), st.integers(0, 7), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("deliver")),
    st.tuples(st.just("confirm")),
    st.tuples(st.just("timeouts")),
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(
        st.just("request"),
        st.integers(0, 7),
        st.sampled_from(["refund_only", "return_and_refund"]),
        st.sampled_from(["no_reason", "other", "damaged", "wrong_item"]),
        st.integers(1, 3),
    ),
    st.tuples(
        st.just("review"), st.integers(0, 3), st.sampled_from(["approve", "reject", "withdraw"])
    ),
    st.tuples(
        st.just("progress"), st.integers(0, 3), st.sampled_from(["receive", "refund", "replay"])
    ),
)

#: Where the random actions start from (the deepest first: Hypothesis favours early entries).
_PAID: list[tuple[Any, ...]] = [("pay", "p-1", 0)]
_DELIVERED = [*_PAID, ("ship", 0, 1, False), ("ship", 0, 1, True), ("deliver",)]
_RETURN = [("request", 0, "return_and_refund", "damaged", 1), ("review", 0, "approve")]
_REFUND = [("request", 1, "refund_only", "other", 1), ("review", 0, "approve")]
STARTS: list[list[tuple[Any, ...]]] = [
    [*_DELIVERED, *_RETURN, ("progress", 0, "receive"), ("progress", 0, "refund")],
    [*_PAID, *_REFUND, ("progress", 0, "refund")],
    [*_DELIVERED, *_RETURN],
    [*_PAID, *_REFUND],
    _DELIVERED,
    [*_PAID, ("ship", 0, 1, False)],
    _PAID,
    [],
]


class Runner:
    """Applies actions to one order and records what each gave back (a refusal as its class)."""

    def __init__(self, order: Order, now: datetime) -> None:
        self.order = order
        self.now = now
        self.outcomes: list[object] = []
        self.lines = [line.key for line in order.snapshot.lines]

    def attempt(self, call: Callable[[], object]) -> None:
        try:
            result = call()
        except REFUSED as exc:
            self.outcomes.append(type(exc).__name__)
        else:
            self.outcomes.append(result.id if isinstance(result, AfterSaleCase) else result)

    def run(self, actions: Sequence[tuple[Any, ...]]) -> list[object]:
        for action in actions:
            self.step(*action)
        return [*self.outcomes, self.now]

    def step(self, name: str, *args: Any) -> None:
        order, now = self.order, self.now
        if name == "time":
            self.now += timedelta(minutes=args[0])
        elif name == "pay":
            payment, cents = args
            payable = order.payable
            amount = from_minor(to_minor(payable) + cents, payable.currency)
            self.attempt(lambda: order.pay(amount, payment_id=payment, at=now))
        elif name == "ship":
            line, units, whole = args
            parcel = None if whole else {self.lines[line % len(self.lines)]: units}
            number = f"SF{len(order.shipments)}"
            self.attempt(
                lambda: order.ship(
                    tracking_number=number, carrier="sf", at=now, lines=parcel, key=number
                )
            )
        elif name == "deliver":
            self.attempt(lambda: order.deliver(at=now))
        elif name == "confirm":
            self.attempt(lambda: order.confirm(at=now))
        elif name == "timeouts":
            for due, at, key in due_actions(order, now):
                if due == "cancel":
                    self.attempt(partial(order.cancel, at=at, actor="system", key=key))
                else:
                    self.attempt(partial(order.auto_confirm, at=now, key=key))
        elif name == "cancel":
            if not args[0]:  # cancelling ends the story: one time in six
                self.attempt(lambda: order.cancel(at=now, actor="buyer", key="cancel"))
        elif name == "request":
            line, kind, reason, units = args
            key = self.lines[line % len(self.lines)]
            self.attempt(
                lambda: order.request_after_sale(
                    key, kind=kind, reason=reason, quantity=units, at=now
                )
            )
        elif order.after_sales:
            index, step = args
            case = order.after_sales[index % len(order.after_sales)].id
            calls: dict[str, Callable[[], object]] = {
                "approve": lambda: order.review_after_sale(case, approve=True, at=now),
                "reject": lambda: order.review_after_sale(case, approve=False, at=now),
                "withdraw": lambda: order.withdraw_after_sale(case, at=now),
                "receive": lambda: order.receive_return(case, at=now),
                "refund": lambda: order.refund_after_sale(case, at=now, key=f"refund:{case}"),
            }
            calls["replay"] = calls["refund"]
            self.attempt(calls[step])


@given(
    scenarios(max_lines=3, max_promotions=2, max_coupons=1),
    TIME_ZONES,
    st.sampled_from(STARTS),
    st.lists(ACTIONS, max_size=25),
    st.lists(ACTIONS, max_size=12),
)
def test_round_trips_are_exact_and_restored_orders_behave_the_same(
    scenario: mallcore.Scenario,
    zone: timezone,
    story: list[tuple[Any, ...]],
    before: list[tuple[Any, ...]],
    after: list[tuple[Any, ...]],
) -> None:
    try:
        quote = mallcore.quote(scenario.cart, scenario.context)
    except (UndeliverableError, ZeroPaymentError):
        assume(False)
        return
    start = scenario.context.at.astimezone(zone)
    policy = OrderPolicy(allow_zero_payment=True)
    order = Order.place(quote, customer_id="u1", at=start, reservation_id="r-1", policy=policy)
    now = Runner(order, start).run([*story, *before])[-1]
    assert isinstance(now, datetime)
    event(f"order {order.state}")
    event(f"after-sale cases: {min(len(order.after_sales), 3)}")
    event(f"refunded: {any(case.state == 'refunded' for case in order.after_sales)}")

    data = order_to_dict(order)
    assert json.loads(json.dumps(data)) == data
    restored = order_from_dict(json.loads(json.dumps(data)))
    assert order_to_dict(restored) == data
    assert behaviour(restored, now) == behaviour(order, now)

    assert Runner(restored, now).run(after) == Runner(order, now).run(after)
    assert order_to_dict(restored) == order_to_dict(order)
    assert behaviour(restored, now) == behaviour(order, now)


@given(st.data())
def test_any_corrupted_field_gives_a_config_error_or_an_order(data: st.DataObject) -> None:
    corrupted = data.draw(corrupted_documents(through_json(delivered_order()), words=("refunded",)))
    try:
        restored = order_from_dict(corrupted)
    except ConfigError as exc:
        assert exc.field, str(exc)
    else:
        assert isinstance(restored, Order)
