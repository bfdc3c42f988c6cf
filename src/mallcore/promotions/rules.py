"""Promotion and coupon rules as data: pydantic specs that build the frozen domain objects.

Every kind of DESIGN.md section 5 has a spec, discriminated by ``kind``;
unknown keys are refused and every error names its JSON path. Amounts are
exact decimal strings in major units of the pricing currency.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from mallcore.money import Money, parse_money
from mallcore.promotions.coupons import Coupon, CouponKind, CouponTemplate, Validity
from mallcore.promotions.kinds import (
    BundlePrice,
    BuyXGetY,
    EveryOff,
    FlashSale,
    FreeShipping,
    Gift,
    GiftItem,
    GroupPrice,
    NthItem,
    PercentOff,
    PromotionKind,
    SpendTier,
    ThresholdOff,
    ThresholdPercent,
    ThresholdPercentTier,
    TimeLimited,
)
from mallcore.promotions.promotion import Promotion
from mallcore.promotions.scope import Scope
from mallcore.promotions.windows import Window
from mallcore.rules import Amount, AwareDatetime, Percent, ScopeSpec, Spec, config_error

__all__ = [
    "CouponSpec",
    "CouponTemplateSpec",
    "PromotionSpec",
    "load_coupons",
    "load_promotions",
]


def _money(value: Decimal | None, currency: str, field: str) -> Money | None:
    return None if value is None else parse_money(value, currency, field=field)


def _req(value: Decimal, currency: str, field: str) -> Money:
    return parse_money(value, currency, field=field)


class _PromotionBase(Spec):
    id: str = Field(min_length=1)
    priority: int = 0
    group: str | None = None
    exclusive: bool = False
    scope: ScopeSpec | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    recurrence: str | None = None
    duration_minutes: int | None = Field(default=None, gt=0)
    channels: list[str] = []
    member_tiers: list[str] = []
    first_order_only: bool = False
    usage_limit_reached: bool = False

    def benefit(self, currency: str) -> PromotionKind:  # pragma: no cover - overridden
        raise NotImplementedError

    def build(self, currency: str) -> Promotion:
        """The domain :class:`~mallcore.promotions.promotion.Promotion`, amounts in *currency*."""
        duration = (
            None if self.duration_minutes is None else timedelta(minutes=self.duration_minutes)
        )
        return Promotion(
            id=self.id,
            benefit=self.benefit(currency),
            priority=self.priority,
            group=self.group or "",
            exclusive=self.exclusive,
            scope=self.scope.build() if self.scope is not None else Scope(),
            window=Window(self.starts_at, self.ends_at, self.recurrence, duration),
            channels=frozenset(self.channels),
            member_tiers=frozenset(self.member_tiers),
            first_order_only=self.first_order_only,
            usage_limit_reached=self.usage_limit_reached,
        )


class TimeLimitedSpec(_PromotionBase):
    """限时折扣: exactly one of ``percent_off`` and ``unit_price``."""

    kind: Literal["time_limited"]
    percent_off: Percent | None = None
    unit_price: Amount | None = None

    @model_validator(mode="after")
    def _one_of(self) -> TimeLimitedSpec:
        if (self.percent_off is None) == (self.unit_price is None):
            msg = "give exactly one of percent_off and unit_price"
            raise ValueError(msg)
        return self

    def benefit(self, currency: str) -> PromotionKind:
        return TimeLimited(self.percent_off, _money(self.unit_price, currency, "unit_price"))


class _ActivitySpec(_PromotionBase):
    unit_price: Amount
    allow_promotions: bool = False
    allow_coupons: bool = False
    per_customer_limit: int | None = Field(default=None, ge=1)
    total_limit: int | None = Field(default=None, ge=1)


class FlashSaleSpec(_ActivitySpec):
    """秒杀."""

    kind: Literal["flash_sale"]

    def benefit(self, currency: str) -> PromotionKind:
        return FlashSale(
            _req(self.unit_price, currency, "unit_price"),
            self.allow_promotions,
            self.allow_coupons,
            self.per_customer_limit,
            self.total_limit,
        )


class GroupPriceSpec(_ActivitySpec):
    """拼团."""

    kind: Literal["group_price"]

    def benefit(self, currency: str) -> PromotionKind:
        return GroupPrice(
            _req(self.unit_price, currency, "unit_price"),
            self.allow_promotions,
            self.allow_coupons,
            self.per_customer_limit,
            self.total_limit,
        )


class _SpendTierSpec(Spec):
    min_spend: Amount
    amount_off: Amount


class ThresholdOffSpec(_PromotionBase):
    """满减 ladder."""

    kind: Literal["threshold_off"]
    tiers: list[_SpendTierSpec] = Field(min_length=1)

    def benefit(self, currency: str) -> PromotionKind:
        return ThresholdOff(
            tuple(
                SpendTier(
                    _req(t.min_spend, currency, "min_spend"),
                    _req(t.amount_off, currency, "amount_off"),
                )
                for t in self.tiers
            )
        )


class EveryOffSpec(_PromotionBase):
    """每满减."""

    kind: Literal["every_off"]
    per: Amount = Field(gt=0)
    amount_off: Amount
    max_times: int | None = Field(default=None, ge=1)

    def benefit(self, currency: str) -> PromotionKind:
        return EveryOff(
            _req(self.per, currency, "per"),
            _req(self.amount_off, currency, "amount_off"),
            self.max_times,
        )


class _PercentTierSpec(Spec):
    percent_off: Percent
    min_spend: Amount | None = None
    min_qty: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _one_of(self) -> _PercentTierSpec:
        if (self.min_spend is None) == (self.min_qty is None):
            msg = "give exactly one of min_spend and min_qty"
            raise ValueError(msg)
        return self


class ThresholdPercentSpec(_PromotionBase):
    """满折."""

    kind: Literal["threshold_percent"]
    tiers: list[_PercentTierSpec] = Field(min_length=1)

    def benefit(self, currency: str) -> PromotionKind:
        return ThresholdPercent(
            tuple(
                ThresholdPercentTier(
                    t.percent_off, _money(t.min_spend, currency, "min_spend"), t.min_qty
                )
                for t in self.tiers
            )
        )


class PercentOffSpec(_PromotionBase):
    """A percentage off with an optional cap."""

    kind: Literal["percent_off"]
    percent_off: Percent
    max_discount: Amount | None = None

    def benefit(self, currency: str) -> PromotionKind:
        return PercentOff(self.percent_off, _money(self.max_discount, currency, "max_discount"))


class NthItemSpec(_PromotionBase):
    """第N件X折."""

    kind: Literal["nth_item"]
    n: int = Field(ge=1)
    percent_off: Percent
    max_times: int | None = Field(default=None, ge=1)

    def benefit(self, currency: str) -> PromotionKind:
        return NthItem(self.n, self.percent_off, self.max_times)


class BundlePriceSpec(_PromotionBase):
    """N件M元."""

    kind: Literal["bundle_price"]
    n: int = Field(ge=1)
    price: Amount
    max_times: int | None = Field(default=None, ge=1)

    def benefit(self, currency: str) -> PromotionKind:
        return BundlePrice(self.n, _req(self.price, currency, "price"), self.max_times)


class BuyXGetYSpec(_PromotionBase):
    """买X送Y."""

    kind: Literal["buy_x_get_y"]
    x: int = Field(ge=1)
    y: int = Field(ge=1)
    percent_off: Percent = Decimal(100)
    max_times: int | None = Field(default=None, ge=1)

    def benefit(self, currency: str) -> PromotionKind:
        return BuyXGetY(self.x, self.y, self.percent_off, self.max_times)


class _GiftItemSpec(Spec):
    sku: str = Field(min_length=1)
    quantity: int = Field(default=1, ge=1)


class GiftSpec(_PromotionBase):
    """满赠."""

    kind: Literal["gift"]
    min_spend: Amount
    gifts: list[_GiftItemSpec] = Field(min_length=1)

    def benefit(self, currency: str) -> PromotionKind:
        return Gift(
            _req(self.min_spend, currency, "min_spend"),
            tuple(GiftItem(g.sku, g.quantity) for g in self.gifts),
        )


class FreeShippingSpec(_PromotionBase):
    """满包邮."""

    kind: Literal["free_shipping"]
    min_amount: Amount | None = None
    min_quantity: int | None = Field(default=None, ge=1)
    regions: list[str] = []

    def benefit(self, currency: str) -> PromotionKind:
        return FreeShipping(
            _money(self.min_amount, currency, "min_amount"), self.min_quantity, tuple(self.regions)
        )


PromotionSpec = Annotated[
    TimeLimitedSpec
    | FlashSaleSpec
    | GroupPriceSpec
    | ThresholdOffSpec
    | EveryOffSpec
    | ThresholdPercentSpec
    | PercentOffSpec
    | NthItemSpec
    | BundlePriceSpec
    | BuyXGetYSpec
    | GiftSpec
    | FreeShippingSpec,
    Field(discriminator="kind"),
]


class _ValiditySpec(Spec):
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    starts_after_days: int | None = Field(default=None, ge=0)
    valid_days: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _fixed_or_relative(self) -> _ValiditySpec:
        relative = self.valid_days is not None or self.starts_after_days is not None
        if relative and (self.valid_from is not None or self.valid_until is not None):
            msg = (
                "give either valid_from/valid_until (fixed) "
                "or starts_after_days/valid_days (relative)"
            )
            raise ValueError(msg)
        if self.starts_after_days is not None and self.valid_days is None:
            msg = "a relative validity needs valid_days"
            raise ValueError(msg)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            msg = "valid_until is before valid_from"
            raise ValueError(msg)
        return self

    def validity(self) -> Validity:
        if self.valid_days is not None:
            return Validity(
                starts_after=timedelta(days=self.starts_after_days or 0),
                lasts=timedelta(days=self.valid_days),
            )
        return Validity(self.valid_from, self.valid_until)


class CouponTemplateSpec(_ValiditySpec):
    """A coupon template: what it gives, to which lines, for how long, and who may claim it."""

    id: str = ""
    kind: Literal["amount_off", "percent_off", "no_threshold", "shipping"]
    amount_off: Amount | None = None
    percent_off: Percent | None = None
    max_discount: Amount | None = None
    min_spend: Amount | None = None
    scope: ScopeSpec | None = None
    stack_with_promotions: bool = True
    claim_type: Literal["public", "issued", "new_customer", "birthday", "tier"] = "public"
    total_quantity: int | None = Field(default=None, ge=0)
    per_customer_limit: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _fields_of_kind(self) -> CouponTemplateSpec:
        if self.kind == "percent_off" and self.percent_off is None:
            msg = "a percent_off coupon needs percent_off"
            raise ValueError(msg)
        if self.kind != "percent_off" and self.amount_off is None:
            msg = f"a {self.kind} coupon needs amount_off"
            raise ValueError(msg)
        return self

    def template(self, currency: str, template_id: str) -> CouponTemplate:
        """The domain :class:`~mallcore.promotions.coupons.CouponTemplate`."""
        return CouponTemplate(
            id=self.id or template_id,
            kind=CouponKind(self.kind),
            amount_off=_money(self.amount_off, currency, "amount_off"),
            percent_off=self.percent_off,
            max_discount=_money(self.max_discount, currency, "max_discount"),
            min_spend=_money(self.min_spend, currency, "min_spend"),
            scope=self.scope.build() if self.scope is not None else Scope(),
            stack_with_promotions=self.stack_with_promotions,
            validity=self.validity(),
            claim_type=self.claim_type,
            total_quantity=self.total_quantity,
            per_customer_limit=self.per_customer_limit,
        )


class CouponSpec(CouponTemplateSpec):
    """A coupon the customer holds: its code, the template fields inline, its claim time."""

    code: str = Field(min_length=1)
    claimed_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _claim_for_relative(self) -> CouponSpec:
        if self.valid_days is not None and self.claimed_at is None:
            msg = "a coupon with relative validity needs claimed_at"
            raise ValueError(msg)
        return self

    def build(self, currency: str) -> Coupon:
        """The domain :class:`~mallcore.promotions.coupons.Coupon`."""
        return Coupon.claim(self.code, self.template(currency, self.code), self.claimed_at)


_PROMOTIONS: TypeAdapter[list[PromotionSpec]] = TypeAdapter(list[PromotionSpec])
_COUPONS: TypeAdapter[list[CouponSpec]] = TypeAdapter(list[CouponSpec])


def load_promotions(data: Any, currency: str) -> list[Promotion]:
    """Validate raw promotion rules (parsed JSON or YAML) and build them.

    Raises:
        RulesValidationError: Every problem, each with its JSON path.
    """
    try:
        specs = _PROMOTIONS.validate_python(data)
    except ValidationError as exc:
        raise config_error(exc, "promotions") from exc
    return [spec.build(currency) for spec in specs]


def load_coupons(data: Any, currency: str) -> list[Coupon]:
    """Validate raw coupons and build them.

    Raises:
        RulesValidationError: Every problem, each with its JSON path.
    """
    try:
        specs = _COUPONS.validate_python(data)
    except ValidationError as exc:
        raise config_error(exc, "coupons") from exc
    return [spec.build(currency) for spec in specs]
