"""Allocation follows the cart as the customer built it.

The largest-remainder rule gives a tie to the larger weight, then to the earlier
position, and position is the line's position in the cart (never SKU order). So:

- permuting a cart's lines permutes every allocation the same way whenever no
  two lines compete with equal weights (every line then pays the same, every
  adjustment splits the same way, whatever the order);
- when two lines do have equal weights, the earlier cart line gets the cent.

Both hold for every allocation of the quote: promotions, coupons, points,
freight, shipping coupons and points earned; refunds are per line
(``proportional_refund``) and the test of the money rules covers them.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st

import mallcore.money.allocation
import mallcore.pricing.sheet
import mallcore.promotions.benefit
from mallcore.errors import UndeliverableError, ZeroPaymentError
from mallcore.membership import PointsSettings
from mallcore.money import Money, largest_remainder
from mallcore.pricing import (
    Cart,
    CartLine,
    CatalogItem,
    Customer,
    PricingContext,
    Quote,
    Scenario,
    Stage,
    quote,
)
from mallcore.promotions import (
    Coupon,
    CouponKind,
    CouponTemplate,
    OrderBenefit,
    Promotion,
    SpendTier,
    ThresholdOff,
)
from mallcore.shipping.templates import ChargeBy, ChargeRule, FreightTemplate
from mallcore.testing.strategies import DEFAULT_AT, scenarios

#: Modules that bind ``largest_remainder`` for the quote's allocations.
_ALLOCATING = (mallcore.money.allocation, mallcore.pricing.sheet, mallcore.promotions.benefit)


@contextlib.contextmanager
def _watching_ties() -> Iterator[list[bool]]:
    """Record, for every allocation made inside, whether two positive weights were equal."""
    ties: list[bool] = []

    def watched(total: int, weights: Sequence[int], whole: int) -> list[int]:
        positive = [weight for weight in weights if weight > 0]
        ties.append(len(set(positive)) != len(positive))
        return largest_remainder(total, weights, whole)

    with contextlib.ExitStack() as stack:
        for module in _ALLOCATING:
            stack.enter_context(mock.patch.object(module, "largest_remainder", watched))
        yield ties


def _quote(cart: Cart, context: PricingContext) -> Quote | None:
    try:
        return quote(cart, context)
    except (ZeroPaymentError, UndeliverableError):
        return None


def _unit_values_tie(result: Quote, context: PricingContext) -> bool:
    """Whether two cart lines have equal unit amounts before a stage-3 promotion ran.

    Unit-level promotions (第N件, N件M元, 买X送Y) order units by amount; equal
    units from two lines are ordered by cart position, so such a cart may
    rightly depend on its order.
    """
    if not any(
        isinstance(p.benefit, OrderBenefit) and p.benefit.consumes_units for p in context.promotions
    ):
        return False
    columns = result.columns
    cart_lines = [i for i, gift in enumerate(columns.gift) if not gift]
    amount = {
        columns.key[i]: columns.list_subtotal[i] - columns.item_discount[i] for i in cart_lines
    }
    quantity = {columns.key[i]: columns.quantity[i] for i in cart_lines}
    scale = math.lcm(*quantity.values())

    def tied() -> bool:
        units = [amount[key] * (scale // quantity[key]) for key in amount]
        return len(set(units)) != len(units)

    if tied():
        return True
    for adjustment in result.adjustments:
        if adjustment.stage is Stage.PROMOTIONS:
            for key, part in adjustment.lines:
                amount[key] -= part
            if tied():
                return True
    return False


def _by_key(result: Quote) -> dict[str, Any]:
    lines = {line["sku"]: line for line in result.to_dict()["lines"]}
    splits = {(a.source, a.stage): dict(a.lines) for a in result.adjustments}
    rejected = sorted((r.source, r.reason, r.shortfall_minor) for r in result.rejected)
    return {"lines": lines, "splits": splits, "rejected": rejected, "total": result.total_minor}


@given(scenarios(min_lines=2), st.data())
def test_permuting_a_cart_permutes_its_allocations_when_no_weights_tie(
    scenario: Scenario, data: st.DataObject
) -> None:
    cart = scenario.cart
    context = scenario.context.evolve(allow_zero_payment=True)
    with _watching_ties() as ties:
        first = _quote(cart, context)
    assume(first is not None)
    assert first is not None
    assume(not any(ties) and not _unit_values_tie(first, context))
    permuted = Cart(
        data.draw(st.permutations(cart.lines), label="lines"), cart.coupons, cart.points
    )
    second = _quote(permuted, context)
    assert second is not None
    event(f"{len(cart.lines)} lines")
    assert _by_key(first) == _by_key(second)
    # The rows follow the cart: the permuted quote lists its lines in the permuted order.
    assert [line.sku for line in second.lines if not line.gift] == [
        line.sku for line in permuted.lines
    ]


# --------------------------------------------------------------------------- equal weights


def _twins(*, freight: bool = False) -> dict[str, CatalogItem]:
    """Two SKUs with the same price, weight and template: every allocation sees equal weights."""
    template = "T" if freight else None
    return {
        sku: CatalogItem(
            sku, f"P{sku}", Money("10.00", "CNY"), freight_template=template, weight_kg=Decimal(1)
        )
        for sku in ("X", "Y")
    }


def _context(catalog: dict[str, CatalogItem], **changes: Any) -> PricingContext:
    return PricingContext(currency="CNY", at=DEFAULT_AT, catalog=catalog, **changes)


def _per_piece(fee: str) -> dict[str, FreightTemplate]:
    rule = ChargeRule(Decimal(2), Decimal(fee), Decimal(1), Decimal(0))
    return {"T": FreightTemplate("T", ChargeBy.PIECE, [rule])}


# Each case: the context, the coupons to use, the adjustment to look at and its odd amount.
_SOURCES = {
    "promotion": (
        lambda: _context(
            _twins(),
            promotions=[
                Promotion(
                    "off",
                    ThresholdOff([SpendTier(Money("10.00", "CNY"), Money("0.03", "CNY"))]),
                )
            ],
        ),
        (),
        "promotion:off",
    ),
    "coupon": (
        lambda: _context(
            _twins(),
            coupons={
                "ODD": Coupon(
                    "ODD", CouponTemplate("odd", CouponKind.NO_THRESHOLD, Money("0.05", "CNY"))
                )
            },
        ),
        ("ODD",),
        "coupon:ODD",
    ),
    "points": (
        lambda: _context(
            _twins(),
            points=PointsSettings(points_per_unit=100, max_ratio=Decimal(100)),
            customer=Customer(points=7),
        ),
        (),
        "points",
    ),
    "freight": (
        lambda: _context(
            _twins(freight=True), freight_templates=_per_piece("8.01"), ship_to="440305"
        ),
        (),
        "freight:T",
    ),
    "shipping coupon": (
        lambda: _context(
            _twins(freight=True),
            freight_templates=_per_piece("8.00"),
            ship_to="440305",
            coupons={
                "SHIP": Coupon(
                    "SHIP", CouponTemplate("ship", CouponKind.SHIPPING, Money("0.01", "CNY"))
                )
            },
        ),
        ("SHIP",),
        "coupon:SHIP",
    ),
}


@pytest.mark.parametrize("source", sorted(_SOURCES))
@pytest.mark.parametrize("order", [("X", "Y"), ("Y", "X")])
def test_with_equal_weights_the_earlier_cart_line_gets_the_cent(
    source: str, order: tuple[str, str]
) -> None:
    make, codes, name = _SOURCES[source]
    lines = [CartLine(sku, 1) for sku in order]
    result = quote(Cart(lines, codes, "max" if source == "points" else None), make())
    (adjustment,) = [a for a in result.adjustments if a.source == name]
    shares = dict(adjustment.lines)
    earlier, later = order
    assert adjustment.amount_minor % 2 == 1
    assert shares[earlier] == shares.get(later, 0) + 1, shares


@given(
    st.integers(10, 99_999),  # two lines of at least 0.10 reach any threshold below
    st.integers(1, 5),
    st.integers(0, 4),
    st.integers(1, 9),
    st.booleans(),
)
def test_the_cent_goes_to_the_earlier_of_equal_lines_whatever_they_cost(
    price: int, quantity: int, others: int, discount: int, reverse: bool
) -> None:
    # Two equal lines among others of other prices; a 满减 of an odd number of
    # cents over all of them: the earlier twin never gets less than the later one.
    unit = Money(Decimal(price).scaleb(-2), "CNY")
    catalog = {sku: CatalogItem(sku, sku, unit) for sku in ("X", "Y")}
    for n in range(others):
        other = Money(Decimal(price + 7 * (n + 1)).scaleb(-2), "CNY")
        catalog[f"O{n}"] = CatalogItem(f"O{n}", f"O{n}", other)
    off = Money(Decimal(2 * discount - 1).scaleb(-2), "CNY")
    promotion = Promotion("off", ThresholdOff([SpendTier(off, off)]))
    twins = ["Y", "X"] if reverse else ["X", "Y"]
    skus = [twins[0], *(f"O{n}" for n in range(others)), twins[1]]
    cart = Cart([CartLine(sku, quantity) for sku in skus])
    result = quote(cart, _context(catalog, promotions=[promotion], allow_zero_payment=True))
    shares = dict(next(a for a in result.adjustments if a.source == "promotion:off").lines)
    earlier, later = twins
    assert shares.get(earlier, 0) - shares.get(later, 0) in (0, 1)
    assert shares.get(earlier, 0) >= shares.get(later, 0)
