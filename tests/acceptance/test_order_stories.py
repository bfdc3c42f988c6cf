"""Worked order stories: run by ``mallcore story --json``, each file gives its expected JSON.

The expected files were computed by hand from the rules of
docs/explanation/order-lifecycle.rst and the example order's lines
(tests/examples/README.md), not by running mallcore.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mallcore.cli import main

STORIES = Path(__file__).resolve().parents[1] / "stories"
CASES = sorted(STORIES.glob("*.story.json"))


@pytest.mark.parametrize("story", CASES, ids=lambda path: path.name.split(".")[0])
def test_a_story_gives_its_expected_json(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["story", str(story), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    expected = json.loads(story.with_name(story.name.replace(".story", ".expected")).read_text())
    assert got == expected


def test_there_are_stories() -> None:
    assert len(CASES) >= 3


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"do": "fly"}, "steps[1].do"),
        ({"do": "after_sale", "id": "X", "sku": "A", "quantity": 0}, "steps[1].quantity"),
        ({"do": "after_sale", "id": "X", "sku": "NOPE", "quantity": 1}, "steps[1].sku"),
    ],
)
def test_a_bad_step_is_a_bad_file_exit_2(
    step: dict[str, object], field: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(CASES[0].read_text())
    data["steps"] = [{"do": "place"}, step]
    path = tmp_path / "bad.story.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["story", str(path)]) == 2
    assert field in capsys.readouterr().err


def test_the_text_form_lists_every_step_and_the_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["story", str(CASES[0])]) == 0
    lines = capsys.readouterr().out.splitlines()
    steps = json.loads(CASES[0].read_text())["steps"]
    assert len(lines) == len(steps) + 1
    assert lines[-1].startswith("order completed: total 152.50")
