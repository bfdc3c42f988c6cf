"""Why a promotion or a coupon gave nothing: the machine-readable reasons of ``quote.rejected``.

A :class:`Reason` is a :class:`str` (``Reason.BELOW_THRESHOLD == "below_threshold"``),
so it reads and serialises as the plain text of the file contract.
"""

from __future__ import annotations

import enum

__all__ = ["Reason"]


class Reason(enum.StrEnum):
    """The first check a promotion or coupon failed (checks run in this order)."""

    #: Its window or validity has not begun.
    NOT_STARTED = "not_started"
    #: Its window or validity has ended.
    EXPIRED = "expired"
    #: Inside its window but outside the recurring slot (every Friday 20:00-22:00).
    OUTSIDE_RECURRENCE = "outside_recurrence"
    #: Limited to channels the sale does not come through.
    WRONG_CHANNEL = "wrong_channel"
    #: Limited to member tiers the customer is not in.
    TIER_REQUIRED = "tier_required"
    #: For a customer's first order only.
    FIRST_ORDER_ONLY = "first_order_only"
    #: A coupon code the customer does not hold.
    NOT_FOUND = "not_found"
    #: No cart line is in its scope.
    OUT_OF_SCOPE = "out_of_scope"
    #: Its lines are flash-sale or group-price lines that do not allow it.
    ACTIVITY_LINE = "activity_line"
    #: A usage limit, a quantity limit or a budget is used up.
    USAGE_LIMIT_REACHED = "usage_limit_reached"
    #: It lost to another rule of its group, to an exclusive rule, or its class is full.
    NOT_COMBINABLE = "not_combinable"
    #: The address is outside the regions it covers.
    REGION_NOT_COVERED = "region_not_covered"
    #: The lines do not reach its threshold (``shortfall`` says by how much, when it is money).
    BELOW_THRESHOLD = "below_threshold"
    #: It passed every check but its lines have nothing left to discount.
    NOTHING_TO_DISCOUNT = "nothing_to_discount"
    #: A shipping rule with no freight left to waive.
    NO_FREIGHT = "no_freight"
