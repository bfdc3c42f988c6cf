import pytest

from mallcore.errors import ConfigError
from mallcore.sku.specs import (
    Spec,
    SpecValue,
    escape_id,
    key_pairs,
    sku_key,
    unescape_id,
    validate_specs,
)


def test_key_joins_pairs_in_spec_order():
    assert sku_key([("colour", "red"), ("size", "m")]) == "colour=red|size=m"


def test_ids_with_separators_are_escaped_so_keys_do_not_collide():
    # Unescaped, both would read "a=b=c|d=e".
    first = sku_key([("a", "b=c"), ("d", "e")])
    second = sku_key([("a=b", "c"), ("d", "e")])
    assert first != second
    assert key_pairs(first) == (("a", "b=c"), ("d", "e"))
    assert key_pairs(second) == (("a=b", "c"), ("d", "e"))


def test_backslash_round_trips():
    assert unescape_id(escape_id("x\\|y\\")) == "x\\|y\\"
    assert key_pairs(sku_key([("\\", "|")])) == (("\\", "|"),)


@pytest.mark.parametrize("bad", ["colour", "=red", "colour=", "a=b=c"])
def test_malformed_keys_are_refused(bad):
    with pytest.raises(ConfigError, match="spec=value"):
        key_pairs(bad)


def test_value_code_part_defaults_to_upper_cased_id():
    assert SpecValue("gold").code_part == "GOLD"
    assert SpecValue("gold", code="gd").code_part == "GD"


def test_spec_value_lookup_names_spec_and_value():
    size = Spec("size", values=[SpecValue("s")])
    assert size.value("s") == SpecValue("s")
    with pytest.raises(ConfigError, match="spec 'size' has no value 'xl'"):
        size.value("xl")


def test_empty_spec_is_refused_naming_product_and_spec():
    with pytest.raises(ConfigError, match="product 'tee', spec 'size': a spec needs at least one"):
        validate_specs([Spec("size")], product_id="tee")


def test_duplicate_value_is_refused_naming_product_spec_and_value():
    spec = Spec("colour", values=[SpecValue("red"), SpecValue("red", "Red again")])
    with pytest.raises(ConfigError, match="product 'tee', spec 'colour': value id 'red'"):
        validate_specs([spec], product_id="tee")


def test_value_without_id_is_refused():
    spec = Spec("colour", values=[SpecValue("", "Red")])
    with pytest.raises(ConfigError, match=r"spec 'colour': value .* has no id"):
        validate_specs([spec], product_id="tee")


def test_duplicate_spec_id_is_refused():
    spec = Spec("colour", values=[SpecValue("red")])
    with pytest.raises(ConfigError, match="spec id 'colour' is used twice"):
        validate_specs([spec, spec], product_id="tee")


def test_two_values_with_one_code_are_refused():
    spec = Spec("colour", values=[SpecValue("red"), SpecValue("rose", code="RED")])
    with pytest.raises(ConfigError, match="'red' and 'rose' share the code 'RED'"):
        validate_specs([spec], product_id="tee")
