"""Everything a quote depends on besides the cart: rules, customer, address, time."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from mallcore.clock import aware
from mallcore.membership.points import PointsSettings
from mallcore.membership.tiers import Tier
from mallcore.money import Currency, Money, RoundingPolicy, resolve_currency
from mallcore.pricing.catalog import CatalogItem
from mallcore.promotions.coupons import Coupon
from mallcore.promotions.engine import eligibility
from mallcore.promotions.promotion import Promotion

if TYPE_CHECKING:
    from mallcore.shipping.templates import FreightTemplate

__all__ = ["Customer", "PricingContext", "TaxMode", "TaxSettings"]


def _promotions(values: Iterable[Promotion]) -> tuple[Promotion, ...]:
    return tuple(values)


def _tiers(values: Iterable[Tier]) -> tuple[Tier, ...]:
    return tuple(values)


@attrs.frozen
class Customer:
    """Who is buying: tier, points balance, first-order flag, cross-border spend this year."""

    id: str = "guest"
    tier: str | None = None
    points: int = 0
    first_order: bool = False
    year_to_date: Money | None = None


class TaxMode(enum.Enum):
    """How tax relates to prices."""

    INCLUSIVE = "inclusive"
    EXCLUSIVE = "exclusive"
    CROSS_BORDER = "cross_border"


@attrs.frozen
class TaxSettings:
    """Tax mode and the limits of the cross-border (跨境综合税) concession.

    Rates are per SKU (:attr:`CatalogItem.tax_rate`, percent units); ``rate``
    here is the default for SKUs that set none. Cross-border tax is
    ``(VAT + consumption tax) × 70 %`` while the order is at most
    ``order_limit`` and the customer's year-to-date spend stays within
    ``annual_limit``; beyond that the full rates apply.
    """

    mode: TaxMode = TaxMode.INCLUSIVE
    rate: Decimal = Decimal(0)
    concession: Decimal = Decimal(70)
    order_limit: Decimal = Decimal(5000)
    annual_limit: Decimal = Decimal(26000)


@attrs.frozen
class PricingContext:
    """The rules and facts a quote is computed under.

    Build one per rule set and reuse it for many carts: the pipeline caches
    what it derives from the rules on the context.

    Args:
        currency: The cart currency (ISO code or Currency).
        at: The pricing instant (time-zone aware): windows are checked against it.
        catalog: SKU id → price-book entry.
        promotions: In the order the operator listed them (ties follow it).
        coupons: The customer's coupons by code.
        freight_templates: Template id → template.
        combine: How several templates combine (``sum`` or ``max_first``).
        tiers: Membership tiers.
        points: Points settings (None: no points program).
        customer: The buyer.
        ship_to: Region code of the address (None: shipping not quoted).
        channel: Sales channel, for channel-limited promotions.
        allow_zero_payment: Accept a total of zero.
        max_coupons_per_class: Coupons allowed per class (product, order, shipping).
        rounding: Rounding policy for prices and percentages.
        tax: Tax settings.
    """

    currency: Currency = attrs.field(converter=resolve_currency)
    at: datetime = attrs.field(converter=aware)
    catalog: Mapping[str, CatalogItem] = attrs.field(factory=dict)
    promotions: tuple[Promotion, ...] = attrs.field(default=(), converter=_promotions)
    coupons: Mapping[str, Coupon] = attrs.field(factory=dict)
    freight_templates: Mapping[str, FreightTemplate] = attrs.field(factory=dict)
    combine: str = "sum"
    tiers: tuple[Tier, ...] = attrs.field(default=(), converter=_tiers)
    points: PointsSettings | None = None
    customer: Customer = Customer()
    ship_to: str | None = None
    channel: str | None = None
    allow_zero_payment: bool = False
    max_coupons_per_class: int = 1
    rounding: RoundingPolicy = RoundingPolicy.HALF_UP
    tax: TaxSettings = TaxSettings()
    _cache: dict[str, object] = attrs.field(factory=dict, eq=False, repr=False, alias="_cache")

    @property
    def tier(self) -> Tier | None:
        """The customer's tier object, if the customer has one the program knows."""
        try:
            return self._cache["tier"]  # type: ignore[return-value]
        except KeyError:
            found = next((t for t in self.tiers if t.id == self.customer.tier), None)
            self._cache["tier"] = found
            return found

    def eligibility(self, promotion: Promotion) -> str | None:
        """The first reason *promotion* cannot run for this customer, channel and time, or None."""
        return eligibility(
            promotion,
            at=self.at,
            tier=self.customer.tier,
            first_order=self.customer.first_order,
            channel=self.channel,
        )

    def evolve(self, **changes: object) -> PricingContext:
        """A copy with *changes* (a fresh cache, since rules may change)."""
        return attrs.evolve(self, **changes, _cache={})  # type: ignore[arg-type]
