"""Any sequence of actions, keys and expectations against the lifecycle engine.

The oracle is the machine's table read by hand: a (state, action) pair either
leads somewhere or is refused. Whatever is fired, the lifecycle's state is
what its event log replays to, its version is the number of events, a refused
action changes nothing, and a key fired twice is one transition.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mallcore.errors import InvalidTransitionError
from mallcore.lifecycle import Lifecycle, Machine, Transition

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)

MACHINE = Machine(
    "order",
    initial="pending_payment",
    states=[
        "pending_payment",
        "paid",
        "shipped",
        "delivered",
        "completed",
        "cancelled",
        "refunded",
    ],
    transitions=[
        Transition("pay", "pending_payment", "paid"),
        Transition("ship", "paid", "shipped"),
        Transition("deliver", "shipped", "delivered"),
        Transition("complete", "delivered", "completed"),
        Transition("cancel", ["pending_payment", "paid"], "cancelled"),
        Transition("refund", ["paid", "shipped", "delivered"], "refunded"),
    ],
    final=["completed", "cancelled", "refunded"],
)
TABLE = {
    (source, transition.action): transition.target
    for transition in MACHINE.transitions
    for source in transition.sources
}
ACTIONS = sorted({action for _, action in TABLE} | {"teleport"})

steps = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.none() | st.sampled_from(["k1", "k2", "k3"]),
        st.none() | st.sampled_from(MACHINE.states),
        st.none() | st.integers(0, 6),
    ),
    max_size=25,
)


@given(steps)
def test_the_log_replays_to_the_state_and_refusals_change_nothing(
    sequence: list[tuple[str, str | None, str | None, int | None]],
) -> None:
    life = Lifecycle(MACHINE, "O-1")
    used: dict[str, str] = {}
    for minute, (action, key, expect, version) in enumerate(sequence):
        before = (life.state, life.version, list(life.events))
        at = AT + timedelta(minutes=minute)
        if key is not None and key in used:
            if used[key] == action:
                first = next(event for event in life.events if event.key == key)
                assert life.fire(action, at=at, key=key, expect=expect, version=version) is first
            else:
                try:
                    life.fire(action, at=at, key=key)
                except InvalidTransitionError:
                    pass
                else:
                    raise AssertionError("a key reused for another action was accepted")
            assert (life.state, life.version, list(life.events)) == before
            continue
        allowed = (
            (life.state, action) in TABLE
            and (expect is None or expect == life.state)
            and (version is None or version == life.version)
        )
        try:
            event = life.fire(action, at=at, key=key, expect=expect, version=version)
        except InvalidTransitionError as error:
            assert not allowed, error
            assert (error.state, error.action) == (before[0], action)
            assert (life.state, life.version, list(life.events)) == before
            continue
        assert allowed
        assert (event.source, event.target) == (before[0], TABLE[before[0], action])
        if key is not None:
            used[key] = action
    assert life.version == len(life.events)
    state = MACHINE.initial
    for number, event in enumerate(life.events, start=1):
        assert (event.source, event.version) == (state, number)
        state = TABLE[state, event.action]
    assert state == life.state
