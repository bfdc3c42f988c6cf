"""Each cart of a what-if is priced exactly as the same cart alone, written as a scenario file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import mallcore
from mallcore.errors import MallcoreError
from mallcore.pricing import best_coupons, load_rule_set
from mallcore.whatif import AMOUNTS, parse_row, price_cart, result_rows

RULES_PATH = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"
RULES: dict[str, Any] = {
    key: value
    for key, value in json.loads(RULES_PATH.read_text(encoding="utf-8")).items()
    if key not in ("at", "customer", "ship_to", "cart", "description")
}
#: The same mall with a deeper 满减 ladder.
DEEPER: dict[str, Any] = {
    **RULES,
    "promotions": [
        p
        if p["id"] != "ladder"
        else {**p, "tiers": [{"min_spend": "199.00", "amount_off": "20.00"}]}
        for p in RULES["promotions"]
    ],
}
A, B = load_rule_set(RULES, name="A"), load_rule_set(DEEPER, name="B")
START = datetime(2026, 11, 9, tzinfo=UTC)


@st.composite
def history_rows(draw: st.DrawFn) -> dict[str, str]:
    skus = sorted(A.catalog)
    lines = draw(st.dictionaries(st.sampled_from(skus), st.integers(1, 4), min_size=1))
    tier = draw(st.sampled_from(["", "member", "gold"]))
    held = draw(st.lists(st.sampled_from(["SAVE10P", "GONE"]), unique=True, max_size=2))
    return {
        "cart_id": "C-1",
        "at": (START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 30)))).isoformat(),
        "customer_id": "u-1" if tier else "guest",
        "tier": tier,
        "points": str(draw(st.sampled_from([0, 150, 5000]))),
        "ship_to": draw(st.sampled_from(["440305", "310101", "650102", ""])),
        "lines": ";".join(f"{sku}:{quantity}" for sku, quantity in lines.items()),
        "coupons": ";".join(held),
        "points_request": draw(st.sampled_from(["", "max", "100"])),
    }


def _alone(rules: dict[str, Any], row: dict[str, str]) -> mallcore.Quote:
    """The cart of *row* written as one scenario file and priced on its own."""
    held = [code for code in row["coupons"].split(";") if code in ("SAVE10P",)]
    scenario: dict[str, Any] = {
        **rules,
        "at": row["at"],
        "customer": {
            "id": row["customer_id"] or "guest",
            "tier": row["tier"] or None,
            "points": int(row["points"]),
        },
        "cart": {
            "lines": [
                {"sku": sku, "quantity": int(quantity)}
                for sku, _, quantity in (item.partition(":") for item in row["lines"].split(";"))
            ],
            "points": {"": None, "max": "max"}.get(row["points_request"], 100),
        },
    }
    if row["ship_to"]:
        scenario["ship_to"] = {"region": row["ship_to"]}
    loaded = mallcore.load_scenario(scenario)
    if held:
        return best_coupons(loaded.cart, loaded.context, held).quote
    return mallcore.quote(loaded.cart, loaded.context)


@given(history_rows())
def test_a_cart_in_a_history_is_priced_as_it_would_be_alone(row: dict[str, str]) -> None:
    cart = parse_row(row, 1)
    for rules, rule_set in ((RULES, A), (DEEPER, B)):
        try:
            expected = _alone(rules, row)
        except MallcoreError as exc:
            try:
                price_cart(rule_set, cart)
            except MallcoreError as got:
                assert type(got) is type(exc)
            else:
                raise AssertionError(f"the engine priced a cart the scenario refuses: {exc}")
            continue
        assert price_cart(rule_set, cart).to_dict() == expected.to_dict()


@given(history_rows())
def test_result_rows_carry_the_quote_and_the_differences(row: dict[str, str]) -> None:
    cart = parse_row(row, 1)
    (result,) = result_rows([cart], [A, B])
    for name, rule_set in (("A", A), ("B", B)):
        try:
            quote = price_cart(rule_set, cart)
        except MallcoreError as exc:
            assert result[f"{name}.ok"] is False
            assert result[f"{name}.error"].startswith(type(exc).__name__)
            assert all(result[f"{name}.{amount}"] is None for amount in AMOUNTS)
            continue
        assert result[f"{name}.ok"] is True and result[f"{name}.error"] is None
        assert result[f"{name}.total"] == mallcore.money.to_minor(quote.total)
        identity = (
            result[f"{name}.list_subtotal"]
            - result[f"{name}.item_discount"]
            - result[f"{name}.promotion_discount"]
            - result[f"{name}.coupon_discount"]
            - result[f"{name}.points_deduction"]
            + result[f"{name}.shipping"]
            - result[f"{name}.shipping_discount"]
        )
        assert (
            identity + (result[f"{name}.tax"] if quote.columns.tax_added else 0)
            == (result[f"{name}.total"])
        )
        applied = [item.rpartition("=")[0] for item in result[f"{name}.applied"].split(";") if item]
        assert applied == [adjustment.source for adjustment in quote.adjustments]
    if result["A.ok"] and result["B.ok"]:
        assert result["A-B.total"] == result["A.total"] - result["B.total"]
        assert result["A-B.discount"] == result["A.discount"] - result["B.discount"]
    else:
        assert result["A-B.total"] is None


def test_a_coupon_the_rule_set_no_longer_has_is_left_out() -> None:
    row = {
        "cart_id": "C-9",
        "at": "2026-11-20T12:00:00+08:00",
        "customer_id": "u-1",
        "tier": "",
        "points": "0",
        "ship_to": "440305",
        "lines": "A:3",
        "coupons": "GONE;SAVE10P",
        "points_request": "",
    }
    (result,) = result_rows([parse_row(row, 1)], [A])
    assert result["A.ok"] is True and result["A.coupons"] == "SAVE10P"
    listed = price_cart(A, parse_row(row, 1), coupons="listed")
    assert any(a.source == "coupon:SAVE10P" for a in listed.adjustments)
