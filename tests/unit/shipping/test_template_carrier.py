"""TemplateCarrier: freight-template prices behind the Carrier port, booking delegated."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from moneyed import Money

from mallcore.adapters.sandbox_carrier import SandboxCarrier
from mallcore.adapters.template_carrier import TemplateCarrier, shipping_lines
from mallcore.clock import FixedClock
from mallcore.errors import CarrierRejectedError, ConfigError, UndeliverableError
from mallcore.shipping.carriers import Carrier, ParcelItem, Shipment, TrackingStatus
from mallcore.shipping.freight import Combine, ShippingLine
from mallcore.shipping.templates import ChargeBy, ChargeRule, FreightTemplate

# The combine example of docs/reference/shipping.rst: T1 (first 1 piece ¥10, +1 piece ¥5) and
# T2 (first 1 piece ¥8, +2 pieces ¥4); 3 + 4 pieces cost ¥36 summed, ¥28 under max_first.
T1 = FreightTemplate(
    "T1", ChargeBy.PIECE, (ChargeRule(Decimal(1), Decimal(10), Decimal(1), Decimal(5)),)
)
T2 = FreightTemplate(
    "T2",
    ChargeBy.PIECE,
    (ChargeRule(Decimal(1), Decimal(8), Decimal(2), Decimal(4)),),
    no_delivery=("65",),
)
TEMPLATES = {"T1": T1, "T2": T2}
ITEMS = (ParcelItem("A", 3, freight_template="T1"), ParcelItem("B", 4, freight_template="T2"))


def sandbox() -> SandboxCarrier:
    return SandboxCarrier(clock=FixedClock(datetime(2026, 11, 11, 9, tzinfo=UTC)))


def parcel(region: str = "440305", items: tuple[ParcelItem, ...] = ITEMS) -> Shipment:
    return Shipment("o-1", region, items, "CNY")


def test_the_template_carrier_is_a_carrier() -> None:
    carrier: Carrier = TemplateCarrier(TEMPLATES, fulfilment=sandbox())
    assert carrier.name == "sandbox"


def test_the_rate_is_the_sum_of_the_template_fees() -> None:
    # T1: 3 pieces = 10 + 2 × 5 = 20; T2: 4 pieces = 8 + ceil(3 / 2) × 4 = 16; sum 36.
    [rate] = TemplateCarrier(TEMPLATES, fulfilment=sandbox()).rates(parcel())
    assert (rate.carrier, rate.service, rate.amount, rate.estimated_days) == (
        "sandbox",
        "standard",
        Money("36.00", "CNY"),
        3,
    )


def test_max_first_combines_as_the_design_says() -> None:
    # T1 has the higher first fee and pays in full (20); T2 pays ceil(4 / 2) × 4 = 8.
    carrier = TemplateCarrier(TEMPLATES, fulfilment=sandbox(), combine="max_first")
    assert carrier.combine is Combine.MAX_FIRST
    assert carrier.rates(parcel())[0].amount == Money("28.00", "CNY")


def test_service_and_days_are_configurable() -> None:
    carrier = TemplateCarrier(TEMPLATES, fulfilment=sandbox(), service="express", estimated_days=1)
    [rate] = carrier.rates(parcel())
    assert (rate.service, rate.estimated_days) == ("express", 1)


@pytest.mark.parametrize("days", [-1, True, "3"])
def test_estimated_days_must_be_a_whole_number(days: object) -> None:
    with pytest.raises(ConfigError, match="estimated_days="):
        TemplateCarrier(TEMPLATES, fulfilment=sandbox(), estimated_days=days)  # type: ignore[arg-type]


def test_an_undeliverable_region_is_the_carrier_refusing() -> None:
    carrier = TemplateCarrier(TEMPLATES, fulfilment=sandbox())
    with pytest.raises(CarrierRejectedError, match="'B' cannot be delivered") as caught:
        carrier.rates(parcel(region="650102"))
    assert isinstance(caught.value.__cause__, UndeliverableError)


def test_a_missing_template_is_bad_input_not_a_carrier_failure() -> None:
    carrier = TemplateCarrier({"T1": T1}, fulfilment=sandbox())
    with pytest.raises(ConfigError, match="'T2'"):
        carrier.rates(parcel())


def test_booking_and_tracking_go_to_the_fulfilment_carrier() -> None:
    fulfilment = sandbox()
    carrier = TemplateCarrier(TEMPLATES, fulfilment=fulfilment)
    waybill = carrier.create_shipment(parcel(), service="standard", idempotency_key="k")
    assert carrier.create_shipment(parcel(), service="standard", idempotency_key="k") == waybill
    fulfilment.deliver(waybill.tracking_no)
    assert carrier.track(waybill.tracking_no) == fulfilment.track(waybill.tracking_no)
    assert carrier.track(waybill.tracking_no)[-1].status is TrackingStatus.DELIVERED


# ------------------------------------------------------------------ from items to freight lines


def test_each_item_becomes_a_freight_line_keyed_by_its_sku() -> None:
    tea = ParcelItem("TEA", 2, Decimal("0.4"), Decimal("0.001"), freight_template="T1")
    assert shipping_lines([tea]) == [
        ShippingLine("TEA", "T1", 2, weight_kg=Decimal("0.4"), volume_m3=Decimal("0.001"))
    ]


def test_items_of_one_sku_merge_before_pricing() -> None:
    # A×1, B×4, A×2 is A×3 and B×4: the same ¥36.00, not a duplicate-key error.
    split = (
        ParcelItem("A", 1, freight_template="T1"),
        ParcelItem("B", 4, freight_template="T2"),
        ParcelItem("A", 2, freight_template="T1"),
    )
    [rate] = TemplateCarrier(TEMPLATES, fulfilment=sandbox()).rates(parcel(items=split))
    assert rate.amount == Money("36.00", "CNY")
    lines = shipping_lines(split)
    assert [(line.key, line.quantity) for line in lines] == [("A", 3), ("B", 4)]


def test_merged_items_are_charged_by_their_total_weight() -> None:
    # First kg ¥8, each further 0.5 kg ¥2: 3 × 0.5 kg = 1.5 kg costs ¥10.00.
    by_weight = FreightTemplate(
        "W", ChargeBy.WEIGHT, (ChargeRule(Decimal(1), Decimal(8), Decimal("0.5"), Decimal(2)),)
    )
    half = Decimal("0.5")
    items = (
        ParcelItem("TEA", 2, half, freight_template="W"),
        ParcelItem("TEA", 1, half, freight_template="W"),
    )
    carrier = TemplateCarrier({"W": by_weight}, fulfilment=sandbox())
    assert carrier.rates(parcel(items=items))[0].amount == Money("10.00", "CNY")


@pytest.mark.parametrize(
    "other",
    [
        ParcelItem("A", 1, weight_kg=Decimal(1), freight_template="T1"),
        ParcelItem("A", 1, volume_m3=Decimal(1), freight_template="T1"),
        ParcelItem("A", 1, freight_template="T2"),
        ParcelItem("A", 1),
    ],
)
def test_items_of_one_sku_must_agree_on_what_a_piece_is(other: ParcelItem) -> None:
    carrier = TemplateCarrier(TEMPLATES, fulfilment=sandbox())
    with pytest.raises(ConfigError, match="sku='A' appears twice with different pieces"):
        carrier.rates(parcel(items=(*ITEMS, other)))


def test_an_item_without_a_freight_template_ships_free() -> None:
    carrier = TemplateCarrier(TEMPLATES, fulfilment=sandbox())
    assert carrier.rates(parcel(items=(ParcelItem("GIFT", 5),)))[0].amount == Money("0.00", "CNY")
