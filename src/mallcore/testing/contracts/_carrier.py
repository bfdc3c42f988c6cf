"""The contract every :class:`~mallcore.shipping.carriers.Carrier` adapter keeps.

Subclass :class:`CarrierContract` in your test suite and provide a ``carrier``
fixture; override ``shipment`` when your carrier needs particular items or a
particular destination (a freight template id, a served region).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from moneyed import Money

from mallcore.errors import UnknownTrackingNumberError
from mallcore.shipping.carriers import Carrier, ParcelItem, Shipment, TrackingEvent, TrackingStatus
from mallcore.shipping.tracking import JOURNEY_RANK, normalise_events

__all__ = ["CarrierContract"]


def _key() -> str:
    # Random, not fixed: an adapter may talk to a shared test account whose
    # idempotency keys outlive one test run.
    return f"mallcore-contract-{uuid.uuid4().hex}"


class CarrierContract:
    """Behaviour shared by every :class:`~mallcore.shipping.carriers.Carrier` adapter.

    Fixtures a subclass provides:

    - ``carrier``: a fresh adapter for each test (required).
    - ``shipment``: a :class:`~mallcore.shipping.carriers.Shipment` the carrier
      accepts (optional; the default is two 0.5 kg pieces of template
      ``"default"`` to region ``440305``, priced in CNY).

    Override :meth:`move_parcel` if your test double can scan a parcel along
    (a sandbox API, a recorded feed), so the tracking checks see a journey and
    not just a booking.

    Example::

        class TestMyCarrier(CarrierContract):
            @pytest.fixture
            def carrier(self) -> Carrier:
                return MyCarrier(api=FakeApi())
    """

    @pytest.fixture
    def shipment(self) -> Shipment:
        """A small parcel of two pieces to Shenzhen Nanshan, in CNY."""
        item = ParcelItem(
            sku="SKU-TEA-001",
            quantity=2,
            weight_kg=Decimal("0.5"),
            volume_m3=Decimal("0.001"),
            freight_template="default",
        )
        return Shipment(order_id="o-contract", ship_to="440305", items=(item,), currency="CNY")

    def move_parcel(self, carrier: Carrier, tracking_no: str) -> None:
        """Hook: make the carrier record scans for *tracking_no*; by default nothing."""

    # ------------------------------------------------------------------ rates

    def test_rates_offer_at_least_one_service(self, carrier: Carrier, shipment: Shipment) -> None:
        assert carrier.rates(shipment)

    def test_rates_are_in_the_shipment_currency_and_not_negative(
        self, carrier: Carrier, shipment: Shipment
    ) -> None:
        for rate in carrier.rates(shipment):
            assert rate.amount.currency.code == shipment.currency
            assert rate.amount >= Money(0, shipment.currency)
            assert rate.estimated_days >= 0

    def test_rates_name_the_carrier(self, carrier: Carrier, shipment: Shipment) -> None:
        assert {rate.carrier for rate in carrier.rates(shipment)} == {carrier.name}

    # ------------------------------------------------------------------ create_shipment

    def test_one_idempotency_key_books_one_parcel(
        self, carrier: Carrier, shipment: Shipment
    ) -> None:
        service = carrier.rates(shipment)[0].service
        key = _key()
        first = carrier.create_shipment(shipment, service=service, idempotency_key=key)
        again = carrier.create_shipment(shipment, service=service, idempotency_key=key)
        assert again == first

    def test_different_keys_book_different_parcels(
        self, carrier: Carrier, shipment: Shipment
    ) -> None:
        service = carrier.rates(shipment)[0].service
        waybills = [
            carrier.create_shipment(shipment, service=service, idempotency_key=_key())
            for _ in range(3)
        ]
        assert len({waybill.tracking_no for waybill in waybills}) == 3

    def test_a_waybill_names_the_carrier_and_the_service_booked(
        self, carrier: Carrier, shipment: Shipment
    ) -> None:
        service = carrier.rates(shipment)[0].service
        waybill = carrier.create_shipment(shipment, service=service, idempotency_key=_key())
        assert (waybill.carrier, waybill.service) == (carrier.name, service)
        assert waybill.tracking_no
        assert waybill.created_at.utcoffset() is not None

    # ------------------------------------------------------------------ track

    def test_track_returns_normalised_events_in_order(
        self, carrier: Carrier, shipment: Shipment
    ) -> None:
        service = carrier.rates(shipment)[0].service
        waybill = carrier.create_shipment(shipment, service=service, idempotency_key=_key())
        self.move_parcel(carrier, waybill.tracking_no)
        events = carrier.track(waybill.tracking_no)
        assert all(isinstance(event, TrackingEvent) for event in events)
        assert all(isinstance(event.status, TrackingStatus) for event in events)
        assert {event.tracking_no for event in events} <= {waybill.tracking_no}
        order = [(event.occurred_at, JOURNEY_RANK[event.status]) for event in events]
        assert order == sorted(order)
        assert normalise_events(events) == events, "track() returned duplicate scans"

    def test_track_refuses_an_unknown_tracking_number(self, carrier: Carrier) -> None:
        with pytest.raises(UnknownTrackingNumberError):
            carrier.track("MALLCORE-NO-SUCH-PARCEL")
