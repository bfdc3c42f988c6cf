"""Everything a quote depends on besides the cart: rules, customer, address, time.

A :class:`PricingContext` checks itself when built: every rule must be
written in the cart currency (a promotion or coupon in USD applied to a CNY
cart is a :class:`~mallcore.errors.CurrencyMismatchError` naming the rule),
every product's freight template and every gift must exist, and the ship-to
region must be a known region. What the stages derive from the rules is
compiled once per context into a :class:`~mallcore.pricing.rulebook.RuleBook`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from mallcore.checks import (
    MAX_POINTS,
    as_tuple,
    check_amount,
    check_choice,
    check_count,
    check_decimal,
    check_flag,
    check_optional_text,
    check_text,
    invalid,
)
from mallcore.clock import aware
from mallcore.errors import CurrencyMismatchError, MallcoreError
from mallcore.membership.points import PointsSettings
from mallcore.membership.tiers import Tier, check_tier_ladder
from mallcore.money import Currency, Money, RoundingPolicy, resolve_currency
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.rulebook import RuleBook, compile_rules
from mallcore.promotions.coupons import Coupon
from mallcore.promotions.order_kinds import Gift
from mallcore.promotions.promotion import Promotion
from mallcore.shipping.freight import Combine
from mallcore.shipping.regions import check_region
from mallcore.shipping.templates import FreightTemplate

__all__ = [
    "Customer",
    "PricingContext",
    "RuleProblem",
    "TaxMode",
    "TaxSettings",
    "rule_problems",
]


@attrs.frozen
class Customer:
    """Who is buying: tier, points balance, first-order flag, cross-border spend this year.

    A negative ``points`` balance is a debt (after a clawback) and blocks redemption.
    """

    id: str = "guest"
    tier: str | None = None
    points: int = 0
    first_order: bool = False
    year_to_date: Money | None = None

    def __attrs_post_init__(self) -> None:
        check_text("id", self.id)
        check_optional_text("tier", self.tier)
        check_count("points", self.points, minimum=-MAX_POINTS, maximum=MAX_POINTS)
        check_flag("first_order", self.first_order)
        if self.year_to_date is not None:
            check_amount("year_to_date", self.year_to_date)


class TaxMode(enum.Enum):
    """How tax relates to prices."""

    INCLUSIVE = "inclusive"
    EXCLUSIVE = "exclusive"
    CROSS_BORDER = "cross_border"


def _tax_mode(value: TaxMode | str) -> TaxMode:
    return check_choice("mode", value, TaxMode)


@attrs.frozen
class TaxSettings:
    """Tax mode and the limits of the cross-border (跨境综合税) concession.

    Rates are per SKU (:attr:`CatalogItem.tax_rate`, percent units); ``rate``
    here is the default for SKUs that set none. Cross-border tax is
    ``(VAT + consumption tax) × 70 %`` while the order is at most
    ``order_limit`` and the customer's year-to-date spend stays within
    ``annual_limit`` (major units of the cart currency); beyond that the full
    rates apply.
    """

    mode: TaxMode = attrs.field(default=TaxMode.INCLUSIVE, converter=_tax_mode)
    rate: Decimal = Decimal(0)
    concession: Decimal = Decimal(70)
    order_limit: Decimal = Decimal(5000)
    annual_limit: Decimal = Decimal(26000)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "rate", check_decimal("rate", self.rate, maximum=100))
        concession = check_decimal("concession", self.concession, maximum=100)
        object.__setattr__(self, "concession", concession)
        for field in ("order_limit", "annual_limit"):
            object.__setattr__(self, field, check_decimal(field, getattr(self, field)))


def _promotions(values: Iterable[Promotion]) -> tuple[Promotion, ...]:
    return as_tuple("promotions", values)


def _tiers(values: Iterable[Tier]) -> tuple[Tier, ...]:
    return as_tuple("tiers", values)


def _combine(value: Combine | str) -> Combine:
    return check_choice("combine", value, Combine)


def _rounding(value: RoundingPolicy | str) -> RoundingPolicy:
    return check_choice("rounding", value, RoundingPolicy)


def _region(value: str | None) -> str | None:
    return None if value is None else check_region("ship_to", value)


@attrs.frozen
class RuleProblem:
    """A problem with one rule of a pricing context, and where it is.

    Attributes:
        section: ``catalog``, ``promotions``, ``coupons``, ``freight_templates``,
            ``tiers`` or ``customer``.
        key: The SKU, position, code, template id or tier position in that
            section (None for the customer).
        error: The typed error; its ``field``, when set, is relative to the rule.
    """

    section: str
    key: str | int | None
    error: MallcoreError


def _written_in(what: str, other: str, currency: str) -> CurrencyMismatchError:
    """*what* (a rule) has amounts in *other*, not in the cart *currency*."""
    error = CurrencyMismatchError(currency, other, context=f"{what} is written in {other}")
    error.field, error.value = "currency", other
    error.reason = f"is {other}: {what} must be written in the cart currency {currency}"
    return error


def rule_problems(
    currency: Currency,
    *,
    catalog: object,
    promotions: Sequence[object],
    coupons: object,
    freight_templates: object,
    tiers: Sequence[object],
    customer: object,
) -> list[RuleProblem]:
    """Every way the rules of a context disagree with its currency or with each other.

    :class:`PricingContext` raises the first of them when it is built; the file
    loader reports them all under their JSON paths.
    """
    found: list[RuleProblem] = []
    code = currency.code

    def problem(section: str, key: str | int | None, error: MallcoreError) -> None:
        found.append(RuleProblem(section, key, error))

    if not isinstance(freight_templates, Mapping):
        problem(
            "freight_templates",
            None,
            invalid(
                "freight_templates", freight_templates, "must be a mapping of id to FreightTemplate"
            ),
        )
        freight_templates = {}
    templates: Mapping[object, object] = freight_templates
    for template_id, template in templates.items():
        if not isinstance(template, FreightTemplate) or template.id != template_id:
            reason = "must be the FreightTemplate with that id"
            problem("freight_templates", str(template_id), invalid("id", template, reason))
            continue
        try:
            template.check_fees(currency)
        except MallcoreError as exc:
            problem("freight_templates", template.id, exc)
    if not isinstance(catalog, Mapping):
        problem(
            "catalog",
            None,
            invalid("catalog", catalog, "must be a mapping of SKU id to CatalogItem"),
        )
        catalog = {}
    items: Mapping[object, object] = catalog
    for sku, item in items.items():
        if not isinstance(item, CatalogItem) or item.sku != sku:
            reason = "must be the CatalogItem of that SKU"
            problem("catalog", str(sku), invalid("sku", item, reason))
            continue
        sku = item.sku
        template = item.freight_template
        if template is not None and template not in templates:
            reason = "is not among the freight templates"
            error = invalid("freight_template", template, reason)
            error.args = (f"SKU {sku!r} uses freight template {template!r}, which {reason}",)
            problem("catalog", sku, error)
    seen: set[str] = set()
    for index, promotion in enumerate(promotions):
        if not isinstance(promotion, Promotion):
            problem("promotions", index, invalid("promotion", promotion, "must be a Promotion"))
            continue
        if promotion.id in seen:
            problem("promotions", index, invalid("id", promotion.id, "is used by two promotions"))
        seen.add(promotion.id)
        other = promotion.benefit.currency
        if other is not None and other != currency:
            what = f"promotion {promotion.id!r}"
            problem("promotions", index, _written_in(what, other.code, code))
        benefit = promotion.benefit
        if isinstance(benefit, Gift):
            for number, gift in enumerate(benefit.gifts):
                if gift.sku not in items:
                    error = invalid(f"gifts[{number}].sku", gift.sku, "is not in the catalog")
                    error.args = (
                        f"promotion {promotion.id!r} gives SKU {gift.sku!r},"
                        " which the catalog lacks",
                    )
                    problem("promotions", index, error)
    if not isinstance(coupons, Mapping):
        problem("coupons", None, invalid("coupons", coupons, "must be a mapping of code to Coupon"))
        coupons = {}
    held_coupons: Mapping[object, object] = coupons
    for held, coupon in held_coupons.items():
        if not isinstance(coupon, Coupon) or coupon.code != held:
            reason = "must be the Coupon with that code"
            problem("coupons", str(held), invalid("code", coupon, reason))
            continue
        held = coupon.code
        other = coupon.template.currency
        if other is not None and other != currency:
            problem("coupons", held, _written_in(f"coupon {held!r}", other.code, code))
    ids: set[str] = set()
    for index, tier in enumerate(tiers):
        if not isinstance(tier, Tier):
            problem("tiers", index, invalid("tier", tier, "must be a Tier"))
            continue
        if tier.id in ids:
            problem("tiers", index, invalid("id", tier.id, "is used by two tiers"))
        ids.add(tier.id)
    try:
        check_tier_ladder([tier for tier in tiers if isinstance(tier, Tier)])
    except MallcoreError as exc:
        problem("tiers", None, exc)
    if not isinstance(customer, Customer):
        problem("customer", None, invalid("customer", customer, "must be a Customer"))
    else:
        if tiers and customer.tier is not None and customer.tier not in ids:
            reason = f"is not one of the program's tiers ({', '.join(sorted(ids))})"
            problem("customer", None, invalid("tier", customer.tier, reason))
        spent = customer.year_to_date
        if spent is not None and spent.currency != currency:
            error = CurrencyMismatchError(
                code, spent.currency.code, context="customer.year_to_date"
            )
            problem("customer", None, error)
    return found


@attrs.frozen
class PricingContext:
    """The rules and facts a quote is computed under; checked when built.

    Build one per rule set and reuse it for many carts: the pipeline compiles
    the rules once per context (:attr:`rulebook`).

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

    Raises:
        CurrencyMismatchError: A promotion or coupon written in another
            currency than *currency* (the message names the rule).
        UnknownRegionError: *ship_to* is not a known region.
        ConfigError: Two promotions with one id, a coupon filed under another
            code, a product naming a freight template the context lacks, a gift
            SKU not in the catalog, or any bad field (the message names it).
    """

    currency: Currency = attrs.field(converter=resolve_currency)
    at: datetime = attrs.field(converter=aware)
    catalog: Mapping[str, CatalogItem] = attrs.field(factory=dict)
    promotions: tuple[Promotion, ...] = attrs.field(default=(), converter=_promotions)
    coupons: Mapping[str, Coupon] = attrs.field(factory=dict)
    freight_templates: Mapping[str, FreightTemplate] = attrs.field(factory=dict)
    combine: Combine = attrs.field(default=Combine.SUM, converter=_combine)
    tiers: tuple[Tier, ...] = attrs.field(default=(), converter=_tiers)
    points: PointsSettings | None = None
    customer: Customer = Customer()
    ship_to: str | None = attrs.field(default=None, converter=_region)
    channel: str | None = None
    allow_zero_payment: bool = False
    max_coupons_per_class: int = 1
    rounding: RoundingPolicy = attrs.field(default=RoundingPolicy.HALF_UP, converter=_rounding)
    tax: TaxSettings = TaxSettings()
    _rulebook: RuleBook | None = attrs.field(
        init=False, default=None, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        problems = rule_problems(
            self.currency,
            catalog=self.catalog,
            promotions=self.promotions,
            coupons=self.coupons,
            freight_templates=self.freight_templates,
            tiers=self.tiers,
            customer=self.customer,
        )
        if problems:
            raise problems[0].error
        if self.points is not None and not isinstance(self.points, PointsSettings):
            raise invalid("points", self.points, "must be PointsSettings or None")
        if not isinstance(self.tax, TaxSettings):
            raise invalid("tax", self.tax, "must be TaxSettings")
        check_optional_text("channel", self.channel)
        check_flag("allow_zero_payment", self.allow_zero_payment)
        check_count("max_coupons_per_class", self.max_coupons_per_class, maximum=100)

    @property
    def tier(self) -> Tier | None:
        """The customer's tier object, if the customer has one the program knows."""
        return self.rulebook.tier

    @property
    def rulebook(self) -> RuleBook:
        """The rules compiled for this context, once (:func:`~.rulebook.compile_rules`)."""
        book = self._rulebook
        if book is None:
            book = compile_rules(self)
            object.__setattr__(self, "_rulebook", book)
        return book

    def evolve(self, **changes: object) -> PricingContext:
        """A copy with *changes*, checked again and compiled afresh."""
        return attrs.evolve(self, **changes)  # type: ignore[arg-type]
