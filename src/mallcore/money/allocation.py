"""Splitting an amount over lines without losing or inventing a minor unit.

The rule (largest remainder): each part is ``floor(total * w / W)``; the units
still missing go one each to the parts with the largest remainders; ties go to
the larger weight, then to the earlier position, i.e. the line's position in
the cart as the customer built it. The parts always sum to the total.
"""

from __future__ import annotations

from collections.abc import Sequence

import moneyed

from mallcore.errors import InvalidAmountError
from mallcore.money.amount import Money, from_minor_all, to_minor

__all__ = ["allocate", "allocate_minor", "largest_remainder"]


def allocate_minor(total: int, weights: Sequence[int]) -> list[int]:
    """Split *total* minor units by non-negative integer *weights* (largest remainder).

    Each part is ``floor(total * w / W)``; the units still missing go one each
    to the parts with the largest remainders; ties go to the larger weight, then
    to the earlier position. A negative total is split as its absolute value and
    negated, so ``allocate(-t) == [-p for p in allocate(t)]``.

    Raises:
        InvalidAmountError: If *weights* is empty, has a negative or non-integer
            weight, or sums to zero.

    >>> allocate_minor(1000, [1, 1, 1])
    [334, 333, 333]
    >>> allocate_minor(1000, [1, 2])
    [333, 667]
    """
    if not weights:
        msg = "weights=[] must have at least one weight"
        raise InvalidAmountError(msg)
    if isinstance(total, bool) or not isinstance(total, int):
        msg = f"total={total!r} must be an integer number of minor units"
        raise InvalidAmountError(msg)
    if total < 0:
        return [-part for part in allocate_minor(-total, weights)]
    # Summing first keeps the common case (plain non-negative ints) at C speed;
    # the loop below only runs to explain what is wrong.
    plain = set(map(type, weights)) == {int}
    whole = sum(weights) if plain else 0
    if not plain or min(weights) < 0:
        for weight in weights:
            if isinstance(weight, bool) or not isinstance(weight, int):
                msg = f"weights={list(weights)!r} must be integers, got {weight!r}"
                raise InvalidAmountError(msg)
            if weight < 0:
                msg = f"weights={list(weights)!r} must be non-negative"
                raise InvalidAmountError(msg)
        whole = sum(weights)
    if whole <= 0:
        msg = f"weights={list(weights)!r} must be non-negative and sum to more than 0"
        raise InvalidAmountError(msg)
    return largest_remainder(total, weights, whole)


def largest_remainder(total: int, weights: Sequence[int], whole: int) -> list[int]:
    """:func:`allocate_minor` without its checks, for weights the caller made itself.

    Preconditions (not checked: this is the inner loop of every quote):
    *total* >= 0, *weights* non-negative ints, *whole* their sum and above zero.

    >>> largest_remainder(10, [3, 3, 4], 10), largest_remainder(1, [1, 1], 2)
    ([3, 3, 4], [1, 0])
    """
    parts = [total * weight // whole for weight in weights]
    left = total - sum(parts)
    if left:
        # One composite integer key orders by remainder, then by weight; the
        # stable reverse sort keeps earlier positions first among equals.
        stride = whole + 1
        keys = [(total * weight % whole) * stride + weight for weight in weights]
        for index in sorted(range(len(keys)), key=keys.__getitem__, reverse=True)[:left]:
            parts[index] += 1
    return parts


def allocate(total: moneyed.Money, weights: Sequence[int]) -> list[Money]:
    """Split *total* by *weights* without losing or inventing a minor unit.

    The rule is the largest-remainder rule of :func:`allocate_minor`: the
    parts always add up to *total*, a part never exceeds its weight when
    ``total <= sum(weights)`` (in minor units), a zero weight gets zero, and
    a tie goes to the larger weight, then to the earlier position.

    Args:
        total: The amount to split, exact to its minor unit.
        weights: Non-negative integers, at least one above zero (typically each
            line's amount in minor units).

    Returns:
        One amount per weight, in the currency of *total*.

    Raises:
        InvalidAmountError: Empty, negative or all-zero weights, or a total
            with more decimals than its currency has.

    >>> allocate(Money("10.00", "CNY"), [1, 1, 1])
    [Money('3.34', 'CNY'), Money('3.33', 'CNY'), Money('3.33', 'CNY')]
    >>> allocate(Money("10.00", "CNY"), [1, 2])
    [Money('3.33', 'CNY'), Money('6.67', 'CNY')]
    """
    return from_minor_all(allocate_minor(to_minor(total), weights), total.currency)
