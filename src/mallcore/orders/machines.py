"""The order's and the after-sale case's lifecycles, as data for :mod:`mallcore.lifecycle`.

Order: ``pending_payment → paid → partially_shipped → shipped → delivered →
completed``; ``pending_payment → cancelled`` (by the buyer, the seller or the
payment timeout); ``shipped`` or ``delivered → completed`` by the
auto-confirm timeout; any paid state ``→ closed`` once every line has been
fully refunded. ``cancelled`` and ``closed`` are final; ``completed`` is not,
since a line may still be returned after receipt.

After-sale case (one per line and request): ``requested → approved →
(awaiting_return → returned) → refunding → refunded``, or ``rejected`` (from
``requested``) / ``withdrawn`` (from ``requested`` or ``awaiting_return``),
after which the line may apply again with a new case. ``approved`` and
``returned`` are passed through at once: approving a refund-only case starts
its refund, approving a return awaits the parcel, and receiving the parcel
starts the refund.

Users extend either machine with :meth:`~mallcore.lifecycle.Machine.extend`.
"""

from __future__ import annotations

from mallcore.lifecycle import Machine, Transition

__all__ = ["AFTER_SALE_MACHINE", "ORDER_MACHINE"]

_SHIPPED_OR_BEFORE = ("paid", "partially_shipped")
_PAID_STATES = ("paid", "partially_shipped", "shipped", "delivered", "completed")

#: The order, from ``pending_payment`` to ``completed``, ``cancelled`` or ``closed``.
ORDER_MACHINE = Machine(
    "order",
    initial="pending_payment",
    states=[
        "pending_payment",
        "paid",
        "partially_shipped",
        "shipped",
        "delivered",
        "completed",
        "cancelled",
        "closed",
    ],
    transitions=[
        Transition("pay", "pending_payment", "paid"),
        Transition("ship_part", _SHIPPED_OR_BEFORE, "partially_shipped"),
        Transition("ship", _SHIPPED_OR_BEFORE, "shipped"),
        Transition("deliver", "shipped", "delivered"),
        Transition("confirm", "delivered", "completed"),
        Transition("auto_confirm", ["shipped", "delivered"], "completed"),
        Transition("cancel", "pending_payment", "cancelled"),
        Transition("close", _PAID_STATES, "closed"),
    ],
    final=["cancelled", "closed"],
)

#: One after-sale case, from ``requested`` to ``refunded``, ``rejected`` or ``withdrawn``.
AFTER_SALE_MACHINE = Machine(
    "after_sale",
    initial="requested",
    states=[
        "requested",
        "approved",
        "awaiting_return",
        "returned",
        "refunding",
        "refunded",
        "rejected",
        "withdrawn",
    ],
    transitions=[
        Transition("approve", "requested", "approved"),
        Transition("reject", "requested", "rejected"),
        Transition("withdraw", ["requested", "awaiting_return"], "withdrawn"),
        Transition("await_return", "approved", "awaiting_return"),
        Transition("receive_return", "awaiting_return", "returned"),
        Transition("start_refund", ["approved", "returned"], "refunding"),
        Transition("refund", "refunding", "refunded"),
    ],
    final=["refunded", "rejected", "withdrawn"],
)
