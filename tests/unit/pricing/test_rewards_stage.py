"""Stage 8 reports: growth value earned per line and a brokerage preview per line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import mallcore
from mallcore.membership import CommissionPlan, LevelRate
from mallcore.orders import Order
from mallcore.usecases import growth_of_lines

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"


def _quote() -> mallcore.Quote:
    scenario = mallcore.load_scenario(EXAMPLE)
    return mallcore.quote(scenario.cart, scenario.context)


def test_growth_earned_is_the_paid_yuan_split_by_what_each_line_paid() -> None:
    result = _quote()
    # Items paid 60.66 + 21.62 + 43.22 = 125.50 -> 125; 60.42 / 21.54 / 43.05 by weight,
    # the leftover to the largest remainder (B).
    assert result.items_paid_minor() == [6066, 2162, 4322]
    assert result.growth_earned() == {"A": 60, "B": 22, "C": 43}
    assert result.growth_earned(per_major=2) == {"A": 121, "B": 43, "C": 87}


def test_the_quote_and_the_order_placed_from_it_agree_on_growth() -> None:
    result = _quote()
    order = Order.place(result, customer_id="u1", at=datetime(2026, 11, 11, tzinfo=UTC))
    assert growth_of_lines(order) == result.growth_earned()


def test_the_brokerage_preview_floors_each_level() -> None:
    plan = CommissionPlan([LevelRate(5), LevelRate(3)])
    # A: 5 % of 60.66 = 3.033 -> 3.03; 3 % = 1.8198 -> 1.81.
    assert _quote().brokerage_preview(plan) == {
        "A": [303, 181],
        "B": [108, 64],
        "C": [216, 129],
    }
