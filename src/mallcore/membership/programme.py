"""A membership programme: tiers, tier policy, points, expiry and earning rules in one value.

Build one in Python, or from a file with
:func:`mallcore.membership.rules.load_programme`; either way every value is
checked when it is built. :meth:`Programme.new_account` opens a member's
account under it.
"""

from __future__ import annotations

from datetime import date

import attrs

from mallcore.checks import check_count, invalid
from mallcore.membership.account import MemberAccount, TierPolicy, as_tier_policy
from mallcore.membership.earning import EarningRules
from mallcore.membership.ledger import LedgerPolicy
from mallcore.membership.points import PointsSettings
from mallcore.membership.tiers import Tier, as_tier_ladder

__all__ = ["Programme"]


@attrs.frozen
class Programme:
    """Everything a membership programme decides.

    Attributes:
        tiers: Lowest first, with their benefits (member rate, free shipping,
            points multiplier, birthday coupon, tier-only coupon templates).
        tier_policy: ``immediate`` or ``hold_until_period_end``.
        points: Redemption and purchase-earning settings (used by the quote).
        ledger: When points expire.
        earning: Points for registration, reviews, shares and sign-in.
        growth_per_major: Growth value per major unit paid (1 per ¥1).
    """

    tiers: tuple[Tier, ...] = attrs.field(converter=as_tier_ladder)
    tier_policy: TierPolicy = attrs.field(default=TierPolicy.IMMEDIATE, converter=as_tier_policy)
    points: PointsSettings = attrs.field(factory=PointsSettings)
    ledger: LedgerPolicy = attrs.field(factory=LedgerPolicy)
    earning: EarningRules = attrs.field(factory=EarningRules)
    growth_per_major: int = 1

    def __attrs_post_init__(self) -> None:
        check_count("growth_per_major", self.growth_per_major, minimum=0, maximum=10_000)
        for field, kind in (
            ("points", PointsSettings),
            ("ledger", LedgerPolicy),
            ("earning", EarningRules),
        ):
            if not isinstance(getattr(self, field), kind):
                raise invalid(field, getattr(self, field), f"must be a {kind.__name__}")

    def new_account(
        self, member_id: str, *, birthday: date | None = None, referrer: str | None = None
    ) -> MemberAccount:
        """A new member's account under this programme (no points, no growth yet)."""
        return MemberAccount(
            member_id,
            self.tiers,
            tier_policy=self.tier_policy,
            ledger_policy=self.ledger,
            birthday=birthday,
            referrer=referrer,
        )
