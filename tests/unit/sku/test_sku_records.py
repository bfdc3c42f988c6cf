from decimal import Decimal

import pytest
from moneyed import Money

from mallcore.errors import ConfigError, InvalidAmountError
from mallcore.sku.catalog import ListingStatus
from mallcore.sku.records import product_from_mapping

SCENARIO_PRODUCT = {
    "id": "A",
    "category": "apparel",
    "brand": "Acme",
    "tags": ["summer"],
    "freight_template": "T1",
    "skus": [
        {
            "sku": "A-1",
            "price": "50.00",
            "weight_kg": "0.25",
            "volume_m3": "0.001",
            "member_discount": False,
            "quantity_tiers": [{"min_qty": 3, "price": "45.00"}],
        },
        {"sku": "A-2", "price": "7", "currency": "USD"},
    ],
}


def test_scenario_spelling_builds_a_listed_product():
    product = product_from_mapping(SCENARIO_PRODUCT, currency="CNY")
    first, second = product.skus
    assert product.status is ListingStatus.LISTED
    assert (product.category_id, product.brand, product.freight_template_id) == (
        "apparel",
        "Acme",
        "T1",
    )
    assert product.tags == {"summer"}
    assert product.name() == "A"
    assert first.price == Money("50.00", "CNY")
    assert (first.weight_kg, first.volume_m3) == (Decimal("0.25"), Decimal("0.001"))
    assert first.member_discount is False
    assert first.unit_price(3) == Money("45.00", "CNY")
    # member_discount defaults to true; currency defaults to the scenario's unless given.
    assert second.member_discount is True
    assert second.price == Money("7", "USD")


def test_unknown_keys_are_refused_by_name():
    with pytest.raises(ConfigError, match=r"unknown keys \['colour'\]"):
        product_from_mapping({"id": "A", "colour": "red"}, currency="CNY")
    with pytest.raises(ConfigError, match=r"SKU 'A': unknown keys \['prise'\]"):
        product_from_mapping({"id": "A", "skus": [{"sku": "A", "prise": "1"}]}, currency="CNY")


def test_over_precise_price_names_the_sku():
    data = {"id": "A", "skus": [{"sku": "A", "price": "1.005"}]}
    with pytest.raises(InvalidAmountError, match="SKU 'A'"):
        product_from_mapping(data, currency="CNY")


def test_missing_price_is_refused():
    with pytest.raises(ConfigError, match="'price' is required"):
        product_from_mapping({"id": "A", "skus": [{"sku": "A"}]}, currency="CNY")
