"""Promotion and coupon rules as data, and what each kind gives.

The kinds say what they give on a read-only view of the lines
(:mod:`mallcore.promotions.benefit`); :mod:`mallcore.pricing` is the one
place that decides which rules apply and writes the result.
"""

from mallcore.promotions.benefit import (
    ItemPriceBenefit,
    LineView,
    OrderBenefit,
    Outcome,
    ShippingBenefit,
)
from mallcore.promotions.coupon_lifecycle import COUPON_MACHINE
from mallcore.promotions.coupons import Coupon, CouponClass, CouponKind, CouponTemplate, Validity
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
from mallcore.promotions.reasons import Reason
from mallcore.promotions.scope import Scope, ScopedItem
from mallcore.promotions.windows import Window

__all__ = [
    "COUPON_MACHINE",
    "BundlePrice",
    "BuyXGetY",
    "Coupon",
    "CouponClass",
    "CouponKind",
    "CouponTemplate",
    "EveryOff",
    "FlashSale",
    "FreeShipping",
    "Gift",
    "GiftItem",
    "GroupPrice",
    "ItemPriceBenefit",
    "LineView",
    "NthItem",
    "OrderBenefit",
    "Outcome",
    "PercentOff",
    "Promotion",
    "PromotionKind",
    "Reason",
    "Scope",
    "ScopedItem",
    "ShippingBenefit",
    "SpendTier",
    "ThresholdOff",
    "ThresholdPercent",
    "ThresholdPercentTier",
    "TimeLimited",
    "Validity",
    "Window",
]
