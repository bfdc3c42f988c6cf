"""The lifecycle engine: machines as data, all-or-nothing transitions, idempotent triggers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mallcore.errors import ConfigError, InvalidTransitionError
from mallcore.lifecycle import Event, Lifecycle, Machine, Transition

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)

ORDER = Machine(
    "order",
    initial="pending_payment",
    states=["pending_payment", "paid", "shipped", "delivered", "completed", "cancelled"],
    transitions=[
        Transition("pay", "pending_payment", "paid"),
        Transition("ship", "paid", "shipped"),
        Transition("deliver", "shipped", "delivered"),
        Transition("complete", "delivered", "completed"),
        Transition("cancel", ["pending_payment", "paid"], "cancelled"),
    ],
    final=["completed", "cancelled"],
)


def _snapshot(life: Lifecycle) -> tuple[str, int, list[Event]]:
    return life.state, life.version, list(life.events)


def test_a_new_subject_starts_at_the_initial_state_at_version_zero() -> None:
    life = Lifecycle(ORDER, "O-1")
    assert (life.state, life.version, life.events, life.is_final) == (
        "pending_payment",
        0,
        [],
        False,
    )


def test_an_accepted_transition_records_who_when_why_and_bumps_the_version() -> None:
    life = Lifecycle(ORDER, "O-1")
    event = life.fire("pay", at=AT, actor="gateway", reason="notified", key="pay-1")
    assert event == Event(
        "O-1", "pay", "pending_payment", "paid", AT, "gateway", "notified", "pay-1", 1
    )
    assert (life.state, life.version, life.events) == ("paid", 1, [event])


def test_the_happy_path_ends_in_a_final_state() -> None:
    life = Lifecycle(ORDER, "O-1")
    for step, action in enumerate(["pay", "ship", "deliver", "complete"]):
        life.fire(action, at=AT + timedelta(days=step))
    assert (life.state, life.version, life.is_final) == ("completed", 4, True)
    assert [e.version for e in life.events] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("path", "action"),
    [([], "ship"), (["pay", "ship", "deliver", "complete"], "cancel"), (["cancel"], "pay")],
)
def test_a_refused_action_names_subject_state_action_and_why_and_changes_nothing(
    path: list[str], action: str
) -> None:
    life = Lifecycle(ORDER, "O-7")
    for step in path:
        life.fire(step, at=AT)
    before = _snapshot(life)
    with pytest.raises(InvalidTransitionError) as info:
        life.fire(action, at=AT)
    error = info.value
    assert (error.subject, error.state, error.action) == ("O-7", life.state, action)
    assert str(error).startswith(f"Can't {action} 'O-7' while it is {life.state}: allowed: ")
    assert _snapshot(life) == before


def test_a_final_state_says_nothing_is_allowed() -> None:
    life = Lifecycle(ORDER, "O-1")
    life.fire("cancel", at=AT)
    with pytest.raises(InvalidTransitionError, match="allowed: nothing"):
        life.fire("pay", at=AT)


def test_the_same_key_twice_is_one_transition() -> None:
    life = Lifecycle(ORDER, "O-1")
    first = life.fire("pay", at=AT, key="notify-42")
    again = life.fire("pay", at=AT + timedelta(minutes=1), key="notify-42")
    assert again is first
    assert (life.state, life.version, len(life.events)) == ("paid", 1, 1)


def test_a_key_used_for_another_action_is_refused() -> None:
    life = Lifecycle(ORDER, "O-1")
    life.fire("pay", at=AT, key="k")
    before = _snapshot(life)
    with pytest.raises(InvalidTransitionError, match="key 'k' was already used to pay"):
        life.fire("ship", at=AT, key="k")
    assert _snapshot(life) == before


def test_compare_and_set_refuses_an_unexpected_state_or_version() -> None:
    life = Lifecycle(ORDER, "O-1")
    life.fire("pay", at=AT)
    before = _snapshot(life)
    with pytest.raises(InvalidTransitionError, match="expected it to be pending_payment"):
        life.fire("cancel", at=AT, expect="pending_payment")
    with pytest.raises(InvalidTransitionError, match="expected version 0, it is at version 1"):
        life.fire("ship", at=AT, version=0)
    assert _snapshot(life) == before
    assert life.fire("ship", at=AT, expect=["paid", "shipped"], version=1).target == "shipped"


def test_a_guard_refuses_with_its_reason_and_an_effect_runs_only_for_accepted_moves() -> None:
    released: list[str] = []
    machine = ORDER.extend(
        remove=[("pending_payment", "cancel")],
        transitions=[
            Transition(
                "cancel",
                "pending_payment",
                "cancelled",
                guard=lambda ctx: None if ctx["by"] != "courier" else "a courier cannot cancel",
                effect=lambda ctx: released.append(ctx["by"]),
            )
        ],
    )
    life = Lifecycle(machine, "O-1")
    with pytest.raises(InvalidTransitionError, match="a courier cannot cancel"):
        life.fire("cancel", at=AT, context={"by": "courier"})
    assert (life.state, released) == ("pending_payment", [])
    life.fire("cancel", at=AT, context={"by": "buyer"})
    assert (life.state, released) == ("cancelled", ["buyer"])


def test_an_effect_that_raises_leaves_the_state_as_it_was() -> None:
    def fail(_: object) -> None:
        raise InvalidTransitionError("O-1", "pending_payment", "pay", why="stock is gone")

    machine = ORDER.extend(
        remove=[("pending_payment", "pay")],
        transitions=[Transition("pay", "pending_payment", "paid", effect=fail)],
    )
    life = Lifecycle(machine, "O-1")
    with pytest.raises(InvalidTransitionError, match="stock is gone"):
        life.fire("pay", at=AT, key="p")
    assert _snapshot(life) == ("pending_payment", 0, [])
    assert life.fire("cancel", at=AT, key="p").action == "cancel"  # the key was not used up


def test_a_naive_time_is_refused_before_anything_runs() -> None:
    calls: list[object] = []
    machine = ORDER.extend(
        remove=[("pending_payment", "pay")],
        transitions=[Transition("pay", "pending_payment", "paid", effect=calls.append)],
    )
    life = Lifecycle(machine, "O-1")
    with pytest.raises(ConfigError, match="at="):
        life.fire("pay", at=datetime(2026, 11, 11, 12))  # naive, on purpose
    assert (calls, life.state) == ([], "pending_payment")


def test_a_user_can_add_a_review_step_before_shipment() -> None:
    reviewed = ORDER.extend(
        states=["awaiting_review"],
        remove=[("paid", "ship")],
        transitions=[
            Transition("review", "paid", "awaiting_review"),
            Transition("ship", "awaiting_review", "shipped"),
        ],
    )
    assert reviewed.actions("paid") == ("cancel", "review")
    life = Lifecycle(reviewed, "O-1")
    for action in ["pay", "review", "ship"]:
        life.fire(action, at=AT)
    assert life.state == "shipped"
    assert ORDER.actions("paid") == ("ship", "cancel")  # the original is untouched


def test_to_mermaid_lists_every_transition_and_the_ends() -> None:
    lines = ORDER.to_mermaid().splitlines()
    assert lines[:2] == ["stateDiagram-v2", "    [*] --> pending_payment"]
    assert "    paid --> cancelled: cancel" in lines
    assert "    pending_payment --> cancelled: cancel" in lines
    assert lines[-2:] == ["    completed --> [*]", "    cancelled --> [*]"]
    assert len(lines) == 2 + 6 + 2


def test_a_restored_log_must_replay_to_its_state() -> None:
    life = Lifecycle(ORDER, "O-1")
    life.fire("pay", at=AT)
    life.fire("ship", at=AT)
    forged = [life.events[1], life.events[0]]
    with pytest.raises(ConfigError) as info:
        Lifecycle(ORDER, "O-1", state="shipped", version=2, events=forged)
    assert info.value.field == "events[0]"


def test_extend_takes_one_state_as_a_string() -> None:
    machine = ORDER.extend(states="lost", transitions=[Transition("lose", "shipped", "lost")])
    assert machine.states[-1] == "lost"
    assert machine.extend(final="lost").final == ("lost",)


def test_a_lifecycle_restored_from_storage_keeps_its_keys() -> None:
    life = Lifecycle(ORDER, "O-1")
    life.fire("pay", at=AT, key="n-1")
    restored = Lifecycle(ORDER, "O-1", state=life.state, version=life.version, events=life.events)
    assert restored.fire("pay", at=AT, key="n-1") == life.events[0]
    assert restored.version == 1


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Machine("m", initial="x", states=["a"], transitions=[]), "initial"),
        (lambda: Machine("m", initial="a", states=["a"], transitions=[], final=["z"]), "final[0]"),
        (
            lambda: Machine(
                "m", initial="a", states=["a"], transitions=[Transition("go", "a", "b")]
            ),
            "transitions[0].target",
        ),
        (
            lambda: Machine(
                "m",
                initial="a",
                states=["a", "b"],
                transitions=[Transition("go", "a", "b"), Transition("go", "a", "a")],
            ),
            "transitions[1].sources",
        ),
        (
            lambda: Machine(
                "m",
                initial="a",
                states=["a", "b"],
                transitions=[Transition("go", "b", "a")],
                final=["b"],
            ),
            "transitions[0].sources",
        ),
        (lambda: Machine("m", initial="a", states=["a"], transitions=["go"]), "transitions[0]"),
        (lambda: Transition("", "a", "b"), "action"),
        (lambda: Transition("go", [], "b"), "sources"),
        (lambda: Lifecycle(ORDER, ""), "subject"),
        (lambda: Lifecycle(ORDER, "O", state="lost"), "state"),
        (lambda: Lifecycle(ORDER, "O", state="paid", version=3), "version"),
        (lambda: Lifecycle(ORDER, "O", state="paid"), "state"),  # no event leads there
        (lambda: Machine("m", initial="a", states=["a", "a"], transitions=[]), "states"),
        (lambda: ORDER.extend(remove=[("completed", "pay")]), "remove"),
        (lambda: ORDER.extend(final="gone"), "final[0]"),
    ],
)
def test_a_bad_definition_is_refused_naming_its_field(build: object, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field
