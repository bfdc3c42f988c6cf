"""W1 quotes against django-oscar, and one quote with many rules plus the best-coupon search.

W1 comes from the peer benchmarks (``benchmarks/peers/workloads.json``): 200
products, five baskets each of 5, 20 and 100 lines, and four offers, priority
a > c > b > d: (a) 10 % off apparel, (c) buy 3 snacks and the cheapest is free,
(b) 满300减30 on everything, (d) voucher SAVE50, 50 off from 500. Scenario
``exclusive`` is Oscar's default (an item unit feeds at most one offer),
``stackable`` sets ``exclusive=False`` on every offer.

mallcore prices the same baskets with the same offers written as a scenario:
(a) ``percent_off`` 10 scoped to category apparel, (c) ``buy_x_get_y`` x=2 y=1
scoped to snacks, (b) ``threshold_off`` 300 → 30, (d) an ``amount_off`` coupon
SAVE50, 50 off with ``min_spend`` 500, each promotion in its own group with
Oscar's priorities. Scenario ``exclusive`` is mapped as closely as mallcore's
rules allow:

- (a) takes every apparel unit whenever it applies (its condition is one
  apparel unit), so Oscar's (b) never sees apparel: mallcore's (b) gets
  ``scope.exclude.categories = [apparel]``. This is exact.
- (d) may not share a unit with any offer: the coupon has
  ``stack_with_promotions: false``, so it is rejected (``not_combinable``) as soon
  as a promotion touched one of its lines. This is exact too.
- (c) consumes the three snack units of its group; mallcore's ``threshold_off``
  does not consume units, so (b) still counts those snacks (at their amounts
  after (c)). mallcore has no per-unit exclusivity between a unit-consuming
  and an amount promotion; ``exclusive: true`` means "alone in the order",
  which is a different rule.

Every quote runs the whole pipeline, including freight (one template by weight;
the catalogue's ``weight_g`` becomes ``weight_kg``; ship-to 440305 Shenzhen) and
``quote.to_dict()``. One op = ``scenario.with_cart(lines)`` + ``mallcore.quote``
+ ``to_dict()``; the scenario is loaded once. The peer is Oscar's own algorithm
with the database taken out, set up by the peer script ``bench_w1_oscar.py``
(imported from ``benchmarks/peers`` at run time, as ``bench_w1_oscar_nodb.py``
does): offers preloaded, ``Range.contains_product`` from a set, 0 SQL asserted,
and every basket checked against ``peers/results/w1_expected.json`` before timing.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import mallcore
from benchmarks._harness import Target, Workload, measure
from benchmarks._quote_w1 import (
    OFFER_IDS,
    agreement_notes,
    compare,
    load_peer_data,
    mallcore_snapshot,
    rich_scenario,
    shipping_fee_minor,
    twenty_coupons,
    w1_scenario,
)
from benchmarks._w1_floor import Floor, w1_floor
from mallcore.errors import ZeroPaymentError
from mallcore.pricing.cart import Cart, CartLine
from mallcore.pricing.scenario import Scenario

PEERS = Path(__file__).resolve().parent / "peers"
SUBJECT = "mallcore"
OSCAR = "django-oscar (no DB)"
FLOOR = "hand-written W1, no engine (floor)"
SIZES = (5, 20, 100)
BEST_NAME = "quote: 20 lines, 10 promotions, 5 coupons + best_coupons"
BEST_20_NAME = "best_coupons: 20 held coupons, 20 lines, 10 promotions"


def _oscar_module() -> Any:
    if str(PEERS) not in sys.path:
        sys.path.insert(0, str(PEERS))
    import bench_w1_oscar  # type: ignore[import-not-found]  # sets DJANGO_SETTINGS_MODULE

    return bench_w1_oscar


@cache
def _oscar_context() -> dict[str, Any]:
    """Django + the W1 catalogue, offers and baskets in SQLite: once per process."""
    w1 = _oscar_module()
    w1.django_setup()
    from oscar.core.loading import get_class, get_model  # type: ignore[import-untyped]

    context: dict[str, Any] = w1.build(load_peer_data()[0])
    context["Applicator"] = get_class("offer.applicator", "Applicator")
    context["OfferApplications"] = get_class("offer.results", "OfferApplications")
    context["ConditionalOffer"] = get_model("offer", "ConditionalOffer")
    return context


@contextmanager
def _oscar_nodb(scenario: str, exclusive: bool, size: int) -> Iterator[Callable[[], None]]:
    """Oscar's op on the baskets of *size*, DB-free; checked against the reference first."""
    w1 = _oscar_module()
    context = _oscar_context()
    context["ConditionalOffer"].objects.all().update(exclusive=exclusive)
    pairs = [(b, basket) for b, basket in context["baskets"] if b["size"] == size]
    baskets = [basket for _, basket in pairs]
    applicator, applications = context["Applicator"], context["OfferApplications"]

    def clear(basket: Any) -> None:
        for line in basket.all_lines():
            line.clear_discount()
        basket.offer_applications = applications()

    for basket in baskets:
        clear(basket)
    preloaded = [applicator().get_offers(basket, context["user"], None) for basket in baskets]

    def op() -> None:
        for basket, offers in zip(baskets, preloaded, strict=True):
            clear(basket)
            applicator().apply_offers(basket, offers)
            w1.read_totals(basket)

    reference = load_peer_data()[2]
    with w1.db_free(context, preloaded):
        op()  # warms the lines' lazy caches outside the check
        with w1.count_queries() as queries:
            op()
        assert queries.n == 0, f"Oscar no-DB still ran {queries.n} SQL queries"
        for b, basket in pairs:
            got = w1.snapshot(basket, list(OFFER_IDS))
            assert got == reference[scenario][b["id"]], (scenario, b["id"])
        yield op


def _carts(baskets: Sequence[dict[str, Any]]) -> list[tuple[CartLine, ...]]:
    return [tuple(CartLine(sku, quantity) for sku, quantity in b["lines"]) for b in baskets]


def _mallcore_op(scenario: Scenario, carts: Sequence[tuple[CartLine, ...]]) -> Callable[[], None]:
    def op() -> None:
        for lines in carts:
            priced = scenario.with_cart(lines)
            mallcore.quote(priced.cart, priced.context).to_dict()

    return op


def _floor_op(floor: Callable[..., Floor], baskets: Sequence[Any]) -> Callable[[], None]:
    def op() -> None:
        for lines in baskets:
            floor(lines)

    return op


def _check_quote(scenario: Scenario, lines: Sequence[CartLine], weights: dict[str, int]) -> Any:
    """Quote one basket and check the parts mallcore computes beyond Oscar's job."""
    priced = scenario.with_cart(lines)
    quote = mallcore.quote(priced.cart, priced.context)
    data = quote.to_dict()
    grams = sum(weights[line.sku] * line.quantity for line in lines)
    assert quote.shipping.amount == Decimal(shipping_fee_minor(grams)) / 100, (grams, data)
    paid = sum(line.paid_minor for line in quote.lines)
    assert (
        paid
        == quote.total_minor
        == sum(line.list_subtotal_minor for line in quote.lines)
        - sum(line.promotion_discount_minor + line.coupon_discount_minor for line in quote.lines)
        + sum(line.shipping_minor for line in quote.lines)
    )
    return quote


def _check_floor(floor: Floor, quote: Any, basket_id: str) -> None:
    """The hand-written floor must price a basket exactly as mallcore does."""
    rows, adjustments, rejected = floor
    lines = {
        line.key: (
            line.key,
            line.quantity,
            line.list_price_minor,
            line.promotion_discount_minor,
            line.coupon_discount_minor,
            line.shipping_minor,
            line.paid_minor,
        )
        for line in quote.lines
    }
    assert {row[0]: row for row in rows} == lines, basket_id
    mine = [(a.source, a.amount_minor, a.lines) for a in quote.adjustments]
    assert adjustments == mine, (basket_id, adjustments, mine)
    assert sorted(rejected) == sorted((r.source, r.reason) for r in quote.rejected), basket_id


def _oscar_note(workload: Workload) -> str:
    oscar = workload.timings[OSCAR].median_s
    mine = workload.timings[SUBJECT].median_s
    floor = workload.timings[FLOOR].median_s
    return (
        f"{oscar / mine:.1f}x faster than Oscar without its database (no target; the "
        f"hand-written floor is {oscar / floor:.1f}x faster than Oscar)"
    )


def _w1_workloads() -> list[Workload]:
    wl, catalogue, reference = load_peer_data()
    w1 = wl["W1"]
    weights = {row["sku"]: row["weight_g"] for row in wl["catalogue"]}
    workloads: list[Workload] = []
    for scenario_name, spec in w1["scenarios"].items():
        scenario = mallcore.load_scenario(w1_scenario(catalogue, scenario_name))
        floor = w1_floor(wl["catalogue"], spec["exclusive"])
        snapshots: dict[str, dict[str, Any]] = {}
        for basket in [*w1["baskets"], *w1["check_baskets"]]:
            quote = _check_quote(scenario, _carts([basket])[0], weights)
            snapshots[basket["id"]] = mallcore_snapshot(quote)
            _check_floor(floor(basket["lines"]), quote, basket["id"])
        verdicts = compare(snapshots, reference[scenario_name], scenario_name)
        for size in SIZES:
            baskets = [b for b in w1["baskets"] if b["size"] == size]
            workload = Workload(
                name=f"W1 cart pricing [{scenario_name}, {size} lines]", subject=SUBJECT
            )
            mine = _mallcore_op(scenario, _carts(baskets))
            workload.timings[SUBJECT] = measure(mine, ops_per_call=len(baskets))
            with _oscar_nodb(scenario_name, spec["exclusive"], size) as peer:
                workload.timings[OSCAR] = measure(peer, ops_per_call=len(baskets))
            workload.timings[FLOOR] = measure(
                _floor_op(floor, [b["lines"] for b in baskets]), ops_per_call=len(baskets)
            )
            workload.targets.append(Target(peer=FLOOR, at_least=1 / 3))
            workload.notes.append(_oscar_note(workload))
            workload.notes.extend(
                agreement_notes(verdicts, [b["id"] for b in baskets], scenario_name)
            )
            if size == SIZES[0]:
                workload.notes.append(
                    "mallcore's op also computes freight by weight and builds quote.to_dict(); "
                    "Oscar's computes neither"
                )
                checks = [b["id"] for b in w1["check_baskets"]]
                workload.notes.extend(
                    agreement_notes(verdicts, checks, scenario_name, label="check baskets")
                )
            workloads.append(workload)
    return workloads


def _brute_force(scenario: Scenario, lines: Sequence[CartLine], held: Sequence[str]) -> Any:
    """The least total over every subset of *held* (applied in held order); ties: fewer coupons."""
    best: tuple[int, int] | None = None
    for mask in range(1 << len(held)):
        codes = tuple(code for bit, code in enumerate(held) if mask >> bit & 1)
        try:
            total = mallcore.quote(Cart(lines, codes), scenario.context).total_minor
        except ZeroPaymentError:
            continue
        if best is None or (total, len(codes)) < best:
            best = (total, len(codes))
    return best


def _rules_workload() -> Workload:
    wl, catalogue, _ = load_peer_data()
    data, held = rich_scenario(catalogue)
    scenario = mallcore.load_scenario(data)
    # B020-1 is the 20-line basket in which all ten promotions apply.
    basket = next(b for b in wl["W1"]["baskets"] if b["id"] == "B020-1")
    lines = _carts([basket])[0]
    context = scenario.context
    best_coupons = mallcore.best_coupons
    workload = Workload(name=BEST_NAME, subject=SUBJECT)
    quote_all = Cart(lines, held)
    sources = {a.source for a in mallcore.quote(quote_all, context).adjustments}
    applied = sorted(s for s in sources if s.startswith("promotion:"))
    assert len(context.promotions) == len(applied) == 10, applied

    def quote_only() -> None:
        mallcore.quote(quote_all, context).to_dict()

    cart = Cart(lines)
    result = best_coupons(cart, context, held)
    want = _brute_force(scenario, lines, held)
    got = (result.quote.total_minor, len(result.codes))
    assert got == want, (result.codes, got, want)

    def with_best() -> None:
        best_coupons(cart, context, held).quote.to_dict()

    workload.timings[SUBJECT] = measure(with_best)
    workload.timings["mallcore quote only (5 codes as listed)"] = measure(quote_only)
    workload.notes.append(
        f"best_coupons picks {list(result.codes)} out of {list(held)} after evaluating "
        f"{result.evaluated} sets; checked equal to brute force over all 32 subsets "
        "(least total, then fewer coupons)"
    )
    return workload


def _one_per_class_brute_force(
    context: Any, lines: Sequence[CartLine], coupons: Sequence[Any]
) -> tuple[int, int]:
    """Least (total, coupons) over every set of at most one coupon per class, in class order.

    With one coupon allowed per class, a set holding two of a class prices like
    the smaller set (the second is rejected) and loses its tie on size, so this
    is the brute force over all 2**20 subsets, done in a few hundred quotes.
    """
    by_class: dict[str, list[str | None]] = {"product": [None], "order": [None], "shipping": [None]}
    for coupon in coupons:
        by_class[coupon.coupon_class.value].append(coupon.code)
    best: tuple[int, int] | None = None
    for combo in itertools.product(by_class["product"], by_class["order"], by_class["shipping"]):
        codes = tuple(code for code in combo if code is not None)
        try:
            total = mallcore.quote(Cart(lines, codes), context).total_minor
        except ZeroPaymentError:
            continue
        if best is None or (total, len(codes)) < best:
            best = (total, len(codes))
    assert best is not None
    return best


def _best_of_20_workload() -> Workload:
    wl, catalogue, _ = load_peer_data()
    data, _ = rich_scenario(catalogue)
    data["coupons"] = twenty_coupons()
    held = tuple(coupon["code"] for coupon in data["coupons"])
    assert len(held) == 20
    context = mallcore.load_scenario(data).context
    basket = next(b for b in wl["W1"]["baskets"] if b["id"] == "B020-1")
    lines = _carts([basket])[0]
    cart = Cart(lines)
    best_coupons = mallcore.best_coupons
    result = best_coupons(cart, context, held)
    got = (result.quote.total_minor, len(result.codes))
    coupons = [context.coupons[code] for code in held]
    assert got == _one_per_class_brute_force(context, lines, coupons), (result.codes, got)
    singles = [mallcore.quote(Cart(lines, (code,)), context).total_minor for code in held]
    assert got[0] <= min([mallcore.quote(cart, context).total_minor, *singles])

    workload = Workload(name=BEST_20_NAME, subject=SUBJECT)
    workload.timings[SUBJECT] = measure(lambda: best_coupons(cart, context, held))
    workload.targets.append(Target(peer="", max_seconds=5e-3, label="20 held coupons"))
    workload.notes.append(
        f"best_coupons picks {list(result.codes)} out of 20 held coupons (8 product, 8 order, "
        f"4 shipping; 2 outside their validity) after evaluating {result.evaluated} sets; "
        "checked equal to brute force over every set with at most one coupon per class"
    )
    return workload


def run(quick: bool) -> list[Workload]:
    """Every workload; *quick* needs nothing here (``--quick`` shortens the harness loops)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oscar_settings")
    workloads = _w1_workloads()
    workloads.append(_rules_workload())
    workloads.append(_best_of_20_workload())
    return workloads
