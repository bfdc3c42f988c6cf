"""run_whatif: partitions in order, the same bytes on one or two processes, the summary."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from mallcore.errors import ConfigError, HistoryRowError, RulesValidationError
from mallcore.pricing import load_rule_set
from mallcore.whatif import run_whatif, synthetic_history, write_history

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"


@pytest.fixture
def rules(tmp_path: Path) -> list[Path]:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    deeper = {
        **data,
        "promotions": [
            p
            if p["id"] != "ladder"
            else {**p, "tiers": [{"min_spend": "199.00", "amount_off": "20.00"}]}
            for p in data["promotions"]
        ],
    }
    a, b = tmp_path / "now.json", tmp_path / "deeper.json"
    a.write_text(json.dumps(data), encoding="utf-8")
    b.write_text(json.dumps(deeper), encoding="utf-8")
    return [a, b]


def _history(tmp_path: Path, carts: int, suffix: str = ".parquet", **change: str) -> Path:
    rows = list(synthetic_history(load_rule_set(EXAMPLE), carts, seed=5))
    if change:
        rows[2] = {**rows[2], **change}
    return write_history(rows, tmp_path / f"history{suffix}", row_group_rows=100)


def test_one_and_two_processes_write_the_same_bytes(tmp_path: Path, rules: list[Path]) -> None:
    history = _history(tmp_path, 600)
    one = run_whatif(history, rules, tmp_path / "one.parquet")
    two = run_whatif(history, rules, tmp_path / "two.parquet", workers=2)
    assert (one.carts, one.names) == (600, ("now", "deeper"))
    assert one.out.read_bytes() == two.out.read_bytes()
    assert one.summary.by_day() == two.summary.by_day()
    assert pq.ParquetFile(one.out).metadata.num_row_groups == 6  # one per input row group


def test_the_summary_adds_up_the_result(tmp_path: Path, rules: list[Path]) -> None:
    result = run_whatif(_history(tmp_path, 300), rules, tmp_path / "out.parquet")
    table = pq.read_table(result.out).to_pylist()
    assert [row["row"] for row in table] == list(range(1, 301))
    totals = result.summary.totals()
    for name in ("now", "deeper"):
        priced = [row for row in table if row[f"{name}.ok"]]
        assert totals[name]["priced"] == len(priced)
        assert totals[name]["revenue"] == sum(row[f"{name}.total"] for row in priced)
        assert totals[name]["discount"] == sum(row[f"{name}.discount"] for row in priced)
        ladder = [row for row in priced if "promotion:ladder=" in row[f"{name}.applied"]]
        (rule,) = [
            r
            for r in result.summary.by_rule()
            if r["rule_set"] == name and r["rule"] == "promotion:ladder"
        ]
        assert rule["carts"] == len(ladder)
    pushed = [
        row
        for row in table
        if "promotion:ladder=" in (row["deeper.applied"] or "")
        and "promotion:ladder=" not in (row["now.applied"] or "")
    ]
    (deeper,) = [
        r
        for r in result.summary.by_rule()
        if r["rule_set"] == "deeper" and r["rule"] == "promotion:ladder"
    ]
    assert deeper["new_carts"] == len(pushed)
    by_day = result.summary.by_day()
    assert sum(day["carts"] for day in by_day if day["rule_set"] == "now") == 300


def test_a_csv_history_gives_the_same_result(tmp_path: Path, rules: list[Path]) -> None:
    parquet = run_whatif(_history(tmp_path, 150), rules, tmp_path / "p.parquet")
    csv = run_whatif(
        _history(tmp_path, 150, suffix=".csv"), rules, tmp_path / "c.parquet", csv_rows=100
    )
    assert pq.read_table(parquet.out).equals(pq.read_table(csv.out))


def test_a_bad_row_stops_the_run_unless_skipped(tmp_path: Path, rules: list[Path]) -> None:
    history = _history(tmp_path, 120, lines="A:lots")
    with pytest.raises(HistoryRowError, match="row 3: lines='A:lots'"):
        run_whatif(history, rules, tmp_path / "out.parquet")
    result = run_whatif(history, rules, tmp_path / "out.parquet", skip_bad=True, workers=2)
    assert result.carts == 119
    assert [(p.row, p.field) for p in result.skipped] == [(3, "lines")]


def test_bad_arguments_are_refused_before_anything_runs(tmp_path: Path, rules: list[Path]) -> None:
    history = _history(tmp_path, 10)
    out = tmp_path / "out.parquet"
    with pytest.raises(ConfigError, match="rules"):
        run_whatif(history, [], out)
    with pytest.raises(ConfigError, match="names"):
        run_whatif(history, [rules[0], rules[0]], out)
    with pytest.raises(ConfigError, match="names"):
        run_whatif(history, rules, out, names=("a.b", "c"))
    with pytest.raises(ConfigError, match="workers"):
        run_whatif(history, rules, out, workers=0)
    euro = tmp_path / "euro.json"
    euro.write_text(json.dumps({"currency": "EUR"}), encoding="utf-8")
    with pytest.raises(ConfigError, match="one currency"):
        run_whatif(history, [rules[0], euro], out)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"currency": "CNY", "promotions": [{"id": "x"}]}), "utf-8")
    with pytest.raises(RulesValidationError):
        run_whatif(history, [broken], out)
    assert not out.exists()


def test_a_rules_file_edited_between_runs_is_read_again(tmp_path: Path, rules: list[Path]) -> None:
    history = _history(tmp_path, 100)
    before = run_whatif(history, [rules[0]], tmp_path / "before.parquet")
    data = json.loads(rules[0].read_text(encoding="utf-8"))
    data["promotions"] = []
    rules[0].write_text(json.dumps(data), encoding="utf-8")
    after = run_whatif(history, [rules[0]], tmp_path / "after.parquet")
    assert after.summary.totals()["now"]["discount"] < before.summary.totals()["now"]["discount"]
