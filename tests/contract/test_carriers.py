"""The shipped Carrier contract, applied to the sandbox and the template carrier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from moneyed import Money

from mallcore.adapters.sandbox_carrier import SandboxCarrier, SandboxFaults
from mallcore.adapters.template_carrier import TemplateCarrier
from mallcore.clock import AdvancingClock
from mallcore.shipping.carriers import Carrier, Shipment, TrackingStatus
from mallcore.shipping.templates import ChargeBy, ChargeRule, FreightTemplate
from mallcore.testing.contracts import CarrierContract


def _clock() -> AdvancingClock:
    # Moves a minute per read, so bookings made one after another differ in time.
    return AdvancingClock(datetime(2026, 11, 11, 9, tzinfo=UTC), step=timedelta(minutes=1))


class TestSandboxCarrier(CarrierContract):
    @pytest.fixture
    def carrier(self) -> Carrier:
        return SandboxCarrier(clock=_clock())

    def move_parcel(self, carrier: Carrier, tracking_no: str) -> None:
        assert isinstance(carrier, SandboxCarrier)
        carrier.deliver(tracking_no)


class TestSandboxCarrierWithANoisyFeed(CarrierContract):
    """Repeated and shuffled raw scans must not show through the port."""

    @pytest.fixture
    def carrier(self) -> Carrier:
        return SandboxCarrier(
            clock=_clock(), faults=SandboxFaults(duplicate_events=True, out_of_order_events=True)
        )

    def move_parcel(self, carrier: Carrier, tracking_no: str) -> None:
        assert isinstance(carrier, SandboxCarrier)
        carrier.advance(tracking_no, TrackingStatus.EXCEPTION)
        carrier.deliver(tracking_no)


class TestTemplateCarrier(CarrierContract):
    @pytest.fixture
    def carrier(self) -> Carrier:
        by_weight = FreightTemplate(
            "default",
            ChargeBy.WEIGHT,
            (ChargeRule(Decimal(1), Decimal(8), Decimal("0.5"), Decimal(2)),),
        )
        return TemplateCarrier({"default": by_weight}, fulfilment=SandboxCarrier(clock=_clock()))

    def move_parcel(self, carrier: Carrier, tracking_no: str) -> None:
        assert isinstance(carrier, TemplateCarrier)
        assert isinstance(carrier.fulfilment, SandboxCarrier)
        carrier.fulfilment.deliver(tracking_no)

    def test_the_rate_is_the_freight_template_fee(
        self, carrier: Carrier, shipment: Shipment
    ) -> None:
        # Two pieces of 0.5 kg = 1 kg: the first kilogram's fee, ¥8.00.
        [rate] = carrier.rates(shipment)
        assert rate.amount == Money("8.00", "CNY")
