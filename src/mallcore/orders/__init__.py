"""Orders: the order's and the after-sale case's lifecycles, order numbers, price snapshots.

What exists so far: :data:`ORDER_MACHINE` and :data:`AFTER_SALE_MACHINE`
(machines of the :mod:`mallcore.lifecycle` engine), :func:`new_order_number`
and :class:`OrderSnapshot`, an order's prices frozen from the quote it was
placed from. The order aggregate, after-sales and payments build on these.
"""

from mallcore.orders.machines import AFTER_SALE_MACHINE, ORDER_MACHINE
from mallcore.orders.numbers import new_order_number
from mallcore.orders.snapshot import OrderAdjustment, OrderLine, OrderSnapshot

__all__ = [
    "AFTER_SALE_MACHINE",
    "ORDER_MACHINE",
    "OrderAdjustment",
    "OrderLine",
    "OrderSnapshot",
    "new_order_number",
]
