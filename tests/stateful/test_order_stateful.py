"""Random order, payment, shipment and after-sale actions against one order.

Whatever happens, and in whatever order (refused actions included, duplicate
payment notifications and replayed keys included): refunds never exceed what
was paid, every line's refunds sum to at most what it paid and to exactly it
(freight aside) once all its units are refunded, stock is released or
committed at most once, a refused action changes nothing, and the same
notification never pays twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

import mallcore
from mallcore.errors import (
    AfterSaleWindowError,
    ConfigError,
    InvalidTransitionError,
    PaymentMismatchError,
)
from mallcore.money import Money
from mallcore.orders import EffectKind, Order, due_actions

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "01-stacked-cart.scenario.json"
_SCENARIO = mallcore.load_scenario(EXAMPLE)
QUOTE = mallcore.quote(_SCENARIO.cart, _SCENARIO.context)
START = datetime(2026, 11, 11, 12, tzinfo=UTC)
LINES = [line.key for line in QUOTE.lines]
REASONS = ["no_reason", "other", "damaged", "wrong_item"]
KINDS = ["refund_only", "return_and_refund"]


class OrderMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.order = Order.place(QUOTE, customer_id="u1", at=START, reservation_id="r-1")
        self.now = START
        self.effects: list[EffectKind] = []

    def _snapshot(self) -> tuple[object, ...]:
        return (
            self.order.state,
            self.order.version,
            len(self.order.payments),
            len(self.order.shipments),
            [(c.id, c.state, c.refunded) for c in self.order.after_sales],
        )

    def _attempt(self, action: object) -> bool:
        before = self._snapshot()
        try:
            result = action()  # type: ignore[operator]
        except (InvalidTransitionError, AfterSaleWindowError, ConfigError, PaymentMismatchError):
            assert self._snapshot() == before, "a refused action changed the order"
            return False
        if isinstance(result, list):
            self.effects.extend(effect.kind for effect in result)
        return True

    @rule(minutes=st.sampled_from([1, 60, 60 * 24, 60 * 24 * 8]))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(payment=st.sampled_from(["p-1", "p-1", "p-2"]), cents=st.sampled_from([0, 0, 0, 1, -1]))
    def pay(self, payment: str, cents: int) -> None:
        amount = Money(self.order.payable.amount + Money(cents, "CNY").amount / 100, "CNY")
        self._attempt(lambda: self.order.pay(amount, payment_id=payment, at=self.now))

    @rule(actor=st.sampled_from(["buyer", "seller", "system"]), now=st.integers(0, 5))
    def cancel(self, actor: str, now: int) -> None:
        if now:  # cancelling ends the story: try it one time in six
            return
        self._attempt(lambda: self.order.cancel(at=self.now, actor=actor, key=f"cancel-{actor}"))

    @rule(line=st.sampled_from(LINES), units=st.integers(1, 3), whole=st.booleans())
    def ship(self, line: str, units: int, whole: bool) -> None:
        parcel = None if whole else {line: units}
        number = f"SF{len(self.order.shipments)}"
        self._attempt(
            lambda: self.order.ship(tracking_number=number, carrier="sf", at=self.now, lines=parcel)
        )

    @rule()
    def deliver(self) -> None:
        self._attempt(lambda: self.order.deliver(at=self.now))

    @rule()
    def confirm(self) -> None:
        self._attempt(lambda: self.order.confirm(at=self.now))

    @rule()
    def timeouts(self) -> None:
        for action, at, key in due_actions(self.order, self.now):
            if action == "cancel":
                self._attempt(partial(self.order.cancel, at=at, actor="system", key=key))
            else:
                self._attempt(partial(self.order.auto_confirm, at=self.now, key=key))

    @rule(
        line=st.sampled_from(LINES),
        kind=st.sampled_from(KINDS),
        reason=st.sampled_from(REASONS),
        units=st.integers(1, 3),
    )
    def request(self, line: str, kind: str, reason: str, units: int) -> None:
        self._attempt(
            lambda: self.order.request_after_sale(
                line, kind=kind, reason=reason, quantity=units, at=self.now
            )
        )

    @rule(
        line=st.sampled_from(LINES),
        kind=st.sampled_from(KINDS),
        reason=st.sampled_from(REASONS),
        units=st.integers(1, 3),
    )
    def whole_after_sale(self, line: str, kind: str, reason: str, units: int) -> None:
        """Request, approve, get the parcel back, refund: the path most cases take."""
        order = self.order
        count = len(order.after_sales)
        opened = self._attempt(
            lambda: order.request_after_sale(
                line, kind=kind, reason=reason, quantity=units, at=self.now
            )
        )
        if not opened or len(order.after_sales) == count:
            return
        case = order.after_sales[-1].id
        steps = [lambda: order.review_after_sale(case, approve=True, at=self.now)]
        if kind == "return_and_refund":
            steps.append(lambda: order.receive_return(case, at=self.now))
        steps.append(lambda: order.refund_after_sale(case, at=self.now))
        for step in steps:
            if not self._attempt(step):
                return

    @rule(
        index=st.integers(0, 3),
        step=st.sampled_from(["approve", "approve", "approve", "reject", "withdraw"]),
    )
    def review(self, index: int, step: str) -> None:
        if not self.order.after_sales:
            return
        case = self.order.after_sales[index % len(self.order.after_sales)].id
        if step == "withdraw":
            self._attempt(lambda: self.order.withdraw_after_sale(case, at=self.now))
        else:
            approve = step == "approve"
            self._attempt(lambda: self.order.review_after_sale(case, approve=approve, at=self.now))

    @rule(index=st.integers(0, 3), step=st.sampled_from(["receive", "refund"]))
    def progress(self, index: int, step: str) -> None:
        if not self.order.after_sales:
            return
        case = self.order.after_sales[index % len(self.order.after_sales)].id
        action = {
            "receive": lambda: self.order.receive_return(case, at=self.now),
            "refund": lambda: self.order.refund_after_sale(case, at=self.now),
        }[step]
        self._attempt(action)

    @invariant()
    def refunds_never_exceed_what_was_paid(self) -> None:
        paid = sum(p.amount.amount for p in self.order.payments if not p.late)
        assert self.order.refunded.amount <= paid
        for line in self.order.snapshot.lines:
            cases = [c for c in self.order.after_sales if c.line_key == line.key]
            items, freight = self.order.line_refunded(line.key)
            assert items + freight <= line.paid
            done = [c for c in cases if c.state == "refunded"]
            if sum(c.quantity for c in done) == line.quantity:
                assert items == line.items_paid

    @invariant()
    def stock_is_settled_at_most_once(self) -> None:
        settled = [
            k for k in self.effects if k in (EffectKind.COMMIT_STOCK, EffectKind.RELEASE_STOCK)
        ]
        assert len(settled) <= 1

    @invariant()
    def a_notification_pays_at_most_once(self) -> None:
        ids = [p.payment_id for p in self.order.payments]
        assert len(ids) == len(set(ids))
        assert sum(not p.late for p in self.order.payments) <= 1

    @invariant()
    def the_lifecycle_log_matches_the_version(self) -> None:
        assert self.order.version == len(self.order.lifecycle.events)


TestOrderMachine = OrderMachine.TestCase
