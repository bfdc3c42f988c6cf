"""Scenarios and the Oscar comparison for ``bench_quote.py`` (data only, nothing timed here).

``w1_scenario`` writes W1's four offers as a mallcore scenario (the mapping is
explained in ``bench_quote``'s docstring); ``compare`` lines a mallcore quote up
with django-oscar's reference totals (``peers/results/w1_expected.json``) and names
the rule behind each difference.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from mallcore.pricing.quote import Quote

PEERS = Path(__file__).resolve().parent / "peers"
AT = "2026-11-11T12:00:00+08:00"
SHIP_TO = "440305"  # Shenzhen, Guangdong: the template's province-44 rule applies
#: W1 offer ids in the order of the reference file, and how mallcore names their sources.
OFFER_IDS = ("a_cat10", "c_multibuy3", "b_full300minus30", "d_voucher50")
SOURCES = {
    "promotion:a_cat10": "a_cat10",
    "promotion:c_multibuy3": "c_multibuy3",
    "promotion:b_full300minus30": "b_full300minus30",
    "coupon:SAVE50": "d_voucher50",
}
FREIGHT = {
    "id": "by-weight",
    "charge_by": "weight",
    "rules": [
        {"first": "1", "first_fee": "12.00", "additional": "1", "additional_fee": "5.00"},
        {
            "regions": ["44"],
            "first": "1",
            "first_fee": "8.00",
            "additional": "1",
            "additional_fee": "2.00",
        },
    ],
}


@cache
def load_peer_data() -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    """(workloads.json, its W1 catalogue as scenario products, Oscar's reference per scenario)."""
    workloads = json.loads((PEERS / "workloads.json").read_text(encoding="utf-8"))
    expected = PEERS / "results" / "w1_expected.json"
    reference = json.loads(expected.read_text(encoding="utf-8"))["scenarios"]
    products = [
        {
            "id": row["sku"],
            "category": row["category"],
            "freight_template": FREIGHT["id"],
            "skus": [
                {
                    "sku": row["sku"],
                    "price": row["price"],
                    "weight_kg": str(Decimal(row["weight_g"]).scaleb(-3)),
                }
            ],
        }
        for row in workloads["catalogue"]
    ]
    return workloads, products, reference


def shipping_fee_minor(grams: int) -> int:
    """The by-weight template's fee to region 44 in fen: first kg 8.00, each further kg 2.00."""
    extra_kg = -(-max(grams - 1000, 0) // 1000)
    return 800 + 200 * extra_kg


def w1_scenario(products: list[dict[str, Any]], scenario: str) -> dict[str, Any]:
    """W1's offers (a, c, b, coupon d) as a mallcore scenario for Oscar's *scenario*."""
    exclusive = scenario == "exclusive"
    threshold: dict[str, Any] = {
        "id": "b_full300minus30",
        "kind": "threshold_off",
        "priority": 20,
        "tiers": [{"min_spend": "300.00", "amount_off": "30.00"}],
    }
    if exclusive:
        # (a) takes every apparel unit whenever it applies, so Oscar's (b) never sees one.
        threshold["scope"] = {"exclude": {"categories": ["apparel"]}}
    return {
        "currency": "CNY",
        "at": AT,
        "catalog": {"products": products},
        "promotions": [
            {
                "id": "a_cat10",
                "kind": "percent_off",
                "priority": 40,
                "percent_off": "10",
                "scope": {"categories": ["apparel"]},
            },
            {
                "id": "c_multibuy3",
                "kind": "buy_x_get_y",
                "priority": 30,
                "x": 2,
                "y": 1,
                "scope": {"categories": ["snacks"]},
            },
            threshold,
        ],
        "coupons": [
            {
                "code": "SAVE50",
                "kind": "amount_off",
                "amount_off": "50.00",
                "min_spend": "500.00",
                "stack_with_promotions": not exclusive,
            }
        ],
        "freight_templates": [FREIGHT],
        "ship_to": {"region": SHIP_TO},
        "cart": {"lines": [{"sku": "P000", "quantity": 1}], "coupons": ["SAVE50"]},
    }


def rich_scenario(products: list[dict[str, Any]]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Ten active promotions of eight kinds and five held coupons over the W1 catalogue."""
    window = {"starts_at": "2026-11-11T00:00:00+08:00", "ends_at": "2026-11-12T00:00:00+08:00"}

    def cat(name: str) -> dict[str, Any]:
        return {"categories": [name]}

    promotions: list[dict[str, Any]] = [
        {"id": "digital-5", "kind": "time_limited", "percent_off": "5", "scope": cat("digital")}
        | window,
        {"id": "apparel-10", "kind": "percent_off", "percent_off": "10", "scope": cat("apparel")}
        | {"priority": 40},
        {"id": "snacks-3for2", "kind": "buy_x_get_y", "x": 2, "y": 1, "scope": cat("snacks")}
        | {"priority": 30},
        {"id": "books-2nd-half", "kind": "nth_item", "n": 2, "percent_off": "50"}
        | {"scope": cat("books"), "priority": 30},
        {"id": "toys-3-for-99", "kind": "bundle_price", "n": 3, "price": "99.00"}
        | {"scope": cat("toys"), "priority": 30},
        {"id": "beauty-2-10", "kind": "threshold_percent", "scope": cat("beauty")}
        | {"tiers": [{"min_qty": 2, "percent_off": "10"}], "priority": 25},
        {"id": "home-every-100", "kind": "every_off", "per": "100.00", "amount_off": "10.00"}
        | {"max_times": 5, "scope": cat("home"), "priority": 25},
        {"id": "shoes-8", "kind": "percent_off", "percent_off": "8", "max_discount": "50.00"}
        | {"scope": cat("shoes"), "group": "shoes-sale", "priority": 25},
        {
            "id": "ladder",
            "kind": "threshold_off",
            "priority": 20,
            "tiers": [
                {"min_spend": "300.00", "amount_off": "30.00"},
                {"min_spend": "1000.00", "amount_off": "120.00"},
                {"min_spend": "3000.00", "amount_off": "400.00"},
            ],
        },
        {"id": "free-ship-199", "kind": "free_shipping", "min_amount": "199.00"},
    ]
    valid = {"valid_from": "2026-11-01T00:00:00+08:00", "valid_until": "2026-11-30T23:59:59+08:00"}
    # Listed in class order (product, order, shipping): the order best_coupons applies them in.
    coupons: list[dict[str, Any]] = [
        {"code": "APP15", "kind": "amount_off", "amount_off": "15.00", "min_spend": "100.00"}
        | {"scope": cat("apparel")},
        {"code": "SAVE50", "kind": "amount_off", "amount_off": "50.00", "min_spend": "500.00"},
        {"code": "P10", "kind": "percent_off", "percent_off": "10", "max_discount": "100.00"}
        | {"min_spend": "1000.00"},
        {"code": "NOW20", "kind": "no_threshold", "amount_off": "20.00"},
        {"code": "SHIP10", "kind": "shipping", "amount_off": "10.00"},
    ]
    held = tuple(coupon["code"] for coupon in coupons)
    data = {
        "currency": "CNY",
        "at": AT,
        "catalog": {"products": products},
        "promotions": promotions,
        "coupons": [coupon | valid for coupon in coupons],
        "freight_templates": [FREIGHT],
        "ship_to": {"region": SHIP_TO},
        "cart": {"lines": [{"sku": "P000", "quantity": 1}], "coupons": list(held)},
    }
    return data, held


def _text(minor: int) -> str:
    return str(Decimal(minor).scaleb(-2))


def mallcore_snapshot(quote: Quote) -> dict[str, Any]:
    """A quote in the shape of Oscar's reference snapshot (totals exclude freight)."""
    before = sum(line.list_subtotal_minor for line in quote.lines)
    discount = sum(
        line.item_discount_minor + line.promotion_discount_minor + line.coupon_discount_minor
        for line in quote.lines
    )
    by_offer = dict.fromkeys(OFFER_IDS, 0)
    for adjustment in quote.adjustments:
        if adjustment.source in SOURCES:
            by_offer[SOURCES[adjustment.source]] += adjustment.amount_minor
    return {
        "total_before": _text(before),
        "total_discount": _text(discount),
        "total_after": _text(before - discount),
        "discount_by_offer": {key: _text(value) for key, value in by_offer.items()},
    }


#: Why a basket's totals differ, by (offer, kind of difference). Scenario-specific
#: entries take precedence over the general ones.
REASONS = {
    ("a_cat10", "cents"): (
        "10 % rounding: Oscar sums unrounded line discounts and rounds the basket half up "
        "(the offer's own figure down); mallcore rounds the 10 % once on the in-scope "
        "total, half up"
    ),
    ("c_multibuy3", "amount"): (
        "multibuy: Oscar frees one snack unit per basket, from the cheapest snack line; "
        "mallcore's buy_x_get_y sorts the snack units dearest first and frees the cheapest "
        "unit of every full group of 3"
    ),
    ("c_multibuy3", "only"): (
        "multibuy: Oscar frees one snack unit per basket, mallcore one per full group of 3"
    ),
    ("b_full300minus30", "only", "exclusive"): (
        "满300 threshold: Oscar counts only units no other offer consumed (the multibuy's "
        "3 snack units are out); mallcore's threshold_off consumes no units and counts "
        "those snacks at their amounts after (c)"
    ),
    ("b_full300minus30", "only", "stackable"): (
        "满300 threshold: Oscar compares undiscounted prices; mallcore compares the amounts "
        "left after (a) and (c) (stage 3 sees the previous promotions' amounts)"
    ),
    ("d_voucher50", "only", "stackable"): (
        "SAVE50 min 500: Oscar compares undiscounted prices; mallcore compares the in-scope "
        "amounts after stage 3 (the coupon rule of docs/explanation/how-a-price-is-computed.rst)"
    ),
    ("offer", "cents"): (
        "totals agree, but Oscar reports the 10 % offer's own discount rounded down "
        "(mallcore: half up, as in the totals)"
    ),
    ("total", "cents"): (
        "total rounding: Oscar rounds total_after half up from unrounded line amounts, "
        "apart from total_discount"
    ),
}


def _kind(got: Decimal, want: Decimal) -> str:
    if (got == 0) != (want == 0):
        return "only"
    return "cents" if abs(got - want) <= Decimal("0.01") else "amount"


def compare(
    snapshots: dict[str, dict[str, Any]], reference: dict[str, Any], scenario: str
) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Per basket id: whether the three totals agree with Oscar's, and why (not) exactly."""
    verdicts: dict[str, tuple[bool, tuple[str, ...]]] = {}
    for basket_id, got in snapshots.items():
        want = reference[basket_id]
        totals = ("total_before", "total_discount", "total_after")
        if all(Decimal(got[key]) == Decimal(want[key]) for key in totals):
            offers_equal = got["discount_by_offer"] == {
                k: str(Decimal(v)) for k, v in want["discount_by_offer"].items()
            }
            verdicts[basket_id] = (True, () if offers_equal else (REASONS[("offer", "cents")],))
            continue
        reasons = []
        oscar_offers = {k: Decimal(v) for k, v in want["discount_by_offer"].items()}
        # Oscar reports each offer rounded down but the basket's discount half up from
        # unrounded lines; only the 10 % has fractions, so the residue belongs to it.
        residue = Decimal(want["total_discount"]) - sum(oscar_offers.values())
        oscar_offers["a_cat10"] += residue
        for offer in OFFER_IDS:
            mine = Decimal(got["discount_by_offer"][offer])
            oscar = oscar_offers[offer]
            if mine != oscar:
                kind = _kind(mine, oscar)
                key = (offer, kind, scenario)
                text = REASONS.get(key) or REASONS.get((offer, kind)) or f"{offer} {kind}"
                reasons.append(text)
        if not reasons:
            reasons.append(REASONS[("total", "cents")])
        verdicts[basket_id] = (False, tuple(reasons))
    return verdicts


def agreement_notes(
    verdicts: dict[str, tuple[bool, tuple[str, ...]]],
    basket_ids: Sequence[str],
    scenario: str,
    *,
    label: str = "baskets",
) -> list[str]:
    """One note with the agreement count, then one per reason with the baskets it explains."""
    agree = sum(1 for basket_id in basket_ids if verdicts[basket_id][0])
    notes = [
        f"totals (before, discount, after; freight excluded) agree with Oscar's "
        f"[{scenario}] on {agree}/{len(basket_ids)} {label}"
    ]
    by_reason: dict[str, list[str]] = {}
    for basket_id in basket_ids:
        for reason in verdicts[basket_id][1]:
            by_reason.setdefault(reason, []).append(basket_id)
    notes.extend(f"{', '.join(ids)}: {reason}" for reason, ids in by_reason.items())
    return notes


def twenty_coupons() -> list[dict[str, Any]]:
    """Twenty held coupons for ``rich_scenario``'s rules: 8 product, 8 order, 4 shipping.

    Two of them cannot apply (one expired, one not yet valid), some miss their
    threshold on the benchmark basket, and the rest compete within their class.
    """
    valid = {"valid_from": "2026-11-01T00:00:00+08:00", "valid_until": "2026-11-30T23:59:59+08:00"}
    categories = ("apparel", "shoes", "snacks", "digital", "home", "beauty", "books", "toys")
    coupons: list[dict[str, Any]] = [
        {
            "code": f"{category[:3].upper()}{5 + 3 * n}",
            "kind": "amount_off",
            "amount_off": f"{5 + 3 * n}.00",
            "min_spend": f"{40 + 20 * n}.00",
            "scope": {"categories": [category]},
        }
        | valid
        for n, category in enumerate(categories)
    ]
    coupons += [
        {"code": "SAVE50", "kind": "amount_off", "amount_off": "50.00", "min_spend": "500.00"},
        {"code": "SAVE120", "kind": "amount_off", "amount_off": "120.00", "min_spend": "1500.00"},
        {"code": "SAVE400", "kind": "amount_off", "amount_off": "400.00", "min_spend": "5000.00"},
        {"code": "P10", "kind": "percent_off", "percent_off": "10", "max_discount": "100.00"}
        | {"min_spend": "1000.00"},
        {"code": "P5", "kind": "percent_off", "percent_off": "5"},
        {"code": "NOW20", "kind": "no_threshold", "amount_off": "20.00"},
        {"code": "NOW30", "kind": "no_threshold", "amount_off": "30.00"},
    ]
    coupons = [coupon | valid for coupon in coupons]
    coupons.append(
        {"code": "OLD80", "kind": "no_threshold", "amount_off": "80.00"}
        | {"valid_from": "2026-10-01T00:00:00+08:00", "valid_until": "2026-10-31T23:59:59+08:00"}
    )
    coupons += [
        {"code": "SHIP5", "kind": "shipping", "amount_off": "5.00"} | valid,
        {"code": "SHIP10", "kind": "shipping", "amount_off": "10.00", "min_spend": "300.00"}
        | valid,
        {"code": "SHIP8", "kind": "shipping", "amount_off": "8.00", "min_spend": "99.00"} | valid,
        {"code": "SHIPX", "kind": "shipping", "amount_off": "50.00"}
        | {"valid_from": "2026-12-01T00:00:00+08:00", "valid_until": "2026-12-31T23:59:59+08:00"},
    ]
    return coupons
