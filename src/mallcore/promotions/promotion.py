"""A promotion: one kind of benefit plus who, when and how it stacks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from mallcore.checks import as_tuple, check_flag, check_text, invalid
from mallcore.promotions.benefit import ItemPriceBenefit, OrderBenefit, ShippingBenefit
from mallcore.promotions.kinds import PromotionKind
from mallcore.promotions.reasons import Reason
from mallcore.promotions.scope import Scope
from mallcore.promotions.windows import Window

__all__ = ["Promotion"]


def _names(field: str, values: Iterable[str]) -> frozenset[str]:
    items = as_tuple(field, values)
    for index, value in enumerate(items):
        check_text(f"{field}[{index}]", value)
    return frozenset(items)


def _channels(values: Iterable[str]) -> frozenset[str]:
    return _names("channels", values)


def _member_tiers(values: Iterable[str]) -> frozenset[str]:
    return _names("member_tiers", values)


@attrs.frozen
class Promotion:
    """A promotion rule as the engine sees it; validated when built.

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

    Raises:
        ConfigError: An empty id, a benefit that is not a promotion kind, or a
            field of the wrong type (the message names it).
    """

    id: str
    benefit: PromotionKind
    priority: int = 0
    group: str = ""
    exclusive: bool = False
    scope: Scope = Scope()
    window: Window = Window()
    channels: frozenset[str] = attrs.field(default=frozenset(), converter=_channels)
    member_tiers: frozenset[str] = attrs.field(default=frozenset(), converter=_member_tiers)
    first_order_only: bool = False
    usage_limit_reached: bool = False
    #: ``promotion:ID``, built once: every quote names its adjustments by it.
    source: str = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_text("id", self.id)
        object.__setattr__(self, "source", f"promotion:{self.id}")
        benefit: object = self.benefit
        if not isinstance(benefit, ItemPriceBenefit | OrderBenefit | ShippingBenefit):
            raise invalid("benefit", benefit, "must be a promotion kind such as ThresholdOff")
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise invalid("priority", self.priority, "must be a whole number")
        if not isinstance(self.group, str):
            raise invalid("group", self.group, "must be a string ('' for the kind)")
        if not isinstance(self.scope, Scope):
            raise invalid("scope", self.scope, "must be a Scope")
        if not isinstance(self.window, Window):
            raise invalid("window", self.window, "must be a Window")
        for field in ("exclusive", "first_order_only", "usage_limit_reached"):
            check_flag(field, getattr(self, field))

    @property
    def kind(self) -> str:
        """The benefit's kind name (``threshold_off``, ``nth_item``, ...)."""
        return self.benefit.kind

    @property
    def group_name(self) -> str:
        """The stacking group: ``group`` if set, else the kind."""
        return self.group or self.benefit.kind

    def closed_reason(
        self, *, at: datetime, tier: str | None, first_order: bool, channel: str | None
    ) -> Reason | None:
        """The first reason it cannot run for this customer, channel and time, or None."""
        reason = self.window.closed_reason(at)
        if reason is not None:
            return reason
        if self.channels and channel not in self.channels:
            return Reason.WRONG_CHANNEL
        if self.member_tiers and tier not in self.member_tiers:
            return Reason.TIER_REQUIRED
        if self.first_order_only and not first_order:
            return Reason.FIRST_ORDER_ONLY
        return None
