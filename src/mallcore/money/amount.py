"""Money and its exact conversions to and from integer minor units.

:class:`Money` is py-moneyed's ``Money`` with mallcore's errors: an unknown
currency is an :class:`~mallcore.errors.UnknownCurrencyError`, mixing
currencies a :class:`~mallcore.errors.CurrencyMismatchError`, a float or a
non-number an :class:`~mallcore.errors.InvalidAmountError`, and ``str()``
uses :func:`~mallcore.money.format_money`. Hot paths compute in integer minor
units and convert at the boundary with :func:`to_minor` and :func:`from_minor`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import MAX_PREC, Context, Decimal, InvalidOperation
from typing import Any

import moneyed

from mallcore.errors import CurrencyMismatchError, InvalidAmountError, MallcoreError, invalid
from mallcore.money.currency import Currency, minor_units, resolve_currency, scale
from mallcore.money.formatting import DEFAULT_LOCALE, format_money
from mallcore.money.rounding import HALF_UP, RoundingPolicy

__all__ = [
    "Money",
    "from_minor",
    "parse_money",
    "quantize",
    "sum_money",
    "to_minor",
    "to_minor_all",
]


def _decimal(value: object, field: str) -> Decimal:
    """*value* as a Decimal: a Decimal, an int or a decimal string; never a float."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool | float):
        kind = type(value).__name__
        reason = f"must be a Decimal, an int or a decimal string, not a {kind}"
        raise invalid(field, value, reason, InvalidAmountError)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            raise invalid(field, value, "is not a number", InvalidAmountError) from None
    raise invalid(field, value, "must be a Decimal, an int or a decimal string", InvalidAmountError)


class Money(moneyed.Money):
    """An amount in one currency: py-moneyed's Money, with mallcore's errors and formatting.

    Any amount is allowed (negative, more decimals than the currency has) since
    Money also holds intermediate results; prices and rule amounts are checked
    where they are read (:func:`parse_money`, the rule constructors).

    >>> Money("19.90", "cny")
    Money('19.90', 'CNY')
    >>> str(Money("1234.5", "CNY")), f"{Money('1234.5', 'USD'):en_US}"
    ('¥1,234.50', '$1,234.50')
    >>> Money("1", "CNY") + Money("1", "USD")
    Traceback (most recent call last):
    ...
    mallcore.errors.CurrencyMismatchError: Cannot combine amounts in CNY and USD (addition).
    """

    def __init__(self, amount: object = 0, currency: str | Currency | None = None) -> None:
        if currency is None:
            reason = f"is needed, as in Money({amount!r}, 'CNY')"
            raise invalid("currency", None, reason, InvalidAmountError)
        number = _decimal(amount, "amount")
        if not number.is_finite():
            raise invalid("amount", amount, "must be a finite number", InvalidAmountError)
        self.amount = number  # type: ignore[misc]
        self.currency = resolve_currency(currency)  # type: ignore[misc]

    def __str__(self) -> str:
        return format_money(self, DEFAULT_LOCALE)

    def __format__(self, spec: str) -> str:
        """``f"{money}"`` formats in the default locale, ``f"{money:de_DE}"`` in another."""
        return format_money(self, spec or DEFAULT_LOCALE)

    def _same(self, other: object, operation: str) -> moneyed.Money | None:
        if not isinstance(other, moneyed.Money):
            return None
        if other.currency != self.currency:
            raise CurrencyMismatchError(self.currency.code, other.currency.code, context=operation)
        return other

    def __add__(self, other: object) -> Money:
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self  # so that sum() works on a list of Money, as for Decimal
        same = self._same(other, "addition")
        if same is None:
            return NotImplemented
        return _make_money(self.amount + same.amount, self.currency)

    __radd__ = __add__

    def __sub__(self, other: object) -> Money:
        same = self._same(other, "subtraction")
        if same is None:
            return NotImplemented
        return _make_money(self.amount - same.amount, self.currency)

    def __rsub__(self, other: object) -> Money:
        same = self._same(other, "subtraction")
        if same is None:
            return NotImplemented
        return _make_money(same.amount - self.amount, self.currency)

    def __mul__(self, other: object) -> Money:
        if isinstance(other, moneyed.Money):
            msg = "Cannot multiply two amounts of money; multiply by a number"
            raise InvalidAmountError(msg)
        return _make_money(self.amount * _decimal(other, "factor"), self.currency)

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Any:
        if isinstance(other, moneyed.Money):
            same = self._same(other, "division")
            assert same is not None
            return self.amount / same.amount
        divisor = _decimal(other, "divisor")
        if not divisor:
            msg = "Cannot divide an amount of money by zero"
            raise InvalidAmountError(msg)
        return _make_money(self.amount / divisor, self.currency)

    # Comparing with something that is not Money returns NotImplemented, so
    # Python raises its usual TypeError: that is a programming error, not data.
    def __lt__(self, other: object) -> bool:
        same = self._same(other, "comparison")
        return NotImplemented if same is None else self.amount < same.amount

    def __le__(self, other: object) -> bool:
        same = self._same(other, "comparison")
        return NotImplemented if same is None else self.amount <= same.amount

    def __gt__(self, other: object) -> bool:
        same = self._same(other, "comparison")
        return NotImplemented if same is None else self.amount > same.amount

    def __ge__(self, other: object) -> bool:
        same = self._same(other, "comparison")
        return NotImplemented if same is None else self.amount >= same.amount

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, moneyed.Money)
            and self.amount == other.amount
            and self.currency == other.currency
        )

    def __hash__(self) -> int:
        return hash((self.amount, self.currency))

    def __reduce__(self) -> tuple[object, ...]:
        return (_make_money, (self.amount, self.currency))


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
    return _make_money(_exact_multiply(scale(cur)[1], units), cur)


def from_minor_all(units: Iterable[int], currency: Currency) -> list[Money]:
    """:func:`from_minor` for many amounts of one currency."""
    unit = scale(currency)[1]
    return [_make_money(_exact_multiply(unit, part), currency) for part in units]


def _not_finite(field: str, value: object) -> MallcoreError:
    return invalid(field, value, "must be a finite number", InvalidAmountError)


def _too_precise(field: str, value: object, currency: Currency) -> MallcoreError:
    places = minor_units(currency)
    reason = f"has more decimals than {currency.code} allows ({places})"
    return invalid(field, str(value), reason, InvalidAmountError)


def to_minor(money: moneyed.Money, *, field: str = "amount") -> int:
    """Return the amount of *money* in integer minor units.

    Raises:
        InvalidAmountError: If the amount is NaN, infinite or has more decimals
            than the currency allows (``Money("0.005", "CNY")``).

    >>> to_minor(Money("12.30", "CNY")), to_minor(Money("-5", "KWD"))
    (1230, -5000)
    """
    cur = money.currency
    per_major = scale(cur)[0]
    try:
        numerator, denominator = money.amount.as_integer_ratio()
    except (ValueError, OverflowError):
        raise _not_finite(field, money.amount) from None
    units, rest = divmod(numerator * per_major, denominator)
    if rest:
        raise _too_precise(field, money.amount, cur)
    return units


def to_minor_all(
    amounts: Iterable[moneyed.Money], currency: str | Currency | None = None
) -> tuple[list[int], Currency]:
    """Minor units of many amounts of one currency, converted in one pass.

    This is the boundary of a hot path: convert once, compute on integers,
    convert back with :func:`from_minor` or :func:`~mallcore.money.allocate`.

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
    per_major = scale(cur)[0]
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


def quantize(money: moneyed.Money, rounding: RoundingPolicy = HALF_UP) -> Money:
    """Round *money* to its currency's minor unit.

    >>> quantize(Money("2.345", "CNY")), quantize(Money("2.345", "CNY"), RoundingPolicy.DOWN)
    (Money('2.35', 'CNY'), Money('2.34', 'CNY'))
    """
    cur = money.currency
    per_major, unit = scale(cur)
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

    Accepts a Decimal, an int, a decimal string, or Money in *currency*.
    Floats are refused because they cannot hold most prices exactly
    (``0.1 + 0.2``).

    Args:
        value: The amount as written by a person or a file.
        currency: ISO code or Currency.
        field: Name of the field, used in error messages.
        allow_negative: Accept amounts below zero (adjustments, not prices).

    Raises:
        InvalidAmountError: NaN, infinity, float, negative (unless allowed) or
            more decimals than the currency has.
        CurrencyMismatchError: *value* is Money in another currency.
        UnknownCurrencyError: If the currency code is unknown.

    >>> parse_money("19.90", "CNY")
    Money('19.90', 'CNY')
    >>> parse_money("19.999", "CNY", field="price")
    Traceback (most recent call last):
    ...
    mallcore.errors.InvalidAmountError: price='19.999' has more decimals than CNY allows (2)
    """
    cur = resolve_currency(currency)
    if isinstance(value, moneyed.Money):
        if value.currency != cur:
            raise CurrencyMismatchError(cur.code, value.currency.code, context=field)
        amount = value.amount
    else:
        amount = _decimal(value, field)
    if not amount.is_finite():
        raise _not_finite(field, value)
    if amount < 0 and not allow_negative:
        raise invalid(field, str(amount), "must not be negative", InvalidAmountError)
    numerator, denominator = amount.as_integer_ratio()
    units, rest = divmod(numerator * scale(cur)[0], denominator)
    if rest:
        raise _too_precise(field, amount, cur)
    return from_minor(units, cur)


def sum_money(amounts: Iterable[moneyed.Money], currency: str | Currency | None = None) -> Money:
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
