"""W2 order lifecycle: a new state machine per order, then pay, ship, deliver, complete.

The machine (states, transitions, final states), the three paths and the
``must_reject`` pairs come from workload W2 of the peer benchmarks
(``benchmarks/peers/workloads.json``). One op is one order: build what the
implementation needs per order and fire ``paths.happy`` on it.

- mallcore: one shared :class:`~mallcore.lifecycle.Machine`, a fresh
  ``Lifecycle(machine, f"order-{n}")`` per order, every action fired with a
  fixed timezone-aware ``at`` and the event log on (the default);
- ``transitions``: a fresh model object per order, with its default
  configuration (a ``Machine`` per order), a ``Machine`` per order with
  ``auto_transitions=False``, and one shared ``Machine`` that each order's model
  joins (``add_model``) and leaves (``remove_model``): the fastest setup found;
- ``python-statemachine``: a ``StateMachine`` subclass generated from the JSON,
  a fresh instance per order;
- a bare ``{(state, trigger): dest}`` dict and a plain loop: the limit.

Before timing, every implementation must end each of the three paths in the
path's final state (a state it knows is final) and refuse every
``must_reject`` pair without changing state (mallcore: no version bump, no
event). The peer libraries are optional (the ``bench`` extra): a missing one
is skipped with a note.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import mallcore
from benchmarks._harness import Target, Workload, measure
from benchmarks._quote_w1 import load_peer_data, w1_scenario
from mallcore.adapters.sandbox_payment import SandboxGateway
from mallcore.clock import FixedClock
from mallcore.errors import InvalidTransitionError
from mallcore.lifecycle import Lifecycle, Machine, Transition
from mallcore.orders import ORDER_MACHINE, Order
from mallcore.ports.payment import PaymentRequest

try:
    import transitions
except ImportError:  # the bench extra is not installed
    transitions = None

try:
    import statemachine
except ImportError:  # the bench extra is not installed
    statemachine = None

WORKLOADS = Path(__file__).resolve().parent / "peers" / "workloads.json"
W2 = "W2 order lifecycle: new machine + pay, ship, deliver, complete"
AT = datetime(2026, 11, 11, 12, tzinfo=UTC)
#: Orders per timed call, so the harness's own call is a small part of each op.
BATCH = 100

SUBJECT = "mallcore"
TR_DEFAULT = "transitions (default: Machine per order)"
TR_NO_AUTO = "transitions (Machine per order, auto_transitions=False)"
TR_SHARED = "transitions (shared Machine, add_model/remove_model per order)"
PSM = "python-statemachine (StateMachine instance per order)"
BARE = "dict {(state, trigger): dest} + loop (limit)"


def load_w2() -> dict[str, Any]:
    """Return workload W2 from ``benchmarks/peers/workloads.json``."""
    w2: dict[str, Any] = json.loads(WORKLOADS.read_text(encoding="utf-8"))["W2"]
    return w2


def _routes(w2: dict[str, Any]) -> dict[str, list[str]]:
    """The shortest list of triggers from the initial state to every reachable state."""
    routes: dict[str, list[str]] = {w2["initial"]: []}
    queue = deque([w2["initial"]])
    while queue:
        state = queue.popleft()
        for row in w2["transitions"]:
            if state in row["source"] and row["dest"] not in routes:
                routes[row["dest"]] = [*routes[state], row["trigger"]]
                queue.append(row["dest"])
    return routes


class _Order:
    """The domain object the peer libraries keep their state on."""

    def __init__(self, number: str) -> None:
        self.number = number


# --------------------------------------------------------------------------- correctness


def _check(
    label: str,
    w2: dict[str, Any],
    *,
    start: Callable[[], Any],
    fire: Callable[[Any, str], object],
    state: Callable[[Any], str],
    is_final: Callable[[Any], bool],
    refused: type[BaseException] | tuple[type[BaseException], ...],
    snapshot: Callable[[Any], object] | None = None,
) -> None:
    """Each path ends in its final state; each ``must_reject`` pair is refused, changing nothing."""
    snap = snapshot or state
    for name, path in w2["paths"].items():
        order = start()
        for trigger in path["events"]:
            fire(order, trigger)
        got = state(order)
        if got != path["final"] or not is_final(order):
            msg = f"{label}: path {name} ends in {got!r} (final: {is_final(order)})"
            raise AssertionError(msg + f", want final state {path['final']!r}")
    routes = _routes(w2)
    for pair in w2["must_reject"]:
        order = start()
        for trigger in routes[pair["state"]]:
            fire(order, trigger)
        assert state(order) == pair["state"], (label, pair, state(order))
        before = snap(order)
        try:
            fire(order, pair["event"])
        except refused:
            pass
        else:
            msg = f"{label}: {pair['event']!r} from {pair['state']!r} was accepted"
            raise AssertionError(msg)
        if snap(order) != before:
            msg = f"{label}: refused {pair['event']!r} changed {before!r} to {snap(order)!r}"
            raise AssertionError(msg)


def _expect_final(label: str, got: str, want: str) -> None:
    """The timed callable itself must reach the happy path's final state."""
    if got != want:
        msg = f"{label}: the timed loop ends in {got!r}, want {want!r}"
        raise AssertionError(msg)


# --------------------------------------------------------------------------- implementations
# Each returns (label, timed callable running BATCH orders) after checking it.

Impl = tuple[str, Callable[[], object]]


def mallcore_impl(w2: dict[str, Any]) -> Impl:
    machine = Machine(
        "order",
        initial=w2["initial"],
        states=w2["states"],
        transitions=[Transition(t["trigger"], t["source"], t["dest"]) for t in w2["transitions"]],
        final=w2["final_states"],
    )
    happy = tuple(w2["paths"]["happy"]["events"])

    def fire(life: Lifecycle, trigger: str) -> object:
        return life.fire(trigger, at=AT)

    _check(
        SUBJECT,
        w2,
        start=lambda: Lifecycle(machine, "order-check"),
        fire=fire,
        state=lambda life: life.state,
        is_final=lambda life: life.is_final,
        refused=InvalidTransitionError,
        snapshot=lambda life: (life.state, life.version, tuple(life.events)),
    )

    def orders() -> Lifecycle:
        for n in range(BATCH):
            life = Lifecycle(machine, f"order-{n}")
            for trigger in happy:
                life.fire(trigger, at=AT)
        return life

    life = orders()
    _expect_final(SUBJECT, life.state, w2["paths"]["happy"]["final"])
    assert life.version == len(happy) == len(life.events), life
    assert [(e.action, e.at, e.version) for e in life.events] == [
        (trigger, AT, version) for version, trigger in enumerate(happy, 1)
    ]
    return SUBJECT, orders


def _transitions_states(w2: dict[str, Any]) -> list[Any]:
    finals = set(w2["final_states"])
    return [{"name": s, "final": True} if s in finals else s for s in w2["states"]]


def transitions_impls(w2: dict[str, Any]) -> list[Impl]:
    assert transitions is not None
    states = _transitions_states(w2)
    rows = w2["transitions"]
    initial = w2["initial"]
    happy = tuple(w2["paths"]["happy"]["events"])
    want = w2["paths"]["happy"]["final"]
    machines: dict[int, Any] = {}  # model id -> its machine, for the final-state check

    def per_order(**options: Any) -> Callable[[], _Order]:
        def start() -> _Order:
            order = _Order("order-check")
            machine = transitions.Machine(
                model=order, states=states, transitions=rows, initial=initial, **options
            )
            machines[id(order)] = machine
            return order

        return start

    def is_final(order: _Order) -> bool:
        return bool(machines[id(order)].get_state(order.state).final)

    check = {
        "fire": lambda order, trigger: order.trigger(trigger),
        "state": lambda order: order.state,
        "is_final": is_final,
        "refused": transitions.MachineError,
    }

    def default() -> _Order:
        for n in range(BATCH):
            order = _Order(f"order-{n}")
            transitions.Machine(model=order, states=states, transitions=rows, initial=initial)
            for trigger in happy:
                order.trigger(trigger)
        return order

    def no_auto() -> _Order:
        for n in range(BATCH):
            order = _Order(f"order-{n}")
            transitions.Machine(
                model=order,
                states=states,
                transitions=rows,
                initial=initial,
                auto_transitions=False,
            )
            for trigger in happy:
                order.trigger(trigger)
        return order

    shared = transitions.Machine(
        model=None, states=states, transitions=rows, initial=initial, auto_transitions=False
    )

    def shared_start() -> _Order:
        order = _Order("order-check")
        shared.add_model(order)
        machines[id(order)] = shared
        return order

    def shared_orders() -> _Order:
        add, remove = shared.add_model, shared.remove_model
        for n in range(BATCH):
            order = _Order(f"order-{n}")
            add(order)
            for trigger in happy:
                order.trigger(trigger)
            remove(order)
        return order

    _check(TR_DEFAULT, w2, start=per_order(), **check)
    _check(TR_NO_AUTO, w2, start=per_order(auto_transitions=False), **check)
    _check(TR_SHARED, w2, start=shared_start, **check)
    shared.remove_model(list(shared.models))
    machines.clear()
    impls = [(TR_DEFAULT, default), (TR_NO_AUTO, no_auto), (TR_SHARED, shared_orders)]
    for label, orders in impls:
        _expect_final(label, orders().state, want)
    assert not shared.models, "the shared machine must not keep the orders"
    return impls


def _statemachine_class(w2: dict[str, Any]) -> type[Any]:
    """A ``StateMachine`` subclass with W2's states and one event per trigger."""
    assert statemachine is not None
    finals = set(w2["final_states"])
    states = {
        name: statemachine.State(
            name, value=name, initial=name == w2["initial"], final=name in finals
        )
        for name in w2["states"]
    }
    namespace: dict[str, Any] = dict(states)
    for row in w2["transitions"]:
        moves = None
        for source in row["source"]:
            move = states[source].to(states[row["dest"]])
            moves = move if moves is None else moves | move
        namespace[row["trigger"]] = moves
    meta = type(statemachine.StateMachine)
    cls: type[Any] = meta("W2OrderMachine", (statemachine.StateMachine,), namespace)
    return cls


def statemachine_impl(w2: dict[str, Any]) -> Impl:
    assert statemachine is not None
    cls = _statemachine_class(w2)
    happy = tuple(w2["paths"]["happy"]["events"])
    _check(
        PSM,
        w2,
        start=cls,
        fire=lambda sm, trigger: sm.send(trigger),
        state=lambda sm: sm.current_state_value,
        is_final=lambda sm: sm.states_map[sm.current_state_value].final and sm.is_terminated,
        refused=statemachine.StateMachine.TransitionNotAllowed,
    )

    def orders() -> Any:
        for _ in range(BATCH):
            sm = cls()
            for trigger in happy:
                sm.send(trigger)
        return sm

    _expect_final(PSM, orders().current_state_value, w2["paths"]["happy"]["final"])
    return PSM, orders


def bare_impl(w2: dict[str, Any]) -> Impl:
    table = {(s, t["trigger"]): t["dest"] for t in w2["transitions"] for s in t["source"]}
    finals = frozenset(w2["final_states"])
    initial = w2["initial"]
    happy = tuple(w2["paths"]["happy"]["events"])

    def fire(order: list[str], trigger: str) -> None:
        order[0] = table[order[0], trigger]

    _check(
        BARE,
        w2,
        start=lambda: [initial],
        fire=fire,
        state=lambda order: order[0],
        is_final=lambda order: order[0] in finals,
        refused=KeyError,
    )

    def orders() -> str:
        for _ in range(BATCH):
            state = initial
            for trigger in happy:
                state = table[state, trigger]
        return state

    _expect_final(BARE, orders(), w2["paths"]["happy"]["final"])
    return BARE, orders


# --------------------------------------------------------------------------- workload


def _versus(ratio: float, peer: str) -> str:
    if ratio >= 1:
        return f"{ratio:.1f}x faster than {peer}"
    return f"{1 / ratio:.1f}x slower than {peer}"


FULL = "W2 full order: place from a 5-line W1 quote, pay via the sandbox, ship, deliver, confirm"
FULL_SUBJECT = "mallcore Order + SandboxGateway"
MACHINE_ONLY = "the order's lifecycle alone (Lifecycle: pay, ship, deliver, confirm)"


def _full_order_workload() -> Workload:
    """A whole order around the lifecycle, and the lifecycle alone, to show the share outside it."""
    wl, catalogue, _ = load_peer_data()
    scenario = mallcore.load_scenario(w1_scenario(catalogue, "stackable"))
    basket = next(b for b in wl["W1"]["baskets"] if b["size"] == 5)
    priced = scenario.with_cart([{"sku": sku, "quantity": q} for sku, q in basket["lines"]])
    placed_from = mallcore.quote(priced.cart, priced.context)
    clock = FixedClock(AT)
    gateway = SandboxGateway(b"bench-secret-of-32-bytes-or-more!", clock)
    counter = iter(range(10**12))

    def one_order() -> Order:
        n = next(counter)
        order = Order.place(placed_from, customer_id="c-1", at=AT, number=f"W2-{n}")
        request = PaymentRequest(order.number, order.payable, "W1 basket", f"pay-{n}")
        intent = gateway.create(request)
        headers, body = gateway.notify(intent.payment_id)
        notification = gateway.verify_notification(headers, body)
        order.pay(notification.amount, payment_id=notification.payment_id, at=AT)
        order.ship(tracking_number=f"T{n}", carrier="sf", at=AT)
        order.deliver(at=AT)
        order.confirm(at=AT)
        return order

    done = one_order()
    assert (done.state, done.version, len(done.payments)) == ("completed", 4, 1)

    def orders() -> None:
        for _ in range(BATCH):
            one_order()

    def machine_only() -> None:
        for n in range(BATCH):
            life = Lifecycle(ORDER_MACHINE, f"W2-{n}")
            for action in ("pay", "ship", "deliver", "confirm"):
                life.fire(action, at=AT)

    workload = Workload(name=FULL, subject=FULL_SUBJECT)
    workload.timings[FULL_SUBJECT] = measure(orders, ops_per_call=BATCH)
    workload.timings[MACHINE_ONLY] = measure(machine_only, ops_per_call=BATCH)
    whole = workload.timings[FULL_SUBJECT].median_s
    inner = workload.timings[MACHINE_ONLY].median_s
    workload.notes.append(
        f"a full order takes {whole * 1e6:,.1f} µs ({1 / whole:,.0f} orders/s); the state machine "
        f"is {inner / whole:.0%} of it, so {1 - inner / whole:.0%} is spent outside it (the "
        "snapshot of the quote, the gateway's signing and verification, the payment and "
        "shipment records); no target"
    )
    return workload


def run(quick: bool) -> list[Workload]:
    """Measure W2; *quick* is honoured by the runner's shorter timing loops."""
    w2 = load_w2()
    workload = Workload(name=W2, subject=SUBJECT, targets=[Target(peer=BARE, at_least=1 / 9)])
    impls = [mallcore_impl(w2)]
    if transitions is not None:
        impls += transitions_impls(w2)
    else:
        workload.notes.append("transitions is not installed (pip install '.[bench]'): rows skipped")
    if statemachine is not None:
        impls.append(statemachine_impl(w2))
    else:
        workload.notes.append(
            "python-statemachine is not installed (pip install '.[bench]'): row skipped"
        )
    impls.append(bare_impl(w2))
    for label, orders in impls:
        workload.timings[label] = measure(orders, ops_per_call=BATCH)
    subject = workload.timings[SUBJECT].ops_per_s
    limit = workload.timings[BARE].ops_per_s
    ratios = "; ".join(
        _versus(workload.ratio(label), label) for label in workload.timings if label != SUBJECT
    )
    workload.notes.append(
        f"mallcore: {subject:,.0f} lifecycles/s; the target (within 9x of the bare table, "
        f"200,000/s where it does 1.8 million/s) is {limit / 9:,.0f}/s on this machine, "
        f"where the bare table does {limit:,.0f}/s"
    )
    workload.notes.append(f"mallcore is {ratios}")
    workload.notes.append(
        "one op = one order: a new Lifecycle / model + machine / StateMachine instance, then "
        "pay, ship, deliver, complete; mallcore records 4 events (at, actor, version)"
    )
    return [workload, _full_order_workload()]
