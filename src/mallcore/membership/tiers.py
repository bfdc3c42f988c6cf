"""Membership tiers: growth thresholds and the benefits a tier brings to a quote."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import attrs

from mallcore.checks import (
    MAX_POINTS,
    as_tuple,
    check_count,
    check_decimal,
    check_flag,
    check_percent_value,
    check_text,
    invalid,
)
from mallcore.errors import ConfigError

__all__ = ["Tier", "as_tier_ladder", "check_tier_ladder", "tier_for_growth"]


def _templates(value: object) -> tuple[str, ...]:
    return as_tuple("coupon_templates", value)


@attrs.frozen
class Tier:
    """A membership tier.

    Args:
        id: The tier id (``gold``); adjustments name it as ``member:ID``.
        min_growth: Growth value (成长值) needed to reach it.
        rate: Member price rate in percent units (``95`` = pay 95 %); None = no member price.
        points_multiplier: Multiplies earned points (``1.5``).
        free_shipping: Members of this tier ship free.
        birthday_coupon: The coupon template a member of this tier gets on
            their birthday; None for none.
        coupon_templates: Coupon templates only members of this tier may claim.
    """

    id: str
    min_growth: int = 0
    rate: Decimal | None = None
    points_multiplier: Decimal = Decimal(1)
    free_shipping: bool = False
    birthday_coupon: str | None = None
    coupon_templates: tuple[str, ...] = attrs.field(default=(), converter=_templates)

    def __attrs_post_init__(self) -> None:
        check_text("id", self.id)
        check_count("min_growth", self.min_growth, minimum=0, maximum=MAX_POINTS)
        if self.rate is not None:
            object.__setattr__(self, "rate", check_percent_value("rate", self.rate))
        multiplier = check_decimal("points_multiplier", self.points_multiplier, maximum=100)
        object.__setattr__(self, "points_multiplier", multiplier)
        check_flag("free_shipping", self.free_shipping)
        if self.birthday_coupon is not None:
            check_text("birthday_coupon", self.birthday_coupon)
        for index, template in enumerate(self.coupon_templates):
            check_text(f"coupon_templates[{index}]", template)


def check_tier_ladder(tiers: Sequence[Tier]) -> None:
    """Tiers listed from the lowest up: strictly increasing ``min_growth``.

    Raises:
        ConfigError: Naming the first tier that does not climb.
    """
    for index in range(1, len(tiers)):
        before, tier = tiers[index - 1], tiers[index]
        if tier.min_growth <= before.min_growth:
            reason = (
                f"must be above the previous tier's ({before.min_growth}): list tiers lowest first"
            )
            raise invalid(f"[{index}].min_growth", tier.min_growth, reason)


def as_tier_ladder(value: object) -> tuple[Tier, ...]:
    """*value* (a list of :class:`Tier`, lowest first) as a checked tuple.

    Raises:
        ConfigError: Not a list, an item that is not a Tier, or tiers that do not climb.
    """
    tiers = as_tuple("tiers", value)
    for index, tier in enumerate(tiers):
        if not isinstance(tier, Tier):
            raise invalid(f"tiers[{index}]", tier, "must be a Tier")
    check_tier_ladder(tiers)
    return tiers


def tier_for_growth(tiers: Sequence[Tier], growth: int) -> Tier | None:
    """The highest tier whose ``min_growth`` *growth* reaches, or None.

    >>> tiers = [Tier("member"), Tier("gold", 1000)]
    >>> tier_for_growth(tiers, 999).id, tier_for_growth(tiers, 1000).id
    ('member', 'gold')
    """
    if growth < 0:
        msg = f"growth={growth!r} must not be negative"
        raise ConfigError(msg)
    reached = [tier for tier in tiers if tier.min_growth <= growth]
    return max(reached, key=lambda tier: tier.min_growth) if reached else None
