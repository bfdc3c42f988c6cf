"""A held coupon's lifecycle, as data for the :mod:`mallcore.lifecycle` engine.

``available → locked`` when an order is placed with it; ``locked →
available`` when that order is cancelled (or its payment times out);
``locked → used`` when the order is paid; ``available → expired`` when its
validity ends unused. ``used`` and ``expired`` are final: a refunded order
does not give its coupon back. The order side asks for these moves with its
``use_coupons`` and ``unlock_coupons`` effects; a coupon store applies them.
"""

from __future__ import annotations

from mallcore.lifecycle import Machine, Transition

__all__ = ["COUPON_MACHINE"]

#: A held coupon: ``available``, ``locked`` by an unpaid order, ``used``, or ``expired``.
COUPON_MACHINE = Machine(
    "coupon",
    initial="available",
    states=["available", "locked", "used", "expired"],
    transitions=[
        Transition("lock", "available", "locked"),
        Transition("unlock", "locked", "available"),
        Transition("use", "locked", "used"),
        Transition("expire", "available", "expired"),
    ],
    final=["used", "expired"],
)
