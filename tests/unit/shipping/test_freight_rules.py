"""Freight template data validated by pydantic specs; errors name the JSON path."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from mallcore.errors import ConfigError, RulesValidationError
from mallcore.shipping.rules import load_freight_templates
from mallcore.shipping.templates import ChargeBy, ChargeRule, FreeRule, FreightTemplate, Surcharge

D = Decimal


def template(**overrides):
    data = {
        "id": "T",
        "charge_by": "weight",
        "rules": [{"first": "1", "first_fee": "8.00", "additional": "0.5", "additional_fee": "2"}],
    }
    data.update(overrides)
    return data


def problems_of(data) -> list[str]:
    with pytest.raises(RulesValidationError) as info:
        load_freight_templates(data)
    assert isinstance(info.value, ConfigError)
    assert str(info.value) == "invalid freight templates: " + "; ".join(info.value.problems)
    return info.value.problems


def test_a_full_template_builds_the_domain_objects():
    loaded = load_freight_templates(
        [
            template(
                rules=[
                    {"first": "1", "first_fee": "8.00", "additional": "0.5", "additional_fee": 2},
                    {
                        "regions": ["650000", "54"],
                        "first": "1",
                        "first_fee": "20",
                        "additional": "1",
                        "additional_fee": "10",
                    },
                ],
                free_rules=[{"min_amount": "99.00"}, {"regions": ["31"], "min_quantity": 2}],
                no_delivery=["81", "US"],
                surcharges=[{"regions": ["6543"], "amount": "15.00"}],
            )
        ]
    )
    assert loaded == {
        "T": FreightTemplate(
            "T",
            ChargeBy.WEIGHT,
            (
                ChargeRule(D(1), D("8.00"), D("0.5"), D(2)),
                ChargeRule(D(1), D(20), D(1), D(10), ("65", "54")),
            ),
            (FreeRule((), D("99.00"), None), FreeRule(("31",), None, 2)),
            ("81", "US"),
            (Surcharge(("6543",), D("15.00")),),
        )
    }


def test_the_scenario_example_loads():
    path = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"
    loaded = load_freight_templates(json.loads(path.read_text())["freight_templates"])
    assert list(loaded) == ["T1", "T2"]
    assert loaded["T1"].rules[0].fee(D(3)) == D("12.00")  # tests/examples/README.md: 8 + 2 × 2
    assert loaded["T2"].rules[0].fee(D("1.5")) == D("15.00")  # tests/examples/README.md: 10 + 1 × 5


def test_floats_are_refused_with_their_path():
    rules = [{"first": 1.0, "first_fee": "8", "additional": "1", "additional_fee": "2"}]
    assert problems_of([template(rules=rules)]) == [
        '[0].rules[0].first: 1.0 is a float; write amounts as strings such as "1.0" (got 1.0)'
    ]


def test_unknown_keys_are_refused():
    assert problems_of([template(first_fee="8")]) == [
        "[0].first_fee: Extra inputs are not permitted (got '8')"
    ]


def test_bad_region_codes_name_their_position():
    problems = problems_of([template(no_delivery=["65", "4499"], free_rules=[{"regions": ["XX"]}])])
    assert problems == [
        "[0].free_rules[0].regions[0]: names no ISO 3166-1 country ('XX') (got 'XX')",
        "[0].no_delivery[1]: is not a known city of 44 (广东省) (got '4499')",
    ]


def test_every_problem_is_listed():
    # A malformed template (a bad charge_by) does not hide the value problems of the others.
    problems = problems_of([template(), template(charge_by="kg"), template(id="", rules=[])])
    # Inside one template the first refused value is reported (here the id, before the rules).
    assert problems == [
        "[1].charge_by: Input should be 'piece', 'weight' or 'volume' (got 'kg')",
        "[2].id: must be a non-empty string (got '')",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            [template(rules=[{"first": "1", "first_fee": "8"}])],
            "[0].rules[0].additional: Field required",
        ),
        (
            [
                template(
                    rules=[
                        {"first": "1", "first_fee": "8", "additional": "0", "additional_fee": "2"}
                    ]
                )
            ],
            "[0].rules[0].additional: must be greater than 0 (got '0')",
        ),
        (
            [
                template(
                    rules=[
                        {"first": "-1", "first_fee": "8", "additional": "1", "additional_fee": "2"}
                    ]
                )
            ],
            "[0].rules[0].first: must not be negative (got '-1')",
        ),
        (
            [
                template(
                    rules=[
                        {"first": "NaN", "first_fee": "8", "additional": "1", "additional_fee": "2"}
                    ]
                )
            ],
            "[0].rules[0].first: Input should be a finite number (got 'NaN')",
        ),
        (
            [
                template(
                    rules=[
                        {
                            "first": "1",
                            "first_fee": "eight",
                            "additional": "1",
                            "additional_fee": "2",
                        }
                    ]
                )
            ],
            "[0].rules[0].first_fee: Input should be a valid decimal (got 'eight')",
        ),
        (
            [template(free_rules=[{"min_quantity": 1.5}])],
            "[0].free_rules[0].min_quantity: Input should be a valid integer (got 1.5)",
        ),
        (
            [template(free_rules=[{"min_quantity": 0}])],
            "[0].free_rules[0].min_quantity: must be at least 1 (got 0)",
        ),
        (
            [template(surcharges=[{"regions": [], "amount": "5"}])],
            "[0].surcharges[0].regions: must list at least one region (got [])",
        ),
        (
            [
                template(
                    rules=[
                        {"first": "1", "first_fee": "8", "additional": "1", "additional_fee": "2"},
                        {"first": "1", "first_fee": "9", "additional": "1", "additional_fee": "2"},
                    ]
                )
            ],
            "[0].rules[1].regions: is empty: a second default rule"
            " (the first is rules[0]) (got [])",
        ),
        (
            [
                template(
                    rules=[
                        {
                            "regions": ["44"],
                            "first": "1",
                            "first_fee": "8",
                            "additional": "1",
                            "additional_fee": "2",
                        },
                        {
                            "regions": ["440000"],
                            "first": "1",
                            "first_fee": "9",
                            "additional": "1",
                            "additional_fee": "2",
                        },
                    ]
                )
            ],
            "[0].rules[1].regions: lists region '44', which rules[0] lists too (got ['44'])",
        ),
        ([template(), template()], "[1].id: another template has this id (got 'T')"),
        ({"id": "T"}, "(top level): must be a list (got dict)"),
    ],
)
def test_errors_carry_the_json_path(data, expected):
    assert expected in problems_of(data)


def test_the_error_is_a_rules_validation_error_listing_its_problems():
    with pytest.raises(RulesValidationError) as info:
        load_freight_templates([template(charge_by="kg")])
    assert info.value.problems == [
        "[0].charge_by: Input should be 'piece', 'weight' or 'volume' (got 'kg')"
    ]


def test_short_and_six_digit_spellings_load_to_the_same_template():
    short = template(no_delivery=["65", "5401"])
    long = template(no_delivery=["650000", "540100"])
    assert load_freight_templates([short]) == load_freight_templates([long])


def test_importing_the_shipping_package_does_not_load_pydantic():
    import subprocess
    import sys

    code = (
        "import sys, mallcore.shipping; "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'pydantic']"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
