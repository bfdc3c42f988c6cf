"""``mallcore story``: an order's life from a file, step by step, for checking order rules.

A story is a scenario (its ``cart`` is what is ordered) plus ``steps``, run
in order. Each step is ``{"do": ACTION, "at": TIME?, ...}``; ``at`` defaults
to the previous step's time (the first step's to the scenario's ``at``). A
refused step does not stop the story: it is reported and changes nothing.
The rules are those of :mod:`mallcore.orders` (see
docs/explanation/order-lifecycle.rst); the file contract is in
docs/reference/cli.rst.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from mallcore.errors import ConfigError, InvalidTransitionError, MallcoreError
from mallcore.money import Money, from_minor, minor_units, to_minor
from mallcore.orders import Effect, EffectKind, Order, OrderPolicy, due_actions
from mallcore.pricing import quote

__all__ = ["run_story", "story_text"]

_ACTIONS = frozenset(
    {
        "place", "pay", "ship", "deliver", "confirm", "cancel", "advance", "after_sale",
        "approve", "reject", "withdraw", "return_received", "refund",
    }
)  # fmt: skip
_CASE_ACTIONS = frozenset({"approve", "reject", "withdraw", "return_received", "refund"})


def _bad(index: int, field: str, value: object, reason: str) -> ConfigError:
    error = ConfigError(f"steps[{index}].{field}={value!r} {reason}")
    error.field, error.value, error.reason = f"steps[{index}].{field}", value, reason
    return error


def _time(index: int, raw: object) -> datetime:
    if not isinstance(raw, str):
        raise _bad(index, "at", raw, "must be an ISO 8601 time with an offset")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise _bad(index, "at", raw, "must be an ISO 8601 time with an offset") from None
    if moment.utcoffset() is None:
        raise _bad(index, "at", raw, "has no time zone; give an offset such as +08:00")
    return moment


def _check_steps(steps: object, skus: set[str]) -> list[dict[str, Any]]:
    if not isinstance(steps, list) or not steps:
        raise ConfigError("steps must be a non-empty list of {'do': ACTION, ...}")
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            raise _bad(index, "do", step, "must be an object with 'do'")
        action = step.get("do")
        if action not in _ACTIONS:
            raise _bad(index, "do", action, f"must be one of {', '.join(sorted(_ACTIONS))}")
        if action == "after_sale":
            quantity = step.get("quantity")
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                raise _bad(index, "quantity", quantity, "must be a whole number, at least 1")
        named = [step["sku"]] if "sku" in step else []
        if action == "ship" and isinstance(step.get("lines"), dict):
            named += list(step["lines"])
        for sku in named:
            if sku not in skus:
                raise _bad(index, "sku", sku, "is not in the catalog")
    return steps


class _Story:
    """The order being told, and the numbers each step reports."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        from mallcore.pricing.scenario import load_scenario

        scenario_data = {key: value for key, value in data.items() if key != "steps"}
        self.scenario = load_scenario(scenario_data)
        context = self.scenario.context
        self.steps = _check_steps(data.get("steps"), set(context.catalog))
        self.quote = quote(self.scenario.cart, context)
        self.policy = OrderPolicy(allow_zero_payment=context.allow_zero_payment)
        self.order: Order | None = None
        self.now = context.at
        self.currency = context.currency

    def money(self, units: int) -> str:
        return f"{from_minor(units, self.currency).amount:.{minor_units(self.currency)}f}"

    def run(self) -> dict[str, Any]:
        reports = []
        for index, step in enumerate(self.steps):
            if "at" in step:
                self.now = _time(index, step["at"])
            reports.append(self._run_step(index, step))
        return {"steps": reports, "order": self._order_report()}

    def _run_step(self, index: int, step: dict[str, Any]) -> dict[str, Any]:
        action = step["do"]
        refund = shipping = clawed = 0
        error: str | None = None
        try:
            effects = self._do(index, action, step)
        except MallcoreError as exc:
            error = type(exc).__name__
            effects = []
        for effect in effects:
            if effect.kind is EffectKind.CLAW_BACK_POINTS:
                clawed += effect.points
        if action == "refund" and error is None and self.order is not None:
            case = self.order.after_sale(str(step.get("id")))
            refund, shipping = case.refunded, case.freight_refunded
        return {
            "do": action,
            "ok": error is None,
            "error": error,
            "state": self.order.state if self.order is not None else None,
            "refund": self.money(refund),
            "refund_shipping": self.money(shipping),
            "points_clawed_back": clawed,
        }

    def _placed(self) -> Order:
        if self.order is None:
            raise ConfigError("the order is not placed yet: the first step must be 'place'")
        return self.order

    def _do(self, index: int, action: str, step: dict[str, Any]) -> list[Effect]:
        at = self.now
        if action == "place":
            if self.order is not None:
                raise ConfigError("the order is placed already")
            self.order = Order.place(self.quote, customer_id="story", at=at, policy=self.policy)
            return []
        order = self._placed()
        if action == "pay":
            return self._pay(order, step, at)
        if action == "ship":
            lines = step.get("lines")
            tracking = str(step.get("tracking") or f"T{len(order.shipments) + 1}")
            order.ship(tracking_number=tracking, carrier="story", at=at, lines=lines)
            return []
        if action == "deliver":
            order.deliver(at=at)
            return []
        if action == "confirm":
            order.confirm(at=at)
            return []
        if action == "cancel":
            return order.cancel(at=at, actor=str(step.get("by", "buyer")))
        if action == "advance":
            return self._advance(order, _time(index, step.get("to")))
        if action == "after_sale":
            order.request_after_sale(
                step["sku"],
                kind=step.get("type", "refund_only"),
                reason=step.get("reason", "other"),
                quantity=step["quantity"],
                at=at,
                policy=self.policy,
                case_id=str(step.get("id")) if step.get("id") is not None else None,
            )
            return []
        case_id = str(step.get("id"))
        steps: dict[str, Callable[[], object]] = {
            "approve": lambda: order.review_after_sale(case_id, approve=True, at=at),
            "reject": lambda: order.review_after_sale(case_id, approve=False, at=at),
            "withdraw": lambda: order.withdraw_after_sale(case_id, at=at),
            "return_received": lambda: order.receive_return(case_id, at=at),
        }
        if action == "refund":
            return order.refund_after_sale(case_id, at=at)
        steps[action]()
        return []

    def _pay(self, order: Order, step: dict[str, Any], at: datetime) -> list[Effect]:
        if order.state != "pending_payment":
            # A story's pay is a step the shop takes, refused outside its state;
            # the order itself keeps any money that arrives late (Order.pay).
            why = "only an unpaid order can be paid"
            raise InvalidTransitionError(order.number, order.state, "pay", why=why)
        amount = order.payable
        if "amount" in step or "currency" in step:
            currency = str(step.get("currency", order.payable.currency.code))
            amount = Money(str(step.get("amount", order.payable.amount)), currency)
        return order.pay(amount, payment_id=f"story-{len(order.payments) + 1}", at=at)

    def _advance(self, order: Order, target: datetime) -> list[Effect]:
        effects: list[Effect] = []
        for action, due_at, key in due_actions(order, target, self.policy):
            if action == "cancel":
                effects += order.cancel(
                    at=due_at, actor="system", reason="payment timeout", key=key
                )
            else:
                order.auto_confirm(at=due_at, key=key)
        self.now = target
        return effects

    def _order_report(self) -> dict[str, Any]:
        lines: dict[str, Any] = {}
        order = self.order
        for line in self.quote.lines:
            cases = [c for c in order.after_sales if c.line_key == line.key] if order else []
            shipped = order.shipped_units()[line.key] if order else 0
            done = [c for c in cases if c.state == "refunded"]
            lines[line.key] = {
                "quantity": line.quantity,
                "paid": self.money(line.paid_minor),
                "shipping": self.money(line.shipping_minor),
                "shipped": shipped,
                "refunded_quantity": sum(c.quantity for c in done),
                "refunded": self.money(sum(order.line_refunded(line.key)) if order else 0),
            }
        paid = sum(to_minor(p.amount) for p in order.payments if not p.late) if order else 0
        refunded = sum(c.refunded for c in order.after_sales) if order else 0
        clawed = sum(c.points_clawed_back for c in order.after_sales) if order else 0
        return {
            "state": order.state if order else None,
            "total": self.money(self.quote.total_minor),
            "paid": self.money(paid),
            "refunded": self.money(refunded),
            "points_clawed_back": clawed,
            "lines": lines,
        }


def run_story(path: str | Path) -> dict[str, Any]:
    """Run the story file at *path*; return ``{"steps": [...], "order": {...}}``.

    Raises:
        ConfigError: The file cannot be read, its scenario is invalid, or a
            step is malformed (an unknown action, a SKU not in the catalog, an
            ``after_sale`` quantity below 1).
    """
    from mallcore.pricing.rules import read_rules_file

    data = read_rules_file(Path(path))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: a story is an object (a scenario plus 'steps')")
    return _Story(data).run()


def story_text(result: Mapping[str, Any]) -> str:
    """The story as lines of text: each step, then the order."""
    out = []
    for number, step in enumerate(result["steps"], start=1):
        verdict = "ok" if step["ok"] else f"refused ({step['error']})"
        extra = f", refund {step['refund']}" if step["refund"] not in ("0", "0.00", "0.000") else ""
        out.append(f"{number:>2}. {step['do']:<16} {verdict:<36} → {step['state']}{extra}")
    order = result["order"]
    out.append(
        f"order {order['state']}: total {order['total']}, paid {order['paid']}, "
        f"refunded {order['refunded']}, points clawed back {order['points_clawed_back']}"
    )
    return "\n".join(out)
