"""Currencies: ISO 4217 codes through py-moneyed, and the size of each currency's minor unit."""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel.numbers import get_currency_precision
from moneyed import Currency, CurrencyDoesNotExist, get_currency

from mallcore.errors import UnknownCurrencyError

__all__ = ["Currency", "minor_units", "resolve_currency", "scale", "units_per_major"]


@cache
def _currency_for_code(code: str) -> Currency:
    try:
        return get_currency(code)
    except CurrencyDoesNotExist:
        raise UnknownCurrencyError(code) from None


def resolve_currency(currency: str | Currency) -> Currency:
    """Return the py-moneyed :class:`~moneyed.Currency` for an ISO code or a Currency.

    Raises:
        UnknownCurrencyError: If the code is not an ISO 4217 currency py-moneyed knows.

    >>> resolve_currency("cny").code
    'CNY'
    """
    if isinstance(currency, Currency):
        return currency
    if not isinstance(currency, str):
        raise UnknownCurrencyError(currency)
    return _currency_for_code(currency.strip().upper())


@cache
def _exponent(code: str, sub_unit: int) -> int:
    digits = str(sub_unit)
    if sub_unit >= 1 and digits.strip("0") == "1":
        return len(digits) - 1
    # A sub-unit that is not a power of ten (none in ISO 4217 today): trust CLDR.
    return int(get_currency_precision(code))


def minor_units(currency: str | Currency) -> int:
    """Decimal places of the currency's minor unit, from py-moneyed's ``sub_unit``.

    >>> [minor_units(code) for code in ("CNY", "JPY", "KWD")]
    [2, 0, 3]
    """
    cur = resolve_currency(currency)
    return _exponent(cur.code, cur.sub_unit)


@cache
def _scale(code: str, sub_unit: int) -> tuple[int, Decimal]:
    exponent = _exponent(code, sub_unit)
    return 10**exponent, Decimal(1).scaleb(-exponent)


def scale(currency: Currency) -> tuple[int, Decimal]:
    """Minor units per major unit and the Decimal size of one minor unit.

    >>> scale(resolve_currency("KWD"))
    (1000, Decimal('0.001'))
    """
    return _scale(currency.code, currency.sub_unit)


def units_per_major(currency: str | Currency) -> int:
    """Minor units in one major unit: 100 for CNY, 1 for JPY, 1000 for KWD.

    >>> units_per_major("JPY"), units_per_major("CNY")
    (1, 100)
    """
    return scale(resolve_currency(currency))[0]
