"""The values that cross the Carrier port: ParcelItem, Shipment, Rate, Waybill."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from mallcore.errors import ConfigError, UnknownCurrencyError
from mallcore.money import Money
from mallcore.shipping import carriers
from mallcore.shipping.carriers import ParcelItem, Rate, Shipment, Waybill
from mallcore.shipping.freight import ShippingLine

TEA = ParcelItem("TEA-001", 2, freight_template="std")

# ------------------------------------------------------------------ ParcelItem


def test_a_parcel_item_has_a_sku_and_pieces_and_defaults_to_weightless() -> None:
    item = ParcelItem("TEA-001", 2)
    zero = Decimal(0)
    assert (item.sku, item.quantity, item.weight_kg, item.volume_m3) == ("TEA-001", 2, zero, zero)
    assert item.freight_template is None
    assert isinstance(item.weight_kg, Decimal)
    assert isinstance(item.volume_m3, Decimal)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        item.quantity = 3  # type: ignore[misc]


def test_a_parcel_item_keeps_exact_measures_as_decimals() -> None:
    item = ParcelItem("MUG", 1, weight_kg=1, volume_m3=Decimal("0.000000001"))
    assert (item.weight_kg, item.volume_m3) == (Decimal(1), Decimal("0.000000001"))
    assert type(item.weight_kg) is Decimal
    assert item == ParcelItem("MUG", 1, weight_kg=Decimal("1.0"), volume_m3=Decimal("1E-9"))
    assert hash(item) == hash(ParcelItem("MUG", 1, Decimal(1), Decimal("1E-9")))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sku", ""),
        ("sku", "  "),
        ("sku", None),
        ("sku", 42),
        ("quantity", 0),
        ("quantity", -1),
        ("quantity", True),
        ("quantity", 1.0),
        ("quantity", "2"),
        ("quantity", Decimal(2)),
        ("weight_kg", Decimal("-0.1")),
        ("weight_kg", 0.5),
        ("weight_kg", True),
        ("weight_kg", "0.5"),
        ("weight_kg", Decimal("0.0000000001")),
        ("weight_kg", Decimal("NaN")),
        ("weight_kg", Decimal("Infinity")),
        ("volume_m3", -1),
        ("volume_m3", 0.001),
        ("volume_m3", Decimal("1E-10")),
        ("freight_template", ""),
        ("freight_template", " "),
        ("freight_template", 7),
    ],
)
def test_a_bad_parcel_item_field_is_named_in_the_error(field: str, value: object) -> None:
    fields: dict[str, Any] = {"sku": "TEA-001", "quantity": 2, field: value}
    with pytest.raises(ConfigError, match=re.escape(f"{field}={value!r}")):
        ParcelItem(**fields)


def test_a_parcel_item_is_not_a_freight_line() -> None:
    # The port has its own type: the freight calculator's input does not cross it.
    with pytest.raises(ConfigError, match="ParcelItem objects, not ShippingLine"):
        Shipment("o-1", "440305", [ShippingLine("TEA-001", "std", 2)], "CNY")  # type: ignore[list-item]


def test_the_port_module_does_not_import_the_freight_calculator() -> None:
    tree = ast.parse(Path(carriers.__file__).read_text(encoding="utf-8"))
    imported = {
        f"{node.module}.{alias.name}" if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not {name for name in imported if "freight" in name.split(".")}, imported


# ------------------------------------------------------------------ Shipment


def test_a_shipment_keeps_its_items_as_a_tuple_and_its_currency_upper_case() -> None:
    shipment = Shipment("o-1", "440305", [TEA], "cny")
    assert (shipment.items, shipment.currency) == ((TEA,), "CNY")
    assert hash(shipment) == hash(Shipment("o-1", "440305", (TEA,), "CNY"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        shipment.ship_to = "110000"  # type: ignore[misc]


def test_a_shipment_keeps_its_items_in_order_repeats_included() -> None:
    mug = ParcelItem("MUG", 1)
    shipment = Shipment("o-1", "440305", iter([TEA, mug, TEA]), "CNY")
    assert shipment.items == (TEA, mug, TEA)


def test_a_shipment_carries_at_least_one_item() -> None:
    with pytest.raises(ConfigError, match=re.escape("items=()")):
        Shipment("o-1", "440305", [], "CNY")


@pytest.mark.parametrize("items", [["TEA-001"], [TEA, None], [("TEA-001", 2)]])
def test_a_shipment_holds_parcel_items_only(items: list[object]) -> None:
    with pytest.raises(ConfigError, match="items must hold ParcelItem objects, not "):
        Shipment("o-1", "440305", items, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize("items", ["TEA-001", TEA, 3, None])
def test_a_shipment_wants_a_sequence_of_items(items: object) -> None:
    with pytest.raises(ConfigError, match=re.escape(f"items={items!r} must be a sequence")):
        Shipment("o-1", "440305", items, "CNY")  # type: ignore[arg-type]


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
