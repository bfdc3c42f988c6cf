"""mallcore: the commerce logic of an online mall, exact to the cent.

The most-used names are re-exported here; everything else lives in its
subpackage (:mod:`mallcore.money`, :mod:`mallcore.errors`, ...).

>>> from mallcore import Money, allocate
>>> allocate(Money("10.00", "CNY"), [1, 1, 1])
[Money('3.34', 'CNY'), Money('3.33', 'CNY'), Money('3.33', 'CNY')]
"""

from mallcore._version import __version__
from mallcore.clock import Clock, FixedClock, SystemClock
from mallcore.errors import MallcoreError
from mallcore.money import (
    Money,
    RoundingPolicy,
    allocate,
    format_money,
    proportional_refund,
)
from mallcore.pricing import Cart, CartLine, PricingContext, Quote, Scenario, load_scenario, quote

__all__ = [
    "Cart",
    "CartLine",
    "Clock",
    "FixedClock",
    "MallcoreError",
    "Money",
    "PricingContext",
    "Quote",
    "RoundingPolicy",
    "Scenario",
    "SystemClock",
    "__version__",
    "allocate",
    "format_money",
    "load_scenario",
    "proportional_refund",
    "quote",
]
