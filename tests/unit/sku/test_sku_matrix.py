from decimal import Decimal
from itertools import product

import pytest
from moneyed import Money

from mallcore.errors import ConfigError, InvalidAmountError
from mallcore.sku.matrix import build_matrix, check_code
from mallcore.sku.skus import SkuStatus
from mallcore.sku.specs import Spec, SpecValue

COLOUR = Spec("colour", "Colour", [SpecValue("red", "Red"), SpecValue("gold", "Gold")])
SIZE = Spec("size", "Size", [SpecValue("xs", "XS"), SpecValue("s", "S"), SpecValue("m", "M")])


def test_matrix_is_the_cartesian_product_first_spec_outermost():
    matrix = build_matrix("tee", [COLOUR, SIZE])
    expected = [(c, s) for c in ("red", "gold") for s in ("xs", "s", "m")]
    assert list(matrix.combinations) == expected
    assert list(matrix.keys) == [f"colour={c}|size={s}" for c, s in expected]
    assert list(matrix.codes) == [f"TEE-{c.upper()}-{s.upper()}" for c, s in expected]


def test_exclusion_removes_only_the_matching_partial_combination():
    matrix = build_matrix("tee", [COLOUR, SIZE], exclusions=[{"colour": "gold", "size": "xs"}])
    assert len(matrix) == 5
    assert ("gold", "xs") not in matrix.combinations
    assert ("red", "xs") in matrix.combinations


def test_single_value_exclusion_removes_a_whole_row():
    matrix = build_matrix("tee", [COLOUR, SIZE], exclusions=[{"colour": "gold"}])
    assert list(matrix.combinations) == [("red", "xs"), ("red", "s"), ("red", "m")]


def test_single_spec_product():
    matrix = build_matrix("mug", [Spec("colour", values=[SpecValue("white")])])
    assert list(matrix.keys) == ["colour=white"]
    assert list(matrix.codes) == ["MUG-WHITE"]


def test_product_without_specs_must_list_skus_explicitly():
    with pytest.raises(ConfigError, match="lists its SKUs explicitly"):
        build_matrix("mug", [])


def test_exclusion_naming_an_unknown_value_is_refused():
    with pytest.raises(ConfigError, match=r"spec 'size'.* names no value 'xxl'"):
        build_matrix("tee", [COLOUR, SIZE], exclusions=[{"size": "xxl"}])


def test_exclusion_naming_an_unknown_spec_is_refused():
    with pytest.raises(ConfigError, match="names no spec 'material'"):
        build_matrix("tee", [COLOUR, SIZE], exclusions=[{"material": "silk"}])


def test_code_template_is_applied_and_upper_cased():
    matrix = build_matrix("tee", [COLOUR], code_template="x-{codes}-{product}")
    assert list(matrix.codes) == ["X-RED-TEE", "X-GOLD-TEE"]


@pytest.mark.parametrize("template", ["{product}", "{codes}-{codes}", "{codes}-{colour}"])
def test_bad_code_templates_are_refused(template):
    with pytest.raises(ConfigError, match="code_template"):
        build_matrix("tee", [COLOUR], code_template=template)


def test_value_codes_with_invalid_characters_are_refused_naming_the_value():
    spec = Spec("colour", values=[SpecValue("金色")])
    with pytest.raises(ConfigError, match="spec 'colour', value '金色'"):
        build_matrix("tee", [spec])


def test_too_long_codes_are_refused():
    spec = Spec("colour", values=[SpecValue("r" * 70)])
    with pytest.raises(ConfigError, match="longer than 64"):
        build_matrix("tee", [spec])


def test_codes_that_collide_through_the_separator_are_refused():
    # A-B + C and A + B-C both spell TEE-A-B-C.
    first = Spec("x", values=[SpecValue("a-b"), SpecValue("a")])
    second = Spec("y", values=[SpecValue("c"), SpecValue("b-c")])
    with pytest.raises(ConfigError, match="get the SKU code 'TEE-A-B-C'"):
        build_matrix("tee", [first, second])


def test_check_code_accepts_the_code_alphabet_only():
    assert check_code("AB-1_2.3", where="x") == "AB-1_2.3"
    with pytest.raises(ConfigError):
        check_code("", where="x")


def test_to_skus_builds_listed_skus_with_code_as_id():
    matrix = build_matrix("tee", [COLOUR, SIZE])
    skus = matrix.to_skus(price=Money("19.90", "CNY"), weight_kg=Decimal("0.2"))
    assert [s.id for s in skus] == list(matrix.codes)
    assert all(s.status is SkuStatus.LISTED and s.price == Money("19.90", "CNY") for s in skus)
    assert skus[0].options == (("colour", "red"), ("size", "xs"))


def test_to_skus_validates_the_price_once():
    matrix = build_matrix("tee", [COLOUR])
    with pytest.raises(InvalidAmountError, match="more decimals than JPY"):
        matrix.to_skus(price="1.5", currency="JPY")


def test_large_matrix_matches_a_brute_force_oracle():
    specs = [Spec(f"s{i}", values=[SpecValue(f"v{j}") for j in range(4)]) for i in range(3)]
    matrix = build_matrix("p", specs)
    oracle = list(product(*[[v.id for v in s.values] for s in specs]))
    assert list(matrix.combinations) == oracle
    assert len(set(matrix.codes)) == len(set(matrix.keys)) == 64
