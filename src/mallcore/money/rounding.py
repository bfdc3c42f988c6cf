"""Rounding policies: how an exact amount becomes a whole number of minor units."""

from __future__ import annotations

import enum
from typing import Final

from mallcore.errors import InvalidAmountError

__all__ = ["HALF_UP", "RoundingPolicy"]


class RoundingPolicy(enum.Enum):
    """How an exact amount is rounded to the minor unit.

    ``HALF_UP`` (the default everywhere) rounds halves away from zero, like
    :data:`decimal.ROUND_HALF_UP`; ``DOWN`` truncates toward zero and ``UP``
    rounds away from zero. A policy is part of a pricing context, never global.

    >>> RoundingPolicy.HALF_EVEN.divide(5, 2), RoundingPolicy.HALF_UP.divide(5, 2)
    (2, 3)
    >>> RoundingPolicy("down").divide(-7, 2)
    -3
    """

    HALF_UP = "half_up"
    HALF_EVEN = "half_even"
    DOWN = "down"
    UP = "up"

    def divide(self, numerator: int, denominator: int) -> int:
        """Return ``numerator / denominator`` rounded to an integer by this policy.

        Args:
            numerator: Any integer.
            denominator: A positive integer.

        Raises:
            InvalidAmountError: If *denominator* is not positive.
        """
        if denominator <= 0:
            msg = f"denominator={denominator!r} must be positive"
            raise InvalidAmountError(msg)
        quotient, remainder = divmod(abs(numerator), denominator)
        if remainder:
            twice = 2 * remainder
            # The member's plain value: reading RoundingPolicy.UP goes through
            # the enum's descriptor, and this runs several times per quote.
            policy = self._value_
            if (
                policy == "up"
                or (policy == "half_up" and twice >= denominator)
                or (
                    policy == "half_even"
                    and (twice > denominator or (twice == denominator and quotient % 2 == 1))
                )
            ):
                quotient += 1
        return -quotient if numerator < 0 else quotient


#: The default policy.
HALF_UP: Final = RoundingPolicy.HALF_UP
