"""Quotes and rule sets in a notebook: readable HTML (money with its symbol) and pandas frames."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from mallcore import load_scenario, quote
from mallcore.errors import ConfigError
from mallcore.money import resolve_currency
from mallcore.pricing import Adjustment, LineColumns, Quote, Rejection, Stage, load_rule_set
from mallcore.promotions import Reason

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"
CNY = resolve_currency("CNY")


@pytest.fixture(scope="module")
def stacked() -> Quote:
    scenario = load_scenario(EXAMPLE)
    return quote(scenario.cart, scenario.context)


def handmade(key: str = "<b>tea</b>", source: str = "promotion:<i>x</i>") -> Quote:
    """A one-line quote built by hand, with text that must be escaped."""
    columns = LineColumns(
        key=[key],
        sku=[key],
        quantity=[2],
        list_price=[1000],
        list_subtotal=[2000],
        item_discount=[0],
        promotion_discount=[500],
        coupon_discount=[0],
        points_deduction=[0],
        shipping=[0],
        tax=[0],
        points_earned=[15],
        activity=[False],
        gift=[False],
        paid=[1500],
    )
    adjustments = (Adjustment(source, Stage.PROMOTIONS, 500, ((key, 500),), CNY, 2000),)
    rejected = (Rejection("coupon:A&B", Reason.BELOW_THRESHOLD, 1230, CNY, key),)
    return Quote(CNY, columns, adjustments, rejected)


# --------------------------------------------------------------------------- Quote HTML


def test_the_quote_html_shows_lines_adjustments_rejections_and_the_total(stacked: Quote) -> None:
    html = stacked._repr_html_()
    assert html.startswith("<table><caption>Quote in CNY</caption>")
    # The lines with money in the default locale, and the total in the footer.
    assert "<tr><td>A</td><td>2</td><td>¥50.00</td><td>¥100.00</td>" in html
    assert "<td>¥152.50</td></tr></tfoot>" in html
    # Columns that are zero on every line (tax here) are left out.
    assert "<th>tax</th>" not in html
    assert "<th>points</th>" in html
    # Each adjustment by stage: the base it looked at, the signed amount and its split.
    assert (
        "<tr><td>promotions</td><td>promotion:ladder</td><td>¥165.50</td><td>-¥10.00</td>"
        "<td>A ¥4.83, B ¥1.72, C ¥3.45</td></tr>"
    ) in html
    assert "<td>shipping</td><td>freight:T2</td><td></td><td>+¥15.00</td><td>C ¥15.00</td>" in html
    assert "<p><strong>Total: ¥152.50</strong> (points used: 2000, points earned: 125)</p>" in html


def test_the_quote_html_lists_the_rejections_with_their_shortfall() -> None:
    html = handmade()._repr_html_()
    assert (
        "<li>coupon:A&amp;B: below_threshold on line &lt;b&gt;tea&lt;/b&gt; "
        "(spend ¥12.30 more)</li>"
    ) in html


def test_the_quote_html_escapes_every_text() -> None:
    html = handmade()._repr_html_()
    assert "<b>" not in html and "<i>" not in html
    assert "<td>&lt;b&gt;tea&lt;/b&gt;</td>" in html
    assert "<td>promotion:&lt;i&gt;x&lt;/i&gt;</td>" in html


def test_the_quote_html_has_no_adjustments_table_without_adjustments() -> None:
    plain = Quote(CNY, handmade().columns, (), ())
    html = plain._repr_html_()
    assert "Adjustments" not in html and "Not applied" not in html
    assert html.endswith("<p><strong>Total: ¥15.00</strong> (points earned: 15)</p>")


# --------------------------------------------------------------------------- Quote to_pandas


def test_to_pandas_gives_the_lines_with_exact_decimal_amounts(stacked: Quote) -> None:
    frame = stacked.to_pandas()
    assert list(frame["key"]) == ["A", "B", "C"]
    assert list(frame.columns) == [
        "key",
        "sku",
        "quantity",
        "list_price",
        "list_subtotal",
        "item_discount",
        "promotion_discount",
        "coupon_discount",
        "points_deduction",
        "shipping",
        "tax",
        "paid",
        "points_earned",
        "activity",
        "gift",
    ]
    assert frame.loc[0, "list_price"] == Decimal("50.00")
    assert isinstance(frame.loc[0, "paid"], Decimal)
    assert frame["paid"].dtype == object
    assert sum(frame["paid"]) == stacked.total.amount
    assert frame.attrs["currency"] == "CNY"
    assert frame["quantity"].tolist() == [2, 1, 3]


def test_to_pandas_keeps_the_currency_digits() -> None:
    columns = LineColumns(
        key=["X"],
        sku=["X"],
        quantity=[1],
        list_price=[1234],
        list_subtotal=[1234],
        item_discount=[0],
        promotion_discount=[0],
        coupon_discount=[0],
        points_deduction=[0],
        shipping=[0],
        tax=[0],
        points_earned=[0],
        activity=[False],
        gift=[False],
        paid=[1234],
    )
    frame = Quote(resolve_currency("JPY"), columns, (), ()).to_pandas()
    assert frame.loc[0, "paid"] == Decimal("1234")
    assert str(frame.loc[0, "tax"]) == "0"


def without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    # A None entry in sys.modules makes ``import pandas`` raise ImportError.
    monkeypatch.setitem(sys.modules, "pandas", None)


def test_to_pandas_without_pandas_says_what_to_install(
    stacked: Quote, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_pandas(monkeypatch)
    with pytest.raises(ConfigError, match=r"pip install 'mallcore\[analysis\]'"):
        stacked.to_pandas()


# --------------------------------------------------------------------------- RuleSet HTML


def test_the_rule_set_html_names_its_parts() -> None:
    html = load_rule_set(EXAMPLE)._repr_html_()
    assert html.startswith(
        "<p><strong>Rule set 01-stacked-cart</strong>: prices in CNY, 3 SKUs in the catalog</p>"
    )
    assert (
        "<tr><td>ladder</td><td>threshold_off</td><td>tiers min_spend ¥100.00, amount_off ¥5.00; "
        "min_spend ¥150.00, amount_off ¥10.00</td><td>everything</td><td>always</td><td></td></tr>"
    ) in html
    assert (
        "<td>flash-A</td><td>time_limited</td><td>percent_off 20</td><td>products A</td>"
        "<td>2026-11-11 00:00+08:00 until 2026-11-12 00:00+08:00</td>"
    ) in html
    assert "<td>SAVE10P</td><td>percent_off</td><td>10 % off, at most ¥10.00</td>" in html
    assert "<td>T1</td><td>piece</td><td>first 1 ¥8.00, each 1 more ¥2.00</td>" in html
    assert "<tr><td>gold</td><td>1000</td><td>95 %</td><td>1</td><td></td></tr>" in html
    assert "Points: 100 points = ¥1.00, up to 50 % of the items, at most 2000 per order" in html


def test_the_rule_set_html_escapes_its_name_and_skips_what_it_lacks() -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for key in ("promotions", "coupons", "membership"):
        data.pop(key)
    html = load_rule_set(data, name="<script>")._repr_html_()
    assert "<script>" not in html and "Rule set &lt;script&gt;" in html
    assert "Promotions" not in html and "Coupons" not in html and "Points" not in html
    assert "<caption>Freight templates</caption>" in html
