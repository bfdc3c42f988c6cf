"""Pure points-mall orders (积分商城): paid wholly with points, exempt from ZeroPaymentError."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

import mallcore
from mallcore.errors import ConfigError, ZeroPaymentError
from mallcore.orders import Order
from mallcore.pricing import is_points_mall_order

SCENARIO: dict[str, Any] = {
    "currency": "CNY",
    "at": "2026-11-11T20:00:00+08:00",
    "catalog": {"products": [{"id": "MUG", "skus": [{"sku": "MUG", "price": "30.00"}]}]},
    "membership": {
        "tiers": [{"id": "member", "min_growth": 0}],
        "points": {"points_per_unit": 100, "max_points_per_order": 10000, "max_ratio": "100"},
    },
    "customer": {"id": "u1", "tier": "member", "points": 5000},
    "ship_to": {"region": "440305"},
    "cart": {"lines": [{"sku": "MUG", "quantity": 1}], "points": "max"},
}


def _quote(data: dict[str, Any]) -> mallcore.Quote:
    scenario = mallcore.load_scenario(data)
    return mallcore.quote(scenario.cart, scenario.context)


def test_a_mug_paid_wholly_with_points_is_quoted_and_placed_without_zero_payment() -> None:
    result = _quote(SCENARIO)
    assert (result.total_minor, result.points_used) == (0, 3000)
    assert is_points_mall_order(result)
    order = Order.place(result, customer_id="u1", at=datetime(2026, 11, 11, tzinfo=UTC))
    assert order.state == "paid"  # nothing to pay


def test_a_zero_total_from_a_coupon_still_needs_allow_zero_payment() -> None:
    data = copy.deepcopy(SCENARIO)
    data["coupons"] = [{"code": "FREE50", "kind": "no_threshold", "amount_off": "50.00"}]
    data["cart"] = {"lines": [{"sku": "MUG", "quantity": 1}], "coupons": ["FREE50"]}
    with pytest.raises(ZeroPaymentError):
        _quote(data)


def test_points_paying_part_of_the_order_is_not_a_points_mall_order() -> None:
    data = copy.deepcopy(SCENARIO)
    data["membership"]["points"]["max_ratio"] = "50"
    result = _quote(data)
    assert result.total_minor == 1500 and not is_points_mall_order(result)


def test_an_order_of_a_zero_total_that_is_not_a_points_mall_order_is_refused() -> None:
    data = copy.deepcopy(SCENARIO)
    data["allow_zero_payment"] = True
    data["coupons"] = [{"code": "FREE50", "kind": "no_threshold", "amount_off": "50.00"}]
    data["cart"] = {"lines": [{"sku": "MUG", "quantity": 1}], "coupons": ["FREE50"]}
    result = _quote(data)
    assert result.total_minor == 0 and not is_points_mall_order(result)
    with pytest.raises(ConfigError, match="does not allow zero payment"):
        Order.place(result, customer_id="u1", at=datetime(2026, 11, 11, tzinfo=UTC))
