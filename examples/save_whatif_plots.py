"""Run examples/whatif.ipynb and save its three plots for the docs (run by hand, once).

    .venv/bin/python examples/save_whatif_plots.py . [EXECUTED.ipynb]

Executes the notebook with nbclient in a temporary directory (as the test suite
does), then, in the same kernel, saves the figures the notebook drew to
REPO/docs/_static/whatif/. The notebook itself never writes into the repository.
"""

import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

PLOTS = {
    "fig_discount": "discount-by-day.png",
    "fig_totals": "order-totals.png",
    "fig_rungs": "carts-over-thresholds.png",
}


def main(repo: Path, executed: Path | None) -> None:
    """Execute the notebook for *repo* and save its plots (and the executed copy if asked)."""
    target = repo / "docs" / "_static" / "whatif"
    target.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.read(repo / "examples" / "whatif.ipynb", as_version=4)
    (cell,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    example = repo / "tests" / "examples" / "01-stacked-cart.scenario.json"
    cell.source = f"EXAMPLE = {str(example)!r}\nCARTS = 3_000\nSEED = 11"
    save = "\n".join(
        f"{figure}.savefig({str(target / name)!r}, dpi=120)" for figure, name in PLOTS.items()
    )
    notebook.cells.append(nbformat.v4.new_code_cell(save))
    with tempfile.TemporaryDirectory() as workdir:
        client = NotebookClient(
            notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": workdir}}
        )
        client.execute()
    if executed is not None:
        notebook.cells.pop()
        nbformat.write(notebook, executed)
    for name in PLOTS.values():
        print(target / name, (target / name).stat().st_size)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
