"""Membership: tiers, growth value and points: redemption and earning in the quote, the ledger.

:func:`account_to_dict` and :func:`account_from_dict` write a member account
as a JSON-ready dict and read it back, exactly.
"""

from mallcore.membership.account import GrowthEntry, MemberAccount, TierChange, TierPolicy
from mallcore.membership.codec import account_from_dict, account_to_dict, ledger_entry_to_dict
from mallcore.membership.distribution import (
    BindMode,
    Commission,
    CommissionPlan,
    LevelRate,
    PromoterNetwork,
    Withdrawal,
    commissions_for_line,
)
from mallcore.membership.earning import EarningRules, MissedDay, SignInRule, SignInStreak
from mallcore.membership.ledger import (
    EntryKind,
    Expiry,
    LedgerEntry,
    LedgerPolicy,
    LedgerStatement,
    PointsLedger,
)
from mallcore.membership.points import PointsSettings, Redemption, points_to_earn, redeem
from mallcore.membership.programme import Programme
from mallcore.membership.tiers import Tier, tier_for_growth

__all__ = [
    "BindMode",
    "Commission",
    "CommissionPlan",
    "EarningRules",
    "EntryKind",
    "Expiry",
    "GrowthEntry",
    "LedgerEntry",
    "LedgerPolicy",
    "LedgerStatement",
    "LevelRate",
    "MemberAccount",
    "MissedDay",
    "PointsLedger",
    "PointsSettings",
    "Programme",
    "PromoterNetwork",
    "Redemption",
    "SignInRule",
    "SignInStreak",
    "Tier",
    "TierChange",
    "TierPolicy",
    "Withdrawal",
    "account_from_dict",
    "account_to_dict",
    "commissions_for_line",
    "ledger_entry_to_dict",
    "points_to_earn",
    "redeem",
    "tier_for_growth",
]
