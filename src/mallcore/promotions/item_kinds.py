"""Item-price kinds (stage 2): 限时折扣, 秒杀 and 拼团 each propose a unit price.

The lowest price wins a line (a member price wins ties). Prices are per unit,
rounded to the minor unit (the price, never the discount), then multiplied by
the quantity. A flash-sale or group price that wins makes the line an
*activity* line, which skips promotions and coupons unless it allows them.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from mallcore.checks import check_amount, check_count, check_flag, check_percent_value, invalid
from mallcore.money import Currency, Money, RoundingPolicy, percent_of_minor

__all__ = ["FlashSale", "GroupPrice", "TimeLimited"]


@attrs.frozen
class TimeLimited:
    """限时折扣: an item price at ``percent_off`` (percent units) or a fixed ``unit_price``.

    Raises:
        ConfigError: Neither or both given, or a percentage outside ``(0, 100]``.
        InvalidAmountError: A negative, too large or over-precise ``unit_price``.

    >>> TimeLimited(percent_off=Decimal(20)).price_for(1999, RoundingPolicy.HALF_UP)
    1599
    """

    percent_off: Decimal | None = None
    unit_price: Money | None = None
    #: ``unit_price`` in minor units (None without one).
    unit_price_minor: int | None = attrs.field(init=False, repr=False, eq=False)

    kind = "time_limited"
    activity = False
    allow_promotions = True
    allow_coupons = True

    def __attrs_post_init__(self) -> None:
        if (self.percent_off is None) == (self.unit_price is None):
            reason = "must be given, or else unit_price: exactly one of the two"
            raise invalid("percent_off", self.percent_off, reason)
        if self.percent_off is not None:
            check_percent_value("percent_off", self.percent_off)
        minor = None if self.unit_price is None else check_amount("unit_price", self.unit_price)
        object.__setattr__(self, "unit_price_minor", minor)

    @property
    def currency(self) -> Currency | None:
        """The currency of ``unit_price``, if there is one."""
        return None if self.unit_price is None else self.unit_price.currency

    def price_for(self, list_unit: int, rounding: RoundingPolicy) -> int:
        """``unit_price``, or the list price less ``percent_off`` with the price rounded once."""
        if self.unit_price_minor is not None:
            return self.unit_price_minor
        assert self.percent_off is not None
        return percent_of_minor(list_unit, 100 - self.percent_off, rounding)

    def allows(self, quantity: int) -> bool:
        """A time-limited discount has no quantity limits."""
        return True


@attrs.frozen
class _ActivityPrice:
    """A fixed activity price with optional quantity limits (秒杀 and 拼团 share this shape)."""

    unit_price: Money
    allow_promotions: bool = False
    allow_coupons: bool = False
    per_customer_limit: int | None = None
    total_limit: int | None = None
    #: ``unit_price`` in minor units.
    unit_price_minor: int = attrs.field(init=False, repr=False, eq=False)

    activity = True

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "unit_price_minor", check_amount("unit_price", self.unit_price))
        check_flag("allow_promotions", self.allow_promotions)
        check_flag("allow_coupons", self.allow_coupons)
        for field in ("per_customer_limit", "total_limit"):
            limit = getattr(self, field)
            if limit is not None:
                check_count(field, limit)

    @property
    def currency(self) -> Currency:
        """The currency of ``unit_price``."""
        return self.unit_price.currency

    def price_for(self, list_unit: int, rounding: RoundingPolicy) -> int:
        """The fixed ``unit_price``, whatever the list price."""
        return self.unit_price_minor

    def allows(self, quantity: int) -> bool:
        """Whether *quantity* units fit both limits."""
        return (self.per_customer_limit is None or quantity <= self.per_customer_limit) and (
            self.total_limit is None or quantity <= self.total_limit
        )


@attrs.frozen
class FlashSale(_ActivityPrice):
    """秒杀: a fixed ``unit_price``; the line becomes an activity line.

    >>> FlashSale(Money("9.90", "CNY"), per_customer_limit=2).allows(3)
    False
    """

    kind = "flash_sale"


@attrs.frozen
class GroupPrice(_ActivityPrice):
    """拼团: a fixed group ``unit_price``; group size and deadline live on the order side."""

    kind = "group_price"
