"""Small helpers for the notebook views of quotes and rule sets: HTML and pandas.

Plain strings, no template engine: every piece of text is escaped here, so
callers pass raw text (a SKU, a rule id, a formatted amount) and never HTML.
Money is shown with :func:`~mallcore.money.format_money` in the default
locale, as ``str(money)`` and :meth:`~mallcore.pricing.quote.Quote.explain` show it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence, Sized
from datetime import datetime
from html import escape
from typing import Any

import attrs
import moneyed

from mallcore.money import Currency, format_money, from_minor

__all__ = ["describe", "money", "pandas", "table", "when"]


def money(units: int, currency: Currency) -> str:
    """*units* minor units of *currency* as shown to people (``¥12.30``), not escaped."""
    return format_money(from_minor(units, currency))


def table(
    head: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    foot: Sequence[object] | None = None,
    caption: str | None = None,
) -> str:
    """A ``<table>`` of *rows* under *head*; every cell is escaped text."""

    def row(cells: Sequence[object], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{escape(str(c))}</{tag}>" for c in cells) + "</tr>"

    parts = ["<table>"]
    if caption is not None:
        parts.append(f"<caption>{escape(caption)}</caption>")
    parts.append("<thead>" + row(head, "th") + "</thead>")
    parts.append("<tbody>" + "".join(row(cells, "td") for cells in rows) + "</tbody>")
    if foot is not None:
        parts.append("<tfoot>" + row(foot, "td") + "</tfoot>")
    parts.append("</table>")
    return "".join(parts)


def when(moment: datetime | None) -> str:
    """A time as ``2026-11-11 20:00+08:00`` (seconds only when not zero), ``''`` for None."""
    if moment is None:
        return ""
    spec = "seconds" if moment.second or moment.microsecond else "minutes"
    return moment.isoformat(sep=" ", timespec=spec)


def describe(value: object) -> str:
    """A value as one line of readable text: Money formatted, attrs objects as ``field value``.

    Fields left unset (None, False, empty, their default) and derived fields
    (``init=False``) are left out, so a 满减 ladder reads ``tiers min_spend
    ¥150.00, amount_off ¥10.00; min_spend ¥300.00, amount_off ¥30.00``.
    """
    if isinstance(value, moneyed.Money):
        return format_money(value)
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, frozenset | set):
        return ", ".join(sorted(describe(item) for item in value))
    if isinstance(value, tuple | list):
        return "; ".join(describe(item) for item in value)
    kind = type(value)
    if attrs.has(kind):
        parts = []
        for field in attrs.fields(kind):
            if not field.init or field.name.startswith("_"):
                continue
            item = getattr(value, field.name)
            if item is None or item is False or (isinstance(item, Sized) and not len(item)):
                continue
            if _is_default(field, item):  # an unset Scope(), Window(), priority 0, ...
                continue
            parts.append(f"{field.name} {describe(item)}")
        return ", ".join(parts)
    return str(value)


def _is_default(field: Any, item: object) -> bool:
    default = field.default
    if default is attrs.NOTHING or isinstance(default, type(attrs.Factory(list))):
        return False
    return bool(item == default)


def pandas() -> Any:
    """The pandas module, imported on first use (the ``analysis`` extra).

    Raises:
        ConfigError: pandas is not installed.
    """
    import importlib

    try:
        return importlib.import_module("pandas")
    except ImportError:
        from mallcore.errors import ConfigError

        msg = "to_pandas() needs pandas: pip install 'mallcore[analysis]'"
        raise ConfigError(msg) from None
