"""``mallcore whatif``: the same file as run_whatif, a summary, bad rows by number."""

from __future__ import annotations

from pathlib import Path

import pytest

from mallcore.cli import main
from mallcore.pricing import load_rule_set
from mallcore.whatif import run_whatif, synthetic_history, write_history

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"


def _history(tmp_path: Path, **change: str) -> Path:
    rows = list(synthetic_history(load_rule_set(EXAMPLE), 200, seed=9))
    if change:
        rows[6] = {**rows[6], **change}
    return write_history(rows, tmp_path / "history.parquet", row_group_rows=50)


def test_the_command_writes_what_run_whatif_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = _history(tmp_path)
    out = tmp_path / "cli.parquet"
    code = main(
        ["whatif", str(history), "--rules", str(EXAMPLE), "--rules", str(EXAMPLE),
         "--out", str(out), "--quiet"]
    )  # fmt: skip
    assert code == 2  # two rule files with one name
    assert "names" in capsys.readouterr().err
    assert (
        main(["whatif", str(history), "--rules", str(EXAMPLE), "--out", str(out), "--quiet"]) == 0
    )
    printed = capsys.readouterr().out
    assert "200 carts under 1 rule set" in printed and "200 of 200 priced" in printed
    expected = run_whatif(history, [EXAMPLE], tmp_path / "api.parquet")
    assert out.read_bytes() == expected.out.read_bytes()


def test_a_bad_row_is_one_line_with_its_number_or_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = _history(tmp_path, at="2026-11-11 20:00")
    out = str(tmp_path / "out.parquet")
    assert main(["whatif", str(history), "--rules", str(EXAMPLE), "--out", out, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("mallcore: HistoryRowError: row 7: at=")
    args = ["whatif", str(history), "--rules", str(EXAMPLE), "--out", out, "--quiet", "--skip-bad"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "199 of 199 priced" in captured.out and "Skipped rows: 1" in captured.out
    assert "mallcore: skipped row 7: at=" in captured.err


def test_workers_and_a_scheduler_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["whatif", "h.parquet", "--rules", "r.json", "--out", "o", "--workers", "2",
              "--scheduler", "tcp://127.0.0.1:8786"])  # fmt: skip
    assert "not allowed with argument" in capsys.readouterr().err
