"""The values that cross the Carrier port: Shipment, Rate, Waybill."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import attrs
import pytest
from moneyed import Money

from mallcore.errors import ConfigError, UnknownCurrencyError
from mallcore.shipping.carriers import Rate, Shipment, Waybill
from mallcore.shipping.freight import ShippingLine

TEA = ShippingLine("TEA-001", "std", 2)


def test_a_shipment_keeps_its_lines_as_a_tuple_and_its_currency_upper_case() -> None:
    shipment = Shipment("o-1", "440305", [TEA], "cny")
    assert (shipment.lines, shipment.currency) == ((TEA,), "CNY")
    assert hash(shipment) == hash(Shipment("o-1", "440305", (TEA,), "CNY"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        shipment.ship_to = "110000"  # type: ignore[misc]


def test_a_shipment_carries_at_least_one_line() -> None:
    with pytest.raises(ConfigError, match=re.escape("lines=()")):
        Shipment("o-1", "440305", [], "CNY")


def test_a_shipment_holds_shipping_lines_only() -> None:
    with pytest.raises(ConfigError, match="ShippingLine objects, not 'TEA-001'"):
        Shipment("o-1", "440305", ["TEA-001"], "CNY")


@pytest.mark.parametrize(
    ("field", "kwargs"), [("order_id", {"order_id": ""}), ("ship_to", {"ship_to": " "})]
)
def test_a_shipment_names_its_order_and_destination(field: str, kwargs: dict[str, str]) -> None:
    values = {"order_id": "o-1", "ship_to": "440305", **kwargs}
    with pytest.raises(ConfigError, match=f"{field}="):
        Shipment(values["order_id"], values["ship_to"], [TEA], "CNY")


def test_a_shipment_currency_must_be_known() -> None:
    with pytest.raises(UnknownCurrencyError, match="'RMB'"):
        Shipment("o-1", "440305", [TEA], "RMB")
    with pytest.raises(ConfigError, match="currency=156"):
        Shipment("o-1", "440305", [TEA], 156)


@pytest.mark.parametrize("days", [-1, True, 1.5])
def test_a_rate_promises_whole_days(days: object) -> None:
    with pytest.raises(ConfigError, match="estimated_days="):
        Rate("sf", "standard", Money("12.00", "CNY"), days)  # type: ignore[arg-type]


def test_a_rate_amount_is_money() -> None:
    with pytest.raises(TypeError):
        Rate("sf", "standard", "12.00", 3)  # type: ignore[arg-type]


def test_a_waybill_time_must_be_aware() -> None:
    with pytest.raises(ConfigError, match="created_at="):
        Waybill("SF1", "sf", "standard", datetime(2026, 11, 11, 9))
    waybill = Waybill("SF1", "sf", "standard", datetime(2026, 11, 11, 9, tzinfo=UTC))
    assert waybill.order_id == ""
