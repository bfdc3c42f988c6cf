"""Invariants of freight: monotone fees, free rules, exact splits, combine modes, spellings."""

from decimal import Decimal

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st

from mallcore.errors import UndeliverableError
from mallcore.money import Money
from mallcore.shipping.freight import Combine, ShippingLine, compute_shipping
from mallcore.shipping.regions import normalize_region, region_ancestors
from mallcore.shipping.templates import ChargeBy, ChargeRule, FreightTemplate
from mallcore.testing.strategies import (
    freight_templates,
    region_codes,
    shipping_lines,
)

IDS = ("T1", "T2", "T3")
ZERO = Money("0.00", "CNY")


def _catalog(*, free_rules: bool = True) -> st.SearchStrategy[dict[str, FreightTemplate]]:
    return st.tuples(*(freight_templates(template_id=t, free_rules=free_rules) for t in IDS)).map(
        lambda ts: {t.id: t for t in ts}
    )


def _ship(lines, templates, region, combine=Combine.SUM):
    return compute_shipping(lines, templates, region, currency="CNY", combine=combine)


def _value(template: FreightTemplate, lines) -> Decimal:
    if template.charge_by is ChargeBy.PIECE:
        return Decimal(sum(line.quantity for line in lines))
    if template.charge_by is ChargeBy.WEIGHT:
        return sum((line.quantity * line.weight_kg for line in lines), Decimal(0))
    return sum((line.quantity * line.volume_m3 for line in lines), Decimal(0))


@given(_catalog(free_rules=False), shipping_lines((*IDS, None)), region_codes())
def test_sum_matches_a_decimal_oracle(templates, lines, region):
    expected = Decimal(0)
    ancestors = region_ancestors(region)
    for template_id in dict.fromkeys(line.template_id for line in lines):
        if template_id is None:
            continue
        template = templates[template_id]
        rule = template.rule_for(region)
        assert rule is not None  # every drawn template has a default rule
        mine = [line for line in lines if line.template_id == template_id]
        expected += rule.fee(_value(template, mine))
        depth = {code: i for i, code in enumerate(ancestors)}
        matching = [
            (min(depth[c] for c in s.regions if c in depth), i, s.amount)
            for i, s in enumerate(template.surcharges)
            if any(c in depth for c in s.regions)
        ]
        expected += min(matching)[2] if matching else 0
    assert _ship(lines, templates, region).total == Money(expected, "CNY")


@given(
    _catalog(free_rules=False),
    shipping_lines(IDS),
    region_codes(),
    st.data(),
    st.sampled_from(Combine),
)
def test_the_fee_never_falls_when_a_line_grows(templates, lines, region, data, combine):
    index = data.draw(st.integers(0, len(lines) - 1))
    old = lines[index]
    grown = attrs.evolve(
        old,
        quantity=old.quantity + data.draw(st.integers(0, 3)),
        weight_kg=old.weight_kg + data.draw(st.integers(0, 2000)) * Decimal("0.001"),
        volume_m3=old.volume_m3 + data.draw(st.integers(0, 2000)) * Decimal("0.000001"),
    )
    bigger = [*lines[:index], grown, *lines[index + 1 :]]
    before = _ship(lines, templates, region, combine).total
    assert _ship(bigger, templates, region, combine).total >= before


@given(_catalog(), shipping_lines((*IDS, None)), region_codes(), st.sampled_from(Combine))
def test_a_free_rule_never_raises_the_fee(templates, lines, region, combine):
    without = {t: attrs.evolve(tpl, free_rules=()) for t, tpl in templates.items()}
    with_free = _ship(lines, templates, region, combine)
    assert with_free.total <= _ship(lines, without, region, combine).total
    for fee in with_free.fees:
        if fee.free:
            assert (fee.fee, fee.surcharge) == (ZERO, ZERO)


@given(
    _catalog(), shipping_lines((*IDS, None), max_size=8), region_codes(), st.sampled_from(Combine)
)
def test_shares_add_up_to_the_fees(templates, lines, region, combine):
    breakdown = _ship(lines, templates, region, combine)
    assert set(breakdown.line_shares) == {line.key for line in lines}
    assert sum(breakdown.line_shares.values(), ZERO) == breakdown.total
    assert sum((fee.fee for fee in breakdown.fees), ZERO) == breakdown.total
    for fee in breakdown.fees:
        assert sum(fee.line_shares.values(), ZERO) == fee.fee
        assert all(share >= ZERO for share in fee.line_shares.values())


def _first_never_cheaper(template: FreightTemplate) -> FreightTemplate:
    """Raise each first fee to at least what its units cost at the additional rate.

    ``max_first`` charges non-leading templates ``ceil(value / additional) ×
    additional_fee``; that only undercuts their own fee when the first units
    are not dearer than additional ones, which real templates never are.
    """
    rules = []
    for rule in template.rules:
        whole, rest = divmod(rule.first, rule.additional)  # Decimal // truncates: ceil by hand
        steps = whole + (1 if rest else 0)
        rules.append(attrs.evolve(rule, first_fee=max(rule.first_fee, steps * rule.additional_fee)))
    return attrs.evolve(template, rules=tuple(rules))


@given(_catalog(), shipping_lines((*IDS, None), max_size=8), region_codes())
def test_max_first_never_costs_more_than_sum(templates, lines, region):
    fair = {t: _first_never_cheaper(tpl) for t, tpl in templates.items()}
    assert _ship(lines, fair, region, Combine.MAX_FIRST).total <= _ship(lines, fair, region).total


@given(_catalog(), shipping_lines((*IDS, None)), region_codes(six_digit=True, foreign=False))
def test_short_and_six_digit_codes_give_identical_results(templates, lines, region):
    short = normalize_region(region)
    assume(short != region)
    assert _ship(lines, templates, region) == _ship(lines, templates, short)
    for combine in Combine:
        assert (
            _ship(lines, templates, region, combine).fees
            == _ship(lines, templates, short, combine).fees
        )


@given(freight_templates(), shipping_lines(), region_codes())
def test_no_delivery_always_blocks(template, lines, region):
    blocked = attrs.evolve(template, no_delivery=(region_ancestors(region)[-1],))
    try:
        _ship(lines, {"T": blocked}, region)
    except UndeliverableError as exc:
        assert exc.sku == lines[0].key
    else:
        raise AssertionError("expected UndeliverableError")


@given(st.integers(1, 50), st.integers(1, 999))
def test_n_items_of_a_weight_weigh_exactly_n_times_it(quantity, grams):
    weight = Decimal(grams).scaleb(-3)
    total = quantity * weight
    # `first` is exactly the total weight, so any rounding error would add a step.
    template = FreightTemplate("T", "weight", [ChargeRule(total, Decimal(5), Decimal("0.001"), 1)])
    (fee,) = _ship([ShippingLine("A", "T", quantity, weight)], {"T": template}, "44").fees
    assert fee.charged_value == total
    assert fee.fee == Money("5.00", "CNY")
