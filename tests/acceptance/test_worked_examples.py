"""Acceptance: every worked scenario in ``shared/examples/`` gives exactly its expected quote.

The shared examples fix the key names and the cents of DESIGN.md (section 11); they live next
to the repository, so the tests skip when the folder is not there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _scenario_harness import check, params, run_in_process, run_subprocess, scenario_names

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "examples"

#: Scenario name -> reason, for a scenario the engine is known to get wrong.
XFAIL: dict[str, str] = {}

pytestmark = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"no shared examples folder at {EXAMPLES}"
)


@pytest.mark.parametrize("name", params(EXAMPLES, XFAIL) if EXAMPLES.is_dir() else [])
def test_example_quotes_exactly(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    check(EXAMPLES, name, run_in_process(EXAMPLES / f"{name}.scenario.json", capsys))


def test_first_example_through_the_command_line() -> None:
    names = scenario_names(EXAMPLES)
    if not names:
        pytest.skip(f"no *.scenario.json in {EXAMPLES}")
    check(EXAMPLES, names[0], run_subprocess(EXAMPLES / f"{names[0]}.scenario.json"))
