"""Corrupted copies of stored documents, for testing that readers refuse them clearly."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

__all__ = ["corrupted_documents"]

Path = tuple[str | int, ...]


def _paths(value: object, path: Path = ()) -> list[Path]:
    """Every path into *value*: each key and item, containers included."""
    found: list[Path] = [path] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*path, index)))
    return found


def corrupted_documents(
    document: Mapping[str, Any], *, words: tuple[str, ...] = ()
) -> st.SearchStrategy[dict[str, Any]]:
    """Copies of the JSON *document* with one field deleted or replaced by another JSON value.

    A reader of stored documents (``order_from_dict``, ``account_from_dict``,
    your own) should refuse each with a :class:`~mallcore.errors.ConfigError`
    naming the field, or read it as a valid object, never fail otherwise.
    *words* are strings worth trying as values (state names, tier ids), since
    random text rarely hits them.
    """
    paths = _paths(document)
    if not paths:
        msg = "corrupted_documents needs a document with at least one field"
        raise ValueError(msg)
    leaves = st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=6)
    if words:
        leaves = leaves | st.sampled_from(words)
    values = st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
        max_leaves=4,
    )

    @st.composite
    def corrupt(draw: st.DrawFn) -> dict[str, Any]:
        path = draw(st.sampled_from(paths))
        corrupted: dict[str, Any] = copy.deepcopy(dict(document))
        target: Any = corrupted
        for step in path[:-1]:
            target = target[step]
        if isinstance(target, dict) and draw(st.booleans()):
            del target[path[-1]]
        else:
            target[path[-1]] = draw(values)
        return corrupted

    return corrupt()
