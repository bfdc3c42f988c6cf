"""mallcore: the commerce logic of an online mall, exact to the cent.

The most-used names are re-exported here and loaded on first use, so
``import mallcore.membership`` does not load the pricing pipeline; everything
else lives in its subpackage (:mod:`mallcore.money`, :mod:`mallcore.errors`, ...).

>>> from mallcore import Money, allocate
>>> allocate(Money("10.00", "CNY"), [1, 1, 1])
[Money('3.34', 'CNY'), Money('3.33', 'CNY'), Money('3.33', 'CNY')]
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mallcore._version import __version__

if TYPE_CHECKING:
    from mallcore.clock import Clock, FixedClock, SystemClock
    from mallcore.errors import MallcoreError
    from mallcore.money import Money, RoundingPolicy, allocate, format_money, proportional_refund
    from mallcore.pricing import (
        Cart,
        CartLine,
        PricingContext,
        Quote,
        Scenario,
        best_coupons,
        load_scenario,
        quote,
    )

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
    "best_coupons",
    "format_money",
    "load_scenario",
    "proportional_refund",
    "quote",
]

#: Where each re-exported name lives; it is imported when first asked for.
_HOMES = {
    "Cart": "mallcore.pricing",
    "CartLine": "mallcore.pricing",
    "Clock": "mallcore.clock",
    "FixedClock": "mallcore.clock",
    "MallcoreError": "mallcore.errors",
    "Money": "mallcore.money",
    "PricingContext": "mallcore.pricing",
    "Quote": "mallcore.pricing",
    "RoundingPolicy": "mallcore.money",
    "Scenario": "mallcore.pricing",
    "SystemClock": "mallcore.clock",
    "allocate": "mallcore.money",
    "best_coupons": "mallcore.pricing",
    "format_money": "mallcore.money",
    "load_scenario": "mallcore.pricing",
    "proportional_refund": "mallcore.money",
    "quote": "mallcore.pricing",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        msg = f"module 'mallcore' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
