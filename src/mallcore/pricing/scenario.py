"""A compiled scenario: one rule set, a customer, an address, and a cart to price under them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from mallcore.pricing.cart import Cart, CartLine
from mallcore.pricing.context import PricingContext

__all__ = ["Scenario", "load_scenario"]


@attrs.frozen
class Scenario:
    """What :func:`mallcore.load_scenario` returns: ``cart`` and ``context``.

    The context's rules are compiled once; :meth:`with_cart` prices other
    carts under the same rules without validating or compiling anything again.
    """

    cart: Cart
    context: PricingContext

    def with_cart(self, lines: Iterable[CartLine | Mapping[str, object]]) -> Scenario:
        """The same rules, customer, ship-to, coupons and points request with other *lines*."""
        cart = Cart(tuple(lines), self.cart.coupons, self.cart.points)
        return Scenario(cart, self.context)


def load_scenario(data: dict[str, Any] | str | Path) -> Scenario:
    """Validate a scenario (a dict, a JSON/YAML path, or JSON/YAML text) and compile its rules.

    The pydantic models live in :mod:`mallcore.pricing.rules` and load on the
    first call, so importing mallcore stays light.

    Raises:
        RulesValidationError: Every problem of the file, each with its JSON path.
        ConfigError: The file cannot be read, or its rules contradict each other.
    """
    from mallcore.pricing.rules import load_scenario as _load

    return _load(data)
