"""Coupon templates and the coupons customers hold.

A template says what a coupon gives (满减券, 折扣券, 无门槛, 运费券) and how long
it is valid; a coupon is one claimed instance with a code and its own window.
Both validate themselves when built: a coupon that could never discount
anything, or takes more off than its own threshold, is refused then, not at
quote time.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from mallcore.checks import (
    MAX_QUANTITY,
    check_amount,
    check_choice,
    check_count,
    check_flag,
    check_percent_value,
    check_text,
    invalid,
    same_currency,
)
from mallcore.clock import aware
from mallcore.money import Currency, Money, RoundingPolicy, percent_of_minor
from mallcore.promotions.reasons import Reason
from mallcore.promotions.scope import Scope

__all__ = ["Coupon", "CouponClass", "CouponKind", "CouponTemplate", "Validity"]


class CouponKind(enum.Enum):
    """What a coupon gives."""

    AMOUNT_OFF = "amount_off"
    PERCENT_OFF = "percent_off"
    NO_THRESHOLD = "no_threshold"
    SHIPPING = "shipping"


class CouponClass(enum.Enum):
    """At most one coupon per class applies to an order (by default)."""

    PRODUCT = "product"
    ORDER = "order"
    SHIPPING = "shipping"


@attrs.frozen
class Validity:
    """When claimed coupons are valid: ``fixed`` (start..end) or ``relative`` to the claim.

    A relative validity starts ``starts_after`` after the claim and lasts
    ``lasts``. Both ends of a coupon's window are included.
    """

    valid_from: datetime | None = None
    valid_until: datetime | None = None
    starts_after: timedelta | None = None
    lasts: timedelta | None = None

    def __attrs_post_init__(self) -> None:
        for field in ("valid_from", "valid_until"):
            moment = getattr(self, field)
            if moment is not None:
                aware(moment, field=field)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            reason = f"is before valid_from={self.valid_from.isoformat()}"
            raise invalid("valid_until", self.valid_until.isoformat(), reason)
        for field in ("starts_after", "lasts"):
            span = getattr(self, field)
            if span is not None and (not isinstance(span, timedelta) or span < timedelta(0)):
                raise invalid(field, span, "must be a timedelta of zero or more")
        if self.lasts is not None and self.lasts <= timedelta(0):
            raise invalid("lasts", self.lasts, "must be longer than zero")
        if self.starts_after is not None and self.lasts is None:
            raise invalid("starts_after", self.starts_after, "needs lasts (a relative validity)")
        if self.lasts is not None and (self.valid_from or self.valid_until):
            reason = "cannot be combined with valid_from/valid_until: fixed or relative, not both"
            raise invalid("lasts", self.lasts, reason)

    @property
    def is_relative(self) -> bool:
        """Whether the window is computed from the claim time."""
        return self.lasts is not None

    def window_for(self, claimed_at: datetime | None) -> tuple[datetime | None, datetime | None]:
        """The ``(valid_from, valid_until)`` of a coupon claimed at *claimed_at*."""
        if self.lasts is None:
            return self.valid_from, self.valid_until
        if claimed_at is None:
            raise invalid("claimed_at", None, "is needed for a coupon with relative validity")
        start = aware(claimed_at, field="claimed_at") + (self.starts_after or timedelta(0))
        return start, start + self.lasts


_CLAIM_TYPES = ("public", "issued", "new_customer", "birthday", "tier")


@attrs.frozen
class CouponTemplate:
    """What a coupon gives and to which lines.

    Amounts are Money in the pricing currency, ``percent_off`` in percent units.
    ``min_spend`` compares the in-scope lines after stage 3 (promotions).

    Raises:
        ConfigError: A kind without the field it needs (``amount_off`` for
            满减券, 无门槛 and 运费券, ``percent_off`` for 折扣券), a field the
            kind does not use, ``amount_off`` above ``min_spend``, a
            percentage outside ``(0, 100]``, an unknown claim type.
        InvalidAmountError: A negative, zero, too large or over-precise amount.
        CurrencyMismatchError: Amounts in two currencies.
    """

    id: str
    kind: CouponKind
    amount_off: Money | None = None
    percent_off: Decimal | None = None
    max_discount: Money | None = None
    min_spend: Money | None = None
    scope: Scope = Scope()
    stack_with_promotions: bool = True
    validity: Validity = Validity()
    claim_type: str = "public"
    total_quantity: int | None = None
    per_customer_limit: int | None = None
    amount_off_minor: int | None = attrs.field(init=False, repr=False, eq=False)
    max_discount_minor: int | None = attrs.field(init=False, repr=False, eq=False)
    min_spend_minor: int | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_text("id", self.id)
        kind = check_choice("kind", self.kind, CouponKind)
        object.__setattr__(self, "kind", kind)
        percent = kind is CouponKind.PERCENT_OFF
        if percent:
            if self.percent_off is None:
                raise invalid("percent_off", None, "is needed by a percent_off coupon")
            check_percent_value("percent_off", self.percent_off)
            if self.amount_off is not None:
                raise invalid("amount_off", self.amount_off, "is not used by a percent_off coupon")
        else:
            if self.amount_off is None:
                raise invalid("amount_off", None, f"is needed by a coupon of kind {kind.value}")
            for field in ("percent_off", "max_discount"):
                if getattr(self, field) is not None:
                    value = getattr(self, field)
                    raise invalid(field, value, f"is not used by a coupon of kind {kind.value}")
        if kind is CouponKind.NO_THRESHOLD and self.min_spend is not None:
            raise invalid("min_spend", self.min_spend, "is not used by a no_threshold coupon")
        off = (
            None
            if self.amount_off is None
            else check_amount("amount_off", self.amount_off, positive=True)
        )
        cap = (
            None
            if self.max_discount is None
            else check_amount("max_discount", self.max_discount, positive=True)
        )
        spend = None if self.min_spend is None else check_amount("min_spend", self.min_spend)
        same_currency(
            f"coupon template {self.id!r}",
            [
                ("amount_off", self.amount_off),
                ("max_discount", self.max_discount),
                ("min_spend", self.min_spend),
            ],
        )
        if (
            off is not None
            and spend is not None
            and kind is not CouponKind.SHIPPING
            and off > spend
        ):
            reason = f"must not exceed min_spend={str(self.min_spend.amount)!r}"  # type: ignore[union-attr]
            raise invalid("amount_off", self.amount_off, reason)
        if not isinstance(self.scope, Scope):
            raise invalid("scope", self.scope, "must be a Scope")
        if not isinstance(self.validity, Validity):
            raise invalid("validity", self.validity, "must be a Validity")
        check_flag("stack_with_promotions", self.stack_with_promotions)
        if self.claim_type not in _CLAIM_TYPES:
            raise invalid(
                "claim_type", self.claim_type, f"must be one of {', '.join(_CLAIM_TYPES)}"
            )
        if self.total_quantity is not None:
            check_count(
                "total_quantity", self.total_quantity, minimum=0, maximum=MAX_QUANTITY * 1000
            )
        if self.per_customer_limit is not None:
            check_count("per_customer_limit", self.per_customer_limit)
        object.__setattr__(self, "amount_off_minor", off)
        object.__setattr__(self, "max_discount_minor", cap)
        object.__setattr__(self, "min_spend_minor", spend)

    @property
    def currency(self) -> Currency | None:
        """The currency of its amounts, or None for a percent coupon without any."""
        for amount in (self.amount_off, self.max_discount, self.min_spend):
            if amount is not None:
                return amount.currency
        return None

    @property
    def coupon_class(self) -> CouponClass:
        """``shipping`` for 运费券, ``product`` when scoped, else ``order``."""
        if self.kind is CouponKind.SHIPPING:
            return CouponClass.SHIPPING
        if not self.scope.is_everything:
            return CouponClass.PRODUCT
        return CouponClass.ORDER

    def shortfall(self, base: int) -> int | None:
        """How far an in-scope amount of *base* minor units is below ``min_spend``, or None."""
        need = self.min_spend_minor
        if need is None or base >= need:
            return None
        return need - base

    def discount(self, base: int, rounding: RoundingPolicy) -> int:
        """What it takes off an amount of *base* minor units, capped at *base*.

        A percent coupon rounds once on *base*, then applies ``max_discount``.
        """
        if self.kind is CouponKind.PERCENT_OFF:
            assert self.percent_off is not None
            discount = percent_of_minor(base, self.percent_off, rounding)
            if self.max_discount_minor is not None:
                discount = min(discount, self.max_discount_minor)
        else:
            assert self.amount_off_minor is not None
            discount = self.amount_off_minor
        return max(0, min(discount, base))


@attrs.frozen
class Coupon:
    """A coupon a customer holds: a code, its template and its own validity window."""

    code: str
    template: CouponTemplate
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    #: ``coupon:CODE``, built once: every quote names its adjustments by it.
    source: str = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_text("code", self.code)
        object.__setattr__(self, "source", f"coupon:{self.code}")
        if not isinstance(self.template, CouponTemplate):
            raise invalid("template", self.template, "must be a CouponTemplate")
        for field in ("valid_from", "valid_until"):
            moment = getattr(self, field)
            if moment is not None:
                aware(moment, field=field)
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            reason = f"is before valid_from={self.valid_from.isoformat()}"
            raise invalid("valid_until", self.valid_until.isoformat(), reason)

    @property
    def coupon_class(self) -> CouponClass:
        """The template's class."""
        return self.template.coupon_class

    def closed_reason(self, at: datetime) -> Reason | None:
        """None while valid at *at* (both ends included), else ``not_started`` or ``expired``."""
        if self.valid_from is not None and at < self.valid_from:
            return Reason.NOT_STARTED
        if self.valid_until is not None and at > self.valid_until:
            return Reason.EXPIRED
        return None

    @classmethod
    def claim(
        cls, code: str, template: CouponTemplate, claimed_at: datetime | None = None
    ) -> Coupon:
        """A coupon of *template* claimed at *claimed_at* (its window follows the validity)."""
        start, end = template.validity.window_for(claimed_at)
        return cls(code, template, start, end)
