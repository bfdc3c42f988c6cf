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

from mallcore.testing.strategies._money import (
    DEFAULT_CURRENCIES,
    currency_codes,
    money,
    weights,
)

__all__ = ["DEFAULT_CURRENCIES", "currency_codes", "money", "weights"]
