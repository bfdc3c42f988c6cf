"""The example notebooks run, top to bottom, in a fresh kernel: they never rot.

Each notebook is executed with nbclient in the ``python3`` kernel. The test
environment's ipykernel installs that kernel spec under ``sys.prefix``, and
``JUPYTER_PATH`` is pointed there so that a ``python3`` spec of the user's own
(``~/.local/share/jupyter``) cannot win; jupyter_client starts a spec whose
command is ``python`` with this interpreter, so the kernel imports the mallcore
under test (a last cell checks it). The working directory is a temporary one,
and the notebook's ``parameters`` cell gets the absolute paths it needs, as
papermill would give them.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from mallcore.money import format_money, from_minor

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_RULES = ROOT / "tests" / "examples" / "01-stacked-cart.scenario.json"
WHATIF = ROOT / "examples" / "whatif.ipynb"
KERNEL_CHECK = "import json, sys\nprint(json.dumps(sys.executable))"


def execute(path: Path, workdir: Path, parameters: dict[str, Any]) -> Any:
    """The notebook at *path*, executed in *workdir* with its parameters cell replaced.

    A last cell prints the kernel's interpreter; it is checked, then removed.
    """
    notebook = nbformat.read(path, as_version=4)
    (cell,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    cell.source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    notebook.cells.append(nbformat.v4.new_code_cell(KERNEL_CHECK))
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(workdir)}},
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(Path(sys.prefix) / "share" / "jupyter"))
        client.execute()
    check = notebook.cells.pop()
    (printed,) = [o["text"] for o in check.outputs if o.get("output_type") == "stream"]
    assert json.loads(printed) == sys.executable, "the notebook ran in another interpreter"
    return notebook


def outputs(notebook: Any, mime: str) -> list[str]:
    """Every output of type *mime* (``text/html``, ``image/png``, ...), in cell order."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if mime in data:
                found.append(data[mime])
            elif mime == "text/plain" and output.get("output_type") == "stream":
                found.append(output["text"])
    return found


@pytest.fixture(scope="module")
def whatif(tmp_path_factory: pytest.TempPathFactory) -> Any:
    workdir = tmp_path_factory.mktemp("whatif-notebook")
    started = time.perf_counter()
    notebook = execute(WHATIF, workdir, {"EXAMPLE": str(EXAMPLE_RULES), "CARTS": 3_000, "SEED": 11})
    notebook.metadata["elapsed"] = time.perf_counter() - started
    # The notebook writes only to its own temporary directory, never where it runs.
    assert list(workdir.iterdir()) == []
    return notebook


@pytest.mark.slow
def test_the_whatif_notebook_runs_without_error(whatif: Any) -> None:
    errors = [
        output
        for cell in whatif.cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
        or (output.get("output_type") == "stream" and output.get("name") == "stderr")
    ]
    assert not errors, errors
    assert whatif.metadata["elapsed"] < 120


@pytest.mark.slow
def test_the_whatif_notebook_shows_the_summary_rules_and_a_quote(whatif: Any) -> None:
    html = "\n".join(outputs(whatif, "text/html"))
    assert "<strong>Rule set B</strong>: prices in CNY, 6 SKUs in the catalog" in html
    assert "<caption>Totals per rule set</caption>" in html
    assert "<caption>Rules applied</caption>" in html
    assert "<td>promotion:ladder</td>" in html
    assert "<caption>Quote in CNY</caption>" in html
    assert "promotion:ladder: below_threshold (spend ¥" in html
    assert "¥" in html and "amounts in CNY" in html


@pytest.mark.slow
def test_the_whatif_notebook_draws_three_plots(whatif: Any) -> None:
    assert len(outputs(whatif, "image/png")) == 3


@pytest.mark.slow
def test_the_whatif_notebook_lists_the_rejected_carts(whatif: Any) -> None:
    text = "\n".join(outputs(whatif, "text/plain"))
    assert "3000 carts priced under A and B, 0 rows skipped" in text
    assert "carts get nothing from ladder B" in text
    html = "\n".join(outputs(whatif, "text/html"))
    assert "spend more" in html


# --------------------------------------------------------------------------- the summary's views
# What the notebook shows of a what-if, checked without a kernel.


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from mallcore.pricing import load_rule_set
    from mallcore.whatif import run_whatif, synthetic_history, write_history

    workdir = tmp_path_factory.mktemp("whatif-small")
    data = json.loads(EXAMPLE_RULES.read_text(encoding="utf-8"))
    (ladder,) = [p for p in data["promotions"] if p["id"] == "ladder"]
    ladder["tiers"] = [{"min_spend": "60.00", "amount_off": "6.00"}]
    (workdir / "low.json").write_text(json.dumps(data), encoding="utf-8")
    rules = load_rule_set(EXAMPLE_RULES)
    history = write_history(synthetic_history(rules, 60, seed=3), workdir / "history.parquet")
    return run_whatif(
        history, [EXAMPLE_RULES, workdir / "low.json"], workdir / "out.parquet", names=["A", "B"]
    )


def test_the_summary_learns_its_currency_from_the_result(small_run: Any) -> None:
    assert small_run.summary.currency == "CNY"


def test_the_summary_html_shows_money_and_every_table(small_run: Any) -> None:
    summary = small_run.summary
    html = summary._repr_html_()
    assert html.startswith("<p><strong>What-if of A, B</strong>: amounts in CNY</p>")
    for caption in ("Totals per rule set", "Rules applied", "Rules that gave nothing"):
        assert f"<caption>{caption}</caption>" in html
    assert "<th>revenue − A</th><th>discount − A</th>" in html
    assert "<details><summary>By day (" in html and "Per rule set and day (UTC)" in html
    totals = summary.totals()["A"]
    revenue = format_money(from_minor(totals["revenue"], "CNY"))
    assert f"<td>A</td><td>60</td><td>{totals['priced']}</td><td>{revenue}</td>" in html
    # A lower first rung reaches carts the first rule set's ladder did not: new carts.
    (low,) = [
        r for r in summary.by_rule() if r["rule_set"] == "B" and r["rule"] == "promotion:ladder"
    ]
    assert low["new_carts"] > 0
    assert f"<td>promotion:ladder</td><td>{low['carts']}</td>" in html


def test_without_a_currency_the_summary_shows_minor_units(small_run: Any) -> None:
    from mallcore.whatif import Summary

    empty = Summary(["A", "B"])
    assert empty.currency is None
    html = empty._repr_html_()
    assert "amounts in minor units" in html
    assert '<tr><td colspan="7">none</td></tr>' in html
    summary = small_run.summary
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(summary, "currency", None)
        revenue = summary.totals()["A"]["revenue"]
        assert f"<td>{revenue}</td>" in summary._repr_html_()
    assert summary.currency == "CNY"


def test_the_summary_takes_a_currency_and_escapes_its_names() -> None:
    from mallcore.errors import UnknownCurrencyError
    from mallcore.whatif import Summary

    summary = Summary(["<A>"], currency="usd")
    assert summary.currency == "USD"
    html = summary._repr_html_()
    assert "<A>" not in html and "What-if of &lt;A&gt;" in html
    with pytest.raises(UnknownCurrencyError):
        Summary(["A"], currency="XYZ")


def test_the_summary_to_pandas_gives_its_four_tables(small_run: Any) -> None:
    summary = small_run.summary
    frames = summary.to_pandas()
    assert set(frames) == {"totals", "by_day", "by_rule", "rejections"}
    assert frames["totals"]["rule_set"].tolist() == ["A", "B"]
    assert frames["totals"]["revenue"].tolist() == [
        summary.totals()[name]["revenue"] for name in ("A", "B")
    ]
    assert frames["by_day"].to_dict("records") == summary.by_day()
    assert frames["by_rule"].to_dict("records") == summary.by_rule()
    assert frames["rejections"].to_dict("records") == summary.rejections()
    assert all(frame.attrs["currency"] == "CNY" for frame in frames.values())
    empty = type(summary)(["A"]).to_pandas()
    assert list(empty["by_rule"].columns) == ["rule_set", "rule", "carts", "amount", "new_carts"]
    assert empty["by_rule"].empty
