"""Membership: tiers, growth value and points."""

from mallcore.membership.points import PointsSettings, Redemption, points_to_earn, redeem
from mallcore.membership.tiers import Tier, tier_for_growth

__all__ = ["PointsSettings", "Redemption", "Tier", "points_to_earn", "redeem", "tier_for_growth"]
