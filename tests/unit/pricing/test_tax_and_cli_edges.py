"""Zero-rated SKUs next to a default tax rate, and ``mallcore validate`` on a missing file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import mallcore
from mallcore.cli import main


def scenario(rate_of_b: str | None) -> dict[str, Any]:
    sku_b: dict[str, Any] = {"sku": "B", "price": "10.00"}
    if rate_of_b is not None:
        sku_b["tax_rate"] = rate_of_b
    return {
        "currency": "CNY",
        "at": "2026-11-11T20:00:00+08:00",
        "tax": {"mode": "exclusive", "rate": "13"},
        "catalog": {"products": [{"id": "p", "skus": [{"sku": "A", "price": "10.00"}, sku_b]}]},
        "cart": {"lines": [{"sku": "A", "quantity": 1}, {"sku": "B", "quantity": 1}]},
    }


@pytest.mark.parametrize(
    ("rate_of_b", "tax_of_b", "total"),
    [
        (None, "1.30", "22.60"),  # B takes the default 13 %: 1.30 each
        ("0", "0.00", "21.30"),  # B is zero-rated: only A's 1.30 is added
        ("6", "0.60", "21.90"),  # B at its own 6 %
    ],
)
def test_a_sku_rate_overrides_the_default_and_zero_means_zero(
    rate_of_b: str | None, tax_of_b: str, total: str
) -> None:
    loaded = mallcore.load_scenario(scenario(rate_of_b))
    data = mallcore.quote(loaded.cart, loaded.context).to_dict()
    assert {line["sku"]: line["tax"] for line in data["lines"]} == {"A": "1.30", "B": tax_of_b}
    assert data["total"] == total


def test_validate_reports_a_missing_file_as_one_problem_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # docs/reference/cli.rst: a missing or unparseable file is reported like any problem.
    assert main(["validate", str(tmp_path / "nope.json")]) == 1
    out = capsys.readouterr()
    assert out.err == ""
    assert "nope.json" in out.out.splitlines()[0]
    assert out.out.splitlines()[-1] == f"1 problem(s) in {tmp_path / 'nope.json'}"
