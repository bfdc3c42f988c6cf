"""The per-line working state that stages 3 and 4 of the quote change (internal).

The pipeline owns one :class:`Lines` per quote: parallel lists of the lines'
keys, quantities, scope facts and current amounts in minor units.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from mallcore.promotions.scope import Scope, ScopedItem

__all__ = ["Lines"]


@attrs.define
class Lines:
    """Per-line working state of one quote (internal to the pipeline; mutable, parallel lists)."""

    keys: list[str]
    qty: list[int]
    scoped: list[ScopedItem]
    amount: list[int]
    activity: list[bool]
    promotions_ok: list[bool]
    coupons_ok: list[bool]
    consumed: list[int] = attrs.field(factory=list)
    #: rule id → line key → in scope; shared across the quotes of one context.
    scope_cache: dict[str, dict[str, bool]] = attrs.field(factory=dict)

    def in_scope(self, rule_id: str, scope: Scope) -> list[int]:
        """The lines *scope* covers (remembered per rule and SKU)."""
        if scope.exclude is None and scope.is_everything:
            return list(range(len(self.keys)))
        known = self.scope_cache.get(rule_id)
        if known is None:
            known = self.scope_cache[rule_id] = {}
        covered = list(map(known.get, self.keys))
        if None in covered:  # a SKU this rule has not seen yet
            for i, key in enumerate(self.keys):
                if covered[i] is None:
                    covered[i] = known[key] = scope.matches(self.scoped[i])
        return [i for i, hit in enumerate(covered) if hit]

    def amounts_of(self, indices: Sequence[int]) -> list[int]:
        """The current amounts of the lines *indices* (sorted, distinct), in minor units."""
        return self.pick(self.amount, indices)

    def pick(self, values: Sequence[int], indices: Sequence[int]) -> list[int]:
        """``values[i]`` for the lines *indices* (sorted, distinct); *values* runs per line."""
        # Order-level rules usually cover the whole cart: then a copy does it.
        if len(indices) == len(self.keys):
            return list(values[: len(indices)])
        return [values[i] for i in indices]

    def __attrs_post_init__(self) -> None:
        if not self.consumed:
            self.consumed = [0] * len(self.keys)
