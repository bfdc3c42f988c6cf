"""W1 priced by hand: the four offers hard-coded, to show what any CPython engine costs at least.

This is not an engine and nothing imports it but the benchmark. It prices a W1
basket exactly as mallcore's W1 scenario does (same allocation, rounding, unit
order, freight and rejections) with everything that a rules engine needs taken
out: no rule data, no dispatch on promotion kinds, no scope checks other than
two category flags, no tax or points stages, no objects, no serialisation. Its
time is a floor: an engine that does the same arithmetic in CPython, in
general, cannot take less. ``bench_quote`` checks that it agrees with mallcore
line by line before timing it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

#: One priced basket: rows (key, quantity, unit price, promotion, coupon, freight, paid),
#: adjustments (source, amount, ((key, share), ...)) and rejections (source, reason).
Floor = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[str, str]]]


def _allocate(total: int, weights: list[int]) -> list[int]:
    """Largest remainder; ties to the larger weight, then the earlier position."""
    whole = sum(weights)
    scaled = [total * weight for weight in weights]
    parts = [value // whole for value in scaled]
    left = total - sum(parts)
    if left:
        keys = [(value % whole, weight) for value, weight in zip(scaled, weights, strict=True)]
        for index in sorted(range(len(keys)), key=keys.__getitem__, reverse=True)[:left]:
            parts[index] += 1
    return parts


def w1_floor(catalogue: Sequence[dict[str, Any]], exclusive: bool) -> Callable[..., Floor]:
    """A pricing function for W1's *exclusive* or stackable scenario over *catalogue*."""
    facts = {
        row["sku"]: (
            int(Decimal(row["price"]) * 100),
            row["category"] == "apparel",
            row["category"] == "snacks",
            row["weight_g"],
        )
        for row in catalogue
    }

    def price(lines: Sequence[tuple[str, int]]) -> Floor:
        # Lines in cart order, as mallcore works on them (ties go to the earlier cart line).
        n = len(lines)
        keys = [key for key, _ in lines]
        qty = [quantity for _, quantity in lines]
        fact = [facts[key] for key in keys]
        amount = [fact[i][0] * qty[i] for i in range(n)]
        promo = [0] * n
        adjustments: list[tuple[Any, ...]] = []
        rejected: list[tuple[str, str]] = []

        def apply(source: str, discount: int, indices: list[int], parts: list[int]) -> None:
            for i, part in zip(indices, parts, strict=True):
                amount[i] -= part
                promo[i] += part
            shares = tuple((keys[i], part) for i, part in zip(indices, parts, strict=True) if part)
            adjustments.append((source, discount, shares))

        # (a) 10 % off apparel, rounded half up once on the in-scope total.
        apparel = [i for i in range(n) if fact[i][1]]
        if apparel:
            base = sum(amount[i] for i in apparel)
            discount = (base + 5) // 10
            apply(
                "promotion:a_cat10",
                discount,
                apparel,
                _allocate(discount, [amount[i] for i in apparel]),
            )
        else:
            rejected.append(("promotion:a_cat10", "out_of_scope"))
        # (c) buy 2 snacks, the 3rd free: units dearest first, the last of each group of 3.
        snacks = [i for i in range(n) if fact[i][2]]
        units: list[tuple[int, int]] = []
        for i in snacks:
            units.extend([(-(amount[i] // qty[i]), i)] * qty[i])
        units.sort()
        free: dict[int, int] = {}
        for group in range(len(units) // 3):
            value, i = units[group * 3 + 2]
            free[i] = free.get(i, 0) - value
        if free:
            indices = sorted(free)
            weights = [free[i] for i in indices]
            discount = sum(weights)
            apply("promotion:c_multibuy3", discount, indices, _allocate(discount, weights))
        else:
            rejected.append(
                ("promotion:c_multibuy3", "below_threshold" if snacks else "out_of_scope")
            )
        # (b) 满300减30; in the exclusive scenario apparel is out of its scope.
        scope = [i for i in range(n) if not (exclusive and fact[i][1])]
        base = sum(amount[i] for i in scope)
        if not scope:
            rejected.append(("promotion:b_full300minus30", "out_of_scope"))
        elif base >= 30000:
            discount = min(3000, base)
            apply(
                "promotion:b_full300minus30",
                discount,
                scope,
                _allocate(discount, [amount[i] for i in scope]),
            )
        else:
            rejected.append(("promotion:b_full300minus30", "below_threshold"))
        # (d) SAVE50 from 500; in the exclusive scenario it does not stack with promotions.
        coupon = [0] * n
        base = sum(amount)
        if exclusive and any(promo):
            rejected.append(("coupon:SAVE50", "not_combinable"))
        elif base < 50000:
            rejected.append(("coupon:SAVE50", "below_threshold"))
        else:
            coupon = _allocate(5000, amount)
            for i in range(n):
                amount[i] -= coupon[i]
            shares = tuple((keys[i], part) for i, part in enumerate(coupon) if part)
            adjustments.append(("coupon:SAVE50", 5000, shares))
        # Freight by weight to Guangdong: first kg 8.00, each further kg 2.00, split by weight.
        grams = [fact[i][3] * qty[i] for i in range(n)]
        fee = 800 + 200 * -(-max(sum(grams) - 1000, 0) // 1000)
        freight = _allocate(fee, grams)
        adjustments.append(
            ("freight:by-weight", fee, tuple((keys[i], p) for i, p in enumerate(freight) if p))
        )
        rows = [
            (keys[i], qty[i], fact[i][0], promo[i], coupon[i], freight[i], amount[i] + freight[i])
            for i in range(n)
        ]
        return rows, adjustments, rejected

    return price
