"""template_fees: fees from totals summed per template, every number by hand."""

from decimal import Decimal

import pytest

from mallcore.errors import ConfigError, UndeliverableError, UnknownRegionError
from mallcore.money import resolve_currency
from mallcore.shipping.freight import Combine, TemplateLoad, template_fees
from mallcore.shipping.templates import (
    NANO,
    ChargeBy,
    ChargeRule,
    FreeRule,
    FreightTemplate,
    Surcharge,
)

D = Decimal
CNY = resolve_currency("CNY")


def rule(first, first_fee, additional, additional_fee, regions=()):
    return ChargeRule(D(first), D(first_fee), D(additional), D(additional_fee), regions)


def fees(loads, *templates, region="440305", combine=Combine.SUM):
    by_id = {t.id: t for t in templates}
    return template_fees(loads, by_id, region, currency=CNY, combine=combine)


def load(template_id, *, key="SKU", pieces=1, kg="0", m3="0", amount=0):
    weight = int(D(kg) * NANO)
    volume = int(D(m3) * NANO)
    return TemplateLoad(template_id, key, pieces, weight, volume, amount)


BY_PIECE = FreightTemplate("P", ChargeBy.PIECE, (rule(1, 10, 1, 5),))
BY_WEIGHT = FreightTemplate(
    "W", ChargeBy.WEIGHT, (rule(1, 12, 1, 5), rule(1, 8, 1, 2, regions=("44",)))
)
BY_VOLUME = FreightTemplate("V", ChargeBy.VOLUME, (rule("0.1", 20, "0.1", 10),))


def test_each_charge_basis_reads_its_own_total():
    # 3 pieces: 10 + 2 × 5; 2.5 kg to Guangdong: 8 + ceil(1.5) × 2; 0.25 m³: 20 + ceil(1.5) × 10
    loads = [
        load("P", pieces=3, kg="9", m3="9"),
        load("W", pieces=9, kg="2.5", m3="9"),
        load("V", pieces=9, kg="9", m3="0.25"),
    ]
    assert fees(loads, BY_PIECE, BY_WEIGHT, BY_VOLUME) == [2000, 1200, 4000]


def test_max_first_charges_the_highest_first_fee_in_full():
    # Piece template (first fee 10) leads over weight (8 in Guangdong): the
    # weight template pays ceil(2.5 / 1) × 2 = 6 instead of 8 + 2 × 2 = 12.
    loads = [load("W", pieces=1, kg="2.5"), load("P", pieces=3)]
    assert fees(loads, BY_PIECE, BY_WEIGHT, combine=Combine.MAX_FIRST) == [600, 2000]


def test_free_rules_read_pieces_and_amount():
    free = FreightTemplate(
        "F",
        ChargeBy.PIECE,
        (rule(1, 10, 1, 5),),
        free_rules=(FreeRule(min_amount=D("99")),),
        surcharges=(Surcharge(("44",), D("3")),),
    )
    assert fees([load("F", pieces=2, amount=9899)], free) == [1800]  # 15 + surcharge 3
    assert fees([load("F", pieces=2, amount=9900)], free) == [0]  # surcharge waived too


def test_undeliverable_names_the_first_line_of_the_template():
    nowhere = FreightTemplate("N", ChargeBy.PIECE, (rule(1, 10, 1, 5, regions=("11",)),))
    with pytest.raises(UndeliverableError, match="'TEA-1'"):
        fees([load("N", key="TEA-1")], nowhere)


def test_unknown_template_and_region_are_config_errors():
    with pytest.raises(ConfigError, match="'TEA-1' uses freight template 'missing'"):
        fees([load("missing", key="TEA-1")], BY_PIECE)
    with pytest.raises(UnknownRegionError):
        fees([load("P")], BY_PIECE, region="999999")
