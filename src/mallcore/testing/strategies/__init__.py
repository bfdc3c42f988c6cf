"""Public Hypothesis strategies for mallcore values.

Use them in your own property tests::

    from hypothesis import given
    from mallcore.testing.strategies import money, weights
    from mallcore.money import allocate

    @given(money(), weights())
    def test_split_adds_up(total, ws):
        assert sum(allocate(total, ws), total.currency.zero) == total

They follow Hypothesis' conventions: plural nouns, keyword-only bounds, and
bad arguments raise :class:`hypothesis.errors.InvalidArgument` at once.
"""

from mallcore.testing.strategies._documents import corrupted_documents
from mallcore.testing.strategies._money import (
    DEFAULT_CURRENCIES,
    currency_codes,
    money,
    weights,
)
from mallcore.testing.strategies._pricing import (
    DEFAULT_AT,
    carts,
    catalogs,
    coupon_templates,
    coupons,
    promotions,
    scenarios,
)
from mallcore.testing.strategies._shipping import freight_templates, region_codes, shipping_lines
from mallcore.testing.strategies._sku import products, skus, specs

__all__ = [
    "DEFAULT_AT",
    "DEFAULT_CURRENCIES",
    "carts",
    "catalogs",
    "corrupted_documents",
    "coupon_templates",
    "coupons",
    "currency_codes",
    "freight_templates",
    "money",
    "products",
    "promotions",
    "region_codes",
    "scenarios",
    "shipping_lines",
    "skus",
    "specs",
    "weights",
]
