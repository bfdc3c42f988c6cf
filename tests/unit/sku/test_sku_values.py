from decimal import Decimal

import pytest
from moneyed import Money

from mallcore.errors import ConfigError, CurrencyMismatchError, InvalidAmountError
from mallcore.sku.skus import QuantityTier, SkuStatus, make_sku, parse_decimal


def test_make_sku_reads_text_fields_exactly():
    sku = make_sku(
        "A1",
        "a",
        price="12.50",
        currency="CNY",
        member_price="10.00",
        weight_kg="0.125",
        volume_m3="0.001",
        barcode="6901234567892",
        low_stock_threshold=5,
    )
    assert sku.price == Money("12.50", "CNY")
    assert sku.member_price == Money("10.00", "CNY")
    assert sku.weight_kg == Decimal("0.125")
    assert sku.volume_m3 == Decimal("0.001")
    assert sku.code == "A1"
    assert sku.key == "A1"
    assert sku.member_discount is True
    assert sku.status is SkuStatus.LISTED


def test_price_with_too_many_decimals_names_product_and_sku():
    with pytest.raises(InvalidAmountError, match=r"product 'a', SKU 'A1': price='1\.001'"):
        make_sku("A1", "a", price="1.001", currency="CNY")


def test_jpy_price_must_be_whole_yen():
    with pytest.raises(InvalidAmountError, match="JPY"):
        make_sku("A1", "a", price="100.5", currency="JPY")


def test_float_weight_is_refused():
    with pytest.raises(ConfigError, match=r"weight_kg=0\.1"):
        make_sku("A1", "a", price="1", currency="CNY", weight_kg=0.1)


def test_negative_volume_is_refused():
    with pytest.raises(ConfigError, match="volume_m3"):
        parse_decimal("-1", field="volume_m3")


def test_quantity_tiers_are_sorted_and_the_highest_reached_wins():
    sku = make_sku(
        "A1",
        "a",
        price="10.00",
        currency="CNY",
        quantity_tiers=[{"min_qty": 50, "price": "8.00"}, {"min_qty": 10, "price": "9.00"}],
    )
    assert [t.min_qty for t in sku.quantity_tiers] == [10, 50]
    assert sku.unit_price(1) == Money("10.00", "CNY")
    assert sku.unit_price(49) == Money("9.00", "CNY")
    assert sku.unit_price(50) == Money("8.00", "CNY")


def test_duplicate_tier_quantities_are_refused():
    tiers = [{"min_qty": 10, "price": "9.00"}, {"min_qty": 10, "price": "8.00"}]
    with pytest.raises(ConfigError, match="quantity_tiers=10 has two tiers with this min_qty"):
        make_sku("A1", "a", price="10.00", currency="CNY", quantity_tiers=tiers)


def test_tier_in_another_currency_is_refused():
    tiers = [QuantityTier(5, Money("1.00", "USD"))]
    with pytest.raises(CurrencyMismatchError):
        make_sku("A1", "a", price="10.00", currency="CNY", quantity_tiers=tiers)


@pytest.mark.parametrize(
    ("field", "value"),
    [("low_stock_threshold", -1), ("member_discount", "yes"), ("status", "gone")],
)
def test_bad_fields_name_themselves(field, value):
    with pytest.raises(ConfigError, match=field):
        make_sku("A1", "a", price="1", currency="CNY", **{field: value})


def test_empty_sku_id_is_refused():
    with pytest.raises(ConfigError, match="sku=''"):
        make_sku("", "a", price="1", currency="CNY")
