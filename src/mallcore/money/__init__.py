"""Exact money: currencies, minor units, rounding, allocation, refunds and formatting.

Amounts are :class:`Money` at the API boundary and integer minor units (cents,
fen, yen, fils) inside hot paths. Every split of an amount sums exactly to that
amount. Percentages are always in percent units: ``20`` means 20 %.

One module per concept: :mod:`~mallcore.money.currency`,
:mod:`~mallcore.money.rounding`, :mod:`~mallcore.money.amount`,
:mod:`~mallcore.money.percent`, :mod:`~mallcore.money.allocation`,
:mod:`~mallcore.money.refunds` and :mod:`~mallcore.money.formatting`.
"""

from mallcore.money.allocation import allocate, allocate_minor, largest_remainder
from mallcore.money.amount import (
    Money,
    from_minor,
    from_minor_all,
    parse_money,
    quantize,
    sum_money,
    to_minor,
    to_minor_all,
)
from mallcore.money.currency import (
    Currency,
    minor_units,
    resolve_currency,
    scale,
    units_per_major,
)
from mallcore.money.formatting import DEFAULT_LOCALE, format_money, get_locale
from mallcore.money.percent import check_percent, percent_of, percent_of_minor, percent_ratio
from mallcore.money.refunds import proportional_refund, proportional_refund_minor
from mallcore.money.rounding import HALF_UP, RoundingPolicy

__all__ = [
    "DEFAULT_LOCALE",
    "HALF_UP",
    "Currency",
    "Money",
    "RoundingPolicy",
    "allocate",
    "allocate_minor",
    "check_percent",
    "format_money",
    "from_minor",
    "from_minor_all",
    "get_locale",
    "largest_remainder",
    "minor_units",
    "parse_money",
    "percent_of",
    "percent_of_minor",
    "percent_ratio",
    "proportional_refund",
    "proportional_refund_minor",
    "quantize",
    "resolve_currency",
    "scale",
    "sum_money",
    "to_minor",
    "to_minor_all",
    "units_per_major",
]
