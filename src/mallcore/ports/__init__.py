"""Ports: the Protocols that adapters in :mod:`mallcore.adapters` implement, and their values.

- :mod:`mallcore.ports.inventory`: :class:`InventoryStore`, stock levels and reservations.
- :mod:`mallcore.ports.coupons`: :class:`CouponStore`, coupons claimed, locked and used.
- :mod:`mallcore.ports.orders`: :class:`OrderRepository` and :class:`ProductRepository`.
- :mod:`mallcore.ports.idempotency`: :class:`IdempotencyStore`, work already done by key
  (also a :class:`NonceStore`).
- :mod:`mallcore.ports.uow`: :class:`UnitOfWork`, all of them in one transaction.
- :mod:`mallcore.ports.membership`: :class:`MemberRepository` and
  :class:`PointsLedgerStore`, members' accounts and points ledgers.
- :mod:`mallcore.ports.payment`: :class:`PaymentGateway`, payments, notifications and
  refunds with a payment provider, and :class:`NonceStore`, the nonces of accepted
  notifications.
"""

from mallcore.ports.coupons import CouponBatch, CouponStore, HeldCoupon
from mallcore.ports.idempotency import IdempotencyStore
from mallcore.ports.inventory import InventoryStore
from mallcore.ports.membership import MemberRepository, PointsLedgerStore
from mallcore.ports.orders import OrderRepository, ProductRepository
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
from mallcore.ports.uow import UnitOfWork

__all__ = [
    "PAYMENT_MACHINE",
    "CouponBatch",
    "CouponStore",
    "HeldCoupon",
    "IdempotencyStore",
    "InventoryStore",
    "MemberRepository",
    "NonceStore",
    "OrderRepository",
    "PaymentGateway",
    "PaymentIntent",
    "PaymentNotification",
    "PaymentRequest",
    "PaymentStatus",
    "PointsLedgerStore",
    "ProductRepository",
    "RefundRequest",
    "RefundResult",
    "UnitOfWork",
]
