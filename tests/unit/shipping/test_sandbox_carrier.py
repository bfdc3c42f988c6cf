"""SandboxCarrier: deterministic bookings, scripted journeys and injected faults."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from moneyed import Money

from mallcore.adapters.sandbox_carrier import SandboxCarrier, SandboxFaults, SandboxService
from mallcore.clock import AdvancingClock
from mallcore.errors import (
    CarrierError,
    CarrierRejectedError,
    CarrierTimeoutError,
    ConfigError,
    InvalidAmountError,
    UnknownTrackingNumberError,
)
from mallcore.shipping.carriers import Carrier, ParcelItem, Shipment, TrackingStatus
from mallcore.shipping.tracking import current_status

S = TrackingStatus
NOON = datetime(2026, 11, 11, 12, tzinfo=UTC)


def parcel(order_id: str = "o-1", currency: str = "CNY") -> Shipment:
    item = ParcelItem("TEA-001", 2, weight_kg=Decimal("0.5"), freight_template="std")
    return Shipment(order_id, "440305", (item,), currency)


@pytest.fixture
def clock() -> AdvancingClock:
    return AdvancingClock(NOON)


@pytest.fixture
def sandbox(clock: AdvancingClock) -> SandboxCarrier:
    return SandboxCarrier(clock=clock)


def book(sandbox: SandboxCarrier, key: str = "ship-o-1", order_id: str = "o-1") -> str:
    waybill = sandbox.create_shipment(parcel(order_id), service="standard", idempotency_key=key)
    return waybill.tracking_no


def test_the_sandbox_is_a_carrier(sandbox: SandboxCarrier) -> None:
    carrier: Carrier = sandbox  # checked by mypy: the sandbox fits the port
    assert carrier.name == "sandbox"


# ------------------------------------------------------------------ rates


@pytest.mark.parametrize(
    ("currency", "standard", "express"),
    [
        ("CNY", Money("10.00", "CNY"), Money("20.00", "CNY")),
        ("JPY", Money("10", "JPY"), Money("20", "JPY")),
        ("KWD", Money("10.000", "KWD"), Money("20.000", "KWD")),
    ],
)
def test_rates_are_flat_prices_in_the_shipment_currency(
    sandbox: SandboxCarrier, currency: str, standard: Money, express: Money
) -> None:
    rates = sandbox.rates(parcel(currency=currency))
    assert [(r.service, r.amount, r.estimated_days) for r in rates] == [
        ("standard", standard, 3),
        ("express", express, 1),
    ]
    assert {r.carrier for r in rates} == {"sandbox"}


def test_services_can_be_configured(clock: AdvancingClock) -> None:
    sandbox = SandboxCarrier(clock=clock, services=[SandboxService("economy", Decimal("6.50"), 5)])
    [rate] = sandbox.rates(parcel())
    assert (rate.service, rate.amount, rate.estimated_days) == ("economy", Money("6.50", "CNY"), 5)


def test_services_must_be_named_once(clock: AdvancingClock) -> None:
    twice = [SandboxService("standard", 10), SandboxService("standard", 12)]
    with pytest.raises(ConfigError, match="services=\\['standard', 'standard'\\]"):
        SandboxCarrier(clock=clock, services=twice)


@pytest.mark.parametrize("price", [0.5, "-1", "NaN", "ten", True])
def test_a_service_price_must_be_an_exact_amount_of_zero_or_more(price: object) -> None:
    with pytest.raises(ConfigError, match="price="):
        SandboxService("odd", price)


def test_a_price_finer_than_the_currency_is_refused_when_quoted(clock: AdvancingClock) -> None:
    sandbox = SandboxCarrier(clock=clock, services=[SandboxService("odd", Decimal("6.50"))])
    with pytest.raises(
        InvalidAmountError, match=re.escape("odd.price='6.50' has more decimals than JPY")
    ):
        sandbox.rates(parcel(currency="JPY"))


# ------------------------------------------------------------------ create_shipment


def test_a_booking_gives_a_waybill_stamped_by_the_clock(sandbox: SandboxCarrier) -> None:
    waybill = sandbox.create_shipment(parcel(), service="express", idempotency_key="k")
    assert re.fullmatch(r"SB\d{12}", waybill.tracking_no)
    assert (waybill.carrier, waybill.service, waybill.order_id) == ("sandbox", "express", "o-1")
    assert waybill.created_at == NOON


def test_a_booking_is_accepted_at_once(sandbox: SandboxCarrier) -> None:
    tracking_no = book(sandbox)
    [event] = sandbox.track(tracking_no)
    assert (event.status, event.occurred_at, event.raw_code) == (S.ACCEPTED, NOON, "ACC")


def test_one_key_books_one_parcel(sandbox: SandboxCarrier, clock: AdvancingClock) -> None:
    first = sandbox.create_shipment(parcel(), service="standard", idempotency_key="k")
    clock.advance(minutes=5)
    again = sandbox.create_shipment(parcel(), service="standard", idempotency_key="k")
    assert again == first  # same number and the first booking's time
    assert len(sandbox.track(first.tracking_no)) == 1


def test_a_key_reused_for_another_shipment_is_rejected(sandbox: SandboxCarrier) -> None:
    book(sandbox, key="k", order_id="o-1")
    with pytest.raises(CarrierRejectedError, match="idempotency_key='k' was already used"):
        book(sandbox, key="k", order_id="o-2")
    with pytest.raises(CarrierRejectedError, match="order 'o-1' with service 'standard'"):
        sandbox.create_shipment(parcel(), service="express", idempotency_key="k")


def test_an_unknown_service_is_rejected(sandbox: SandboxCarrier) -> None:
    with pytest.raises(CarrierRejectedError) as caught:
        sandbox.create_shipment(parcel(), service="drone", idempotency_key="k")
    assert caught.value.reason == "service='drone' is not one of 'standard', 'express'"


def test_an_empty_idempotency_key_is_bad_input(sandbox: SandboxCarrier) -> None:
    with pytest.raises(ConfigError, match="idempotency_key=''"):
        sandbox.create_shipment(parcel(), service="standard", idempotency_key="")


def test_tracking_numbers_depend_on_seed_and_key_only(clock: AdvancingClock) -> None:
    one, two = SandboxCarrier(clock=clock), SandboxCarrier(clock=clock)
    first_then_second = [book(one, "k1"), book(one, "k2", "o-2")]
    second_then_first = [book(two, "k2", "o-2"), book(two, "k1")]
    assert first_then_second == second_then_first[::-1]
    assert first_then_second[0] != first_then_second[1]
    other_seed = SandboxCarrier(clock=clock, seed="another")
    assert book(other_seed, "k1") != first_then_second[0]


# ------------------------------------------------------------------ faults: timeout, rejection


def test_a_timeout_fails_every_call_and_books_nothing(
    sandbox: SandboxCarrier, clock: AdvancingClock
) -> None:
    tracking_no = book(sandbox, key="earlier")
    sandbox.faults = SandboxFaults(timeout=True)
    with pytest.raises(CarrierTimeoutError) as caught:
        sandbox.rates(parcel())
    assert caught.value.operation == "rates"
    assert isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value, CarrierError)
    with pytest.raises(CarrierTimeoutError):
        sandbox.create_shipment(parcel(), service="standard", idempotency_key="k")
    with pytest.raises(CarrierTimeoutError):
        sandbox.track(tracking_no)
    sandbox.faults = SandboxFaults()
    clock.advance(minutes=1)
    retried = sandbox.create_shipment(parcel(), service="standard", idempotency_key="k")
    assert retried.created_at == NOON + timedelta(minutes=1)  # booked now, not before


def test_a_lost_response_books_the_parcel_and_the_retry_returns_it(
    sandbox: SandboxCarrier, clock: AdvancingClock
) -> None:
    sandbox.faults = SandboxFaults(timeout_after_create=True)
    with pytest.raises(CarrierTimeoutError):
        sandbox.create_shipment(parcel(), service="standard", idempotency_key="k")
    clock.advance(minutes=1)
    retried = sandbox.create_shipment(parcel(), service="standard", idempotency_key="k")
    assert retried.created_at == NOON  # the first attempt's booking
    assert [e.status for e in sandbox.track(retried.tracking_no)] == [S.ACCEPTED]


def test_a_rejection_refuses_quotes_and_new_bookings_with_its_reason(
    sandbox: SandboxCarrier,
) -> None:
    booked = sandbox.create_shipment(parcel(), service="standard", idempotency_key="k")
    sandbox.faults = SandboxFaults(rejection="address not served")
    with pytest.raises(CarrierRejectedError, match="address not served") as caught:
        sandbox.rates(parcel())
    assert (caught.value.carrier, caught.value.reason) == ("sandbox", "address not served")
    with pytest.raises(CarrierRejectedError):
        sandbox.create_shipment(parcel("o-2"), service="standard", idempotency_key="k2")
    # A booking made before the rejection is still answered for its key.
    assert sandbox.create_shipment(parcel(), service="standard", idempotency_key="k") == booked


# ------------------------------------------------------------------ tracking and journeys


def test_unknown_tracking_numbers_are_a_typed_error(sandbox: SandboxCarrier) -> None:
    with pytest.raises(UnknownTrackingNumberError) as caught:
        sandbox.track("SB000")
    assert caught.value.tracking_no == "SB000"
    assert isinstance(caught.value, LookupError)
    with pytest.raises(UnknownTrackingNumberError):
        sandbox.advance("SB000", S.DELIVERED)


def test_advance_records_a_scan_at_the_clock_time(
    sandbox: SandboxCarrier, clock: AdvancingClock
) -> None:
    tracking_no = book(sandbox)
    clock.advance(hours=3)
    event = sandbox.advance(tracking_no, S.IN_TRANSIT, location="Dongguan hub")
    assert (event.status, event.occurred_at, event.location) == (
        S.IN_TRANSIT,
        NOON + timedelta(hours=3),
        "Dongguan hub",
    )
    assert sandbox.track(tracking_no)[-1] == event


def test_advance_refuses_a_naive_time(sandbox: SandboxCarrier) -> None:
    with pytest.raises(ConfigError, match="at="):
        sandbox.advance(book(sandbox), S.IN_TRANSIT, at=datetime(2026, 11, 11, 13))


def test_deliver_scans_the_rest_of_the_journey_step_by_step(sandbox: SandboxCarrier) -> None:
    tracking_no = book(sandbox)
    added = sandbox.deliver(tracking_no, step=timedelta(hours=6))
    # Accepted at noon, then 18:00, 00:00 and 06:00.
    assert [(e.status, e.occurred_at) for e in added] == [
        (S.IN_TRANSIT, NOON + timedelta(hours=6)),
        (S.OUT_FOR_DELIVERY, NOON + timedelta(hours=12)),
        (S.DELIVERED, NOON + timedelta(hours=18)),
    ]
    assert current_status(sandbox.track(tracking_no)) is S.DELIVERED
    assert sandbox.deliver(tracking_no) == []


def test_deliver_resumes_in_transit_after_an_exception(sandbox: SandboxCarrier) -> None:
    tracking_no = book(sandbox)
    sandbox.advance(tracking_no, S.OUT_FOR_DELIVERY, at=NOON + timedelta(hours=1))
    sandbox.advance(tracking_no, S.EXCEPTION, at=NOON + timedelta(hours=2))
    added = sandbox.deliver(tracking_no)
    assert [e.status for e in added] == [S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED]


def test_a_returned_parcel_cannot_be_delivered(sandbox: SandboxCarrier) -> None:
    tracking_no = book(sandbox)
    sandbox.advance(tracking_no, S.RETURNED)
    with pytest.raises(CarrierRejectedError, match="returned to the sender"):
        sandbox.deliver(tracking_no)


def test_a_scan_recorded_late_is_sorted_into_place(sandbox: SandboxCarrier) -> None:
    tracking_no = book(sandbox)
    sandbox.advance(tracking_no, S.DELIVERED, at=NOON + timedelta(hours=20))
    sandbox.advance(tracking_no, S.IN_TRANSIT, at=NOON + timedelta(hours=4))
    events = sandbox.track(tracking_no)
    assert [e.status for e in events] == [S.ACCEPTED, S.IN_TRANSIT, S.DELIVERED]
    assert current_status(events) is S.DELIVERED


# ------------------------------------------------------------------ faults: noisy feeds


@pytest.fixture
def delivered(sandbox: SandboxCarrier) -> str:
    tracking_no = book(sandbox)
    sandbox.deliver(tracking_no)
    return tracking_no


def test_duplicate_events_repeat_every_raw_scan(sandbox: SandboxCarrier, delivered: str) -> None:
    clean_feed, clean = sandbox.raw_events(delivered), sandbox.track(delivered)
    sandbox.faults = SandboxFaults(duplicate_events=True)
    feed = sandbox.raw_events(delivered)
    assert Counter(feed) == Counter({scan: 2 for scan in clean_feed})
    assert sandbox.track(delivered) == clean


def test_out_of_order_events_shuffle_the_raw_feed_deterministically(
    sandbox: SandboxCarrier, delivered: str
) -> None:
    clean_feed, clean = sandbox.raw_events(delivered), sandbox.track(delivered)
    sandbox.faults = SandboxFaults(out_of_order_events=True)
    feed = sandbox.raw_events(delivered)
    assert feed != clean_feed
    assert sorted(feed, key=lambda raw: raw.occurred_at) == clean_feed
    assert sandbox.raw_events(delivered) == feed  # same shuffle every time
    assert sandbox.track(delivered) == clean


def test_a_feed_both_repeated_and_shuffled_still_tracks_cleanly(
    sandbox: SandboxCarrier, delivered: str
) -> None:
    clean = sandbox.track(delivered)
    sandbox.faults = SandboxFaults(duplicate_events=True, out_of_order_events=True)
    assert len(sandbox.raw_events(delivered)) == 2 * len(clean)
    assert sandbox.track(delivered) == clean
    assert current_status(sandbox.track(delivered)) is S.DELIVERED
