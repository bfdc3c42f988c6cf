"""Coupon templates and the coupons customers hold.

A template says what a coupon gives (满减券, 折扣券, 无门槛, 运费券) and how long
it is valid; a coupon is one claimed instance with a code and its own window.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal

import attrs

from mallcore.errors import ConfigError
from mallcore.money import Money, to_minor
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

    @property
    def is_relative(self) -> bool:
        """Whether the window is computed from the claim time."""
        return self.lasts is not None

    def window_for(self, claimed_at: datetime | None) -> tuple[datetime | None, datetime | None]:
        """The ``(valid_from, valid_until)`` of a coupon claimed at *claimed_at*."""
        if self.lasts is None:
            return self.valid_from, self.valid_until
        if claimed_at is None:
            msg = "a coupon with relative validity needs claimed_at"
            raise ConfigError(msg)
        start = claimed_at + (self.starts_after or timedelta(0))
        return start, start + self.lasts


@attrs.frozen
class CouponTemplate:
    """What a coupon gives and to which lines.

    Amounts are Money in the pricing currency, ``percent_off`` in percent units.
    ``min_spend`` compares the in-scope lines after stage 3 (promotions).
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
    amount_off_minor: int | None = attrs.field(init=False, repr=False)
    max_discount_minor: int | None = attrs.field(init=False, repr=False)
    min_spend_minor: int | None = attrs.field(init=False, repr=False)

    @amount_off_minor.default
    def _amount_off_minor(self) -> int | None:
        return None if self.amount_off is None else to_minor(self.amount_off)

    @max_discount_minor.default
    def _max_discount_minor(self) -> int | None:
        return None if self.max_discount is None else to_minor(self.max_discount)

    @min_spend_minor.default
    def _min_spend_minor(self) -> int | None:
        return None if self.min_spend is None else to_minor(self.min_spend)

    @property
    def coupon_class(self) -> CouponClass:
        """``shipping`` for 运费券, ``product`` when scoped, else ``order``."""
        if self.kind is CouponKind.SHIPPING:
            return CouponClass.SHIPPING
        if not self.scope.is_everything:
            return CouponClass.PRODUCT
        return CouponClass.ORDER


@attrs.frozen
class Coupon:
    """A coupon a customer holds: a code, its template and its own validity window."""

    code: str
    template: CouponTemplate
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @property
    def source(self) -> str:
        """The adjustment source, ``coupon:CODE``."""
        return f"coupon:{self.code}"

    @property
    def coupon_class(self) -> CouponClass:
        """The template's class."""
        return self.template.coupon_class

    def validity_state(self, at: datetime) -> str:
        """``active``, ``not_started`` or ``expired`` at *at* (both ends included)."""
        if self.valid_from is not None and at < self.valid_from:
            return "not_started"
        if self.valid_until is not None and at > self.valid_until:
            return "expired"
        return "active"

    @classmethod
    def claim(
        cls, code: str, template: CouponTemplate, claimed_at: datetime | None = None
    ) -> Coupon:
        """A coupon of *template* claimed at *claimed_at* (its window follows the validity)."""
        start, end = template.validity.window_for(claimed_at)
        return cls(code, template, start, end)
