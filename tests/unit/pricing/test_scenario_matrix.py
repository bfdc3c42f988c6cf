"""A scenario file can describe a product by its specs: from a SKU matrix to a quote in one file.

The matrix rules are those of docs/how-to/build-a-sku-matrix.rst: the Cartesian
product of the spec values, first spec outermost, minus exclusions; codes from
the code template, upper-cased; the SKU id is its code.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

import mallcore
from mallcore.errors import RulesValidationError
from mallcore.pricing.rules import validate_rules

TEE: dict[str, Any] = {
    "id": "tee",
    "category": "apparel",
    "specs": [
        {"id": "colour", "label": "Colour", "values": [{"id": "red"}, {"id": "gold"}]},
        {"id": "size", "values": [{"id": "s"}, {"id": "m", "label": "M"}]},
    ],
    "exclusions": [{"colour": "gold", "size": "s"}],
    "sku_defaults": {"price": "99.00", "weight_kg": "0.2"},
    "skus": [{"sku": "TEE-GOLD-M", "price": "129.00"}],
}


def _scenario(product: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "currency": "CNY",
        "at": "2026-11-11T20:00:00+08:00",
        "catalog": {"products": [product]},
        "promotions": [{"id": "ten", "kind": "percent_off", "percent_off": "10"}],
        "cart": {"lines": lines},
    }


def test_the_matrix_becomes_skus_and_prices_in_a_quote() -> None:
    lines = [{"sku": "TEE-RED-S", "quantity": 1}, {"sku": "TEE-GOLD-M", "quantity": 2}]
    scenario = mallcore.load_scenario(_scenario(TEE, lines))
    # gold/s is excluded: three combinations, in matrix order.
    assert list(scenario.context.catalog) == ["TEE-RED-S", "TEE-RED-M", "TEE-GOLD-M"]
    result = mallcore.quote(scenario.cart, scenario.context)
    prices = [(line.sku, str(line.list_price.amount)) for line in result.lines]
    assert prices == [("TEE-RED-S", "99.00"), ("TEE-GOLD-M", "129.00")]
    # 10 % of 99.00 + 258.00 = 35.70 off: 321.30.
    assert result.total == mallcore.Money("321.30", "CNY")
    assert (
        scenario.context.catalog["TEE-RED-M"].weight_kg
        == scenario.context.catalog["TEE-GOLD-M"].weight_kg
    )


def test_an_override_naming_no_combination_is_a_problem_with_its_path() -> None:
    product = copy.deepcopy(TEE)
    product["skus"].append({"sku": "TEE-GOLD-S", "price": "1.00"})  # the excluded combination
    with pytest.raises(RulesValidationError) as info:
        validate_rules(_scenario(product, [{"sku": "TEE-RED-S", "quantity": 1}]))
    assert info.value.problems == [
        "catalog.products[0].skus[1].sku: names no combination of the product's specs"
        " (got 'TEE-GOLD-S')"
    ]


def test_a_bad_default_is_reported_once_under_sku_defaults() -> None:
    product = {**copy.deepcopy(TEE), "sku_defaults": {"price": "-5.00"}, "skus": []}
    with pytest.raises(RulesValidationError) as info:
        validate_rules(
            {**_scenario(product, [{"sku": "TEE-RED-S", "quantity": 1}]), "currency": "CNY"}
        )
    assert info.value.problems == [
        "catalog.products[0].sku_defaults.price: must not be negative (got '-5.00')"
    ]


def test_a_bad_exclusion_names_its_product() -> None:
    product = {**copy.deepcopy(TEE), "exclusions": [{"colour": "blue"}]}
    with pytest.raises(RulesValidationError) as info:
        validate_rules(_scenario(product, [{"sku": "TEE-RED-S", "quantity": 1}]))
    (problem, *_) = info.value.problems
    assert problem.startswith("catalog.products[0]: ")
    assert "names no value 'blue'" in problem


def test_a_product_without_skus_or_specs_is_a_problem() -> None:
    plain = {"id": "mug", "skus": [{"sku": "MUG", "price": "30.00"}]}
    data = _scenario(plain, [{"sku": "MUG", "quantity": 1}])
    data["catalog"]["products"].append({"id": "empty"})
    with pytest.raises(RulesValidationError) as info:
        validate_rules(data)
    assert info.value.problems == [
        "catalog.products[1].skus: a product needs skus, or specs to generate them (got [])"
    ]


def test_matrix_keys_on_a_product_without_specs_are_problems_not_ignored() -> None:
    product = {
        "id": "mug",
        "skus": [{"sku": "MUG", "price": "30.00"}],
        "exclusions": [{"colour": "red"}],
        "code_template": "{product}",
        "sku_defaults": {"price": "9.00"},
    }
    with pytest.raises(RulesValidationError) as info:
        validate_rules(_scenario(product, [{"sku": "MUG", "quantity": 1}]))
    assert info.value.problems == [
        "catalog.products[0].exclusions: is read only with specs (got [{'colour': 'red'}])",
        "catalog.products[0].code_template: is read only with specs (got '{product}')",
        "catalog.products[0].sku_defaults: is read only with specs (got {'price': '9.00'})",
    ]
