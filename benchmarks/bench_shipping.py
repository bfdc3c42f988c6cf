"""W4 freight: a 20-line cart over 3 freight templates, destinations cycling through 34 provinces.

The cart, the catalogue weights and the five province zones come from the peer
workloads file ``benchmarks/peers/workloads.json`` (key "W4"). The three templates
all charge by the W4 zones:

- ``W4``: by weight, exactly the W4 rule (checked against the file's expected fees);
- ``PIECE``: by piece, first piece = the zone's first fee, each further piece its step fee;
- ``REMOTE``: by weight, free in zone A from 199.00, plus a 10.00 surcharge in zone D.

Every third cart line uses each template. The peer is a hand-written loop over
integer grams and cents for the same rules: the practical limit of pure Python.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks._harness import Target, Workload, measure
from mallcore.money import Money, to_minor
from mallcore.shipping.freight import ShippingLine, compute_shipping
from mallcore.shipping.regions import to_gb_code
from mallcore.shipping.rules import load_freight_templates

WORKLOADS = Path(__file__).resolve().parent / "peers" / "workloads.json"
TEMPLATE_IDS = ("W4", "PIECE", "REMOTE")


def _workload() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    data = json.loads(WORKLOADS.read_text())
    return data["W4"], {row["sku"]: row for row in data["catalogue"]}


def _zone_rules(w4: dict[str, Any], by: str) -> list[dict[str, Any]]:
    rules = []
    for name, zone in sorted(w4["zones"].items()):
        regions = [f"CN-{p['code']}" for p in w4["provinces"] if p["zone"] == name]
        if by == "weight":
            first = str(Decimal(zone["first_g"]).scaleb(-3))
            additional = str(Decimal(zone["step_g"]).scaleb(-3))
        else:
            first = additional = "1"
        rules.append(
            {
                "regions": regions,
                "first": first,
                "first_fee": zone["first_fee"],
                "additional": additional,
                "additional_fee": zone["step_fee"],
            }
        )
    return rules


def _zone(w4: dict[str, Any], name: str) -> list[str]:
    return [f"CN-{p['code']}" for p in w4["provinces"] if p["zone"] == name]


def _templates(w4: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": "W4", "charge_by": "weight", "rules": _zone_rules(w4, "weight")},
        {"id": "PIECE", "charge_by": "piece", "rules": _zone_rules(w4, "piece")},
        {
            "id": "REMOTE",
            "charge_by": "weight",
            "rules": _zone_rules(w4, "weight"),
            "free_rules": [{"regions": _zone(w4, "A"), "min_amount": "199.00"}],
            "surcharges": [{"regions": _zone(w4, "D"), "amount": "10.00"}],
        },
    ]


def _lines(w4: dict[str, Any], catalogue: dict[str, dict[str, Any]], *, one_template: bool):
    lines = []
    for index, (sku, quantity) in enumerate(w4["cart"]):
        product = catalogue[sku]
        template = "W4" if one_template else TEMPLATE_IDS[index % 3]
        weight = Decimal(product["weight_g"]).scaleb(-3)
        amount = Money(product["price"], "CNY") * quantity
        lines.append(ShippingLine(sku, template, quantity, weight, amount=amount))
    return lines


def _baseline(w4: dict[str, Any], catalogue: dict[str, dict[str, Any]]):
    """The same rules as a hand-written loop over integer grams and cents."""
    zone_of = {p["code"]: p["zone"] for p in w4["provinces"]}

    def cents(text: str) -> int:
        return to_minor(Money(text, "CNY"))

    zones = {
        name: (z["first_g"], cents(z["first_fee"]), z["step_g"], cents(z["step_fee"]))
        for name, z in w4["zones"].items()
    }
    rows = []
    for index, (sku, quantity) in enumerate(w4["cart"]):
        product = catalogue[sku]
        rows.append((index % 3, quantity, product["weight_g"] * quantity, cents(product["price"])))

    def fee(value: int, first: int, first_fee: int, step: int, step_fee: int) -> int:
        return first_fee if value <= first else first_fee + -((first - value) // step) * step_fee

    def freight(province: str) -> int:
        grams = [0, 0, 0]
        pieces = 0
        remote_amount = 0
        for template, quantity, weight, price in rows:
            if template == 1:
                pieces += quantity
            else:
                grams[template] += weight
                if template == 2:
                    remote_amount += price * quantity
        zone = zone_of[province]
        first, first_fee, step, step_fee = zones[zone]
        total = fee(grams[0], first, first_fee, step, step_fee)
        total += fee(pieces, 1, first_fee, 1, step_fee)
        if not (zone == "A" and remote_amount >= 19900):
            total += fee(grams[2], first, first_fee, step, step_fee) + (1000 if zone == "D" else 0)
        return total

    return freight


def run(quick: bool) -> list[Workload]:
    w4, catalogue = _workload()
    templates = load_freight_templates(_templates(w4))
    provinces = [p["code"] for p in w4["provinces"]]
    regions = [to_gb_code(f"CN-{code}") for code in provinces]  # "SH" → "310000"

    # Correctness 1: the W4 template alone reproduces the file's expected fees.
    single = _lines(w4, catalogue, one_template=True)
    for code, region in zip(provinces, regions, strict=True):
        got = compute_shipping(single, templates, region, currency="CNY").total
        want = Money(w4["expected"]["fee_by_province"][code], "CNY")
        assert got == want, (code, got, want)

    # Correctness 2: mallcore and the loop agree on the 3-template cart everywhere.
    lines = _lines(w4, catalogue, one_template=False)
    loop = _baseline(w4, catalogue)
    for code, region in zip(provinces, regions, strict=True):
        got = compute_shipping(lines, templates, region, currency="CNY")
        assert to_minor(got.total) == loop(code), (code, got.total, loop(code))
        assert sum(got.line_shares.values(), Money(0, "CNY")) == got.total

    def mallcore_carts() -> None:
        for region in regions:
            compute_shipping(lines, templates, region, currency="CNY")

    def mallcore_carts_with_shares() -> None:
        for region in regions:
            len(compute_shipping(lines, templates, region, currency="CNY").line_shares)

    def loop_carts() -> None:
        for code in provinces:
            loop(code)

    target = 0.05 if quick else None
    workload = Workload(name="W4 freight: 20-line cart, 3 templates", subject="mallcore")
    workload.timings["mallcore"] = measure(
        mallcore_carts, ops_per_call=len(regions), target_s=target
    )
    workload.timings["int-cents loop"] = measure(
        loop_carts, ops_per_call=len(provinces), target_s=target
    )
    workload.targets += [
        Target(peer="", max_seconds=5e-6, label="carts/s >= 200k"),
        Target(peer="int-cents loop", at_least=1 / 5),
    ]
    workload.notes.append(
        "one op = group 20 lines by template, resolve the province's rules (cached), "
        "apply free rules and surcharges, total in Money; the per-line split is built "
        "on first access of line_shares (see the next workload)"
    )
    with_shares = Workload(
        name="W4 freight + line shares",
        subject="mallcore + shares",
        notes=[
            "as above, then reading line_shares: 3 allocate_minor splits per cart "
            "(no target: the loop does not split)"
        ],
    )
    with_shares.timings["mallcore + shares"] = measure(
        mallcore_carts_with_shares, ops_per_call=len(regions), target_s=target
    )
    with_shares.timings["int-cents loop"] = workload.timings["int-cents loop"]
    return [workload, with_shares]
