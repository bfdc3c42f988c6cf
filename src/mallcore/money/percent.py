"""Percentages, in percent units everywhere (``20`` means 20 %), applied to minor units.

Every percentage mallcore applies to an amount goes through
:func:`percent_of_minor`: one exact multiplication, rounded once.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Final

import moneyed

from mallcore.errors import InvalidAmountError
from mallcore.money.amount import Money, from_minor, to_minor
from mallcore.money.rounding import HALF_UP, RoundingPolicy

__all__ = ["check_percent", "percent_of", "percent_of_minor", "percent_ratio"]

_HUNDRED: Final = 100


def check_percent(value: object, *, field: str = "percent", maximum: int = 100) -> Decimal:
    """Validate a percentage in percent units (``20`` means 20 %) and return it as Decimal.

    Raises:
        InvalidAmountError: If the value is a float, not a number, or outside
            ``0..maximum``.

    >>> check_percent("12.5")
    Decimal('12.5')
    """
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        msg = f"{field}={value!r} must be a Decimal, an int or a decimal string in percent units"
        raise InvalidAmountError(msg)
    try:
        percent = Decimal(value)
    except InvalidOperation:
        msg = f"{field}={value!r} is not a number"
        raise InvalidAmountError(msg) from None
    if not percent.is_finite() or not 0 <= percent <= maximum:
        msg = f"{field}={value!r} must be between 0 and {maximum} (percent units: 20 means 20 %)"
        raise InvalidAmountError(msg)
    return percent


@functools.lru_cache(maxsize=1024)
def percent_ratio(percent: Decimal | int) -> tuple[int, int]:
    """*percent* % as an exact fraction of one: ``(numerator, denominator)``.

    >>> percent_ratio(Decimal("12.5"))
    (25, 200)
    """
    numerator, denominator = Decimal(percent).as_integer_ratio()
    return numerator, denominator * _HUNDRED


def percent_of_minor(units: int, percent: Decimal | int, rounding: RoundingPolicy = HALF_UP) -> int:
    """``units * percent / 100``, rounded once to a whole minor unit.

    A discount of ``percent_off`` is ``percent_of_minor(amount, percent_off)``;
    a price at ``rate`` (pay 85 %) is ``percent_of_minor(amount, rate)``.

    >>> percent_of_minor(15550, 10), percent_of_minor(995, Decimal("12.5"))
    (1555, 124)
    """
    numerator, denominator = percent_ratio(percent)
    return rounding.divide(units * numerator, denominator)


def percent_of(
    money: moneyed.Money, percent: Decimal | int | str, rounding: RoundingPolicy = HALF_UP
) -> Money:
    """*percent* % of *money*, rounded once to the minor unit (half up by default).

    >>> percent_of(Money("155.50", "CNY"), 10)
    Money('15.55', 'CNY')
    >>> percent_of(Money("47.99", "CNY"), 95)
    Money('45.59', 'CNY')
    """
    value = check_percent(percent, maximum=10**9)
    return from_minor(percent_of_minor(to_minor(money), value, rounding), money.currency)
