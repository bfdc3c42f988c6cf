"""What a what-if adds up to: per day and rule set, per rule, and rejections.

:class:`Summary` is built part by part as the result is written, so it never
needs the whole result in memory. Amounts are in minor units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from mallcore.money import resolve_currency

__all__ = ["Summary"]


def _sources(applied: str | None) -> dict[str, int]:
    found: dict[str, int] = {}
    for item in (applied or "").split(";"):
        if item:
            source, _, amount = item.rpartition("=")
            found[source] = found.get(source, 0) + int(amount)
    return found


class Summary:
    """Totals of a what-if result, accumulated part by part.

    * :meth:`by_day`: per rule set and UTC day: carts, carts priced, revenue
      (what they paid), list subtotal, discount given away, the discount rate
      (discount / list subtotal), the average order value and the coupon
      take-up (carts that used a coupon / carts priced).
    * :meth:`by_rule`: per rule set and rule (an adjustment's source such as
      ``promotion:ladder`` or ``coupon:SAVE10``): the carts it applied to, the
      amount, and the carts it applies to that it did not under the first
      rule set (``new_carts``: orders pushed over a threshold).
    * :meth:`rejections`: per rule set, rule and reason: how many carts.

    In a notebook a summary shows as HTML tables (:mod:`mallcore.whatif.display`),
    with amounts as money once :attr:`currency` is known, and
    :meth:`to_pandas` gives the four tables as DataFrames.

    Args:
        names: The rule sets' names, the first being the baseline.
        currency: The result's currency code (``CNY``); settable later. When
            None, the first part added sets it from its ``currency`` column.
    """

    def __init__(self, names: Sequence[str], *, currency: str | None = None) -> None:
        self.names = tuple(names)
        #: The ISO code of the amounts' currency, or None (amounts then show as minor units).
        self.currency = None if currency is None else resolve_currency(currency).code
        self._days: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0] * 6)
        self._rules: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        self._rejections: dict[tuple[str, str, str], int] = defaultdict(int)

    def add(self, part: Any) -> None:
        """Add a result part (an Arrow table with the result schema)."""
        first = self.names[0]
        for row in part.to_pylist():
            if self.currency is None and row.get("currency"):
                self.currency = row["currency"]
            baseline = _sources(row[f"{first}.applied"])
            for name in self.names:
                day = self._days[(name, row["day"])]
                day[0] += 1
                if not row[f"{name}.ok"]:
                    continue
                day[1] += 1
                day[2] += row[f"{name}.total"]
                day[3] += row[f"{name}.list_subtotal"]
                day[4] += row[f"{name}.discount"]
                day[5] += 1 if row[f"{name}.coupon_discount"] else 0
                for source, amount in _sources(row[f"{name}.applied"]).items():
                    rule = self._rules[(name, source)]
                    rule[0] += 1
                    rule[1] += amount
                    rule[2] += 0 if source in baseline else 1
                for item in (row[f"{name}.rejected"] or "").split(";"):
                    if item:
                        source, _, reason = item.rpartition(":")
                        self._rejections[(name, source, reason)] += 1

    def by_day(self) -> list[dict[str, Any]]:
        """One row per rule set and day, days in order."""
        rows = []
        for (name, day), (carts, ok, revenue, listed, discount, coupon) in sorted(
            self._days.items(), key=lambda item: (self.names.index(item[0][0]), item[0][1])
        ):
            rows.append(
                {
                    "rule_set": name,
                    "day": day,
                    "carts": carts,
                    "priced": ok,
                    "revenue": revenue,
                    "list_subtotal": listed,
                    "discount": discount,
                    "discount_rate": (Decimal(discount) / listed).quantize(Decimal("0.0001"))
                    if listed
                    else None,
                    "average_order_value": (Decimal(revenue) / ok).quantize(Decimal(1))
                    if ok
                    else None,
                    "coupon_take_up": (Decimal(coupon) / ok).quantize(Decimal("0.0001"))
                    if ok
                    else None,
                }
            )
        return rows

    def by_rule(self) -> list[dict[str, Any]]:
        """One row per rule set and rule."""
        return [
            {"rule_set": name, "rule": source, "carts": carts, "amount": amount, "new_carts": new}
            for (name, source), (carts, amount, new) in sorted(
                self._rules.items(), key=lambda item: (self.names.index(item[0][0]), item[0][1])
            )
        ]

    def rejections(self) -> list[dict[str, Any]]:
        """One row per rule set, rule and reason."""
        return [
            {"rule_set": name, "rule": source, "reason": reason, "carts": carts}
            for (name, source, reason), carts in sorted(
                self._rejections.items(),
                key=lambda item: (self.names.index(item[0][0]), item[0][1:]),
            )
        ]

    def totals(self) -> dict[str, dict[str, Any]]:
        """Per rule set: carts, priced, revenue, discount and the discount rate over all days."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.by_day():
            total = out.setdefault(
                row["rule_set"],
                {"carts": 0, "priced": 0, "revenue": 0, "list_subtotal": 0, "discount": 0},
            )
            for key in ("carts", "priced", "revenue", "list_subtotal", "discount"):
                total[key] += row[key]
        for total in out.values():
            listed = total["list_subtotal"]
            total["discount_rate"] = (
                (Decimal(total["discount"]) / listed).quantize(Decimal("0.0001"))
                if listed
                else None
            )
        return out

    def to_pandas(self) -> dict[str, Any]:
        """The tables as pandas DataFrames: ``totals``, ``by_day``, ``by_rule`` and ``rejections``.

        One row per row of :meth:`totals` (with a ``rule_set`` column),
        :meth:`by_day`, :meth:`by_rule` and :meth:`rejections`. Amounts stay
        integers in minor units; rates and the average order value are
        :class:`~decimal.Decimal` (``object`` columns); each frame's
        ``attrs["currency"]`` is :attr:`currency`. Needs pandas (the
        ``analysis`` extra).

        Raises:
            ConfigError: pandas is not installed.
        """
        from mallcore.whatif.display import frames

        return frames(self)

    def _repr_html_(self) -> str:
        """The summary as HTML tables for notebooks (see :mod:`mallcore.whatif.display`)."""
        from mallcore.whatif.display import summary_html

        return summary_html(self)
