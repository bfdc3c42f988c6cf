"""Carts: lines merged by SKU at the first position, and bad lines refused with their reason."""

from __future__ import annotations

import pytest

from mallcore.errors import ConfigError
from mallcore.pricing import Cart, CartLine


def test_lines_of_one_sku_merge_at_the_first_position() -> None:
    cart = Cart([{"sku": "B", "quantity": 1}, CartLine("A", 2), {"sku": "B", "quantity": 3}])
    assert cart.lines == (CartLine("B", 4), CartLine("A", 2))


def test_mapping_lines_become_cart_lines() -> None:
    line = Cart([{"sku": "A", "quantity": 5}]).lines[0]
    assert isinstance(line, CartLine)
    assert (line.sku, line.quantity) == ("A", 5)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ({"sku": "", "quantity": 1}, "non-empty string"),
        ({"sku": 7, "quantity": 1}, "non-empty string"),
        ({"sku": "A", "quantity": 0}, "at least 1"),
        ({"sku": "A", "quantity": True}, "must be a whole number"),
        ({"sku": "A", "quantity": "2"}, "must be a whole number"),
        ({"sku": "A"}, "mapping with 'sku' and 'quantity'"),
        (["A", 1], "mapping with 'sku' and 'quantity'"),
    ],
)
def test_bad_lines_are_refused_with_the_reason(raw: object, why: str) -> None:
    with pytest.raises(ConfigError, match=why):
        Cart([raw])  # type: ignore[list-item]


def test_an_empty_cart_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least one line"):
        Cart([])
