"""Ports: the Protocols that adapters in :mod:`mallcore.adapters` implement, and their values.

- :mod:`mallcore.ports.inventory`: :class:`InventoryStore`, stock levels and reservations.
- :mod:`mallcore.ports.membership`: :class:`MemberRepository` and
  :class:`PointsLedgerStore`, members' accounts and points ledgers.
- :mod:`mallcore.ports.payment`: :class:`PaymentGateway`, payments, notifications and
  refunds with a payment provider, and :class:`NonceStore`, the nonces of accepted
  notifications.
"""

from mallcore.ports.inventory import InventoryStore
from mallcore.ports.membership import MemberRepository, PointsLedgerStore
from mallcore.ports.payment import (
    PAYMENT_MACHINE,
    NonceStore,
    PaymentGateway,
    PaymentIntent,
    PaymentNotification,
    PaymentRequest,
    PaymentStatus,
    RefundRequest,
    RefundResult,
)

__all__ = [
    "PAYMENT_MACHINE",
    "InventoryStore",
    "MemberRepository",
    "NonceStore",
    "PaymentGateway",
    "PaymentIntent",
    "PaymentNotification",
    "PaymentRequest",
    "PaymentStatus",
    "PointsLedgerStore",
    "RefundRequest",
    "RefundResult",
]
