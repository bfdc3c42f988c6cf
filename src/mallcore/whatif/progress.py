"""A what-if's progress bar (carts done, carts per second) and its final summary.

:func:`progress_bar` gives :func:`~mallcore.whatif.run.run_whatif` a
``progress`` callback drawing a :mod:`rich` bar on stderr: the description,
the bar, carts done of the total, carts per second and the time elapsed. On a
stream that is not a terminal (a log file, a pipe) it draws nothing while the
run goes on and writes the bar's final state once, at the end.
:func:`final_summary` is the few lines to show when the run is over.

::

    with progress_bar(total) as update:
        whatif = run_whatif(history, rules, out, progress=update)
    print(final_summary(whatif))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from mallcore.checks import check_count
from mallcore.errors import ConfigError
from mallcore.money import DEFAULT_LOCALE, format_money, from_minor

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import ProgressColumn

    from mallcore.whatif.run import WhatIf

__all__ = ["final_summary", "progress_bar"]


def _need_rich() -> None:
    try:
        import rich  # noqa: F401
    except ImportError as exc:
        msg = "a what-if progress bar needs rich: pip install 'mallcore[analysis]'"
        raise ConfigError(msg) from exc


def _speed_column() -> ProgressColumn:
    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class CartsPerSecond(ProgressColumn):
        """Carts per second: the recent rate while running, the whole run's at the end."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            if speed is None and task.elapsed:
                speed = task.completed / task.elapsed
            shown = "-" if speed is None else f"{speed:,.0f}"
            return Text(f"{shown} carts/s", style="progress.data.speed")

    return CartsPerSecond()


@contextmanager
def progress_bar(
    total_carts: int,
    *,
    enabled: bool = True,
    stream: IO[str] | Console | None = None,
    description: str = "Pricing carts",
) -> Iterator[Callable[[int], None]]:
    """A progress bar for *total_carts* carts; yields ``update(done_carts)``.

    Args:
        total_carts: The carts to price (the history's rows).
        enabled: False gives an ``update`` that does nothing and draws nothing.
        stream: Where to draw: a text stream or a :class:`rich.console.Console`
            (default: stderr).
        description: The text before the bar.

    Raises:
        ConfigError: *total_carts* is not a count, or rich is not installed.
    """
    check_count("total_carts", total_carts, minimum=0, maximum=10**12)
    if not enabled:
        yield lambda done: None
        return
    _need_rich()
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    to_stderr = stream is None
    console = stream if isinstance(stream, Console) else Console(file=stream, stderr=to_stderr)
    bar = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _speed_column(),
        TimeElapsedColumn(),
        console=console,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    with bar:
        task = bar.add_task(description, total=total_carts)

        def update(done: int) -> None:
            bar.update(task, completed=done)

        yield update
        if not bar.finished:  # rows skipped, or the run stopped: show where it got to
            bar.stop_task(task)


def _money(minor: int, currency: str, locale: str) -> str:
    return format_money(from_minor(minor, currency), locale)


def _signed(minor: int, currency: str, locale: str) -> str:
    sign = "-" if minor < 0 else "+"
    return sign + _money(abs(minor), currency, locale)


def _rate(rate: Decimal | None) -> str:
    return "n/a" if rate is None else f"{rate * 100:.2f}%"


def _result_currency(whatif: WhatIf) -> str | None:
    import pyarrow.parquet as pq

    for batch in pq.ParquetFile(whatif.out).iter_batches(batch_size=1, columns=["currency"]):
        for value in batch.column(0).to_pylist():
            if value:
                return str(value)
    return None


def final_summary(
    whatif: WhatIf,
    currency: str | None = None,
    *,
    seconds: float | None = None,
    locale: str = DEFAULT_LOCALE,
) -> str:
    """A few lines on a finished what-if: carts, each rule set's totals, rows skipped.

    Per rule set: the carts priced (of all the carts), the revenue (and, after
    the first rule set, how far it is from the first's), the discount given
    away and the discount rate (of the list prices).

    Args:
        whatif: What :func:`~mallcore.whatif.run.run_whatif` returned.
        currency: The amounts' currency code (default: the result's).
        seconds: How long the run took, to show it and the carts per second.
        locale: The locale amounts are shown in.
    """
    totals = whatif.summary.totals()
    if currency is None and totals:  # the summary's, else the result's first row's
        currency = getattr(whatif.summary, "currency", None) or _result_currency(whatif)
    skipped = len(whatif.skipped)
    count = len(whatif.names)
    head = f"What-if: {whatif.carts:,} carts under {count} rule set{'s' if count > 1 else ''}"
    if seconds is not None:
        rate = f", {whatif.carts / seconds:,.0f} carts/s" if seconds > 0 else ""
        head += f" in {seconds:.1f} s{rate}"
    lines = [head + f", written to {whatif.out}"]
    first = whatif.names[0]
    for name in whatif.names:
        total = totals.get(name)
        if total is None or currency is None:
            lines.append(f"  {name}: no carts")
            continue
        revenue = _money(total["revenue"], currency, locale)
        if name != first and first in totals:
            delta = total["revenue"] - totals[first]["revenue"]
            revenue += f" ({_signed(delta, currency, locale)} vs {first})"
        discount = _money(total["discount"], currency, locale)
        lines.append(
            f"  {name}: {total['priced']:,} of {total['carts']:,} priced; revenue {revenue}; "
            f"discount {discount} ({_rate(total['discount_rate'])} of list prices)"
        )
    if skipped:
        lines.append(f"Skipped rows: {skipped:,} (first: {whatif.skipped[0]})")
    else:
        lines.append("Skipped rows: 0")
    return "\n".join(lines)
