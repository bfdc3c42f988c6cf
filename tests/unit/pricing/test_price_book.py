"""Stage 1: price-book overrides by currency, region and channel, and coupons per class."""

from __future__ import annotations

from typing import Any

import pytest

import mallcore
from mallcore.errors import CurrencyMismatchError


def scenario(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "currency": "CNY",
        "at": "2026-11-11T20:00:00+08:00",
        "catalog": {
            "products": [
                {
                    "id": "tea",
                    "skus": [
                        {
                            "sku": "TEA",
                            "price": "10.00",
                            "currency": "USD",
                            "price_overrides": [
                                {"price": "70.00", "currency": "CNY"},
                                {"price": "66.00", "currency": "CNY", "region": "44"},
                                {"price": "65.00", "currency": "CNY", "region": "4403"},
                                {"price": "60.00", "currency": "CNY", "channel": "app"},
                            ],
                        }
                    ],
                }
            ]
        },
        "cart": {"lines": [{"sku": "TEA", "quantity": 2}]},
    }
    data.update(extra)
    return data


def total(data: dict[str, Any]) -> str:
    loaded = mallcore.load_scenario(data)
    return str(mallcore.quote(loaded.cart, loaded.context).to_dict()["total"])


def test_an_override_in_the_cart_currency_replaces_the_list_price() -> None:
    assert total(scenario()) == "140.00"  # 2 × 70.00, no region or channel given


def test_the_deepest_matching_region_wins() -> None:
    assert total(scenario(ship_to={"region": "440305"})) == "130.00"  # 4403 → 65.00
    assert total(scenario(ship_to={"region": "440100"})) == "132.00"  # only 44 → 66.00
    assert total(scenario(ship_to={"region": "310000"})) == "140.00"  # none → 70.00


def test_a_channel_override_beats_a_region_one() -> None:
    data = scenario(ship_to={"region": "440305"}, channel="app")
    assert total(data) == "120.00"  # 2 × 60.00


def test_without_an_override_in_the_cart_currency_the_mismatch_is_an_error() -> None:
    data = scenario(currency="EUR")
    with pytest.raises(CurrencyMismatchError, match="TEA"):
        total(data)


def test_two_coupons_of_one_class_need_max_coupons_per_class() -> None:
    coupons = [
        {"code": "A5", "kind": "no_threshold", "amount_off": "5.00"},
        {"code": "B3", "kind": "no_threshold", "amount_off": "3.00"},
    ]
    cart = {"lines": [{"sku": "TEA", "quantity": 2}], "coupons": ["A5", "B3"]}
    one = scenario(coupons=coupons, cart=cart)
    assert total(one) == "135.00"  # 140.00 - 5.00; B3 is not_combinable
    two = scenario(coupons=coupons, cart=cart, max_coupons_per_class=2)
    assert total(two) == "132.00"  # 140.00 - 5.00 - 3.00
