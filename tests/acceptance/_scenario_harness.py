"""Run scenario files through the ``mallcore`` command and compare with their expected files.

A scenario ``NN-name.scenario.json`` is paired with either ``NN-name.quote.json`` (the exact
``Quote.to_dict()`` expected from ``mallcore quote FILE --json``) or ``NN-name.expect.json``
(``{"exit": code, "error": "ErrorClass", "mentions": [text, ...]}`` for a refused cart).
Expected files are computed by hand from the rules in docs/explanation/how-a-price-is-computed.rst,
never copied from the engine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import mallcore.errors
from mallcore.cli import main

SUFFIX = ".scenario.json"


@dataclass(frozen=True)
class Outcome:
    """What one run of ``mallcore quote FILE --json`` produced."""

    exit_code: int
    stdout: str
    stderr: str


def scenario_names(folder: Path) -> list[str]:
    """The scenario names (file name without ``.scenario.json``) in *folder*, sorted."""
    return sorted(path.name[: -len(SUFFIX)] for path in folder.glob(f"*{SUFFIX}"))


def params(folder: Path, xfail: dict[str, str]) -> list[Any]:
    """``pytest.param`` per scenario; names in *xfail* get a strict xfail with that reason."""
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=xfail[name])] if name in xfail else [],
        )
        for name in scenario_names(folder)
    ]


def run_in_process(path: Path, capsys: pytest.CaptureFixture[str]) -> Outcome:
    """Call ``mallcore.cli.main`` in this interpreter."""
    capsys.readouterr()
    code = main(["quote", str(path), "--json"])
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def run_subprocess(path: Path) -> Outcome:
    """Run ``python -m mallcore`` in a fresh interpreter, reading its output as UTF-8."""
    done = subprocess.run(
        [sys.executable, "-m", "mallcore", "quote", str(path), "--json"],
        capture_output=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def _canonical(items: list[Any]) -> list[Any]:
    # The contract leaves the order of adjustments and rejections open.
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))


def normalise(quote: dict[str, Any]) -> dict[str, Any]:
    """The quote with ``adjustments`` and ``rejected`` as sorted lists; all else untouched."""
    out = dict(quote)
    for key in ("adjustments", "rejected"):
        if key in out:
            out[key] = _canonical(list(out[key]))
    return out


def check(folder: Path, name: str, outcome: Outcome) -> None:
    """Assert that *outcome* is exactly what the expected file of *name* says."""
    quote_file = folder / f"{name}.quote.json"
    expect_file = folder / f"{name}.expect.json"
    if quote_file.exists():
        assert outcome.exit_code == 0, outcome.stderr
        assert outcome.stderr == ""
        expected = json.loads(quote_file.read_text(encoding="utf-8"))
        got = json.loads(outcome.stdout)
        assert normalise(got) == normalise(expected)
        return
    assert expect_file.exists(), f"{name}: neither {quote_file.name} nor {expect_file.name}"
    expect = json.loads(expect_file.read_text(encoding="utf-8"))
    assert outcome.exit_code == expect["exit"], outcome.stderr
    assert outcome.stdout == ""
    lines = outcome.stderr.splitlines()
    assert len(lines) == 1, outcome.stderr
    prefix, _, rest = lines[0].partition(": ")
    assert prefix == "mallcore"
    printed = rest.partition(":")[0]
    printed_class = getattr(mallcore.errors, printed, None)
    expected_class = getattr(mallcore.errors, expect["error"])
    assert isinstance(printed_class, type), f"{printed!r} is not a mallcore error: {lines[0]}"
    assert issubclass(printed_class, expected_class), lines[0]
    for text in expect.get("mentions", []):
        assert text in lines[0], f"the error line should name {text!r}: {lines[0]}"
