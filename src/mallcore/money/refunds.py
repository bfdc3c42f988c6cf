"""Refunds that add up: successive partial refunds of a line sum to exactly what it paid."""

from __future__ import annotations

import moneyed

from mallcore.errors import InvalidAmountError
from mallcore.money.amount import Money, from_minor, to_minor
from mallcore.money.rounding import HALF_UP, RoundingPolicy

__all__ = ["proportional_refund", "proportional_refund_minor"]


def proportional_refund_minor(
    paid: int,
    quantity: int,
    returned_before: int,
    returning: int,
    *,
    rounding: RoundingPolicy = HALF_UP,
) -> int:
    """Minor-unit form of :func:`proportional_refund`.

    >>> [proportional_refund_minor(1000, 3, before, 1) for before in range(3)]
    [333, 334, 333]
    """
    for name, value in (
        ("quantity", quantity),
        ("returned_before", returned_before),
        ("returning", returning),
    ):
        if isinstance(value, bool) or not isinstance(value, int):
            msg = f"{name}={value!r} must be an integer"
            raise InvalidAmountError(msg)
    if quantity < 1:
        msg = f"quantity={quantity!r} must be at least 1"
        raise InvalidAmountError(msg)
    if returned_before < 0 or returning < 0 or returned_before + returning > quantity:
        msg = (
            f"returned_before={returned_before!r} + returning={returning!r} must be "
            f"between 0 and quantity={quantity!r}"
        )
        raise InvalidAmountError(msg)
    after = rounding.divide(paid * (returned_before + returning), quantity)
    return after - rounding.divide(paid * returned_before, quantity)


def proportional_refund(
    paid: moneyed.Money,
    quantity: int,
    returned_before: int,
    returning: int,
    *,
    rounding: RoundingPolicy = HALF_UP,
) -> Money:
    """What returning *returning* units of a line gives back.

    Uses ``F(returned_before + returning) - F(returned_before)`` with
    ``F(m) = round(paid * m / quantity)``, so successive partial refunds of a
    line add up to exactly what the line paid.

    Args:
        paid: What the whole line paid.
        quantity: Units on the line (at least 1).
        returned_before: Units already refunded.
        returning: Units refunded now.
        rounding: How ``F`` rounds (half up by default).

    Raises:
        InvalidAmountError: If the counts are negative, not integers, or exceed
            the quantity.

    >>> [proportional_refund(Money("10.00", "CNY"), 3, before, 1) for before in range(3)]
    [Money('3.33', 'CNY'), Money('3.34', 'CNY'), Money('3.33', 'CNY')]
    """
    units = proportional_refund_minor(
        to_minor(paid), quantity, returned_before, returning, rounding=rounding
    )
    return from_minor(units, paid.currency)
