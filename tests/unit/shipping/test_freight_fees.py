"""Freight fees, combine modes, free rules, surcharges and splits; every number by hand."""

from decimal import Decimal

import pytest

from mallcore.errors import (
    ConfigError,
    CurrencyMismatchError,
    UndeliverableError,
    UnknownRegionError,
)
from mallcore.money import Money
from mallcore.shipping.freight import Combine, ShippingLine, compute_shipping
from mallcore.shipping.templates import (
    ChargeBy,
    ChargeRule,
    FreeRule,
    FreightTemplate,
    Surcharge,
)

D = Decimal


def cny(value: str) -> Money:
    return Money(value, "CNY")


def rule(first, first_fee, additional, additional_fee, regions=()):
    return ChargeRule(D(first), D(first_fee), D(additional), D(additional_fee), regions)


def piece(template_id="T", *rules, **kwargs):
    return FreightTemplate(template_id, ChargeBy.PIECE, rules or (rule(1, 10, 1, 5),), **kwargs)


def line(key, template_id="T", quantity=1, weight="0", volume="0", amount="0.00"):
    return ShippingLine(key, template_id, quantity, D(weight), D(volume), cny(amount))


def ship(lines, templates, region="440305", **kwargs):
    if isinstance(templates, FreightTemplate):
        templates = [templates]
    by_id = {t.id: t for t in templates}
    return compute_shipping(lines, by_id, region, currency=kwargs.pop("currency", "CNY"), **kwargs)


# ------------------------------------------------------------------------------ the fee formula


@pytest.mark.parametrize(
    ("charge_by", "the_rule", "quantity", "unit", "expected"),
    [
        # piece: first 1 piece ¥10, each further piece ¥5
        ("piece", (1, "10", 1, "5"), 1, "0", "10.00"),
        ("piece", (1, "10", 1, "5"), 2, "0", "15.00"),
        ("piece", (1, "10", 1, "5"), 3, "0", "20.00"),
        # piece: first 2 pieces ¥8, each further 3 pieces (or part) ¥4: 6 → 8 + ceil(4/3)·4 = 16
        ("piece", (2, "8", 3, "4"), 6, "0", "16.00"),
        # weight: first 1 kg ¥8, each further 0.5 kg (or part) ¥2
        ("weight", ("1", "8", "0.5", "2"), 1, "0.3", "8.00"),
        ("weight", ("1", "8", "0.5", "2"), 1, "1", "8.00"),
        ("weight", ("1", "8", "0.5", "2"), 1, "1.01", "10.00"),  # ceil(0.01/0.5) = 1
        ("weight", ("1", "8", "0.5", "2"), 3, "0.5", "10.00"),  # 1.5 kg: ceil(0.5/0.5) = 1
        ("weight", ("1", "8", "0.5", "2"), 1, "1.51", "12.00"),  # ceil(0.51/0.5) = 2
        ("weight", ("1", "8", "0.5", "2"), 2, "1.6", "18.00"),  # 3.2 kg: ceil(2.2/0.5) = 5
        # volume: first 0.01 m³ ¥15, each further 0.005 m³ ¥3
        ("volume", ("0.01", "15", "0.005", "3"), 1, "0.012", "18.00"),
        ("volume", ("0.01", "15", "0.005", "3"), 2, "0.01", "21.00"),  # 0.02: 2 steps
    ],
)
def test_fee_table(charge_by, the_rule, quantity, unit, expected):
    template = FreightTemplate("T", charge_by, [rule(*the_rule)])
    kwargs = {"weight": unit} if charge_by == "weight" else {"volume": unit}
    breakdown = ship([line("A", quantity=quantity, **kwargs)], template)
    assert breakdown.total == cny(expected)
    assert breakdown.line_shares == {"A": cny(expected)}


def test_three_items_of_a_tenth_of_a_kilo_weigh_exactly_three_tenths():
    # With floats 3 × 0.1 = 0.30000000000000004 > 0.3 and a second step would be charged.
    template = FreightTemplate("W", ChargeBy.WEIGHT, [rule("0.3", "5", "0.1", "1")])
    breakdown = ship([line("A", "W", quantity=3, weight="0.1")], template)
    assert breakdown.total == cny("5.00")
    assert breakdown.fees[0].charged_value == D("0.3")


def test_the_charge_rule_computes_the_same_fee_in_decimal():
    the_rule = rule("1", "8", "0.5", "2")
    assert the_rule.fee(D("3.2")) == D(18)
    assert the_rule.fee(D("0.2")) == D(8)


# ------------------------------------------------------------------------------ regions


def test_the_deepest_matching_rule_wins_and_a_rule_without_regions_is_the_default():
    template = piece(
        "T",
        rule(1, 10, 1, 5),
        rule(1, 20, 1, 5, regions=["65"]),
        rule(1, 30, 1, 5, regions=["650100"]),
    )
    cart = [line("A")]
    assert ship(cart, template, "650102").total == cny("30.00")  # district of Ürümqi
    assert ship(cart, template, "6502").total == cny("20.00")  # Karamay: province rule
    assert ship(cart, template, "650000").total == cny("20.00")
    assert ship(cart, template, "44").total == cny("10.00")


def test_chinese_addresses_match_a_rule_for_cn_and_iso_subdivisions_their_country():
    template = piece("T", rule(1, 10, 1, 5, regions=["CN"]), rule(1, 50, 1, 5, regions=["US"]))
    assert ship([line("A")], template, "440305").total == cny("10.00")
    assert ship([line("A")], template, "US-CA").total == cny("50.00")
    with pytest.raises(UndeliverableError):  # no rule matches Great Britain
        ship([line("A")], template, "GB")


def test_short_and_six_digit_codes_give_the_same_fee():
    template = piece("T", rule(1, 10, 1, 5), rule(1, 20, 1, 5, regions=["440300"]))
    assert ship([line("A")], template, "4403").total == cny("20.00")
    assert ship([line("A")], template, "440300").total == cny("20.00")


def test_an_invalid_region_is_an_error_even_when_nothing_is_charged():
    with pytest.raises(UnknownRegionError):
        ship([line("A", template_id=None)], piece(), "4499")
    with pytest.raises(UnknownRegionError):
        ship([line("A")], piece(), "XX")


# ------------------------------------------------------------------------------ combine


def combine_example_templates():
    # The combine example of docs/reference/shipping.rst: T1 first 1 piece ¥10, +1 piece ¥5;
    # T2 first 1 piece ¥8, +2 pieces ¥4. 3 + 4 pieces cost ¥36 summed, ¥28 under max_first.
    return [piece("T1", rule(1, 10, 1, 5)), piece("T2", rule(1, 8, 2, 4))]


def test_sum_adds_every_template_fee_36_cny():
    cart = [line("A", "T1", 3), line("B", "T2", 4)]
    breakdown = ship(cart, combine_example_templates(), combine=Combine.SUM)
    # T1: 10 + 2 × 5 = 20; T2: 8 + ceil(3/2) × 4 = 16
    assert breakdown.total == cny("36.00")
    assert breakdown.line_shares == {"A": cny("20.00"), "B": cny("16.00")}


def test_max_first_charges_other_templates_at_the_additional_rate_28_cny():
    cart = [line("A", "T1", 3), line("B", "T2", 4)]
    breakdown = ship(cart, combine_example_templates(), combine=Combine.MAX_FIRST)
    # T1 has the higher first fee: 20 in full; T2: ceil(4/2) × 4 = 8
    assert breakdown.total == cny("28.00")
    t1, t2 = breakdown.fees
    assert (t1.base_fee, t1.fee) == (cny("20.00"), cny("20.00"))
    assert (t2.base_fee, t2.fee) == (cny("16.00"), cny("8.00"))


def test_max_first_ties_go_to_the_template_listed_first_whatever_the_cart_order():
    templates = [piece("T1", rule(1, 10, 1, 5)), piece("T2", rule(1, 10, 1, 3))]
    # T1 is listed first, so it leads: 10 + 5 = 15; T2 at the additional rate: 2 × 3 = 6.
    for cart in (
        [line("B", "T2", 2), line("A", "T1", 2)],
        [line("A", "T1", 2), line("B", "T2", 2)],
    ):
        assert ship(cart, templates, combine=Combine.MAX_FIRST).total == cny("21.00")


def test_max_first_ignores_free_templates_when_choosing_the_leader():
    templates = [
        piece("T1", rule(1, 10, 1, 5), free_rules=[FreeRule(min_quantity=3)]),
        piece("T2", rule(1, 8, 2, 4)),
    ]
    cart = [line("A", "T1", 3), line("B", "T2", 4)]
    breakdown = ship(cart, templates, combine=Combine.MAX_FIRST)
    # T1 is free, so T2 pays its full fee 8 + ceil(3/2) × 4 = 16, not 8.
    assert breakdown.total == cny("16.00")
    assert [f.free for f in breakdown.fees] == [True, False]


def test_max_first_with_one_template_is_the_plain_fee():
    cart = [line("A", "T1", 3)]
    assert ship(cart, combine_example_templates(), combine=Combine.MAX_FIRST).total == cny("20.00")


# ------------------------------------------------------------------------------ free rules


def test_min_amount_makes_the_template_free_from_the_threshold_on():
    template = piece(free_rules=[FreeRule(min_amount=D("99.00"))])
    below = ship([line("A", amount="98.99")], template)
    assert below.total == cny("10.00")
    assert below.fees[0].free is False
    at = ship([line("A", amount="99.00")], template)
    assert at.total == cny("0.00")
    (fee,) = at.fees
    assert fee.free is True
    assert fee.free_reason == "free_rule: min_amount 99.00 reached"
    assert fee.base_fee == cny("10.00")  # what it would have cost
    assert fee.fee == cny("0.00")
    assert at.line_shares == {"A": cny("0.00")}


def test_a_free_rule_with_both_thresholds_needs_both():
    template = piece(free_rules=[FreeRule(min_amount=D(99), min_quantity=2)])
    assert ship([line("A", quantity=1, amount="120.00")], template).total == cny("10.00")
    assert ship([line("A", quantity=2, amount="98.00")], template).total == cny("15.00")
    free = ship([line("A", quantity=2, amount="99.00")], template)
    assert free.total == cny("0.00")
    assert free.fees[0].free_reason == "free_rule: min_amount 99 and min_quantity 2 reached"


def test_free_rules_look_only_at_their_own_templates_lines():
    templates = [
        piece("T1", rule(1, 10, 1, 5), free_rules=[FreeRule(min_amount=D(99))]),
        piece("T2", rule(1, 8, 1, 4)),
    ]
    cart = [line("A", "T1", amount="50.00"), line("B", "T2", amount="60.00")]
    assert ship(cart, templates).total == cny("18.00")  # 50 < 99 although the cart has 110


def test_the_deepest_free_rule_replaces_the_default_one():
    template = piece(free_rules=[FreeRule(min_amount=D(99)), FreeRule(["65"], min_amount=D(199))])
    cart = [line("A", amount="150.00")]
    assert ship(cart, template, "440305").total == cny("0.00")
    assert ship(cart, template, "650102").total == cny("10.00")  # Xinjiang needs 199


def test_a_free_rule_without_thresholds_is_always_free_for_its_regions():
    template = piece(free_rules=[FreeRule(["31"])])
    assert ship([line("A")], template, "310101").total == cny("0.00")
    assert ship([line("A")], template, "44").total == cny("10.00")


def test_a_min_amount_in_another_currency_is_refused():
    template = piece(free_rules=[FreeRule(min_amount=D(99))])
    usd = ShippingLine("A", "T", 1, amount=Money("100.00", "USD"))
    with pytest.raises(CurrencyMismatchError, match="amount of 'A'"):
        ship([usd], template)


# ------------------------------------------------------------------------------ surcharges


def test_a_remote_area_surcharge_is_added_to_the_fee():
    template = piece(surcharges=[Surcharge(["65", "54"], D(15))])
    remote = ship([line("A")], template, "650102")
    assert remote.total == cny("25.00")
    assert (remote.fees[0].base_fee, remote.fees[0].surcharge) == (cny("10.00"), cny("15.00"))
    assert ship([line("A")], template, "44").total == cny("10.00")


def test_the_deepest_surcharge_applies():
    template = piece(surcharges=[Surcharge(["65"], D(15)), Surcharge(["6543"], D(25))])
    assert ship([line("A")], template, "654301").total == cny("35.00")
    assert ship([line("A")], template, "6501").total == cny("25.00")


def test_a_free_rule_waives_the_surcharge_too():
    template = piece(free_rules=[FreeRule(min_quantity=2)], surcharges=[Surcharge(["65"], D(15))])
    breakdown = ship([line("A", quantity=2)], template, "650102")
    assert breakdown.total == cny("0.00")
    assert breakdown.fees[0].surcharge == cny("0.00")


def test_under_max_first_every_charged_template_keeps_its_surcharge():
    templates = [
        piece("T1", rule(1, 10, 1, 5), surcharges=[Surcharge(["65"], D(15))]),
        piece("T2", rule(1, 8, 2, 4), surcharges=[Surcharge(["65"], D(6))]),
    ]
    cart = [line("A", "T1", 3), line("B", "T2", 4)]
    # 28 as in the combine example (docs/reference/shipping.rst), plus 15 + 6
    assert ship(cart, templates, "6501", combine=Combine.MAX_FIRST).total == cny("49.00")


# ------------------------------------------------------------------------------ undeliverable


def test_no_delivery_names_the_sku_the_region_and_the_template():
    template = piece(no_delivery=["65", "5400"])
    cart = [line("TEA-1"), line("TEA-2")]
    with pytest.raises(UndeliverableError) as info:
        ship(cart, template, "540102")
    assert (info.value.sku, info.value.region, info.value.template) == ("TEA-1", "540102", "T")
    assert "'TEA-1'" in str(info.value)
    assert "'540102'" in str(info.value)
    assert ship(cart, template, "44").total == cny("15.00")


def test_templates_report_whether_they_ship_somewhere():
    template = piece("T", rule(1, 10, 1, 5, regions=["CN"]), no_delivery=["65"])
    assert template.ships_to("44")
    assert not template.ships_to("650102")
    assert not template.ships_to("US")


# ------------------------------------------------------------------------------ splits


def test_a_weight_fee_is_split_by_weight():
    template = FreightTemplate("W", ChargeBy.WEIGHT, [rule(1, 8, 1, 4)])
    cart = [line("A", "W", weight="0.5"), line("B", "W", weight="1.5")]
    breakdown = ship(cart, template)
    # 2 kg: 8 + 4 = 12, split 0.5 : 1.5
    assert breakdown.line_shares == {"A": cny("3.00"), "B": cny("9.00")}


def test_leftover_cents_go_bylargest_remainder():
    template = piece("T", rule(3, 10, 1, 5))
    cart = [line("A"), line("B"), line("C")]
    assert list(ship(cart, template).line_shares.values()) == [
        cny("3.34"),
        cny("3.33"),
        cny("3.33"),
    ]


def test_weightless_lines_share_the_fee_by_quantity():
    template = FreightTemplate("W", ChargeBy.WEIGHT, [rule(1, 8, 1, 4)])
    cart = [line("A", "W", quantity=1), line("B", "W", quantity=3)]
    assert ship(cart, template).line_shares == {"A": cny("2.00"), "B": cny("6.00")}


def test_lines_without_a_template_ship_free_and_get_a_zero_share():
    cart = [line("A"), line("gift:G", template_id=None)]
    breakdown = ship(cart, piece())
    assert breakdown.line_shares == {"A": cny("10.00"), "gift:G": cny("0.00")}
    assert [f.template_id for f in breakdown.fees] == ["T"]


def test_an_all_free_cart_costs_nothing():
    breakdown = ship([line("A", template_id=None)], [])
    assert breakdown.total == cny("0.00")
    assert breakdown.fees == ()


def test_template_fee_shares_and_totals_agree():
    templates = combine_example_templates()
    cart = [line("A", "T1", 1), line("B", "T2", 4), line("C", "T1", 2)]
    breakdown = ship(cart, templates)
    assert sum(breakdown.line_shares.values(), cny("0")) == breakdown.total
    for fee in breakdown.fees:
        assert sum(fee.line_shares.values(), cny("0")) == fee.fee
    # T1: 3 pieces → 20, split 1:2 → 6.67 / 13.33
    assert breakdown.line_shares["A"] == cny("6.67")
    assert breakdown.line_shares["C"] == cny("13.33")


def test_breakdowns_compare_by_value():
    cart = [line("A", "T1", 3), line("B", "T2", 4)]
    assert ship(cart, combine_example_templates()) == ship(cart, combine_example_templates())
    assert ship(cart, combine_example_templates()) != ship(
        cart, combine_example_templates(), combine=Combine.MAX_FIRST
    )


# ------------------------------------------------------------------------------ bad input


def test_an_unknown_template_names_the_sku_and_the_template():
    with pytest.raises(ConfigError, match="SKU 'A' uses freight template 'NOPE'"):
        ship([line("A", "NOPE")], piece())


def test_two_lines_with_one_key_are_refused():
    with pytest.raises(ConfigError, match="key='A' appears on two shipping lines"):
        ship([line("A"), line("A")], piece())


def test_a_fee_finer_than_the_currency_is_refused():
    template = piece("T", rule(1, "10.5", 1, 5))
    jpy = ShippingLine("A", "T", 1)
    with pytest.raises(
        ConfigError, match=r"first_fee=Decimal\('10.5'\) has more decimals than JPY"
    ):
        ship([jpy], template, currency="JPY")


def test_fees_are_read_in_the_cart_currency():
    template = piece("T", rule(1, 800, 1, 300))
    breakdown = ship([ShippingLine("A", "T", 2)], template, currency="JPY")
    assert breakdown.total == Money(1100, "JPY")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"quantity": 0}, "quantity=0 of 'A' must be an integer of at least 1"),
        ({"quantity": True}, "quantity=True"),
        ({"weight_kg": 0.1}, "weight_kg=0.1 must be a Decimal or an int, not a float"),
        ({"weight_kg": D("-1")}, "weight_kg=Decimal('-1') must not be negative"),
        ({"volume_m3": D("1e-10")}, "volume_m3=Decimal('1E-10') has more than 9 decimals"),
        ({"amount": "5"}, "amount='5' of 'A' must be Money or None"),
    ],
)
def test_bad_shipping_lines_are_refused(kwargs, message):
    with pytest.raises(ConfigError) as info:
        ShippingLine("A", "T", **{"quantity": 1, **kwargs})
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: piece("T", rule(1, 10, 0, 5)), "additional=Decimal('0') must be greater than 0"),
        (lambda: FreightTemplate("T", "piece", []), "rules=[] must hold at least one entry"),
        (lambda: piece("T", rule(1, 1, 1, 1), rule(1, 2, 1, 1)), "a second default rule"),
        (
            lambda: piece("T", rule(1, 1, 1, 1, ["44"]), rule(1, 2, 1, 1, ["440000"])),
            "lists region '44', which rules[0] lists too",
        ),
        (lambda: FreeRule(min_quantity=0), "min_quantity=0 must be at least 1"),
        (
            lambda: FreeRule(min_amount=9.9),
            "min_amount=9.9 must be a Decimal or an int, not a float",
        ),
        (lambda: Surcharge([], D(1)), "regions=[] must list at least one region"),
        (lambda: piece("T", rule(1, 1, 1, 1, "44")), "regions='44' must be a list"),
    ],
)
def test_bad_templates_are_refused(build, message):
    with pytest.raises(ConfigError) as info:
        build()
    assert message in str(info.value)


def test_shares_are_computed_once_and_breakdowns_hash():
    breakdown = ship([line("A", quantity=2), line("B")], piece())
    assert breakdown.line_shares is breakdown.line_shares
    assert breakdown.fees is breakdown.fees
    # 3 pieces: 10 + 2 × 5 = 20, split 2:1 → 13.33 / 6.67 (the larger remainder gets the cent)
    assert breakdown.fees[0].line_shares == {"A": cny("13.33"), "B": cny("6.67")}
    assert hash(breakdown) == hash(ship([line("A", quantity=2), line("B")], piece()))
    assert repr(breakdown) == "ShippingBreakdown(total=Money('20.00', 'CNY'))"


def test_equally_specific_free_rules_are_alternatives():
    template = piece(free_rules=[FreeRule(min_amount=D(99)), FreeRule(min_quantity=5)])
    assert ship([line("A", quantity=5, amount="10.00")], template).total == cny("0.00")
    assert ship([line("A", quantity=1, amount="99.00")], template).total == cny("0.00")
    assert ship([line("A", quantity=4, amount="98.00")], template).total == cny("25.00")


def test_the_first_of_equally_deep_surcharges_applies():
    template = piece(surcharges=[Surcharge(["65"], D(15)), Surcharge(["650000"], D(99))])
    assert ship([line("A")], template, "6501").total == cny("25.00")
