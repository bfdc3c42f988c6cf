"""The promotion kinds: what each one gives, as frozen values.

Amounts are :class:`~moneyed.Money` in the pricing currency; percentages are
in percent units (``percent_off=20`` is 20 % off). How each kind computes its
discount is in :mod:`mallcore.promotions.engine` (order level) and
:mod:`mallcore.pricing.item_price` (item level).
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from mallcore.money import Money, to_minor


def _minor(value: Money | None) -> int | None:
    return None if value is None else to_minor(value)


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


@attrs.frozen
class TimeLimited:
    """限时折扣: an item price at ``percent_off`` or a fixed ``unit_price`` (stage 2)."""

    percent_off: Decimal | None = None
    unit_price: Money | None = None
    kind: str = "time_limited"
    #: ``unit_price`` in minor units (None without one).
    unit_price_minor: int | None = attrs.field(init=False, repr=False)

    @unit_price_minor.default
    def _unit_price_minor(self) -> int | None:
        return _minor(self.unit_price)


@attrs.frozen
class FlashSale:
    """秒杀: a fixed ``unit_price``; the line becomes an activity line (stage 2)."""

    unit_price: Money
    allow_promotions: bool = False
    allow_coupons: bool = False
    per_customer_limit: int | None = None
    total_limit: int | None = None
    kind: str = "flash_sale"
    #: ``unit_price`` in minor units.
    unit_price_minor: int = attrs.field(init=False, repr=False)

    @unit_price_minor.default
    def _unit_price_minor(self) -> int:
        return to_minor(self.unit_price)


@attrs.frozen
class GroupPrice:
    """拼团: a fixed group ``unit_price``; group size and deadline live on the order side."""

    unit_price: Money
    allow_promotions: bool = False
    allow_coupons: bool = False
    per_customer_limit: int | None = None
    total_limit: int | None = None
    kind: str = "group_price"
    #: ``unit_price`` in minor units.
    unit_price_minor: int = attrs.field(init=False, repr=False)

    @unit_price_minor.default
    def _unit_price_minor(self) -> int:
        return to_minor(self.unit_price)


@attrs.frozen
class SpendTier:
    """One rung of a 满减 ladder: spend at least ``min_spend``, get ``amount_off``."""

    min_spend: Money
    amount_off: Money
    min_spend_minor: int = attrs.field(init=False, repr=False)
    amount_off_minor: int = attrs.field(init=False, repr=False)

    @min_spend_minor.default
    def _min_spend_minor(self) -> int:
        return to_minor(self.min_spend)

    @amount_off_minor.default
    def _amount_off_minor(self) -> int:
        return to_minor(self.amount_off)


@attrs.frozen
class ThresholdOff:
    """满减 ladder: the highest tier reached applies."""

    tiers: tuple[SpendTier, ...]
    kind: str = "threshold_off"


@attrs.frozen
class EveryOff:
    """每满减: ``amount_off`` for every full ``per`` spent, at most ``max_times`` times."""

    per: Money
    amount_off: Money
    max_times: int | None = None
    kind: str = "every_off"
    per_minor: int = attrs.field(init=False, repr=False)
    amount_off_minor: int = attrs.field(init=False, repr=False)

    @per_minor.default
    def _per_minor(self) -> int:
        return to_minor(self.per)

    @amount_off_minor.default
    def _amount_off_minor(self) -> int:
        return to_minor(self.amount_off)


@attrs.frozen
class ThresholdPercentTier:
    """One rung of a 满折 ladder: reach ``min_spend`` or ``min_qty``, get ``percent_off``."""

    percent_off: Decimal
    min_spend: Money | None = None
    min_qty: int | None = None
    min_spend_minor: int | None = attrs.field(init=False, repr=False)

    @min_spend_minor.default
    def _min_spend_minor(self) -> int | None:
        return _minor(self.min_spend)


@attrs.frozen
class ThresholdPercent:
    """满折: the highest tier reached gives its percentage off the in-scope total."""

    tiers: tuple[ThresholdPercentTier, ...]
    kind: str = "threshold_percent"


@attrs.frozen
class PercentOff:
    """A percentage off the in-scope total, optionally capped at ``max_discount``."""

    percent_off: Decimal
    max_discount: Money | None = None
    kind: str = "percent_off"
    max_discount_minor: int | None = attrs.field(init=False, repr=False)

    @max_discount_minor.default
    def _max_discount_minor(self) -> int | None:
        return _minor(self.max_discount)


@attrs.frozen
class NthItem:
    """第N件X折: for every ``n`` units of a product, one unit at ``percent_off``, cheapest first."""

    n: int
    percent_off: Decimal
    max_times: int | None = None
    kind: str = "nth_item"


@attrs.frozen
class BundlePrice:
    """N件M元: any ``n`` in-scope units for ``price``, most expensive units first."""

    n: int
    price: Money
    max_times: int | None = None
    kind: str = "bundle_price"
    price_minor: int = attrs.field(init=False, repr=False)

    @price_minor.default
    def _price_minor(self) -> int:
        return to_minor(self.price)


@attrs.frozen
class BuyXGetY:
    """买X送Y: in groups of ``x + y`` units (dearest first) the ``y`` cheapest get a discount."""

    x: int
    y: int
    percent_off: Decimal = Decimal(100)
    max_times: int | None = None
    kind: str = "buy_x_get_y"


@attrs.frozen
class GiftItem:
    """A gift line to add: ``quantity`` units of ``sku`` at zero price."""

    sku: str
    quantity: int = 1


@attrs.frozen
class Gift:
    """满赠: gift lines at zero price when the in-scope amount reaches ``min_spend``."""

    min_spend: Money
    gifts: tuple[GiftItem, ...]
    kind: str = "gift"
    min_spend_minor: int = attrs.field(init=False, repr=False)

    @min_spend_minor.default
    def _min_spend_minor(self) -> int:
        return to_minor(self.min_spend)


@attrs.frozen
class FreeShipping:
    """满包邮: waives its lines' freight when the thresholds (each optional) are met."""

    min_amount: Money | None = None
    min_quantity: int | None = None
    regions: tuple[str, ...] = ()
    kind: str = "free_shipping"
    min_amount_minor: int | None = attrs.field(init=False, repr=False)

    @min_amount_minor.default
    def _min_amount_minor(self) -> int | None:
        return _minor(self.min_amount)


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
