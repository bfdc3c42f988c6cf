"""Exact money: currencies, minor units, rounding, allocation, refunds and formatting.

Amounts are :class:`moneyed.Money` at the API boundary and integer minor units
(cents, fen, yen, fils) inside hot paths. Every split of an amount sums exactly
to that amount. Percentages are always in percent units: ``20`` means 20 %.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from decimal import MAX_PREC, Context, Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Final

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision
from moneyed import Currency, CurrencyDoesNotExist, Money, get_currency

from mallcore.errors import (
    ConfigError,
    CurrencyMismatchError,
    InvalidAmountError,
    UnknownCurrencyError,
)

__all__ = [
    "Currency",
    "Money",
    "RoundingPolicy",
    "allocate",
    "allocate_minor",
    "check_percent",
    "format_money",
    "from_minor",
    "get_locale",
    "minor_units",
    "parse_money",
    "percent_of",
    "percent_of_minor",
    "proportional_refund",
    "proportional_refund_minor",
    "quantize",
    "resolve_currency",
    "sum_money",
    "to_minor",
    "to_minor_all",
]

_HUNDRED: Final = 100


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
        """
        if denominator <= 0:
            msg = f"denominator={denominator!r} must be positive"
            raise InvalidAmountError(msg)
        quotient, remainder = divmod(abs(numerator), denominator)
        if remainder:
            twice = 2 * remainder
            if (
                self is RoundingPolicy.UP
                or (self is RoundingPolicy.HALF_UP and twice >= denominator)
                or (
                    self is RoundingPolicy.HALF_EVEN
                    and (twice > denominator or (twice == denominator and quotient % 2 == 1))
                )
            ):
                quotient += 1
        return -quotient if numerator < 0 else quotient


HALF_UP: Final = RoundingPolicy.HALF_UP


# --------------------------------------------------------------------------- currencies


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
    """Minor units per major unit and the Decimal size of one minor unit."""
    exponent = _exponent(code, sub_unit)
    return 10**exponent, Decimal(1).scaleb(-exponent)


# --------------------------------------------------------------------------- conversion

_new_object = object.__new__
# Building amounts from minor units must never round, whatever precision the
# caller's decimal context has: multiply in a context of unlimited precision.
_exact_multiply = Context(prec=MAX_PREC).multiply


def _make_money(amount: Decimal, currency: Currency) -> Money:
    # Money.__init__ re-checks types and looks the currency up again; these
    # inputs are already a Decimal and a Currency, and allocation builds many.
    money = _new_object(Money)
    money.amount = amount  # type: ignore[misc]
    money.currency = currency  # type: ignore[misc]
    return money


def from_minor(units: int, currency: str | Currency) -> Money:
    """Build Money from integer minor units.

    >>> from_minor(1234, "CNY")
    Money('12.34', 'CNY')
    >>> from_minor(1234, "JPY")
    Money('1234', 'JPY')
    """
    cur = resolve_currency(currency)
    return _make_money(_exact_multiply(_scale(cur.code, cur.sub_unit)[1], units), cur)


def to_minor(money: Money) -> int:
    """Return the amount of *money* in integer minor units.

    Raises:
        InvalidAmountError: If the amount is NaN, infinite or has more decimals
            than the currency allows (``Money("0.005", "CNY")``).

    >>> to_minor(Money("12.30", "CNY")), to_minor(Money("-5", "KWD"))
    (1230, -5000)
    """
    cur = money.currency
    per_major = _scale(cur.code, cur.sub_unit)[0]
    try:
        numerator, denominator = money.amount.as_integer_ratio()
    except (ValueError, OverflowError):
        raise _not_finite("amount", money.amount) from None
    units, rest = divmod(numerator * per_major, denominator)
    if rest:
        raise _too_precise("amount", money.amount, cur)
    return units


def _not_finite(field: str, value: object) -> InvalidAmountError:
    return InvalidAmountError(f"{field}={value!r} must be a finite number")


def _too_precise(field: str, value: object, currency: Currency) -> InvalidAmountError:
    places = minor_units(currency)
    return InvalidAmountError(
        f"{field}={str(value)!r} has more decimals than {currency.code} allows ({places})"
    )


def to_minor_all(
    amounts: Iterable[Money], currency: str | Currency | None = None
) -> tuple[list[int], Currency]:
    """Minor units of many amounts of one currency, converted in one pass.

    This is the boundary of a hot path: convert once, compute on integers,
    convert back with :func:`from_minor` or :func:`allocate`.

    Args:
        amounts: Amounts that must all share one currency.
        currency: The expected currency; required when *amounts* may be empty.

    Returns:
        The minor units, in order, and the currency.

    Raises:
        CurrencyMismatchError: Two currencies (or not *currency*).
        InvalidAmountError: An amount is not finite or too precise.

    >>> to_minor_all([Money("1.10", "CNY"), Money("2", "CNY")])
    ([110, 200], CNY)
    """
    moneys = amounts if isinstance(amounts, list | tuple) else list(amounts)
    cur = resolve_currency(currency) if currency is not None else None
    if cur is None:
        if not moneys:
            msg = "cannot tell the currency of an empty list of amounts; pass currency="
            raise InvalidAmountError(msg)
        cur = moneys[0].currency
    per_major = _scale(cur.code, cur.sub_unit)[0]
    units: list[int] = []
    append = units.append
    for money in moneys:
        if money.currency is not cur and money.currency != cur:
            raise CurrencyMismatchError(cur.code, money.currency.code)
        try:
            numerator, denominator = money.amount.as_integer_ratio()
        except (ValueError, OverflowError):
            raise _not_finite("amount", money.amount) from None
        # A reduced fraction n/d is whole in minor units exactly when d divides per_major.
        if per_major % denominator:
            raise _too_precise("amount", money.amount, cur)
        append(numerator * (per_major // denominator))
    return units, cur


def quantize(money: Money, rounding: RoundingPolicy = HALF_UP) -> Money:
    """Round *money* to its currency's minor unit.

    >>> quantize(Money("2.345", "CNY")), quantize(Money("2.345", "CNY"), RoundingPolicy.DOWN)
    (Money('2.35', 'CNY'), Money('2.34', 'CNY'))
    """
    cur = money.currency
    per_major, unit = _scale(cur.code, cur.sub_unit)
    try:
        numerator, denominator = money.amount.as_integer_ratio()
    except (ValueError, OverflowError):
        raise _not_finite("amount", money.amount) from None
    return _make_money(
        _exact_multiply(unit, rounding.divide(numerator * per_major, denominator)), cur
    )


def parse_money(
    value: object,
    currency: str | Currency,
    *,
    field: str = "amount",
    allow_negative: bool = False,
) -> Money:
    """Validate an input price or amount and return it as Money.

    Accepts a Decimal, an int or a decimal string. Floats are refused because
    they cannot hold most prices exactly (``0.1 + 0.2``).

    Args:
        value: The amount as written by a person or a file.
        currency: ISO code or Currency.
        field: Name of the field, used in error messages.
        allow_negative: Accept amounts below zero (adjustments, not prices).

    Raises:
        InvalidAmountError: NaN, infinity, float, negative (unless allowed) or
            more decimals than the currency has.
        UnknownCurrencyError: If the currency code is unknown.

    >>> parse_money("19.90", "CNY")
    Money('19.90', 'CNY')
    >>> parse_money("19.999", "CNY", field="price")
    Traceback (most recent call last):
    ...
    mallcore.errors.InvalidAmountError: price='19.999' has more decimals than CNY allows (2)
    """
    cur = resolve_currency(currency)
    if isinstance(value, bool | float):
        kind = type(value).__name__
        msg = f"{field}={value!r} must be a Decimal, an int or a decimal string, not a {kind}"
        raise InvalidAmountError(msg)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | str):
        try:
            amount = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            msg = f"{field}={value!r} is not a number"
            raise InvalidAmountError(msg) from None
    else:
        msg = f"{field}={value!r} must be a Decimal, an int or a decimal string"
        raise InvalidAmountError(msg)
    if not amount.is_finite():
        raise _not_finite(field, value)
    if amount < 0 and not allow_negative:
        msg = f"{field}={value!r} must not be negative"
        raise InvalidAmountError(msg)
    numerator, denominator = amount.as_integer_ratio()
    units, rest = divmod(numerator * _scale(cur.code, cur.sub_unit)[0], denominator)
    if rest:
        raise _too_precise(field, value, cur)
    return from_minor(units, cur)


def sum_money(amounts: Iterable[Money], currency: str | Currency | None = None) -> Money:
    """Add amounts of one currency exactly; an empty sum needs *currency*.

    Raises:
        CurrencyMismatchError: If two amounts have different currencies.

    >>> sum_money([Money("1.10", "CNY"), Money("2.20", "CNY")])
    Money('3.30', 'CNY')
    >>> sum_money([], "JPY")
    Money('0', 'JPY')
    """
    units, cur = to_minor_all(amounts, currency)
    return from_minor(sum(units), cur)


# --------------------------------------------------------------------------- allocation


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
    return _largest_remainder(total, weights, whole)


def _largest_remainder(total: int, weights: Sequence[int], whole: int) -> list[int]:
    """:func:`allocate_minor` without its checks, for weights known to be good.

    For mallcore's own hot paths only: *total* >= 0, *weights* non-negative
    ints, *whole* their sum and above zero.
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


def allocate(total: Money, weights: Sequence[int]) -> list[Money]:
    """Split *total* by *weights* without losing or inventing a minor unit.

    The rule is the largest-remainder rule of :func:`allocate_minor`: the
    parts always add up to *total*, a part never exceeds its weight when
    ``total <= sum(weights)`` (in minor units), a zero weight gets zero, and
    the result does not depend on the order of the lines.

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
    cur = total.currency
    unit = _scale(cur.code, cur.sub_unit)[1]
    parts: list[Money] = []
    append = parts.append
    # Inlined _make_money: this loop is the hot path of every discount split.
    for units in allocate_minor(to_minor(total), weights):
        money = _new_object(Money)
        money.amount = _exact_multiply(unit, units)  # type: ignore[misc]
        money.currency = cur  # type: ignore[misc]
        append(money)
    return parts


# --------------------------------------------------------------------------- refunds


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
    paid: Money,
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


# --------------------------------------------------------------------------- percentages


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


def percent_of_minor(units: int, percent: Decimal | int, rounding: RoundingPolicy = HALF_UP) -> int:
    """``units * percent / 100``, rounded once to a whole minor unit.

    >>> percent_of_minor(15550, 10), percent_of_minor(995, Decimal("12.5"))
    (1555, 124)
    """
    numerator, denominator = Decimal(percent).as_integer_ratio()
    return rounding.divide(units * numerator, denominator * _HUNDRED)


def percent_of(
    money: Money, percent: Decimal | int | str, rounding: RoundingPolicy = HALF_UP
) -> Money:
    """*percent* % of *money*, rounded once to the minor unit (half up by default).

    A discount of ``percent_off`` is ``percent_of(amount, percent_off)``; a
    price at ``rate`` (pay 85 %) is ``percent_of(amount, rate)``.

    >>> percent_of(Money("155.50", "CNY"), 10)
    Money('15.55', 'CNY')
    >>> percent_of(Money("47.99", "CNY"), 95)
    Money('45.59', 'CNY')
    """
    value = check_percent(percent, maximum=10**9)
    return from_minor(percent_of_minor(to_minor(money), value, rounding), money.currency)


# --------------------------------------------------------------------------- formatting


@lru_cache(maxsize=256)
def get_locale(name: str) -> Locale:
    """Return a parsed babel :class:`~babel.Locale`, cached (parsing is slow).

    Raises:
        ConfigError: If babel does not know the locale.
    """
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError) as exc:
        msg = f"locale={name!r} is not a locale babel knows ({exc})"
        raise ConfigError(msg) from None


def format_money(money: Money, locale: str | Locale = "zh_CN") -> str:
    r"""Format *money* for display in *locale*, with the currency's minor digits.

    >>> format_money(Money("1234.5", "CNY"))
    '¥1,234.50'
    >>> format_money(Money("1234.5", "EUR"), "de_DE")
    '1.234,50\xa0€'
    >>> format_money(Money("1234", "JPY"), "ja_JP")
    '￥1,234'
    """
    loc = locale if isinstance(locale, Locale) else get_locale(locale)
    return str(format_currency(money.amount, money.currency.code, locale=loc))
