"""Points redemption (stage 5 of a quote) and points earned (stage 8).

Every step floors, so a customer never gets a fraction of a minor unit for
free and the shop never takes a point more than it gives value for. The rules
step by step are in docs/explanation/how-a-price-is-computed.rst ("Points
redemption" and "Rewards"); the settings in docs/reference/membership.rst.
"""

from __future__ import annotations

from decimal import Decimal

import attrs

from mallcore.checks import MAX_POINTS, check_count, check_decimal, check_percent_value

__all__ = ["PointsSettings", "Redemption", "points_to_earn", "redeem"]


@attrs.frozen
class PointsSettings:
    """How points convert to money.

    Args:
        points_per_unit: Points worth one major unit (100 points = ¥1).
        max_points_per_order: Cap per order (None: no cap).
        max_ratio: At most this percent of the net item amount is paid in points.
        min_points: Below this many points nothing is redeemed.
        earn_rate: Points earned per major unit paid (excluding shipping).
    """

    points_per_unit: int = 100
    max_points_per_order: int | None = None
    max_ratio: Decimal = Decimal(50)
    min_points: int = 0
    earn_rate: Decimal = Decimal(1)

    def __attrs_post_init__(self) -> None:
        check_count("points_per_unit", self.points_per_unit, maximum=1_000_000)
        if self.max_points_per_order is not None:
            check_count(
                "max_points_per_order", self.max_points_per_order, minimum=0, maximum=MAX_POINTS
            )
        ratio = check_percent_value("max_ratio", self.max_ratio, allow_zero=True)
        object.__setattr__(self, "max_ratio", ratio)
        check_count("min_points", self.min_points, minimum=0, maximum=MAX_POINTS)
        rate = check_decimal("earn_rate", self.earn_rate, maximum=10_000)
        object.__setattr__(self, "earn_rate", rate)


@attrs.frozen
class Redemption:
    """Points used and the deduction they pay for, in minor units."""

    points: int
    deduction: int


_NOTHING = Redemption(0, 0)


def redeem(
    settings: PointsSettings,
    *,
    balance: int,
    requested: int | None,
    net_item_amount: int,
    per_major: int,
) -> Redemption:
    """Points to use and the deduction, all in whole points and minor units.

    Usable points are the least of the balance, the request, the per-order cap
    and the points worth ``max_ratio`` % of *net_item_amount* (floored). The
    deduction is the largest whole number of minor units those points pay for;
    points used are what that deduction costs, rounded up (never more than
    usable). Below ``min_points`` nothing is redeemed.

    Args:
        settings: The program's points settings.
        balance: The customer's points; a negative balance (debt) blocks redemption.
        requested: Points asked for; None means "as many as allowed" (``max``).
        net_item_amount: Net item amount in minor units after coupons.
        per_major: Minor units per major unit (100 for CNY).

    >>> redeem(PointsSettings(max_points_per_order=2000), balance=5000, requested=None,
    ...        net_item_amount=14550, per_major=100)
    Redemption(points=2000, deduction=2000)
    """
    if balance <= 0 or net_item_amount <= 0 or (requested is not None and requested <= 0):
        return _NOTHING
    ppu = settings.points_per_unit
    ratio_num, ratio_den = settings.max_ratio.as_integer_ratio()
    cap_minor = net_item_amount * ratio_num // (ratio_den * 100)
    usable = min(balance, cap_minor * ppu // per_major)
    if settings.max_points_per_order is not None:
        usable = min(usable, settings.max_points_per_order)
    if requested is not None:
        usable = min(usable, requested)
    deduction = usable * per_major // ppu
    used = -(-deduction * ppu // per_major)
    if deduction <= 0 or used < settings.min_points:
        return _NOTHING
    return Redemption(used, deduction)


def points_to_earn(
    settings: PointsSettings, *, paid_items: int, per_major: int, multiplier: Decimal
) -> int:
    """``floor(paid item amount × earn_rate × multiplier)``, paid amount in major units.

    >>> points_to_earn(PointsSettings(), paid_items=12550, per_major=100, multiplier=Decimal(1))
    125
    """
    if paid_items <= 0:
        return 0
    rate_num, rate_den = (settings.earn_rate * multiplier).as_integer_ratio()
    return paid_items * rate_num // (rate_den * per_major)
