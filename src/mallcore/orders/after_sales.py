"""After-sale cases, one per line and request: refund only, or return and refund.

A case moves through :data:`~mallcore.orders.AFTER_SALE_MACHINE`. Its refund
is worked out from the order's snapshot when the refund is paid, so that the
successive refunds of a line add up to exactly what it paid:

- the items: ``proportional_refund`` of the line's items amount (``paid``
  minus its freight share) for the units returned, given the units refunded
  before;
- the freight share, the same way, only when the reason is the seller's fault
  (``damaged``, ``wrong_item``, ``not_as_described``) or when the whole order
  is refunded before anything shipped; for a no-reason return the buyer pays
  the return shipping and the outbound freight is not refunded;
- the redeemed points of the line's units go back to the customer, and the
  points the units earned are clawed back (both split by largest remainder
  over the lines, then proportionally over the units).

A no-reason case (七天无理由) must be requested within the policy's return
window after delivery (before delivery there is no window yet); the other
reasons have none. A rejected or withdrawn case frees its units: the line may
apply again.
"""

from __future__ import annotations

import enum

import attrs

from mallcore.checks import check_text, invalid
from mallcore.lifecycle import Lifecycle
from mallcore.orders.machines import AFTER_SALE_MACHINE

__all__ = ["SELLER_FAULTS", "AfterSaleCase", "AfterSaleKind", "ReturnReason"]


class AfterSaleKind(enum.StrEnum):
    """What the customer asks for."""

    REFUND_ONLY = "refund_only"
    RETURN_AND_REFUND = "return_and_refund"


class ReturnReason(enum.StrEnum):
    """Why; the seller's faults refund the freight too."""

    NO_REASON = "no_reason"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    OTHER = "other"


#: The reasons that are the seller's fault: their refunds include the freight share.
SELLER_FAULTS = frozenset(
    {ReturnReason.DAMAGED, ReturnReason.WRONG_ITEM, ReturnReason.NOT_AS_DESCRIBED}
)


@attrs.define(on_setattr=attrs.setters.NO_OP)
class AfterSaleCase:
    """One request about *quantity* units of one order line, and its lifecycle.

    ``refunded`` (minor units, freight included: what the case paid back),
    ``freight_refunded`` (its freight part), ``freight_lines`` (that freight by
    the line it was charged on) and ``points_returned`` are set when the
    refund is paid. Change a case only through the order's
    methods, which keep the order's line totals in step.
    """

    id: str
    order_number: str
    line_key: str
    kind: AfterSaleKind
    reason: ReturnReason
    quantity: int
    lifecycle: Lifecycle
    refunded: int = 0
    freight_refunded: int = 0
    freight_lines: tuple[tuple[str, int], ...] = ()
    points_returned: int = 0
    points_clawed_back: int = 0

    def __attrs_post_init__(self) -> None:
        check_text("id", self.id)
        check_text("line_key", self.line_key)
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise invalid("quantity", self.quantity, "must be a whole number of units")
        if self.quantity < 1:
            raise invalid("quantity", self.quantity, "must be at least 1")
        if self.lifecycle.machine.name != AFTER_SALE_MACHINE.name:  # extended machines too
            raise invalid("lifecycle", self.lifecycle.machine.name, "must be an after_sale machine")

    @property
    def state(self) -> str:
        """Where the case is in :data:`~mallcore.orders.AFTER_SALE_MACHINE`."""
        return self.lifecycle.state

    @property
    def is_open(self) -> bool:
        """Whether the case still holds its units (not refunded, rejected or withdrawn)."""
        return not self.lifecycle.is_final
