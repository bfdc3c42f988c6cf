"""Acceptance: the worked scenarios of ``tests/scenarios/`` (hand computations in its README).

Each scenario covers one rule of docs/explanation/how-a-price-is-computed.rst (stages,
stacking, coupons, points, shipping, tax, rejections); the README shows the arithmetic behind
every expected cent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _scenario_harness import check, params, run_in_process, run_subprocess, scenario_names

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

#: Scenario name -> reason, for a scenario the engine is known to get wrong.
# Scenarios the engine is known to get wrong (strict: they fail loudly once fixed).
XFAIL: dict[str, str] = {}


def test_every_scenario_has_an_expectation() -> None:
    names = scenario_names(SCENARIOS)
    assert len(names) >= 20
    for name in names:
        expected = [SCENARIOS / f"{name}.{kind}.json" for kind in ("quote", "expect")]
        assert sum(path.exists() for path in expected) == 1, name


@pytest.mark.parametrize("name", params(SCENARIOS, XFAIL))
def test_scenario_quotes_exactly(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    check(SCENARIOS, name, run_in_process(SCENARIOS / f"{name}.scenario.json", capsys))


@pytest.mark.parametrize("name", ["01-threshold-off-ladder", "21-undeliverable", "23-unknown-sku"])
def test_command_line_in_a_fresh_interpreter(name: str) -> None:
    assert name in scenario_names(SCENARIOS)
    check(SCENARIOS, name, run_subprocess(SCENARIOS / f"{name}.scenario.json"))
