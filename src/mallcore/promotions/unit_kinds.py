"""Unit-level kinds that consume units: 第N件X折, N件M元 and 买X送Y.

They look at single units: a unit's amount is its line's current amount
divided by its quantity (kept exact by scaling every unit by the least common
multiple of the quantities). A unit one of them uses cannot feed another of
them. Their discount belongs to the lines of the units they discount or
bundle, weighted by those units' amounts, not to every eligible line; it is
rounded once. Ties between equal units go to the earlier cart line.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from decimal import Decimal

import attrs

from mallcore.checks import check_amount, check_count, check_percent_value
from mallcore.money import Currency, Money, RoundingPolicy, percent_ratio
from mallcore.promotions.benefit import (
    LineView,
    Outcome,
    dearest_first,
    split_by_unit_weights,
    unit_amounts,
    unit_counts,
    unit_scale,
    unit_weights,
)

__all__ = ["BundlePrice", "BuyXGetY", "NthItem"]


def _add(counts: dict[int, int], line: int, value: int) -> None:
    counts[line] = counts.get(line, 0) + value


@attrs.frozen
class NthItem:
    """第N件X折: for every ``n`` units of a product, one unit at ``percent_off``, cheapest first.

    A product's in-scope units, counted across its SKUs, give ``floor(count / n)``
    discounted units (at most ``max_times`` in the whole cart), and the
    discounted units are the **cheapest** ones: 第二件半价 on a 10.00 and a
    12.00 unit takes 5.00 off, not 6.00. Each application discounts the
    cheapest unit left (across products, the cheapest of all; ties to the
    earlier cart line) and consumes it with the ``n - 1`` dearest units left
    of its product, which pay full price.
    """

    n: int
    percent_off: Decimal
    max_times: int | None = None

    kind = "nth_item"
    consumes_units = True
    currency: Currency | None = None

    def __attrs_post_init__(self) -> None:
        check_count("n", self.n)
        check_percent_value("percent_off", self.percent_off)
        if self.max_times is not None:
            check_count("max_times", self.max_times)

    def evaluate(
        self, lines: LineView, indices: Sequence[int], rounding: RoundingPolicy
    ) -> Outcome:
        """The cheapest units of each product, one per ``n`` units."""
        amount, scoped = lines.amount, lines.scoped
        base = sum([amount[i] for i in indices])
        scale = unit_scale(lines, indices)  # one scale for every product keeps units comparable
        by_product: dict[str, list[int]] = {}
        for i in indices:
            by_product.setdefault(scoped[i].product_id, []).append(i)
        n = self.n
        # Per product: its units cheapest first (earlier line first among equals), and
        # the positions of the cheapest and the dearest unit still free.
        units_of: list[list[tuple[int, int]]] = []
        ends: list[list[int]] = []
        heap: list[tuple[int, int, int]] = []
        for product_lines in by_product.values():
            units = sorted(unit_amounts(lines, product_lines, scale)[0])
            if len(units) >= n:
                heap.append((*units[0], len(units_of)))
                units_of.append(units)
                ends.append([0, len(units) - 1])
        heapq.heapify(heap)
        weights: dict[int, int] = {}
        consumed: dict[int, int] = {}
        discounted = 0
        times_left = self.max_times
        while heap and (times_left is None or times_left > 0):
            value, line, position = heapq.heappop(heap)
            units, bounds = units_of[position], ends[position]
            _add(weights, line, value)
            _add(consumed, line, 1)
            discounted += value
            bounds[0] += 1
            for _, full_price in units[bounds[1] - n + 2 : bounds[1] + 1]:
                _add(consumed, full_price, 1)
            bounds[1] -= n - 1
            if bounds[1] - bounds[0] + 1 >= n:
                heapq.heappush(heap, (*units[bounds[0]], position))
            if times_left is not None:
                times_left -= 1
        if not weights:
            return Outcome(base=base)
        numerator, denominator = percent_ratio(self.percent_off)
        exact = (discounted * numerator, scale * denominator)
        return split_by_unit_weights(weights, exact, consumed, base, rounding)


@attrs.frozen
class BundlePrice:
    """N件M元: any ``n`` in-scope units for ``price``, most expensive units first.

    Units are taken dearest first in groups of ``n`` (at most ``max_times``
    groups); each group costs ``price`` when that saves the customer money.
    The saving is split over the bundled units' lines by their amounts.
    """

    n: int
    price: Money
    max_times: int | None = None
    price_minor: int = attrs.field(init=False, repr=False, eq=False)

    kind = "bundle_price"
    consumes_units = True

    def __attrs_post_init__(self) -> None:
        check_count("n", self.n)
        object.__setattr__(self, "price_minor", check_amount("price", self.price))
        if self.max_times is not None:
            check_count("max_times", self.max_times)

    @property
    def currency(self) -> Currency:
        """The currency of ``price``."""
        return self.price.currency

    def evaluate(
        self, lines: LineView, indices: Sequence[int], rounding: RoundingPolicy
    ) -> Outcome:
        """Bundles of the dearest units, while a bundle saves."""
        amount = lines.amount
        base = sum([amount[i] for i in indices])
        units, scale = unit_amounts(lines, indices)
        dearest_first(units)
        price = self.price_minor * scale
        n = self.n
        groups = len(units) // n
        if self.max_times is not None:
            groups = min(groups, self.max_times)
        bundled = saving = 0
        for group in range(groups):
            total = sum([value for value, _ in units[group * n : (group + 1) * n]])
            if total <= price:
                break  # later groups are cheaper still: none of them saves
            saving += total - price
            bundled += n
        if not bundled:
            return Outcome(base=base)
        taken = units[:bundled]
        weights, consumed = unit_weights(taken), unit_counts(taken)
        return split_by_unit_weights(weights, (saving, scale), consumed, base, rounding)


@attrs.frozen
class BuyXGetY:
    """买X送Y: in groups of ``x + y`` units (dearest first) the ``y`` cheapest get ``percent_off``.

    ``max_times`` caps the number of groups in one cart.
    """

    x: int
    y: int
    percent_off: Decimal = Decimal(100)
    max_times: int | None = None

    kind = "buy_x_get_y"
    consumes_units = True
    currency: Currency | None = None

    def __attrs_post_init__(self) -> None:
        check_count("x", self.x)
        check_count("y", self.y)
        check_percent_value("percent_off", self.percent_off)
        if self.max_times is not None:
            check_count("max_times", self.max_times)

    def evaluate(
        self, lines: LineView, indices: Sequence[int], rounding: RoundingPolicy
    ) -> Outcome:
        """The ``y`` cheapest units of each group of ``x + y``, dearest units grouped first."""
        amount = lines.amount
        base = sum([amount[i] for i in indices])
        size = self.x + self.y
        units, scale = unit_amounts(lines, indices)
        dearest_first(units)
        groups = len(units) // size
        if self.max_times is not None:
            groups = min(groups, self.max_times)
        taken = units[: groups * size]
        # In each group the units at positions x .. x + y - 1 are its y cheapest.
        cheapest = [unit for position in range(self.x, size) for unit in taken[position::size]]
        if not cheapest:
            return Outcome(base=base)
        weights, consumed = unit_weights(cheapest), unit_counts(taken)
        discounted = sum(weights.values())
        numerator, denominator = percent_ratio(self.percent_off)
        exact = (discounted * numerator, scale * denominator)
        return split_by_unit_weights(weights, exact, consumed, base, rounding)
