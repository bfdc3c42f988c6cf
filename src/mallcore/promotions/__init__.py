"""Promotion and coupon rules, stacking, and the best-coupon search."""

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
    SpendTier,
    ThresholdOff,
    ThresholdPercent,
    ThresholdPercentTier,
    TimeLimited,
)
from mallcore.promotions.promotion import Promotion
from mallcore.promotions.scope import Scope, ScopedItem
from mallcore.promotions.windows import Window

__all__ = [
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
    "NthItem",
    "PercentOff",
    "Promotion",
    "Scope",
    "ScopedItem",
    "SpendTier",
    "ThresholdOff",
    "ThresholdPercent",
    "ThresholdPercentTier",
    "TimeLimited",
    "Validity",
    "Window",
]
