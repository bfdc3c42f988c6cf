"""One or two hand-computed examples per promotion kind, through ``mallcore.quote``.

Each test prices a tiny scenario and states the expected amounts, worked out
by hand in the comments from the rules in
docs/explanation/how-a-price-is-computed.rst (stage 3, stacking and the
unit-level kinds). Amounts are CNY unless a test says otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mallcore
from mallcore.pricing import Quote

AT = "2026-11-06T21:00:00+08:00"  # a Friday, 21:00 China time


def _sku(sku: str, price: str) -> dict[str, Any]:
    return {"sku": sku, "price": price}


def _product(product_id: str, *skus: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": product_id, "skus": list(skus), **extra}


def _quote(
    products: list[dict[str, Any]],
    lines: dict[str, int],
    promotions: Sequence[dict[str, Any]] = (),
    *,
    coupons: Sequence[dict[str, Any]] = (),
    currency: str = "CNY",
    at: str = AT,
    **extra: Any,
) -> Quote:
    scenario = mallcore.load_scenario(
        {
            "currency": currency,
            "at": at,
            "catalog": {"products": products},
            "promotions": list(promotions),
            "coupons": list(coupons),
            "cart": {
                "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines.items()],
                "coupons": [coupon["code"] for coupon in coupons],
            },
            **extra,
        }
    )
    return mallcore.quote(scenario.cart, scenario.context)


def _line(result: Quote, key: str) -> dict[str, Any]:
    return next(line for line in result.to_dict()["lines"] if line["sku"] == key)


def _reasons(result: Quote) -> dict[str, str]:
    return {rejection.source: rejection.reason for rejection in result.rejected}


# --------------------------------------------------------------------------- stage 2


def test_time_limited_percent_rounds_the_unit_price_not_the_unit_discount() -> None:
    # 10 % off 0.15: unit price 0.135 -> 0.14 (half up); 3 units pay 0.42, so the
    # discount is 0.45 - 0.42 = 0.03 (rounding the unit discount would give 0.06).
    result = _quote(
        [_product("A", _sku("A1", "0.15"))],
        {"A1": 3},
        [{"id": "tl", "kind": "time_limited", "percent_off": "10"}],
    )
    assert _line(result, "A1")["item_discount"] == "0.03"
    assert result.to_dict()["total"] == "0.42"


def test_a_flash_sale_line_skips_order_promotions() -> None:
    # The flash price 5.00 wins stage 2 and makes A1 an activity line; the
    # 满减 covers only A1, so it has no eligible line: activity_line.
    result = _quote(
        [_product("A", _sku("A1", "20.00"))],
        {"A1": 2},
        [
            {"id": "flash", "kind": "flash_sale", "unit_price": "5.00"},
            {
                "id": "off",
                "kind": "threshold_off",
                "tiers": [{"min_spend": "1", "amount_off": "1"}],
            },
        ],
    )
    assert result.to_dict()["total"] == "10.00"
    assert _reasons(result) == {"promotion:off": "activity_line"}


def test_a_group_price_line_takes_coupons_only_when_the_activity_allows_them() -> None:
    # 拼团 at 30.00 x 2 = 60.00 with allow_coupons: the 5.00 coupon applies (55.00);
    # without it the line's coupon is rejected activity_line (60.00).
    group = {"id": "grp", "kind": "group_price", "unit_price": "30.00"}
    coupon = {"code": "FIVE", "kind": "no_threshold", "amount_off": "5"}
    products = [_product("A", _sku("A1", "40.00"))]
    allowed = _quote(products, {"A1": 2}, [{**group, "allow_coupons": True}], coupons=[coupon])
    refused = _quote(products, {"A1": 2}, [group], coupons=[coupon])
    assert allowed.to_dict()["total"] == "55.00"
    assert refused.to_dict()["total"] == "60.00"
    assert _reasons(refused) == {"coupon:FIVE": "activity_line"}


# --------------------------------------------------------------------------- 满减, 每满减, 满折


def test_threshold_off_applies_the_highest_tier_reached() -> None:
    # 250.00 reaches the 100 and 200 rungs, not 300: the 200 rung gives 30.00.
    result = _quote(
        [_product("A", _sku("A1", "125.00"))],
        {"A1": 2},
        [
            {
                "id": "ladder",
                "kind": "threshold_off",
                "tiers": [
                    {"min_spend": "100", "amount_off": "10"},
                    {"min_spend": "200", "amount_off": "30"},
                    {"min_spend": "300", "amount_off": "50"},
                ],
            }
        ],
    )
    assert result.to_dict()["promotion_discount"] == "30.00"


def test_threshold_off_below_the_lowest_tier_reports_the_shortfall() -> None:
    # 87.70 is 12.30 short of 100.00.
    result = _quote(
        [_product("A", _sku("A1", "87.70"))],
        {"A1": 1},
        [
            {
                "id": "ladder",
                "kind": "threshold_off",
                "tiers": [{"min_spend": "100", "amount_off": "10"}],
            }
        ],
    )
    (rejection,) = result.rejected
    assert (rejection.reason, rejection.shortfall_minor) == ("below_threshold", 1230)


def test_every_off_stops_at_max_times() -> None:
    # 350.00 holds 3 full 100.00 steps, capped at max_times 2: 2 x 10.00 = 20.00.
    result = _quote(
        [_product("A", _sku("A1", "350.00"))],
        {"A1": 1},
        [{"id": "e", "kind": "every_off", "per": "100", "amount_off": "10", "max_times": 2}],
    )
    assert result.to_dict()["promotion_discount"] == "20.00"


def test_threshold_percent_rounds_once_on_the_in_scope_total() -> None:
    # Three lines of 0.15: 10 % of 0.45 = 0.045 -> 0.05 once (per line it would
    # be 3 x 0.02 = 0.06). Split 5 fen over weights 15:15:15: 1 each, the two
    # leftover fen to the earlier lines on the tie: 2, 2, 1.
    result = _quote(
        [_product("A", _sku("A1", "0.15"), _sku("A2", "0.15"), _sku("A3", "0.15"))],
        {"A1": 1, "A2": 1, "A3": 1},
        [{"id": "tp", "kind": "threshold_percent", "tiers": [{"min_qty": 3, "percent_off": "10"}]}],
    )
    (adjustment,) = result.adjustments
    assert adjustment.amount_minor == 5
    assert adjustment.lines == (("A1", 2), ("A2", 2), ("A3", 1))


def test_percent_off_rounds_once_in_a_zero_decimal_currency_and_respects_its_cap() -> None:
    # JPY: 15 % of ¥333 = ¥49.95 -> ¥50, under the ¥60 cap; a ¥40 cap wins instead.
    promotion = {"id": "p", "kind": "percent_off", "percent_off": "15"}
    products = [_product("A", _sku("A1", "111"))]
    uncapped = _quote(products, {"A1": 3}, [{**promotion, "max_discount": "60"}], currency="JPY")
    capped = _quote(products, {"A1": 3}, [{**promotion, "max_discount": "40"}], currency="JPY")
    assert uncapped.to_dict()["promotion_discount"] == "50"
    assert capped.to_dict()["promotion_discount"] == "40"


def test_a_percent_coupon_rounds_once_on_the_in_scope_total() -> None:
    # KWD has 3 decimals: 12.5 % of 3 x 0.333 = 0.999 is 0.124875 -> 0.125 once
    # (per line it would be 3 x 0.042 = 0.126).
    result = _quote(
        [_product("A", _sku("A1", "0.333"), _sku("A2", "0.333"), _sku("A3", "0.333"))],
        {"A1": 1, "A2": 1, "A3": 1},
        coupons=[{"code": "PCT", "kind": "percent_off", "percent_off": "12.5"}],
        currency="KWD",
    )
    assert result.to_dict()["coupon_discount"] == "0.125"


# --------------------------------------------------------------------------- unit-level kinds


def test_nth_item_counts_units_across_the_skus_of_one_product() -> None:
    # Product A has one unit of A1 (10.00) and one of A2 (8.00): two units of
    # the product give one discounted unit, and it is the cheapest one (A2):
    # 4.00 off A2, not 5.00 off A1. B's single unit gets nothing.
    result = _quote(
        [_product("A", _sku("A1", "10.00"), _sku("A2", "8.00")), _product("B", _sku("B1", "9.00"))],
        {"A1": 1, "A2": 1, "B1": 1},
        [{"id": "n", "kind": "nth_item", "n": 2, "percent_off": "50"}],
    )
    (adjustment,) = result.adjustments
    assert adjustment.lines == (("A2", 400),)


def test_nth_item_max_times_caps_the_discounted_units() -> None:
    # Four units of 6.00: positions 2 and 4 qualify, max_times 1 keeps one: 3.00.
    result = _quote(
        [_product("A", _sku("A1", "6.00"))],
        {"A1": 4},
        [{"id": "n", "kind": "nth_item", "n": 2, "percent_off": "50", "max_times": 1}],
    )
    assert result.to_dict()["promotion_discount"] == "3.00"


def test_bundle_price_stops_at_the_first_group_that_does_not_save() -> None:
    # Units dearest first: 10, 9 | 7, 6. The first pair (19.00) for 15.00 saves
    # 4.00; the second pair (13.00) would cost more as a bundle, so bundling
    # stops. 400 fen split 10:9 -> 210.53 and 189.47 -> floors 210 + 189; the
    # leftover fen goes to the larger remainder (A1): A1 211, B1 189.
    result = _quote(
        [
            _product("A", _sku("A1", "10.00")),
            _product("B", _sku("B1", "9.00")),
            _product("C", _sku("C1", "7.00")),
            _product("D", _sku("D1", "6.00")),
        ],
        {"A1": 1, "B1": 1, "C1": 1, "D1": 1},
        [{"id": "b", "kind": "bundle_price", "n": 2, "price": "15.00"}],
    )
    (adjustment,) = result.adjustments
    assert adjustment.amount_minor == 400
    assert adjustment.lines == (("A1", 211), ("B1", 189))


def test_buy_x_get_y_ignores_a_partial_group() -> None:
    # Buy 2 get 1: units dearest first 30, 30, 20 | 10, 10. The full group
    # gives its cheapest unit (B1, 20.00) free; the partial group gives nothing.
    result = _quote(
        [
            _product("A", _sku("A1", "30.00")),
            _product("B", _sku("B1", "20.00")),
            _product("C", _sku("C1", "10.00")),
        ],
        {"A1": 2, "B1": 1, "C1": 2},
        [{"id": "bxgy", "kind": "buy_x_get_y", "x": 2, "y": 1}],
    )
    (adjustment,) = result.adjustments
    assert adjustment.lines == (("B1", 2000),)


# --------------------------------------------------------------------------- gifts


def test_a_gift_is_a_zero_priced_line_keyed_gift_sku() -> None:
    # 120.00 reaches the 100.00 threshold: 2 x G1 join as line "gift:G1" at
    # 0.00, with no adjustment, so the total stays 120.00.
    result = _quote(
        [_product("A", _sku("A1", "120.00")), _product("G", _sku("G1", "15.00"))],
        {"A1": 1},
        [{"id": "g", "kind": "gift", "min_spend": "100", "gifts": [{"sku": "G1", "quantity": 2}]}],
    )
    gift = _line(result, "gift:G1")
    assert (gift["quantity"], gift["list_price"], gift["paid"]) == (2, "0.00", "0.00")
    assert result.adjustments == ()
    assert result.to_dict()["total"] == "120.00"


def test_free_shipping_waives_the_freight_once_the_threshold_is_met() -> None:
    # Freight 8.00 for the first piece + 2.00 each more: 2 pieces cost 10.00.
    # 2 x 50.00 = 100.00 reaches the 99.00 threshold, so all 10.00 is waived.
    template = {
        "id": "T",
        "charge_by": "piece",
        "rules": [{"first": "1", "first_fee": "8.00", "additional": "1", "additional_fee": "2.00"}],
    }
    result = _quote(
        [_product("A", _sku("A1", "50.00"), freight_template="T")],
        {"A1": 2},
        [{"id": "ship", "kind": "free_shipping", "min_amount": "99"}],
        freight_templates=[template],
        ship_to={"region": "440305"},
    )
    data = result.to_dict()
    assert (data["shipping"], data["shipping_discount"], data["total"]) == (
        "10.00",
        "10.00",
        "100.00",
    )


# --------------------------------------------------------------------------- windows


def test_a_promotion_window_includes_its_start_and_excludes_its_end() -> None:
    # Active on [starts_at, ends_at): starting at AT applies (10.00 off),
    # ending at AT is already expired.
    off = {"kind": "threshold_off", "tiers": [{"min_spend": "10", "amount_off": "10"}]}
    result = _quote(
        [_product("A", _sku("A1", "50.00"))],
        {"A1": 1},
        [
            {**off, "id": "starts", "starts_at": AT, "ends_at": "2026-11-07T00:00:00+08:00"},
            {
                **off,
                "id": "ends",
                "group": "other",
                "starts_at": "2026-11-06T00:00:00+08:00",
                "ends_at": AT,
            },
        ],
    )
    assert [adjustment.source for adjustment in result.adjustments] == ["promotion:starts"]
    assert _reasons(result) == {"promotion:ends": "expired"}


def test_a_coupon_is_valid_on_both_ends_of_its_window() -> None:
    # Valid on [valid_from, valid_until]: a window ending at AT and one starting
    # at AT both apply (one per class, so one is order class, one product class);
    # one that ended a second earlier is expired.
    result = _quote(
        [_product("A", _sku("A1", "50.00"))],
        {"A1": 1},
        coupons=[
            {"code": "UNTIL", "kind": "no_threshold", "amount_off": "5", "valid_until": AT},
            {
                "code": "FROM",
                "kind": "no_threshold",
                "amount_off": "3",
                "valid_from": AT,
                "scope": {"products": ["A"]},
            },
            {
                "code": "GONE",
                "kind": "no_threshold",
                "amount_off": "1",
                "valid_until": "2026-11-06T20:59:59+08:00",
                "scope": {"products": ["A"]},
            },
        ],
    )
    assert result.to_dict()["coupon_discount"] == "8.00"
    assert _reasons(result) == {"coupon:GONE": "expired"}


def test_a_recurring_promotion_applies_only_inside_its_slots() -> None:
    # Every Friday 20:00 for 120 minutes: 21:00 is inside, 22:00 (end of the
    # half-open slot) is outside.
    promotion = {
        "id": "friday",
        "kind": "threshold_off",
        "tiers": [{"min_spend": "10", "amount_off": "10"}],
        "starts_at": "2026-11-01T00:00:00+08:00",
        "recurrence": "FREQ=WEEKLY;BYDAY=FR;BYHOUR=20;BYMINUTE=0;BYSECOND=0",
        "duration_minutes": 120,
    }
    products = [_product("A", _sku("A1", "50.00"))]
    inside = _quote(products, {"A1": 1}, [promotion])
    outside = _quote(products, {"A1": 1}, [promotion], at="2026-11-06T22:00:00+08:00")
    assert inside.to_dict()["promotion_discount"] == "10.00"
    assert outside.to_dict()["promotion_discount"] == "0.00"
    assert _reasons(outside) == {"promotion:friday": "outside_recurrence"}
