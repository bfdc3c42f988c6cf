"""Notebook views of a what-if: the summary as HTML tables, amounts as money.

:func:`summary_html` is what a :class:`~mallcore.whatif.summary.Summary`
shows in Jupyter (its ``_repr_html_``): the totals per rule set (with each
rule set's revenue and discount against the first's), the rules that applied
(``new_carts``: the carts a rule reaches that it did not under the first rule
set), the rejections, and the figures per day, folded away in a
``<details>`` element. Amounts, kept in minor units by the summary, are shown
with the currency's symbol in the default locale once the summary knows its
currency, and as minor units until then. Every piece of text is escaped.

:func:`frames` is :meth:`Summary.to_pandas
<mallcore.whatif.summary.Summary.to_pandas>`: the same four tables as pandas
DataFrames.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from mallcore.money import format_money, from_minor

if TYPE_CHECKING:
    from mallcore.whatif.summary import Summary

__all__ = ["frames", "summary_html"]

# The columns of each table of frames(), in order (also those of an empty table).
_SUMS = ("carts", "priced", "revenue", "list_subtotal", "discount", "discount_rate")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "totals": ("rule_set", *_SUMS),
    "by_day": ("rule_set", "day", *_SUMS, "average_order_value", "coupon_take_up"),
    "by_rule": ("rule_set", "rule", "carts", "amount", "new_carts"),
    "rejections": ("rule_set", "rule", "reason", "carts"),
}


def _table(head: Sequence[str], rows: Iterable[Sequence[object]], caption: str) -> str:
    def row(cells: Sequence[object], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{escape(str(c))}</{tag}>" for c in cells) + "</tr>"

    body = (
        "".join(row(cells, "td") for cells in rows)
        or f'<tr><td colspan="{len(head)}">none</td></tr>'
    )
    return (
        f"<table><caption>{escape(caption)}</caption><thead>{row(head, 'th')}</thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _amounts(currency: str | None) -> Callable[[int | Decimal | None, bool], str]:
    """How an amount in minor units is shown: as money, or as the number when no currency."""

    def shown(units: int | Decimal | None, signed: bool = False) -> str:
        if units is None:
            return ""
        whole = int(units)
        sign = "+" if signed and whole > 0 else ""
        if currency is None:
            return f"{sign}{whole}"
        return sign + format_money(from_minor(whole, currency))

    return shown


def _rate(value: Decimal | None) -> str:
    return "" if value is None else f"{value * 100:.2f} %"


def summary_html(summary: Summary) -> str:
    """The summary as HTML: totals, rules, rejections, then the days (see the module notes)."""
    money = _amounts(summary.currency)
    names = summary.names
    unit = (
        f"amounts in {summary.currency}"
        if summary.currency is not None
        else "amounts in minor units (the summary's currency is not set)"
    )
    parts = [f"<p><strong>What-if of {escape(', '.join(names))}</strong>: {escape(unit)}</p>"]
    totals = summary.totals()
    first = totals.get(names[0]) if names else None
    versus = len(names) > 1 and first is not None
    head = ["rule set", "carts", "priced", "revenue", "list subtotal", "discount", "rate"]
    if versus:
        head += [f"revenue − {names[0]}", f"discount − {names[0]}"]
    rows = []
    for name, total in totals.items():
        cells: list[object] = [
            name,
            total["carts"],
            total["priced"],
            money(total["revenue"], False),
            money(total["list_subtotal"], False),
            money(total["discount"], False),
            _rate(total["discount_rate"]),
        ]
        if versus and first is not None:
            same = name == names[0]
            cells += [
                "" if same else money(total["revenue"] - first["revenue"], True),
                "" if same else money(total["discount"] - first["discount"], True),
            ]
        rows.append(cells)
    parts.append(_table(head, rows, "Totals per rule set"))
    parts.append(
        _table(
            ["rule set", "rule", "carts", "amount", f"new carts (not under {names[0]})"],
            [
                [r["rule_set"], r["rule"], r["carts"], money(r["amount"], False), r["new_carts"]]
                for r in summary.by_rule()
            ],
            "Rules applied",
        )
    )
    parts.append(
        _table(
            ["rule set", "rule", "reason", "carts"],
            [[r["rule_set"], r["rule"], r["reason"], r["carts"]] for r in summary.rejections()],
            "Rules that gave nothing",
        )
    )
    days = summary.by_day()
    by_day = _table(
        [
            *("rule set", "day", "carts", "priced", "revenue", "list subtotal", "discount"),
            *("rate", "average order", "coupon take-up"),
        ],
        [
            [
                r["rule_set"],
                r["day"].isoformat(),
                r["carts"],
                r["priced"],
                money(r["revenue"], False),
                money(r["list_subtotal"], False),
                money(r["discount"], False),
                _rate(r["discount_rate"]),
                money(r["average_order_value"], False),
                _rate(r["coupon_take_up"]),
            ]
            for r in days
        ],
        "Per rule set and day (UTC)",
    )
    parts.append(f"<details><summary>By day ({len(days)} rows)</summary>{by_day}</details>")
    return "".join(parts)


def frames(summary: Summary) -> dict[str, Any]:
    """The summary's four tables as pandas DataFrames, by name.

    What :meth:`~mallcore.whatif.summary.Summary.to_pandas` returns. Amounts
    stay integers in minor units, rates and the average order value
    :class:`~decimal.Decimal` (``object`` columns), days :class:`datetime.date`;
    each frame's ``attrs["currency"]`` is the summary's currency (or None).

    Raises:
        ConfigError: pandas is not installed (the ``analysis`` extra).
    """
    try:
        pd = importlib.import_module("pandas")
    except ImportError:
        from mallcore.errors import ConfigError

        msg = "to_pandas() needs pandas: pip install 'mallcore[analysis]'"
        raise ConfigError(msg) from None
    tables: dict[str, list[dict[str, Any]]] = {
        "totals": [{"rule_set": name, **row} for name, row in summary.totals().items()],
        "by_day": summary.by_day(),
        "by_rule": summary.by_rule(),
        "rejections": summary.rejections(),
    }
    out = {}
    for key, rows in tables.items():
        frame = pd.DataFrame(rows, columns=list(_COLUMNS[key]))
        frame.attrs["currency"] = summary.currency
        out[key] = frame
    return out
