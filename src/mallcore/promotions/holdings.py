"""Held coupons: what a customer claimed, the claim limits, and the moves a store may make.

The decisions a :class:`~mallcore.ports.CouponStore` needs, as pure
functions: whether a claim fits the limits (:func:`check_claim`), whether a
repeat claim is the same one (:func:`same_claim`), and where a coupon goes on
``lock`` / ``unlock`` / ``use`` / ``expire`` (:func:`coupon_move`, following
:data:`~mallcore.promotions.COUPON_MACHINE`). An adapter makes the same
decision atomically in its backend (a conditional update) and may use these
to explain a refusal.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from mallcore.checks import check_count, check_text, invalid
from mallcore.clock import aware
from mallcore.errors import CouponLimitError, CouponStateError
from mallcore.promotions.coupon_lifecycle import COUPON_MACHINE

__all__ = [
    "CouponBatch",
    "HeldCoupon",
    "check_claim",
    "check_new_limits",
    "coupon_move",
    "same_claim",
]

_MOST = 10**12


def _total(_instance: object, _attribute: object, value: int | None) -> None:
    if value is not None:
        check_count("total_quantity", value, minimum=0, maximum=_MOST)


def _per_customer(_instance: object, _attribute: object, value: int | None) -> None:
    if value is not None:
        check_count("per_customer_limit", value, minimum=1, maximum=_MOST)


@attrs.frozen
class CouponBatch:
    """The claim limits of one coupon template, which a store enforces.

    Attributes:
        template_id: The coupon template (its terms live in the rules).
        total_quantity: How many coupons of it may be claimed in all; None for no limit.
        per_customer_limit: How many one customer may hold; None for no limit.
    """

    template_id: str = attrs.field(validator=lambda _s, _a, v: check_text("template_id", v))
    total_quantity: int | None = attrs.field(default=None, validator=_total)
    per_customer_limit: int | None = attrs.field(default=None, validator=_per_customer)


@attrs.frozen
class HeldCoupon:
    """A coupon a customer claimed, and where it is in :data:`COUPON_MACHINE`.

    Attributes:
        code: The coupon's code, unique in the store.
        template_id: Its template.
        customer_id: Who holds it.
        state: ``available``, ``locked`` (by an unpaid order), ``used`` or ``expired``.
        claimed_at: When it was claimed (UTC).
        order_number: The order that locked or used it, else None.
    """

    code: str
    template_id: str
    customer_id: str
    state: str
    claimed_at: datetime
    order_number: str | None = None

    def __attrs_post_init__(self) -> None:
        check_text("code", self.code)
        check_text("template_id", self.template_id)
        check_text("customer_id", self.customer_id)
        if self.state not in COUPON_MACHINE.states:
            raise invalid("state", self.state, "is not a state of the coupon machine")
        aware(self.claimed_at, field="claimed_at")


def check_new_limits(batch: CouponBatch, claimed: int) -> None:
    """Refuse limits that *claimed* coupons already exceed (ConfigError naming the field)."""
    if batch.total_quantity is not None and batch.total_quantity < claimed:
        reason = f"is below the {claimed} coupons claimed already"
        raise invalid("total_quantity", batch.total_quantity, reason)


def check_claim(batch: CouponBatch, customer_id: str, claimed: int, held: int) -> None:
    """Refuse a claim beyond the total (*claimed* so far) or the customer's limit (*held*)."""
    if batch.total_quantity is not None and claimed >= batch.total_quantity:
        raise CouponLimitError(
            batch.template_id, customer_id, "total_quantity", batch.total_quantity
        )
    if batch.per_customer_limit is not None and held >= batch.per_customer_limit:
        raise CouponLimitError(
            batch.template_id, customer_id, "per_customer_limit", batch.per_customer_limit
        )


def same_claim(held: HeldCoupon, wanted: HeldCoupon) -> HeldCoupon:
    """A repeated claim under a held code: the stored coupon if it is the same claim."""
    if (held.template_id, held.customer_id) != (wanted.template_id, wanted.customer_id):
        why = f"the code is held by customer {held.customer_id!r} for {held.template_id!r}"
        raise CouponStateError(held.code, held.state, "claim", why)
    return held


def coupon_move(held: HeldCoupon, action: str, order_number: str | None) -> HeldCoupon:
    """Where *held* goes on *action* by *order_number*; itself for a repeat by the same order.

    Raises:
        CouponStateError: The machine has no such move from the coupon's state,
            or the coupon is locked (or used) by another order.
    """
    target = COUPON_MACHINE.transition(held.state, action)
    if action in ("unlock", "use") and held.order_number not in (None, order_number):
        why = f"it is {held.state} by order {held.order_number!r}, not {order_number!r}"
        raise CouponStateError(held.code, held.state, action, why)
    if target is None:
        if _repeats(held, action, order_number):
            return held
        allowed = ", ".join(COUPON_MACHINE.actions(held.state)) or "nothing (final)"
        by = f"order {held.order_number!r} holds it; " if held.order_number else ""
        raise CouponStateError(held.code, held.state, action, f"{by}allowed: {allowed}")
    keep = order_number if action in ("lock", "use") else None
    return attrs.evolve(held, state=target.target, order_number=keep)


def _repeats(held: HeldCoupon, action: str, order_number: str | None) -> bool:
    reached = {"lock": "locked", "use": "used", "expire": "expired", "unlock": "available"}
    if held.state != reached[action]:
        return False
    return action in ("expire", "unlock") or held.order_number == order_number
