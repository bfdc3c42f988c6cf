"""The CouponStore port: coupons claimed by customers, locked by orders and used, atomically."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from mallcore.promotions.holdings import (
    CouponBatch,
    HeldCoupon,
    check_claim,
    check_new_limits,
    coupon_move,
    same_claim,
)

__all__ = [
    "CouponBatch",
    "CouponStore",
    "HeldCoupon",
    "check_claim",
    "check_new_limits",
    "coupon_move",
    "same_claim",
]


@runtime_checkable
class CouponStore(Protocol):
    """Port: coupon templates' claim limits and the coupons customers hold.

    The contract, checked by :class:`~mallcore.testing.contracts.CouponStoreContract`:

    * **Claims are atomic and within the limits.** Of N processes claiming the
      last coupons of a template, exactly as many succeed as were left; a
      customer never holds more than ``per_customer_limit``. Adapters decide
      with conditional updates (``UPDATE ... SET claimed = claimed + 1 WHERE
      claimed < total``), never by reading a count and writing it back.
    * **Idempotent by code.** Claiming again under a code already held by the
      same customer of the same template returns the stored coupon and counts
      nothing; a code held by someone else is refused.
    * **Moves follow** :data:`~mallcore.promotions.COUPON_MACHINE`: ``lock``
      (available → locked, by one order), ``unlock`` (locked → available, by
      the order that locked it), ``use`` (locked → used, by that order),
      ``expire`` (available → expired). Each is one conditional update; a
      repeat by the same order changes nothing; anything else raises
      :class:`~mallcore.errors.CouponStateError` and changes nothing.

    Errors: :class:`~mallcore.errors.CouponLimitError`,
    :class:`~mallcore.errors.CouponStateError`,
    :class:`~mallcore.errors.UnknownCouponError`,
    :class:`~mallcore.errors.ConfigError` (bad input, naming the field) and
    :class:`~mallcore.errors.StorageError` for backend failures.
    """

    def define(self, batch: CouponBatch) -> None:
        """Create a template's limits, or change them (never below what is claimed)."""
        ...

    def batch(self, template_id: str) -> CouponBatch | None:
        """The template's limits, or None if it was never defined."""
        ...

    def claimed(self, template_id: str) -> int:
        """How many coupons of *template_id* have been claimed."""
        ...

    def claim(self, template_id: str, customer_id: str, *, code: str, at: datetime) -> HeldCoupon:
        """Give *customer_id* a coupon of *template_id* under *code*, within the limits."""
        ...

    def get(self, code: str) -> HeldCoupon | None:
        """The coupon held under *code*, or None."""
        ...

    def held_by(self, customer_id: str) -> list[HeldCoupon]:
        """The customer's coupons, by code."""
        ...

    def lock(self, code: str, *, order_number: str, at: datetime) -> HeldCoupon:
        """Lock an available coupon for *order_number* (placing the order)."""
        ...

    def unlock(self, code: str, *, order_number: str, at: datetime) -> HeldCoupon:
        """Give a coupon locked by *order_number* back (the order was cancelled)."""
        ...

    def use(self, code: str, *, order_number: str, at: datetime) -> HeldCoupon:
        """Mark a coupon locked by *order_number* used (the order was paid)."""
        ...

    def expire(self, code: str, *, at: datetime) -> HeldCoupon:
        """Expire an available coupon whose validity ended."""
        ...
