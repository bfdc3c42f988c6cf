"""A promotion: one kind of benefit plus who, when and how it stacks."""

from __future__ import annotations

import attrs

from mallcore.promotions.kinds import (
    BundlePrice,
    BuyXGetY,
    FlashSale,
    FreeShipping,
    GroupPrice,
    NthItem,
    PromotionKind,
    TimeLimited,
)
from mallcore.promotions.scope import Scope
from mallcore.promotions.windows import Window

__all__ = ["ITEM_LEVEL_KINDS", "QUANTITY_CONSUMING_KINDS", "Promotion"]

#: Kinds that set an item price in stage 2 instead of discounting in stage 3.
ITEM_LEVEL_KINDS: frozenset[type] = frozenset({TimeLimited, FlashSale, GroupPrice})
#: Kinds whose units, once used, cannot feed another quantity-consuming promotion.
QUANTITY_CONSUMING_KINDS: frozenset[type] = frozenset({NthItem, BundlePrice, BuyXGetY})


@attrs.frozen
class Promotion:
    """A promotion rule as the engine sees it.

    Args:
        id: Stable identifier, used in adjustment sources (``promotion:ID``).
        benefit: What it gives (one of :mod:`mallcore.promotions.kinds`).
        priority: Higher runs first; groups run by their highest member.
        group: Inside a group only the best candidate applies (default: the kind).
        exclusive: Applies alone, and only when it beats the stacked combination.
        scope: Which lines it covers (default: all).
        window: When it is active (default: always).
        channels: Channels it is limited to (empty: all).
        member_tiers: Tiers it is limited to (empty: everybody).
        first_order_only: Only for a customer's first order.
        usage_limit_reached: Set by the caller when a per-customer or global usage
            limit or budget is exhausted (counts live in storage, not here).
    """

    id: str
    benefit: PromotionKind
    priority: int = 0
    group: str = ""
    exclusive: bool = False
    scope: Scope = Scope()
    window: Window = Window()
    channels: frozenset[str] = frozenset()
    member_tiers: frozenset[str] = frozenset()
    first_order_only: bool = False
    usage_limit_reached: bool = False

    @property
    def kind(self) -> str:
        """The benefit's kind name (``threshold_off``, ``nth_item``, ...)."""
        return self.benefit.kind

    @property
    def group_name(self) -> str:
        """The stacking group: ``group`` if set, else the kind."""
        return self.group or self.benefit.kind

    @property
    def source(self) -> str:
        """The adjustment source, ``promotion:ID``."""
        return f"promotion:{self.id}"

    @property
    def is_item_level(self) -> bool:
        """Whether it competes for the item price in stage 2."""
        return type(self.benefit) in ITEM_LEVEL_KINDS

    @property
    def is_shipping(self) -> bool:
        """Whether it discounts freight (stage 6)."""
        return isinstance(self.benefit, FreeShipping)

    @property
    def consumes_quantity(self) -> bool:
        """Whether it consumes units (第N件, N件M元, 买X送Y)."""
        return type(self.benefit) in QUANTITY_CONSUMING_KINDS
