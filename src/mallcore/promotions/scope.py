"""Which cart lines a promotion or coupon applies to.

A scope lists products, categories, brands and tags; a line is in scope when
it matches any listed entry (an empty scope matches everything) and matches
nothing in ``exclude``.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = ["Scope", "ScopedItem"]


@attrs.frozen
class ScopedItem:
    """What a scope looks at for one SKU: its product, category, brand and tags."""

    product_id: str
    category: str | None = None
    brand: str | None = None
    tags: frozenset[str] = frozenset()


def _frozen(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


@attrs.frozen
class Scope:
    """Products, categories, brands and tags a rule covers, minus an exclusion.

    >>> apparel = Scope(categories=frozenset({"apparel"}), exclude=Scope(products=frozenset({"A"})))
    >>> apparel.matches(ScopedItem("B", category="apparel"))
    True
    >>> apparel.matches(ScopedItem("A", category="apparel"))
    False
    >>> Scope().matches(ScopedItem("anything"))
    True
    """

    products: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    categories: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    brands: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen)
    exclude: Scope | None = None

    @property
    def is_everything(self) -> bool:
        """True when the scope lists nothing to include (it then covers every line)."""
        return not (self.products or self.categories or self.brands or self.tags)

    def _lists(self, item: ScopedItem) -> bool:
        return (
            item.product_id in self.products
            or (item.category is not None and item.category in self.categories)
            or (item.brand is not None and item.brand in self.brands)
            or not self.tags.isdisjoint(item.tags)
        )

    def matches(self, item: ScopedItem) -> bool:
        """Whether *item* is covered: listed (or everything) and not excluded."""
        if not self.is_everything and not self._lists(item):
            return False
        return self.exclude is None or not self.exclude._lists(item)
