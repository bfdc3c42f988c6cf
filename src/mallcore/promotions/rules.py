"""Promotion and coupon rules as data: pydantic specs that build the frozen domain objects.

Every kind has a spec, discriminated by ``kind``; unknown keys are refused and
every error names its JSON path. The specs check the shape of a file (keys,
types, exact numbers); the values are checked by the domain objects they
build, the same checks a Python caller meets. Amounts are exact decimal
strings in major units of the pricing currency.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from mallcore.money import Money
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
from mallcore.rules import (
    Amount,
    AwareDatetime,
    Count,
    Percent,
    Problems,
    Spec,
    validate_each,
)

__all__ = [
    "CouponSpec",
    "CouponTemplateSpec",
    "PromotionSpec",
    "ScopeSpec",
    "load_coupons",
    "load_promotions",
]


class _ScopeLists(Spec):
    products: list[str] = []
    categories: list[str] = []
    brands: list[str] = []
    tags: list[str] = []


class ScopeSpec(_ScopeLists):
    """``{products, categories, brands, tags, exclude}``; omitted lists match everything."""

    exclude: _ScopeLists | None = None

    def build(self) -> Scope:
        """The domain :class:`~mallcore.promotions.scope.Scope`."""
        exclude = None
        if self.exclude is not None:
            lists = self.exclude
            exclude = Scope(lists.products, lists.categories, lists.brands, lists.tags)
        return Scope(self.products, self.categories, self.brands, self.tags, exclude)


def _money(value: Decimal | None, currency: str) -> Money | None:
    return None if value is None else Money(value, currency)


class _PromotionBase(Spec):
    id: str
    priority: Count = 0
    group: str | None = None
    exclusive: bool = False
    scope: ScopeSpec | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    recurrence: str | None = None
    duration_minutes: Count | None = None
    channels: list[str] = []
    member_tiers: list[str] = []
    first_order_only: bool = False
    usage_limit_reached: bool = False

    def benefit(
        self, currency: str, problems: Problems, path: str
    ) -> PromotionKind | None:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def build(self, currency: str, problems: Problems, path: str) -> Promotion | None:
        """The domain :class:`~mallcore.promotions.Promotion`, or None (problems noted)."""
        minutes = self.duration_minutes
        duration = None if minutes is None else timedelta(minutes=minutes)
        benefit = self.benefit(currency, problems, path)
        scope = problems.build(f"{path}.scope", self._scope)
        window = problems.build(
            path,
            lambda: Window(self.starts_at, self.ends_at, self.recurrence, duration),
            renames={"duration": "duration_minutes"},
        )
        if benefit is None or scope is None or window is None:
            return None
        return problems.build(
            path,
            lambda: Promotion(
                id=self.id,
                benefit=benefit,
                priority=self.priority,
                group=self.group or "",
                exclusive=self.exclusive,
                scope=scope,
                window=window,
                channels=frozenset(self.channels),
                member_tiers=frozenset(self.member_tiers),
                first_order_only=self.first_order_only,
                usage_limit_reached=self.usage_limit_reached,
            ),
        )

    def _scope(self) -> Scope:
        return self.scope.build() if self.scope is not None else Scope()


class TimeLimitedSpec(_PromotionBase):
    """限时折扣: exactly one of ``percent_off`` and ``unit_price``."""

    kind: Literal["time_limited"]
    percent_off: Percent | None = None
    unit_price: Amount | None = None

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        return problems.build(
            path, lambda: TimeLimited(self.percent_off, _money(self.unit_price, currency))
        )


class _ActivitySpec(_PromotionBase):
    unit_price: Amount
    allow_promotions: bool = False
    allow_coupons: bool = False
    per_customer_limit: Count | None = None
    total_limit: Count | None = None

    def _activity(
        self,
        kind: type[FlashSale] | type[GroupPrice],
        currency: str,
        problems: Problems,
        path: str,
    ) -> PromotionKind | None:
        return problems.build(
            path,
            lambda: kind(
                Money(self.unit_price, currency),
                self.allow_promotions,
                self.allow_coupons,
                self.per_customer_limit,
                self.total_limit,
            ),
        )


class FlashSaleSpec(_ActivitySpec):
    """秒杀."""

    kind: Literal["flash_sale"]

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        return self._activity(FlashSale, currency, problems, path)


class GroupPriceSpec(_ActivitySpec):
    """拼团."""

    kind: Literal["group_price"]

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        return self._activity(GroupPrice, currency, problems, path)


class _SpendTierSpec(Spec):
    min_spend: Amount
    amount_off: Amount

    def build(self, currency: str) -> SpendTier:
        return SpendTier(Money(self.min_spend, currency), Money(self.amount_off, currency))


class ThresholdOffSpec(_PromotionBase):
    """满减 ladder."""

    kind: Literal["threshold_off"]
    tiers: list[_SpendTierSpec]

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        tiers = [
            problems.build(f"{path}.tiers[{index}]", partial(tier.build, currency))
            for index, tier in enumerate(self.tiers)
        ]
        if None in tiers:
            return None
        return problems.build(path, lambda: ThresholdOff(tiers))


class EveryOffSpec(_PromotionBase):
    """每满减."""

    kind: Literal["every_off"]
    per: Amount
    amount_off: Amount
    max_times: Count | None = None

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        return problems.build(
            path,
            lambda: EveryOff(
                Money(self.per, currency), Money(self.amount_off, currency), self.max_times
            ),
        )


class _PercentTierSpec(Spec):
    percent_off: Percent
    min_spend: Amount | None = None
    min_qty: Count | None = None

    def build(self, currency: str) -> ThresholdPercentTier:
        return ThresholdPercentTier(
            self.percent_off, _money(self.min_spend, currency), self.min_qty
        )


class ThresholdPercentSpec(_PromotionBase):
    """满折."""

    kind: Literal["threshold_percent"]
    tiers: list[_PercentTierSpec]

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        tiers = [
            problems.build(f"{path}.tiers[{index}]", partial(tier.build, currency))
            for index, tier in enumerate(self.tiers)
        ]
        if None in tiers:
            return None
        return problems.build(path, lambda: ThresholdPercent(tiers))


class PercentOffSpec(_PromotionBase):
    """A percentage off with an optional cap."""

    kind: Literal["percent_off"]
    percent_off: Percent
    max_discount: Amount | None = None

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        return problems.build(
            path, lambda: PercentOff(self.percent_off, _money(self.max_discount, currency))
        )


class NthItemSpec(_PromotionBase):
    """第N件X折."""

    kind: Literal["nth_item"]
    n: Count
    percent_off: Percent
    max_times: Count | None = None

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        return problems.build(path, lambda: NthItem(self.n, self.percent_off, self.max_times))


class BundlePriceSpec(_PromotionBase):
    """N件M元."""

    kind: Literal["bundle_price"]
    n: Count
    price: Amount
    max_times: Count | None = None

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        return problems.build(
            path, lambda: BundlePrice(self.n, Money(self.price, currency), self.max_times)
        )


class BuyXGetYSpec(_PromotionBase):
    """买X送Y."""

    kind: Literal["buy_x_get_y"]
    x: Count
    y: Count
    percent_off: Percent = Decimal(100)
    max_times: Count | None = None

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        return problems.build(
            path, lambda: BuyXGetY(self.x, self.y, self.percent_off, self.max_times)
        )


class _GiftItemSpec(Spec):
    sku: str
    quantity: Count = 1

    def build(self) -> GiftItem:
        return GiftItem(self.sku, self.quantity)


class GiftSpec(_PromotionBase):
    """满赠."""

    kind: Literal["gift"]
    min_spend: Amount
    gifts: list[_GiftItemSpec]

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        gifts = [
            problems.build(f"{path}.gifts[{index}]", gift.build)
            for index, gift in enumerate(self.gifts)
        ]
        if None in gifts:
            return None
        return problems.build(path, lambda: Gift(Money(self.min_spend, currency), gifts))


class FreeShippingSpec(_PromotionBase):
    """满包邮."""

    kind: Literal["free_shipping"]
    min_amount: Amount | None = None
    min_quantity: Count | None = None
    regions: list[str] = []

    def benefit(self, currency: str, problems: Problems, path: str) -> PromotionKind | None:
        return problems.build(
            path,
            lambda: FreeShipping(
                _money(self.min_amount, currency), self.min_quantity, tuple(self.regions)
            ),
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
    starts_after_days: Count | None = None
    valid_days: Count | None = None

    def validity(self) -> Validity:
        relative = self.valid_days is not None or self.starts_after_days is not None
        return Validity(
            self.valid_from,
            self.valid_until,
            None if self.starts_after_days is None else timedelta(days=self.starts_after_days),
            None if not relative else timedelta(days=self.valid_days or 0),
        )


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
    total_quantity: Count | None = None
    per_customer_limit: Count | None = None

    def template(self, currency: str, template_id: str) -> CouponTemplate:
        """The domain :class:`~mallcore.promotions.coupons.CouponTemplate`."""
        return CouponTemplate(
            id=self.id or template_id,
            kind=CouponKind(self.kind),
            amount_off=_money(self.amount_off, currency),
            percent_off=self.percent_off,
            max_discount=_money(self.max_discount, currency),
            min_spend=_money(self.min_spend, currency),
            scope=self.scope.build() if self.scope is not None else Scope(),
            stack_with_promotions=self.stack_with_promotions,
            validity=self.validity(),
            claim_type=self.claim_type,
            total_quantity=self.total_quantity,
            per_customer_limit=self.per_customer_limit,
        )


class CouponSpec(CouponTemplateSpec):
    """A coupon the customer holds: its code, the template fields inline, its claim time."""

    code: str
    claimed_at: AwareDatetime | None = None

    def build(self, currency: str, problems: Problems, path: str) -> Coupon | None:
        """The domain :class:`~mallcore.promotions.coupons.Coupon`, or None (problems noted)."""
        return problems.build(
            path,
            lambda: Coupon.claim(self.code, self.template(currency, self.code), self.claimed_at),
            renames={"lasts": "valid_days", "starts_after": "starts_after_days"},
        )


_PROMOTION: TypeAdapter[PromotionSpec] = TypeAdapter(PromotionSpec)
_COUPON: TypeAdapter[CouponSpec] = TypeAdapter(CouponSpec)


def load_promotions(data: Any, currency: str) -> list[Promotion]:
    """Validate raw promotion rules (parsed JSON or YAML) and build them.

    Raises:
        RulesValidationError: Every problem, each with its JSON path.
    """
    problems = Problems()
    specs = validate_each(_PROMOTION, data, problems, "", tagged=True)
    built = [spec.build(currency, problems, f"[{index}]") for index, spec in specs]
    problems.raise_for("promotions")
    return [promotion for promotion in built if promotion is not None]


def load_coupons(data: Any, currency: str) -> list[Coupon]:
    """Validate raw coupons and build them.

    Raises:
        RulesValidationError: Every problem, each with its JSON path.
    """
    problems = Problems()
    specs = validate_each(_COUPON, data, problems, "")
    built = [spec.build(currency, problems, f"[{index}]") for index, spec in specs]
    problems.raise_for("coupons")
    return [coupon for coupon in built if coupon is not None]
