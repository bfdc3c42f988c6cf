"""The rules of one pricing context, compiled once for every cart priced under it.

:func:`compile_rules` sorts the promotions by the stage that applies them,
screens them for the context's time, customer and channel, and notes what the
stages may skip (no member prices, no tax rates). The few facts that depend
on SKUs (which rules cover a SKU, a SKU's freight facts) are filled in as
SKUs are first seen. :attr:`PricingContext.rulebook` holds the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress
from typing import TYPE_CHECKING, NamedTuple

import attrs

from mallcore.membership.tiers import Tier
from mallcore.money import Currency, units_per_major
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.quote import Rejection
from mallcore.promotions.benefit import ItemPriceBenefit, OrderBenefit, ShippingBenefit
from mallcore.promotions.promotion import Promotion
from mallcore.promotions.reasons import Reason
from mallcore.promotions.scope import Scope, ScopedItem
from mallcore.shipping.templates import to_nano

if TYPE_CHECKING:
    from mallcore.pricing.context import PricingContext

__all__ = ["RuleBook", "SkuFacts", "compile_rules", "sku_facts"]


class SkuFacts(NamedTuple):
    """What the stages read of one SKU under a context, worked out once (10⁻⁹ units for measures).

    Attributes:
        item: The catalog item.
        unit: Its unit list price in minor units of the cart currency, price-book
            override applied, before quantity tiers.
        template_id: Its freight template, if any.
        weight: One unit's weight in 10⁻⁹ kg.
        volume: One unit's volume in 10⁻⁹ m³.
    """

    item: CatalogItem
    unit: int
    template_id: str | None
    weight: int
    volume: int


def sku_facts(item: CatalogItem, unit: int) -> SkuFacts:
    """*item*'s facts, given its unit list price (minor units) under the context."""
    return SkuFacts(
        item,
        unit,
        item.freight_template,
        to_nano(item.weight_kg, "weight_kg"),
        to_nano(item.volume_m3, "volume_m3"),
    )


@attrs.define(eq=False)
class RuleBook:
    """A pricing context's rules, sorted by stage and screened for its customer and time.

    Attributes:
        currency: The cart currency.
        per_major: Minor units per major unit of it.
        tier: The customer's tier, if the program knows it.
        item_rules: Stage-2 promotions that may run, with their benefit.
        item_rejected: Stage-2 promotions that may not (window, channel, tier, usage).
        order_rules: Stage-3 promotions that may run, with their benefit.
        order_rejected: Stage-3 promotions that may not, with the reason.
        order_groups: The positions in :attr:`order_rules` of the promotions
            that stack (not ``exclusive``), by group, groups in the order
            they apply: highest member priority first, then first listed.
        shipping_rules: 满包邮 promotions in listing order, with their benefit and
            the reason they may not run (None when they may).
        member_prices: Whether stage 2 can give a member price at all.
        tax_rates: Whether any SKU sets its own tax rate.
        quantity_tiers: Whether any SKU has quantity tiers (阶梯价).
        skus: SKU id → its :class:`SkuFacts`; filled by stage 1 as SKUs are
            first priced, read by the later stages.
    """

    currency: Currency
    per_major: int
    tier: Tier | None
    item_rules: list[tuple[Promotion, ItemPriceBenefit]]
    item_rejected: list[Rejection]
    order_rules: list[tuple[Promotion, OrderBenefit]]
    order_rejected: list[tuple[Promotion, Reason]]
    order_groups: list[list[int]]
    shipping_rules: list[tuple[Promotion, ShippingBenefit, Reason | None]]
    member_prices: bool
    tax_rates: bool
    quantity_tiers: bool
    skus: dict[str, SkuFacts] = attrs.field(factory=dict)
    #: Rule source → SKU → in scope; filled as SKUs are first seen.
    _scope_hits: dict[str, dict[str, bool]] = attrs.field(factory=dict)

    def in_scope(
        self, source: str, scope: Scope, keys: Sequence[str], scoped: Sequence[ScopedItem]
    ) -> list[int]:
        """The positions of the lines *scope* covers (remembered per rule and SKU)."""
        if scope.covers_all:
            return list(range(len(keys)))
        known = self._scope_hits.get(source)
        if known is None:
            known = self._scope_hits[source] = {}
        hits = list(map(known.get, keys))
        if None in hits:  # a SKU this rule has not seen yet
            for i, key in enumerate(keys):
                if hits[i] is None:
                    hits[i] = known[key] = scope.matches(scoped[i])
        return list(compress(range(len(hits)), hits))


def _group_order(promotions: Sequence[Promotion]) -> list[list[int]]:
    """Positions of the stacking *promotions* by group, groups by highest priority then listing."""
    groups: dict[str, list[int]] = {}
    for position, promotion in enumerate(promotions):
        if not promotion.exclusive:
            groups.setdefault(promotion.group_name, []).append(position)
    return sorted(
        groups.values(),
        key=lambda members: (-max(promotions[m].priority for m in members), members[0]),
    )


def compile_rules(context: PricingContext) -> RuleBook:
    """Sort and screen *context*'s rules once: what every quote under it reads."""
    customer = context.customer
    currency = context.currency
    item_rules: list[tuple[Promotion, ItemPriceBenefit]] = []
    item_rejected: list[Rejection] = []
    order_rules: list[tuple[Promotion, OrderBenefit]] = []
    order_rejected: list[tuple[Promotion, Reason]] = []
    shipping_rules: list[tuple[Promotion, ShippingBenefit, Reason | None]] = []
    for promotion in context.promotions:
        benefit = promotion.benefit
        reason = promotion.closed_reason(
            at=context.at,
            tier=customer.tier,
            first_order=customer.first_order,
            channel=context.channel,
        )
        if isinstance(benefit, ItemPriceBenefit):
            if reason is None and promotion.usage_limit_reached:
                reason = Reason.USAGE_LIMIT_REACHED
            if reason is None:
                item_rules.append((promotion, benefit))
            else:
                item_rejected.append(Rejection(promotion.source, reason, None, currency))
        elif isinstance(benefit, OrderBenefit):
            if reason is None:
                order_rules.append((promotion, benefit))
            else:
                order_rejected.append((promotion, reason))
        else:
            shipping_rules.append((promotion, benefit, reason))
    tier = next((t for t in context.tiers if t.id == customer.tier), None)
    explicit = any(item.member_price is not None for item in context.catalog.values())
    return RuleBook(
        currency=currency,
        per_major=units_per_major(currency),
        tier=tier,
        item_rules=item_rules,
        item_rejected=item_rejected,
        order_rules=order_rules,
        order_rejected=order_rejected,
        order_groups=_group_order([promotion for promotion, _ in order_rules]),
        shipping_rules=shipping_rules,
        member_prices=tier is not None and (tier.rate is not None or explicit),
        tax_rates=any(item.tax_rate for item in context.catalog.values()),
        quantity_tiers=any(item.tiers_minor for item in context.catalog.values()),
    )
