"""``mallcore validate`` lists every problem with its JSON path; ``mallcore quote --locale``.

The contract is docs/reference/cli.rst: problems on stdout, one per line, then
a count; exit 0 for a valid file, 1 for any problem (a file that is missing or
does not parse included); a scenario passes only when ``quote`` prices it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from mallcore.cli import main

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "01-stacked-cart.scenario.json"

#: One scenario with a fault in every section, and the line validate must print for each.
FAULTY: dict[str, Any] = {
    "currency": "CNY",
    "at": "2026-11-11T20:00:00+08:00",
    "catalog": {
        "products": [
            {
                "id": "A",
                "skus": [{"sku": "A", "price": "-1.00"}, {"sku": "B", "price": "1.005"}],
            }
        ]
    },
    "promotions": [
        {"id": "p", "kind": "threshold_off", "tiers": [{"min_spend": "10", "amount_off": "50"}]},
        {"id": "q", "kind": "percent_off", "percent_off": "150"},
    ],
    "coupons": [{"code": "X", "kind": "percent_off", "percent_off": "0"}],
    "ship_to": {"region": "999999"},
    "cart": {"lines": [{"sku": "A", "quantity": 10_000_000}, {"sku": "NOPE", "quantity": 1}]},
}
FAULTS = [
    "catalog.products[0].skus[0].price: must not be negative (got '-1.00')",
    "catalog.products[0].skus[1].price: has more decimals than CNY allows (2) (got '1.005')",
    "promotions[0].tiers[0].amount_off: must not exceed min_spend='10' (got '50')",
    "promotions[1].percent_off: must be at most 100 (got '150')",
    "coupons[0].percent_off: must be greater than 0 (got '0')",
    "ship_to.region: names no province (unknown code 99) (got '999999')",
    "cart.lines[0].quantity: must be at most 1,000,000 (got 10000000)",
    "cart.lines[1].sku: is not in the catalog (got 'NOPE')",
]


def _write(tmp_path: Path, data: object, name: str = "file.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["validate", str(path)])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_every_problem_is_listed_with_its_json_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, FAULTY)
    code, lines, err = _validate(path, capsys)
    assert (code, err) == (1, "")
    assert lines == [*FAULTS, f"{len(FAULTS)} problem(s) in {path}"]


def test_a_shape_problem_does_not_hide_the_value_problems_of_other_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = {**FAULTY, "promotions": [{"id": "p", "kind": "no_such_kind"}, *FAULTY["promotions"]]}
    code, lines, _ = _validate(_write(tmp_path, data), capsys)
    assert code == 1
    assert lines[0].startswith("promotions[0]: ")
    assert "promotions[1].tiers[0].amount_off: must not exceed min_spend='10' (got '50')" in lines
    assert "promotions[2].percent_off: must be at most 100 (got '150')" in lines
    # The catalog's value problems are still listed too.
    assert FAULTS[0] in lines and FAULTS[1] in lines


def test_a_json_syntax_error_names_the_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"currency": "CNY",\n "at": }', encoding="utf-8")
    code, lines, err = _validate(path, capsys)
    assert (code, err) == (1, "")
    assert lines == [
        f"{path} is not valid JSON: Expecting value at line 2 column 8",
        f"1 problem(s) in {path}",
    ]


@pytest.mark.parametrize("name", ["missing.json", "missing.txt", "missing"])
def test_a_missing_file_is_one_problem_naming_it_whatever_its_suffix(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name  # never read as rule text, even without a .json suffix
    code, lines, err = _validate(path, capsys)
    assert (code, err) == (1, "")
    assert lines == [f"file {str(path)!r} does not exist", f"1 problem(s) in {path}"]


def test_a_valid_scenario_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = _validate(EXAMPLE, capsys)
    assert (code, lines) == (0, [f"{EXAMPLE}: a valid scenario"])


def test_a_scenario_that_quote_refuses_does_not_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "undeliverable.json"
    shutil.copy(SCENARIOS / "21-undeliverable.scenario.json", path)
    code, lines, _ = _validate(path, capsys)
    assert code == 1
    assert lines[0].startswith("ship_to.region: SKU 'TENT' cannot be delivered to region '540102'")
    assert main(["quote", str(path)]) == 1


def test_an_unknown_ship_to_region_fails_validate_as_it_fails_quote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["ship_to"] = {"region": "4499"}
    path = _write(tmp_path, data)
    code, lines, _ = _validate(path, capsys)
    assert code == 1
    assert lines[0] == "ship_to.region: is not a known city of 44 (广东省) (got '4499')"
    assert main(["quote", str(path)]) == 2


def test_a_rules_file_is_checked_without_a_cart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = {key: FAULTY[key] for key in ("currency", "catalog", "promotions", "coupons")}
    path = _write(tmp_path, rules)
    code, lines, _ = _validate(path, capsys)
    assert code == 1
    assert lines[:-1] == FAULTS[:5]


def test_quote_formats_the_breakdown_in_the_locale_asked_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["quote", str(EXAMPLE), "--locale", "en_US"]) == 0
    assert "total: CN¥152.50" in capsys.readouterr().out
    assert main(["quote", str(EXAMPLE)]) == 0
    assert "total: ¥152.50" in capsys.readouterr().out


def test_quote_refuses_an_unknown_locale_as_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quote", str(EXAMPLE), "--locale", "xx_NOPE"]) == 2
    assert "ConfigError" in capsys.readouterr().err
