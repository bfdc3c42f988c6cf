"""Tracking normalisation depends on the set of scans only, never on arrival order or repeats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from mallcore.shipping.carriers import TrackingEvent, TrackingStatus
from mallcore.shipping.tracking import current_status, normalise_events

S = TrackingStatus
START = datetime(2026, 11, 11, 9, tzinfo=UTC)
ZONES = (UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5)))
# Journey order written out by hand, independently of the module's JOURNEY_RANK.
JOURNEY_ORDER = [
    S.ACCEPTED,
    S.IN_TRANSIT,
    S.OUT_FOR_DELIVERY,
    S.EXCEPTION,
    S.DELIVERED,
    S.RETURNED,
]
PROGRESS = [S.ACCEPTED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY]

# Few hours and places, so that ties and look-alike scans are common.
scan_contents = st.tuples(
    st.sampled_from(list(TrackingStatus)),
    st.integers(0, 6),
    st.sampled_from(ZONES),
    st.sampled_from(["", "Shenzhen", "Dongguan"]),
    st.booleans(),
)


@st.composite
def histories(draw: st.DrawFn, *, shared_ids: bool = False) -> list[TrackingEvent]:
    """Scans of one parcel.

    By default ids, when present, are unique to one scan. With *shared_ids*,
    ids come from a pool of two, so one id may name two different versions
    of a scan (a carrier's correction), the hardest case for order independence.
    """
    contents = draw(st.lists(scan_contents, max_size=10))
    events = []
    for index, (status, hour, zone, location, has_id) in enumerate(contents):
        event_id = f"e{index % 2 if shared_ids else index}" if has_id else None
        events.append(
            TrackingEvent(
                "SB1",
                status,
                (START + timedelta(hours=hour)).astimezone(zone),
                location=location,
                # One raw code per status, so look-alike scans without ids are true copies.
                raw_code=status.value.upper(),
                event_id=event_id,
            )
        )
    return events


@st.composite
def deliveries(
    draw: st.DrawFn, *, shared_ids: bool = False
) -> tuple[list[TrackingEvent], list[TrackingEvent]]:
    """A history, and the same history as a carrier might send it: shuffled with repeats."""
    history = draw(histories(shared_ids=shared_ids))
    repeats = draw(st.lists(st.sampled_from(history), max_size=10)) if history else []
    arrived = draw(st.permutations(history + repeats))
    return history, arrived


@given(st.booleans().flatmap(lambda shared: deliveries(shared_ids=shared)))
def test_normalised_history_ignores_arrival_order_and_repeats(
    pair: tuple[list[TrackingEvent], list[TrackingEvent]],
) -> None:
    history, arrived = pair
    # repr, not ==: the same instant in two time zones compares equal, yet the
    # copy kept must be the same one too.
    assert repr(normalise_events(arrived)) == repr(normalise_events(history))
    assert current_status(arrived) is current_status(history)


@given(deliveries())
def test_normalised_history_is_the_distinct_scans_in_time_order(
    pair: tuple[list[TrackingEvent], list[TrackingEvent]],
) -> None:
    history, arrived = pair
    result = normalise_events(arrived)
    # Oracle: a set removes the copies (equal events) and nothing else.
    assert set(result) == set(history)
    assert len(result) == len(set(history))
    keys = [(e.occurred_at, JOURNEY_ORDER.index(e.status)) for e in result]
    assert keys == sorted(keys)


def expected_status(history: list[TrackingEvent]) -> TrackingStatus | None:
    """The documented rules, stated declaratively rather than as a fold."""
    scans = sorted(set(history), key=lambda e: (e.occurred_at, JOURNEY_ORDER.index(e.status)))
    if not scans:
        return None
    if any(e.status is S.RETURNED for e in scans):
        return S.RETURNED
    if any(e.status is S.DELIVERED for e in scans):
        return S.DELIVERED
    if scans[-1].status is S.EXCEPTION:
        return S.EXCEPTION
    last_exception = max((i for i, e in enumerate(scans) if e.status is S.EXCEPTION), default=-1)
    since = [e.status for e in scans[last_exception + 1 :]]
    return max(since, key=PROGRESS.index)


@given(deliveries())
def test_current_status_follows_the_documented_rules(
    pair: tuple[list[TrackingEvent], list[TrackingEvent]],
) -> None:
    history, arrived = pair
    assert current_status(arrived) is expected_status(history)


@given(histories(), st.integers(-6, 12), st.sampled_from(list(TrackingStatus)))
def test_no_late_scan_takes_a_delivered_parcel_anywhere_but_returned(
    history: list[TrackingEvent], hour: int, status: TrackingStatus
) -> None:
    delivered = TrackingEvent("SB1", S.DELIVERED, START + timedelta(hours=3), event_id="dlv")
    late = TrackingEvent("SB1", status, START + timedelta(hours=hour), event_id="late")
    before = current_status([*history, delivered])
    after = current_status([*history, delivered, late])
    assert before in (S.DELIVERED, S.RETURNED)
    assert after in (S.DELIVERED, S.RETURNED)
    assert after is before or status is S.RETURNED
