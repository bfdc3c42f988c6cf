"""Which cart lines a promotion or coupon applies to.

A scope lists products, categories, brands and tags; a line is in scope when
it matches any listed entry (an empty scope matches everything) and matches
nothing in ``exclude``.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from mallcore.checks import as_tuple, check_text, invalid

__all__ = ["Scope", "ScopedItem"]


@attrs.frozen
class ScopedItem:
    """What a scope looks at for one SKU: its product, category, brand and tags."""

    product_id: str
    category: str | None = None
    brand: str | None = None
    tags: frozenset[str] = frozenset()


def _names(field: str, values: Iterable[str]) -> frozenset[str]:
    items = as_tuple(field, values)
    for index, value in enumerate(items):
        check_text(f"{field}[{index}]", value)
    return frozenset(items)


def _products(values: Iterable[str]) -> frozenset[str]:
    return _names("products", values)


def _categories(values: Iterable[str]) -> frozenset[str]:
    return _names("categories", values)


def _brands(values: Iterable[str]) -> frozenset[str]:
    return _names("brands", values)


def _tags(values: Iterable[str]) -> frozenset[str]:
    return _names("tags", values)


def _exclude(value: object) -> Scope | None:
    if value is not None and not isinstance(value, Scope):
        raise invalid("exclude", value, "must be a Scope or None")
    if value is not None and value.exclude is not None:
        raise invalid("exclude", value, "must not have an exclude of its own")
    return value


@attrs.frozen
class Scope:
    """Products, categories, brands and tags a rule covers, minus an exclusion.

    >>> apparel = Scope(categories=["apparel"], exclude=Scope(products=["A"]))
    >>> apparel.matches(ScopedItem("B", category="apparel"))
    True
    >>> apparel.matches(ScopedItem("A", category="apparel"))
    False
    >>> Scope().matches(ScopedItem("anything"))
    True
    """

    products: frozenset[str] = attrs.field(default=frozenset(), converter=_products)
    categories: frozenset[str] = attrs.field(default=frozenset(), converter=_categories)
    brands: frozenset[str] = attrs.field(default=frozenset(), converter=_brands)
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=_tags)
    exclude: Scope | None = attrs.field(default=None, converter=_exclude)
    #: True when the scope lists nothing to include (it then covers every line).
    is_everything: bool = attrs.field(init=False, repr=False, eq=False)
    #: True when every line is in scope: nothing listed, nothing excluded.
    covers_all: bool = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        everything = not (self.products or self.categories or self.brands or self.tags)
        object.__setattr__(self, "is_everything", everything)
        object.__setattr__(self, "covers_all", everything and self.exclude is None)

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
