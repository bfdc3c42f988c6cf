"""The category tree: ids with a parent, and the path from the root.

Products refer to a category by id only, so moving a category (or a whole
branch) keeps every product in it.
"""

from __future__ import annotations

import attrs

from mallcore.errors import ConfigError

__all__ = ["Category", "CategoryTree"]


@attrs.frozen
class Category:
    """One node of the tree: an id, a display name and the parent's id (``None`` at a root)."""

    id: str
    name: str = ""
    parent_id: str | None = None


@attrs.define
class CategoryTree:
    """Categories by id, with paths and moves that never create a cycle.

    >>> tree = CategoryTree()
    >>> for cid, parent in [("apparel", None), ("tops", "apparel"), ("tees", "tops")]:
    ...     _ = tree.add(cid, parent_id=parent)
    >>> _ = tree.add("sale")
    >>> tree.path("tees")
    ('apparel', 'tops', 'tees')
    >>> _ = tree.move("tops", "sale")
    >>> tree.path("tees")
    ('sale', 'tops', 'tees')
    """

    _nodes: dict[str, Category] = attrs.field(factory=dict, alias="nodes")

    def __contains__(self, category_id: object) -> bool:
        return category_id in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def get(self, category_id: str) -> Category:
        """Return the category with *category_id*.

        Raises:
            ConfigError: If there is no such category.
        """
        try:
            return self._nodes[category_id]
        except KeyError:
            msg = f"category {category_id!r} does not exist"
            raise ConfigError(msg) from None

    def add(self, category_id: str, name: str = "", *, parent_id: str | None = None) -> Category:
        """Add a category under *parent_id* (a root when ``None``).

        Raises:
            ConfigError: An empty or taken id, or an unknown parent.
        """
        if not isinstance(category_id, str) or not category_id:
            msg = f"category id {category_id!r} must be a non-empty string"
            raise ConfigError(msg)
        if category_id in self._nodes:
            msg = f"category {category_id!r} already exists"
            raise ConfigError(msg)
        if parent_id is not None:
            self.get(parent_id)
        category = Category(category_id, name, parent_id)
        self._nodes[category_id] = category
        return category

    def move(self, category_id: str, parent_id: str | None) -> Category:
        """Put *category_id* (and its whole branch) under *parent_id*.

        Raises:
            ConfigError: Unknown categories, or a move under the category itself
                or one of its descendants.
        """
        category = self.get(category_id)
        if parent_id is not None and category_id in self.path(parent_id):
            msg = f"cannot move category {category_id!r} under its own descendant {parent_id!r}"
            raise ConfigError(msg)
        moved = attrs.evolve(category, parent_id=parent_id)
        self._nodes[category_id] = moved
        return moved

    def path(self, category_id: str) -> tuple[str, ...]:
        """Ids from the root down to *category_id*, both included."""
        path = [category_id]
        node = self.get(category_id)
        while node.parent_id is not None:
            path.append(node.parent_id)
            node = self._nodes[node.parent_id]
        return tuple(reversed(path))

    def descendants(self, category_id: str) -> frozenset[str]:
        """*category_id* and every category below it."""
        self.get(category_id)
        return frozenset(cid for cid in self._nodes if category_id in self.path(cid))
