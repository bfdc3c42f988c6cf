"""Every promotion kind, as frozen values that validate themselves when built.

Amounts are :class:`~mallcore.money.Money` in the pricing currency;
percentages are in percent units (``percent_off=20`` is 20 % off). Each kind
implements one protocol of :mod:`mallcore.promotions.benefit`: it says what it
gives; :mod:`mallcore.pricing` decides what applies.

.. list-table::
   :header-rows: 1

   * - kind
     - class
     - protocol
   * - ``time_limited`` 限时折扣
     - :class:`TimeLimited`
     - item price
   * - ``flash_sale`` 秒杀
     - :class:`FlashSale`
     - item price
   * - ``group_price`` 拼团
     - :class:`GroupPrice`
     - item price
   * - ``threshold_off`` 满减
     - :class:`ThresholdOff` of :class:`SpendTier`
     - order
   * - ``every_off`` 每满减
     - :class:`EveryOff`
     - order
   * - ``threshold_percent`` 满折
     - :class:`ThresholdPercent` of :class:`ThresholdPercentTier`
     - order
   * - ``percent_off``
     - :class:`PercentOff`
     - order
   * - ``nth_item`` 第N件X折
     - :class:`NthItem`
     - order (consumes units)
   * - ``bundle_price`` N件M元
     - :class:`BundlePrice`
     - order (consumes units)
   * - ``buy_x_get_y`` 买X送Y
     - :class:`BuyXGetY`
     - order (consumes units)
   * - ``gift`` 满赠
     - :class:`Gift` of :class:`GiftItem`
     - order
   * - ``free_shipping`` 满包邮
     - :class:`FreeShipping`
     - shipping
"""

from __future__ import annotations

from mallcore.promotions.item_kinds import FlashSale, GroupPrice, TimeLimited
from mallcore.promotions.order_kinds import (
    EveryOff,
    Gift,
    GiftItem,
    PercentOff,
    SpendTier,
    ThresholdOff,
    ThresholdPercent,
    ThresholdPercentTier,
)
from mallcore.promotions.shipping_kinds import FreeShipping
from mallcore.promotions.unit_kinds import BundlePrice, BuyXGetY, NthItem

__all__ = [
    "BundlePrice",
    "BuyXGetY",
    "EveryOff",
    "FlashSale",
    "FreeShipping",
    "Gift",
    "GiftItem",
    "GroupPrice",
    "NthItem",
    "PercentOff",
    "PromotionKind",
    "SpendTier",
    "ThresholdOff",
    "ThresholdPercent",
    "ThresholdPercentTier",
    "TimeLimited",
]

PromotionKind = (
    TimeLimited
    | FlashSale
    | GroupPrice
    | ThresholdOff
    | EveryOff
    | ThresholdPercent
    | PercentOff
    | NthItem
    | BundlePrice
    | BuyXGetY
    | Gift
    | FreeShipping
)
