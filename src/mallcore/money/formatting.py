"""Showing amounts to people: babel formatting with cached locales.

One rule formats every amount mallcore shows, ``str(money)`` included:
:func:`format_money` in a locale (default :data:`DEFAULT_LOCALE`), with the
currency's minor digits.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Final

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency

from mallcore.errors import ConfigError

if TYPE_CHECKING:
    from moneyed import Money

__all__ = ["DEFAULT_LOCALE", "format_money", "get_locale"]

#: The locale amounts are shown in when none is given (``str(money)``, ``explain()``).
DEFAULT_LOCALE: Final = "zh_CN"


@lru_cache(maxsize=256)
def get_locale(name: str) -> Locale:
    """Return a parsed babel :class:`~babel.Locale`, cached (parsing is slow).

    Raises:
        ConfigError: If babel does not know the locale.
    """
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        msg = f"locale={name!r} is not a locale babel knows ({exc})"
        raise ConfigError(msg) from None


def format_money(money: Money, locale: str | Locale = DEFAULT_LOCALE) -> str:
    r"""Format *money* for display in *locale*, with the currency's minor digits.

    >>> from mallcore.money import Money
    >>> format_money(Money("1234.5", "CNY"))
    '¥1,234.50'
    >>> format_money(Money("1234.5", "EUR"), "de_DE")
    '1.234,50\xa0€'
    >>> format_money(Money("1234", "JPY"), "ja_JP")
    '￥1,234'
    """
    loc = locale if isinstance(locale, Locale) else get_locale(locale)
    return str(format_currency(money.amount, money.currency.code, locale=loc))
