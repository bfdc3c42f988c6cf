"""Tracking normalisation: code tables, de-duplication, ordering and the current status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mallcore.errors import CarrierError, ConfigError, UnknownStatusCodeError
from mallcore.lifecycle import Lifecycle
from mallcore.shipping.carriers import TrackingEvent, TrackingStatus
from mallcore.shipping.tracking import (
    TRACKING_MACHINE,
    RawTrackingEvent,
    StatusCodeTable,
    current_status,
    is_final,
    journey,
    normalise,
    normalise_events,
)

S = TrackingStatus
SHANGHAI = timezone(timedelta(hours=8))


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 12, hour, minute, tzinfo=UTC)


def scan(
    status: TrackingStatus,
    hour: int,
    *,
    event_id: str | None = None,
    location: str = "",
    raw_code: str = "",
) -> TrackingEvent:
    return TrackingEvent(
        "SF1", status, at(hour), location=location, raw_code=raw_code, event_id=event_id
    )


def statuses(events: list[TrackingEvent]) -> list[str]:
    return [event.status.value for event in events]


# ------------------------------------------------------------------ status code tables


def test_a_table_maps_codes_given_as_statuses_or_their_values() -> None:
    table = StatusCodeTable("sf", {"50": "accepted", "80": S.DELIVERED})
    assert table.status_of("50") is S.ACCEPTED
    assert table.status_of("80") is S.DELIVERED


def test_a_table_refuses_a_status_that_is_not_one_of_the_six() -> None:
    with pytest.raises(ConfigError, match=r"codes\['33'\]='lost'.*accepted, in_transit"):
        StatusCodeTable("sf", {"33": "lost"})


def test_a_table_refuses_an_empty_code() -> None:
    with pytest.raises(ConfigError, match="code=''"):
        StatusCodeTable("sf", {"": "accepted"})


def test_an_unmapped_code_is_a_typed_lookup_error_not_a_guess() -> None:
    table = StatusCodeTable("sf", {"50": "accepted"})
    with pytest.raises(UnknownStatusCodeError) as caught:
        table.status_of("99")
    assert (caught.value.carrier, caught.value.code) == ("sf", "99")
    assert isinstance(caught.value, CarrierError)
    assert isinstance(caught.value, LookupError)


def test_the_table_cannot_be_changed_after_it_is_built() -> None:
    codes = {"50": "accepted"}
    table = StatusCodeTable("sf", codes)
    codes["80"] = "delivered"
    with pytest.raises(UnknownStatusCodeError):
        table.status_of("80")
    with pytest.raises(TypeError):
        table.codes["80"] = S.DELIVERED  # type: ignore[index]


def test_normalise_maps_raw_codes_and_keeps_them_with_the_event_id() -> None:
    table = StatusCodeTable("sf", {"50": "accepted", "80": "delivered"})
    raw = [
        RawTrackingEvent("SF1", "80", at(18), location="Shenzhen", event_id="e2"),
        RawTrackingEvent("SF1", "50", at(9), location="Guangzhou", event_id="e1"),
    ]
    events = normalise(raw, table)
    assert events == [
        TrackingEvent("SF1", S.ACCEPTED, at(9), "Guangzhou", raw_code="50", event_id="e1"),
        TrackingEvent("SF1", S.DELIVERED, at(18), "Shenzhen", raw_code="80", event_id="e2"),
    ]


# ------------------------------------------------------------------ de-duplication


def test_events_with_one_id_are_one_scan() -> None:
    first = scan(S.IN_TRANSIT, 12, event_id="e1")
    assert normalise_events([first, first, first]) == [first]


def test_events_without_ids_are_one_scan_when_status_time_and_place_agree() -> None:
    hub = scan(S.IN_TRANSIT, 12, location="Dongguan hub")
    elsewhere = scan(S.IN_TRANSIT, 12, location="Foshan hub")
    # Same instant and status: the tie is broken by location, "D" before "F".
    assert normalise_events([elsewhere, hub, hub]) == [hub, elsewhere]


def test_one_instant_written_in_two_time_zones_is_one_scan() -> None:
    # 10:00 UTC is 18:00 in Shanghai: the same scan, reported twice.
    utc = TrackingEvent("SF1", S.DELIVERED, datetime(2026, 11, 12, 10, tzinfo=UTC))
    local = TrackingEvent("SF1", S.DELIVERED, datetime(2026, 11, 12, 18, tzinfo=SHANGHAI))
    assert len(normalise_events([utc, local])) == 1
    # Which copy is kept does not depend on which arrived first.
    assert repr(normalise_events([utc, local])) == repr(normalise_events([local, utc]))


def test_two_versions_of_one_id_keep_the_same_copy_whatever_arrives_first() -> None:
    early = scan(S.IN_TRANSIT, 12, event_id="e7", location="A")
    corrected = scan(S.IN_TRANSIT, 13, event_id="e7", location="A")
    assert normalise_events([early, corrected]) == normalise_events([corrected, early]) == [early]


def test_scans_with_different_ids_are_kept_even_when_they_look_alike() -> None:
    one = scan(S.IN_TRANSIT, 12, event_id="e1")
    two = scan(S.IN_TRANSIT, 12, event_id="e2")
    assert normalise_events([two, one]) == [one, two]


# ------------------------------------------------------------------ ordering


def test_events_are_ordered_by_when_they_happened_not_when_they_arrived() -> None:
    arrived = [scan(S.DELIVERED, 18), scan(S.ACCEPTED, 9), scan(S.IN_TRANSIT, 12)]
    assert statuses(normalise_events(arrived)) == ["accepted", "in_transit", "delivered"]


def test_one_instant_reads_in_journey_order() -> None:
    # Couriers often scan "out for delivery" and "delivered" in the same minute.
    arrived = [scan(S.DELIVERED, 18), scan(S.OUT_FOR_DELIVERY, 18)]
    assert statuses(normalise_events(arrived)) == ["out_for_delivery", "delivered"]


def test_an_exception_at_the_instant_of_a_scan_reads_after_it() -> None:
    arrived = [scan(S.EXCEPTION, 15), scan(S.OUT_FOR_DELIVERY, 15)]
    assert statuses(normalise_events(arrived)) == ["out_for_delivery", "exception"]


# ------------------------------------------------------------------ current status


def test_no_events_means_no_status() -> None:
    assert current_status([]) is None


def test_the_latest_progress_scan_gives_the_status() -> None:
    events = [scan(S.ACCEPTED, 9), scan(S.IN_TRANSIT, 12), scan(S.OUT_FOR_DELIVERY, 15)]
    assert current_status(events) is S.OUT_FOR_DELIVERY


def test_a_late_arriving_in_transit_does_not_undo_a_delivery() -> None:
    # The in_transit scan happened before the delivery but reached us after it.
    arrived = [scan(S.ACCEPTED, 9), scan(S.DELIVERED, 18), scan(S.IN_TRANSIT, 12)]
    assert current_status(arrived) is S.DELIVERED


def test_a_stale_scan_stamped_after_delivery_does_not_undo_it() -> None:
    # A hub uploading its scans late stamps them with the upload time.
    assert current_status([scan(S.DELIVERED, 18), scan(S.IN_TRANSIT, 20)]) is S.DELIVERED


def test_an_exception_after_delivery_does_not_undo_it() -> None:
    assert current_status([scan(S.DELIVERED, 18), scan(S.EXCEPTION, 19)]) is S.DELIVERED


def test_progress_does_not_move_back_while_the_parcel_is_out() -> None:
    events = [scan(S.OUT_FOR_DELIVERY, 15), scan(S.IN_TRANSIT, 16)]
    assert current_status(events) is S.OUT_FOR_DELIVERY


def test_an_exception_is_the_status_until_the_next_scan() -> None:
    failed = [scan(S.OUT_FOR_DELIVERY, 15), scan(S.EXCEPTION, 17)]
    assert current_status(failed) is S.EXCEPTION
    # After a failed attempt the parcel goes back to the depot: that is real progress.
    assert current_status([*failed, scan(S.IN_TRANSIT, 19)]) is S.IN_TRANSIT


def test_a_returned_parcel_stays_returned() -> None:
    assert current_status([scan(S.DELIVERED, 18), scan(S.RETURNED, 20)]) is S.RETURNED
    assert current_status([scan(S.RETURNED, 18), scan(S.DELIVERED, 20)]) is S.RETURNED
    assert current_status([scan(S.RETURNED, 18), scan(S.IN_TRANSIT, 20)]) is S.RETURNED


@pytest.mark.parametrize(
    ("status", "final"),
    [
        (S.ACCEPTED, False),
        (S.IN_TRANSIT, False),
        (S.OUT_FOR_DELIVERY, False),
        (S.EXCEPTION, False),
        (S.DELIVERED, True),
        (S.RETURNED, True),
    ],
)
def test_only_delivered_and_returned_end_a_journey(status: TrackingStatus, final: bool) -> None:
    assert is_final(status) is final


def test_there_are_exactly_six_statuses() -> None:
    assert {s.value for s in TrackingStatus} == {
        "accepted",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "exception",
        "returned",
    }


def test_a_tracking_event_needs_an_aware_time() -> None:
    with pytest.raises(ConfigError, match="occurred_at="):
        TrackingEvent("SF1", S.ACCEPTED, datetime(2026, 11, 12, 9))


def test_a_tracking_event_needs_a_status_from_the_enum() -> None:
    with pytest.raises(TypeError):
        TrackingEvent("SF1", "accepted", at(9))  # type: ignore[arg-type]


def test_a_tracking_event_needs_a_tracking_number() -> None:
    with pytest.raises(ConfigError, match="tracking_no=''"):
        TrackingEvent("", S.ACCEPTED, at(9))


def test_events_in_shanghai_and_utc_are_ordered_by_instant() -> None:
    shanghai_morning = TrackingEvent("SF1", S.ACCEPTED, datetime(2026, 11, 12, 9, tzinfo=SHANGHAI))
    utc_morning = TrackingEvent("SF1", S.IN_TRANSIT, at(9))  # 17:00 in Shanghai
    assert normalise_events([utc_morning, shanghai_morning]) == [shanghai_morning, utc_morning]
    assert current_status([utc_morning, shanghai_morning]) is S.IN_TRANSIT


def test_the_journey_is_a_machine_of_the_lifecycle_engine() -> None:
    assert TRACKING_MACHINE.initial == "booked"
    assert set(TRACKING_MACHINE.states) == {"booked", *(status.value for status in S)}
    assert TRACKING_MACHINE.final == ("returned",)
    assert TRACKING_MACHINE.actions("delivered") == ("returned",)
    assert TRACKING_MACHINE.actions("returned") == ()
    assert "out_for_delivery --> in_transit" not in TRACKING_MACHINE.to_mermaid()
    assert "exception --> in_transit" in TRACKING_MACHINE.to_mermaid()


def test_a_journey_records_each_accepted_scan_and_skips_the_stale_ones() -> None:
    scans = [
        scan(S.DELIVERED, 18, event_id="3", raw_code="DLV", location="Shenzhen"),
        scan(S.IN_TRANSIT, 20, event_id="4", raw_code="TRN"),
        scan(S.ACCEPTED, 9, event_id="1", raw_code="ACC"),
        scan(S.ACCEPTED, 9, event_id="1", raw_code="ACC"),
    ]
    parcel = journey(scans, actor="sf")
    assert (parcel.subject, parcel.state, parcel.version) == ("SF1", "delivered", 2)
    assert [(e.source, e.target, e.at, e.key, e.actor) for e in parcel.events] == [
        ("booked", "accepted", at(9), "1", "sf"),
        ("accepted", "delivered", at(18), "3", "sf"),
    ]
    assert parcel.events[1].reason == "DLV Shenzhen"


def test_a_journey_log_replays_to_its_state() -> None:
    parcel = journey([scan(S.ACCEPTED, 9), scan(S.EXCEPTION, 10), scan(S.IN_TRANSIT, 11)])
    restored = Lifecycle(
        TRACKING_MACHINE, parcel.subject, parcel.state, parcel.version, parcel.events
    )
    assert restored.state == "in_transit"


def test_a_parcel_without_scans_is_booked() -> None:
    parcel = journey([], tracking_no="SF9")
    assert (parcel.subject, parcel.state, parcel.events) == ("SF9", "booked", [])
