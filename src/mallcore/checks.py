"""The checks every constructor shares, and mallcore's documented upper limits.

Value objects validate themselves when they are built, whether the values come
from Python code or from a rule file: both doors call these functions, so a bad
value gets the same typed error and the same words either way. Each error
carries ``field`` (the field's name or a dotted path such as
``tiers[1].amount_off``), ``value`` and ``reason``, so that the file loader can
report it under its JSON path.

Limits (past them a value is refused, not silently capped):

========================  ===============================================
:data:`MAX_QUANTITY`      units on one cart line, and any unit count
:data:`MAX_LINES`         lines in one cart
:data:`MAX_AMOUNT`        any price, threshold or amount, in major units
:data:`MAX_POINTS`        a points balance, request or cap
========================  ===============================================
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Final, TypeVar

import moneyed

from mallcore.errors import (
    CurrencyMismatchError,
    InvalidAmountError,
    invalid,
    nested,
    shown,
)
from mallcore.money import Currency, minor_units, scale

__all__ = [
    "MAX_AMOUNT",
    "MAX_LINES",
    "MAX_POINTS",
    "MAX_QUANTITY",
    "as_tuple",
    "check_amount",
    "check_choice",
    "check_count",
    "check_decimal",
    "check_flag",
    "check_items",
    "check_measure",
    "check_optional_text",
    "check_percent_value",
    "check_text",
    "invalid",
    "nested",
    "same_currency",
    "shown",
]

#: Units on one cart line (and any count of units a rule names).
MAX_QUANTITY: Final = 1_000_000
#: Lines in one cart.
MAX_LINES: Final = 1_000
#: Any price, threshold or amount, in major units of its currency (¥1,000,000,000).
MAX_AMOUNT: Final = Decimal(1_000_000_000)
#: A points balance, a points request or a points cap.
MAX_POINTS: Final = 10**12


def check_count(field: str, value: object, *, minimum: int = 1, maximum: int = MAX_QUANTITY) -> int:
    """An int (not a bool) between *minimum* and *maximum*.

    Raises:
        ConfigError: Otherwise, naming *field*.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, value, "must be a whole number")
    if value < minimum:
        raise invalid(field, value, f"must be at least {minimum}")
    if value > maximum:
        raise invalid(field, value, f"must be at most {maximum:,}")
    return value


def as_tuple(field: str, values: object) -> tuple[Any, ...]:
    """*values* (a list, tuple or other iterable, not a string) as a tuple.

    Raises:
        ConfigError: A string or something that is not iterable.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise invalid(field, values, "must be a list")
    return tuple(values)


_Item = TypeVar("_Item")
_Choice = TypeVar("_Choice", bound=Enum)


def check_items(
    field: str, values: object, kind: type[_Item], *, allow_empty: bool = True
) -> tuple[_Item, ...]:
    """*values* as a tuple whose every entry is a *kind*; errors name ``field[i]``.

    Raises:
        ConfigError: Not a list, an entry of another type, or (unless
            *allow_empty*) no entry at all.
    """
    items = as_tuple(field, values)
    if not items and not allow_empty:
        raise invalid(field, [], "must hold at least one entry")
    for index, item in enumerate(items):
        if not isinstance(item, kind):
            raise invalid(f"{field}[{index}]", item, f"must be a {kind.__name__}")
    return items


def check_choice(field: str, value: object, choices: type[_Choice]) -> _Choice:
    """*value* as a member of the enum *choices*, given as the member or its value.

    Raises:
        ConfigError: Neither, listing the values allowed.
    """
    if isinstance(value, choices):
        return value
    try:
        return choices(value)
    except (ValueError, TypeError):
        allowed = ", ".join(str(choice.value) for choice in choices)
        raise invalid(field, value, f"must be one of {allowed}") from None


def check_text(field: str, value: object) -> str:
    """A non-empty string.

    Raises:
        ConfigError: Otherwise, naming *field*.
    """
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, value, "must be a non-empty string")
    return value


def check_optional_text(field: str, value: object) -> str | None:
    """None or a non-empty string."""
    return None if value is None else check_text(field, value)


def check_flag(field: str, value: object) -> bool:
    """True or False (not 0, 1 or "yes")."""
    if not isinstance(value, bool):
        raise invalid(field, value, "must be true or false")
    return value


def check_decimal(
    field: str,
    value: object,
    *,
    minimum: Decimal | int = 0,
    maximum: Decimal | int | None = None,
    positive: bool = False,
    text: bool = False,
) -> Decimal:
    """A finite Decimal (or int, or with *text* a decimal string) within bounds; never a float.

    Raises:
        ConfigError: A float, a non-number, or a value out of bounds.
    """
    if type(value) is Decimal:  # the common case first: catalogs check many of these
        number = value
    else:
        allowed = (Decimal, int, str) if text else (Decimal, int)
        if isinstance(value, bool | float) or not isinstance(value, allowed):
            kinds = "a Decimal, an int or a decimal string" if text else "a Decimal or an int"
            raise invalid(field, value, f"must be {kinds}, not a {type(value).__name__}")
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise invalid(field, value, "is not a number") from None
    if not number.is_finite():
        raise invalid(field, value, "must be a finite number")
    if positive and number <= 0:
        raise invalid(field, value, "must be greater than 0")
    if number < minimum:
        reason = "must not be negative" if minimum == 0 else f"must be at least {minimum}"
        raise invalid(field, value, reason)
    if maximum is not None and number > maximum:
        raise invalid(field, value, f"must be at most {maximum}")
    return number


#: Weights and volumes are exact to 10⁻⁹ (a microgram, a cubic millimetre).
MEASURE_PLACES: Final = 9
#: The largest weight (kg) or volume (m³) of one unit.
MAX_MEASURE: Final = Decimal(1_000_000)


def check_measure(
    field: str, value: object, *, maximum: Decimal = MAX_MEASURE, text: bool = False
) -> Decimal:
    """A non-negative quantity with at most 9 decimals: a unit's weight (kg) or volume (m³).

    Raises:
        ConfigError: A float, a non-number, a negative or too large value, or
            more than 9 decimals.
    """
    number = check_decimal(field, value, maximum=maximum, text=text)
    if (10**MEASURE_PLACES) % number.as_integer_ratio()[1]:
        raise invalid(field, value, f"has more than {MEASURE_PLACES} decimals")
    return number


def check_percent_value(field: str, value: object, *, allow_zero: bool = False) -> Decimal:
    """A percentage in percent units (``20`` is 20 %): above 0 (or 0 if allowed), at most 100."""
    number = check_decimal(field, value, maximum=100, positive=not allow_zero)
    return number


def check_amount(
    field: str,
    value: object,
    *,
    currency: Currency | None = None,
    positive: bool = False,
) -> int:
    """A Money amount as minor units: non-negative, whole minor units, at most :data:`MAX_AMOUNT`.

    Args:
        field: The field's name, for the message.
        value: Must be :class:`~mallcore.money.Money`.
        currency: When given, the amount must be in it.
        positive: Refuse zero too.

    Raises:
        InvalidAmountError: Not Money, negative (or zero), too large, or more
            decimals than its currency has.
        CurrencyMismatchError: Money in another currency than *currency*.
    """
    if not isinstance(value, moneyed.Money):
        raise invalid(field, value, "must be Money, e.g. Money('10.00', 'CNY')", InvalidAmountError)
    if currency is not None and value.currency != currency:
        raise CurrencyMismatchError(currency.code, value.currency.code, context=field)
    amount = value.amount
    if not amount.is_finite():
        raise invalid(field, value, "must be a finite number", InvalidAmountError)
    if amount < 0 or (positive and amount == 0):
        reason = "must be greater than 0" if positive else "must not be negative"
        raise invalid(field, value, reason, InvalidAmountError)
    if amount > MAX_AMOUNT:
        raise invalid(field, value, f"must be at most {MAX_AMOUNT:,}", InvalidAmountError)
    per_major = scale(value.currency)[0]
    numerator, denominator = amount.as_integer_ratio()
    units, rest = divmod(numerator * per_major, denominator)
    if rest:
        places = minor_units(value.currency)
        reason = f"has more decimals than {value.currency.code} allows ({places})"
        raise invalid(field, value, reason, InvalidAmountError)
    return units


def same_currency(owner: str, amounts: Iterable[tuple[str, moneyed.Money | None]]) -> None:
    """All the non-None *amounts* of one rule share one currency.

    Raises:
        CurrencyMismatchError: Naming *owner* and the field in the other currency.
    """
    first: moneyed.Money | None = None
    first_field = ""
    for field, amount in amounts:
        if amount is None:
            continue
        if first is None:
            first, first_field = amount, field
        elif amount.currency != first.currency:
            context = f"{owner}: {first_field} and {field}"
            error = CurrencyMismatchError(
                first.currency.code, amount.currency.code, context=context
            )
            error.field, error.value = field, amount
            error.reason = (
                f"is in {amount.currency.code}, but {first_field} is in {first.currency.code}"
            )
            raise error
