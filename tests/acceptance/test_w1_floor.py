"""The benchmark's hand-written W1 floor prices every W1 basket exactly as mallcore does.

``make bench`` times the floor next to mallcore and Oscar; it is only a fair
floor while it does mallcore's arithmetic, so the suite checks that here too
(the benchmark checks it again before timing).
"""

from __future__ import annotations

import pytest
from benchmarks._quote_w1 import load_peer_data, w1_scenario
from benchmarks._w1_floor import w1_floor
from benchmarks.bench_quote import _carts, _check_floor

import mallcore


@pytest.mark.parametrize("scenario_name", ["exclusive", "stackable"])
def test_floor_agrees_with_mallcore_on_every_w1_basket(scenario_name: str) -> None:
    workloads, catalogue, _ = load_peer_data()
    w1 = workloads["W1"]
    scenario = mallcore.load_scenario(w1_scenario(catalogue, scenario_name))
    floor = w1_floor(workloads["catalogue"], w1["scenarios"][scenario_name]["exclusive"])
    baskets = [*w1["baskets"], *w1["check_baskets"]]
    for basket, lines in zip(baskets, _carts(baskets), strict=True):
        priced = scenario.with_cart(lines)
        quote = mallcore.quote(priced.cart, priced.context)
        _check_floor(floor(basket["lines"]), quote, basket["id"])
