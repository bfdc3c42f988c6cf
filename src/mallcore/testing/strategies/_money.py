"""Hypothesis strategies for money: currencies, amounts and allocation weights.

They follow Hypothesis' conventions: keyword-only bounds, bad arguments raise
:class:`hypothesis.errors.InvalidArgument` at once, and currencies are drawn
from a mix of 0-, 2- and 3-decimal currencies so rounding bugs surface.

>>> from hypothesis import given
>>> @given(money(currency="CNY", max_amount=100))
... def test_positive(amount):
...     assert amount.amount >= 0
>>> test_positive()
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mallcore.money import Money, from_minor, minor_units, resolve_currency

#: 0 decimals (JPY, KRW), 2 decimals (CNY, EUR, USD), 3 decimals (KWD, BHD).
DEFAULT_CURRENCIES: tuple[str, ...] = ("CNY", "USD", "EUR", "JPY", "KRW", "KWD", "BHD")


def currency_codes(*, codes: tuple[str, ...] = DEFAULT_CURRENCIES) -> st.SearchStrategy[str]:
    """ISO 4217 codes, by default mixing 0-, 2- and 3-decimal currencies."""
    if not codes:
        msg = "codes=() must name at least one currency"
        raise InvalidArgument(msg)
    for code in codes:
        resolve_currency(code)
    return st.sampled_from(codes)


def money(
    currency: str | None = None,
    *,
    min_amount: Decimal | int | str = 0,
    max_amount: Decimal | int | str = 1_000_000,
) -> st.SearchStrategy[Money]:
    """Amounts between *min_amount* and *max_amount* (major units), in whole minor units.

    If *currency* is None, it is drawn from :func:`currency_codes`.
    """
    low, high = Decimal(min_amount), Decimal(max_amount)
    if high < low:
        msg = f"Cannot have max_amount={max_amount!r} < min_amount={min_amount!r}"
        raise InvalidArgument(msg)
    codes = st.just(currency) if currency is not None else currency_codes()

    def in_currency(code: str) -> st.SearchStrategy[Money]:
        scale = 10 ** minor_units(code)
        lowest = int((low * scale).to_integral_value(rounding="ROUND_CEILING"))
        highest = int((high * scale).to_integral_value(rounding="ROUND_FLOOR"))
        if highest < lowest:
            msg = f"No {code} amount lies between {min_amount!r} and {max_amount!r}"
            raise InvalidArgument(msg)
        return st.integers(lowest, highest).map(lambda units: from_minor(units, code))

    return codes.flatmap(in_currency)


def weights(
    *, min_size: int = 1, max_size: int = 20, max_weight: int = 100_000
) -> st.SearchStrategy[list[int]]:
    """Lists of non-negative integer weights with at least one above zero (for ``allocate``)."""
    if min_size < 1 or max_size < min_size:
        msg = f"need 1 <= min_size={min_size!r} <= max_size={max_size!r}"
        raise InvalidArgument(msg)
    if max_weight < 1:
        msg = f"max_weight={max_weight!r} must be at least 1"
        raise InvalidArgument(msg)
    return st.lists(st.integers(0, max_weight), min_size=min_size, max_size=max_size).filter(any)
