"""Table-driven state machines: the one lifecycle engine of mallcore.

A :class:`Machine` is data: its states, the state a subject starts in, the
states it ends in, and its :class:`Transition` s (an action, the states it
may start from, the state it leads to, an optional guard and an optional
effect). A :class:`Lifecycle` is one subject's place in a machine: its
state, a version that every accepted transition increments, and the log of
the :class:`Event` s those transitions recorded (who, when, why, and the
idempotency key of an outside trigger).

Firing an action is all or nothing. A refused action (no transition from
the current state, a guard that says no, a state or version other than the
caller expected) raises :class:`~mallcore.errors.InvalidTransitionError` and
changes nothing; an effect that raises lets its own exception through, and
changes nothing either. An
action fired again with an idempotency key it already recorded (a payment
notification delivered twice, a carrier event replayed) returns the first
event and changes nothing.

>>> from datetime import datetime, timezone
>>> door = Machine(
...     "door", initial="closed", states=["closed", "open", "locked"],
...     transitions=[Transition("open", "closed", "open"), Transition("close", "open", "closed"),
...                  Transition("lock", "closed", "locked")],
...     final=["locked"])
>>> life = Lifecycle(door, "front door")
>>> at = datetime(2026, 11, 11, 12, tzinfo=timezone.utc)
>>> life.fire("open", at=at).target, life.version
('open', 1)
>>> life.fire("lock", at=at)
Traceback (most recent call last):
...
mallcore.errors.InvalidTransitionError: Can't lock 'front door' while it is open: allowed: close.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

import attrs

from mallcore.checks import as_tuple, check_items, check_text, invalid
from mallcore.clock import aware
from mallcore.errors import InvalidTransitionError

__all__ = ["Effect", "Event", "Guard", "Lifecycle", "Machine", "Transition"]

#: A guard is called with the context passed to :meth:`Lifecycle.fire` and returns
#: None (or '') to allow the transition, or the reason it is refused.
Guard = Callable[[Any], str | None]
#: An effect is called with the same context before the state changes; it is the
#: work that must succeed for the transition to happen (if it raises, nothing changes).
Effect = Callable[[Any], None]


def _state_names(field: str, values: object, *, unique: bool = False) -> tuple[str, ...]:
    """One state name or several, as a tuple without repeats; errors name ``field[i]``.

    With *unique*, a name given twice is refused instead of dropped.
    """
    items = (values,) if isinstance(values, str) else as_tuple(field, values)
    if unique and len(set(items)) != len(items):
        repeated = next(state for index, state in enumerate(items) if state in items[:index])
        raise invalid(field, list(items), f"name {repeated!r} twice")
    for index, state in enumerate(items):
        check_text(f"{field}[{index}]", state)
        if not state.isidentifier():
            reason = "must be a name of letters, digits and underscores (it is drawn in diagrams)"
            raise invalid(f"{field}[{index}]", state, reason)
    return tuple(dict.fromkeys(items))


def _sources(values: object) -> tuple[str, ...]:
    return _state_names("sources", values)


def _states(values: object) -> tuple[str, ...]:
    return _state_names("states", values, unique=True)


def _final(values: object) -> tuple[str, ...]:
    return _state_names("final", values)


def _transitions(values: object) -> tuple[Transition, ...]:
    return check_items("transitions", values, Transition)


@attrs.frozen
class Transition:
    """*action* leads from any of *sources* to *target*, if *guard* allows it.

    Attributes:
        action: The name callers fire (``pay``, ``ship``, ...).
        sources: The states it may start from (one state or several).
        target: The state it leads to.
        guard: Refuses the transition by returning a reason (see :data:`Guard`).
        effect: Runs before the state changes (see :data:`Effect`).

    Raises:
        ConfigError: An empty action, source or target.
    """

    action: str
    sources: tuple[str, ...] = attrs.field(converter=_sources)
    target: str
    guard: Guard | None = attrs.field(default=None, eq=False)
    effect: Effect | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        check_text("action", self.action)
        check_text("target", self.target)
        if not self.sources:
            raise invalid("sources", [], "must name at least one state")


@attrs.frozen
class Machine:
    """A state machine as data; build one, then track subjects with :class:`Lifecycle`.

    Attributes:
        name: What it is the lifecycle of (``order``, ``after_sale``, ...).
        initial: The state a new subject is in.
        states: Every state, in the order diagrams list them.
        transitions: What may happen; one transition per (state, action).
        final: States nothing leads out of.

    Raises:
        ConfigError: A transition naming an unknown state, two transitions for
            one action from one state, a transition out of a final state, or
            an initial or final state that is not among *states*.
    """

    name: str
    initial: str
    states: tuple[str, ...] = attrs.field(converter=_states)
    transitions: tuple[Transition, ...] = attrs.field(converter=_transitions)
    final: tuple[str, ...] = attrs.field(default=(), converter=_final)
    _table: dict[tuple[str, str], Transition] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        check_text("name", self.name)
        known = set(self.states)
        if self.initial not in known:
            raise invalid("initial", self.initial, "is not one of the states")
        for index, state in enumerate(self.final):
            if state not in known:
                raise invalid(f"final[{index}]", state, "is not one of the states")
        table: dict[tuple[str, str], Transition] = {}
        for index, transition in enumerate(self.transitions):
            where = f"transitions[{index}]"
            if transition.target not in known:
                raise invalid(f"{where}.target", transition.target, "is not one of the states")
            for source in transition.sources:
                if source not in known:
                    raise invalid(f"{where}.sources", source, "is not one of the states")
                if source in self.final:
                    raise invalid(f"{where}.sources", source, "is a final state")
                if (source, transition.action) in table:
                    reason = f"already has a transition {transition.action!r} from {source!r}"
                    raise invalid(f"{where}.sources", source, reason)
                table[source, transition.action] = transition
        object.__setattr__(self, "_table", table)

    def transition(self, state: str, action: str) -> Transition | None:
        """The transition *action* takes from *state*, or None if there is none."""
        return self._table.get((state, action))

    def actions(self, state: str) -> tuple[str, ...]:
        """The actions that may be fired from *state*, in the order they were defined."""
        return tuple(action for source, action in self._table if source == state)

    def extend(
        self,
        *,
        states: Iterable[str] = (),
        transitions: Iterable[Transition] = (),
        remove: Iterable[tuple[str, str]] = (),
        final: Iterable[str] | None = None,
    ) -> Machine:
        """A new machine with more *states* and *transitions*, without the (state, action) *remove*.

        Removing the pair drops that source from its transition (and the
        transition when it has no source left). For instance, an "awaiting
        review" step before shipment: add the state, remove ``("paid",
        "ship")``, add ``Transition("review", "paid", "awaiting_review")`` and
        ``Transition("ship", "awaiting_review", "shipped")``.

        Raises:
            ConfigError: As the constructor, for the machine it would build.
        """
        dropped = set(remove)
        present = set(self._table)
        for pair in dropped:
            if pair not in present:
                raise invalid("remove", pair, "is no (state, action) pair of the machine")
        kept: list[Transition] = []
        for transition in self.transitions:
            sources = [s for s in transition.sources if (s, transition.action) not in dropped]
            if sources:
                kept.append(attrs.evolve(transition, sources=sources))
        return Machine(
            self.name,
            self.initial,
            (*self.states, *_state_names("states", states)),
            (*kept, *_transitions(transitions)),
            self.final if final is None else _final(final),
        )

    def to_mermaid(self) -> str:
        """The machine as a Mermaid ``stateDiagram-v2``, for the docs.

        >>> print(Machine("m", initial="a", states=["a", "b"],
        ...               transitions=[Transition("go", "a", "b")], final=["b"]).to_mermaid())
        stateDiagram-v2
            [*] --> a
            a --> b: go
            b --> [*]
        """
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for transition in self.transitions:
            lines.extend(
                f"    {source} --> {transition.target}: {transition.action}"
                for source in transition.sources
            )
        lines.extend(f"    {state} --> [*]" for state in self.final)
        return "\n".join(lines)


class Event(NamedTuple):
    """One accepted transition, as the lifecycle's log records it.

    Attributes:
        subject: What changed state (an order number, a reservation id, ...).
        action: The action fired.
        source: The state before.
        target: The state after.
        at: When (timezone-aware).
        actor: Who (``buyer``, ``seller``, ``system``, a user id, ...).
        reason: Why, in the actor's words ('' when none was given).
        key: The idempotency key of an outside trigger, or None.
        version: The subject's version after this transition (1 for the first).
    """

    subject: str
    action: str
    source: str
    target: str
    at: datetime
    actor: str
    reason: str
    key: str | None
    version: int


_new_tuple = tuple.__new__


@attrs.define(on_setattr=attrs.setters.NO_OP)
class Lifecycle:
    """One subject's place in a :class:`Machine`: state, version and event log.

    Build it fresh (``Lifecycle(machine, "ORDER-1")`` starts at the machine's
    initial state, version 0) or restore it from storage with the state,
    version and events saved.

    Raises:
        ConfigError: An empty subject, a state the machine does not have, or a
            version that is not the number of events.
    """

    machine: Machine
    subject: str
    state: str = ""
    version: int = 0
    events: list[Event] = attrs.field(factory=list, converter=list)
    _by_key: dict[str, Event] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_text("subject", self.subject)
        machine = self.machine
        if not self.state:
            self.state = machine.initial
        elif self.state not in machine.states:
            raise invalid("state", self.state, f"is not a state of the {machine.name} machine")
        if self.version != len(self.events):
            reason = f"must equal the number of events ({len(self.events)})"
            raise invalid("version", self.version, reason)
        if not self.events:  # a new subject, or one that never moved
            if self.state != machine.initial:
                reason = f"is not where the events lead ({machine.initial!r}: there are none)"
                raise invalid("state", self.state, reason)
            self._by_key = {}
            return
        self._check_log()  # restored from storage
        self._by_key = {event.key: event for event in self.events if event.key is not None}

    def _check_log(self) -> None:
        """A restored log must replay, from the initial state, to the restored state."""
        state = self.machine.initial
        for index, event in enumerate(self.events):
            transition = self.machine.transition(event.source, event.action)
            if (
                event.source != state
                or transition is None
                or transition.target != event.target
                or event.version != index + 1
            ):
                reason = f"does not follow from {state!r} at version {index + 1}"
                raise invalid(f"events[{index}]", event.action, reason)
            state = event.target
        if state != self.state:
            reason = f"is not where the events lead ({state!r})"
            raise invalid("state", self.state, reason)

    @property
    def is_final(self) -> bool:
        """Whether the subject is in one of the machine's final states."""
        return self.state in self.machine.final

    def last(self, action: str) -> Event | None:
        """The most recent event of *action*, or None if it never happened."""
        for event in reversed(self.events):
            if event.action == action:
                return event
        return None

    def event_for(self, key: str) -> Event | None:
        """The event recorded under idempotency *key*, or None if the key is new."""
        return self._by_key.get(key)

    def refusal(self, action: str) -> InvalidTransitionError:
        """The error for *action* having no transition from the current state, naming what has."""
        state = self.state
        allowed = ", ".join(self.machine.actions(state)) or (
            "nothing (a final state)" if state in self.machine.final else "nothing"
        )
        return InvalidTransitionError(self.subject, state, action, why=f"allowed: {allowed}")

    def can(self, action: str) -> bool:
        """Whether *action* has a transition from the current state (guards not asked)."""
        return self.machine.transition(self.state, action) is not None

    def fire(
        self,
        action: str,
        *,
        at: datetime,
        actor: str = "system",
        reason: str = "",
        key: str | None = None,
        expect: str | Sequence[str] | None = None,
        version: int | None = None,
        context: object = None,
    ) -> Event:
        """Apply *action* and return the event it recorded; all or nothing.

        Args:
            action: The action to fire.
            at: When it happens (timezone-aware).
            actor: Who fires it.
            reason: Why (kept in the event).
            key: An idempotency key: the same key again returns the first
                event and changes nothing.
            expect: The state (or states) the caller saw; any other current
                state refuses the action (compare-and-set).
            version: The version the caller saw; any other refuses the action.
            context: Passed to the transition's guard and effect.

        Raises:
            InvalidTransitionError: No transition for *action* from the
                current state, a guard's refusal, an unexpected state or
                version, or a key already used for another action. Nothing
                changes.
            ConfigError: A naive *at*, or an empty *expect*.

        Whatever a guard or an effect raises passes through unchanged, and
        nothing changes then either. Change a lifecycle only through this
        method: it keeps the state, the version, the log and the keys together.
        """
        if not isinstance(at, datetime) or at.tzinfo is None:
            aware(at, field="at")  # raises, naming the field
        if key is not None:
            seen = self._by_key.get(key)
            if seen is not None:
                if seen.action != action:
                    why = f"key {key!r} was already used to {seen.action}"
                    raise InvalidTransitionError(self.subject, self.state, action, why=why)
                return seen
        state = self.state
        if expect is not None:
            expected = (expect,) if isinstance(expect, str) else tuple(expect)
            if not expected:
                raise invalid("expect", [], "must name at least one state")
            if state not in expected:
                why = f"expected it to be {' or '.join(expected)}"
                raise InvalidTransitionError(self.subject, state, action, why=why)
        if version is not None and version != self.version:
            why = f"expected version {version}, it is at version {self.version}"
            raise InvalidTransitionError(self.subject, state, action, why=why)
        transition = self.machine._table.get((state, action))
        if transition is None:
            raise self.refusal(action)
        if transition.guard is not None:
            refused = transition.guard(context)
            if refused:
                why = refused.rstrip(".")
                raise InvalidTransitionError(self.subject, state, action, why=why)
        if transition.effect is not None:
            transition.effect(context)
        target = transition.target
        version = self.version + 1
        # tuple.__new__ skips the named tuple's Python-level __new__: this is
        # the engine's inner loop, and the fields are exactly these nine.
        event: Event = _new_tuple(
            Event, (self.subject, action, state, target, at, actor, reason, key, version)
        )
        self.state = target
        self.version = version
        self.events.append(event)
        if key is not None:
            self._by_key[key] = event
        return event
