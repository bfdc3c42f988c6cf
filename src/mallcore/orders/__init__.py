"""Orders: the order's and the after-sale case's lifecycles, order numbers, price snapshots.

What exists so far: :data:`ORDER_MACHINE` and :data:`AFTER_SALE_MACHINE`
(machines of the :mod:`mallcore.lifecycle` engine), :func:`new_order_number`,
:class:`OrderSnapshot` (an order's prices frozen from the quote it was placed
from) and the :class:`Order` aggregate (place, pay, ship, deliver, confirm,
cancel, and :func:`due_actions` for the timeouts) with its after-sale cases
(:class:`AfterSaleCase`: refund only, or return and refund, per line, with
refunds that add up to what the line paid), :func:`statement`: a period's
figures that tie out, with what does not listed, and :func:`order_to_dict` /
:func:`order_from_dict`: an order as a JSON-ready dict and back, exactly.
"""

from mallcore.orders.after_sales import SELLER_FAULTS, AfterSaleCase, AfterSaleKind, ReturnReason
from mallcore.orders.codec import order_from_dict, order_to_dict
from mallcore.orders.machines import AFTER_SALE_MACHINE, ORDER_MACHINE
from mallcore.orders.numbers import new_order_number
from mallcore.orders.order import (
    DueAction,
    Effect,
    EffectKind,
    Order,
    OrderPolicy,
    Payment,
    Shipment,
    due_actions,
)
from mallcore.orders.snapshot import OrderAdjustment, OrderLine, OrderSnapshot
from mallcore.orders.statements import Mismatch, Period, Statement, periods, statement

__all__ = [
    "AFTER_SALE_MACHINE",
    "ORDER_MACHINE",
    "SELLER_FAULTS",
    "AfterSaleCase",
    "AfterSaleKind",
    "DueAction",
    "Effect",
    "EffectKind",
    "Mismatch",
    "Order",
    "OrderAdjustment",
    "OrderLine",
    "OrderPolicy",
    "OrderSnapshot",
    "Payment",
    "Period",
    "ReturnReason",
    "Shipment",
    "Statement",
    "due_actions",
    "new_order_number",
    "order_from_dict",
    "order_to_dict",
    "periods",
    "statement",
]
