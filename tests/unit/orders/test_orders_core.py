"""The order's building blocks: its machines, its numbers and its price snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import mallcore
from mallcore.errors import ConfigError, InvalidTransitionError
from mallcore.lifecycle import Lifecycle
from mallcore.orders import (
    AFTER_SALE_MACHINE,
    ORDER_MACHINE,
    OrderLine,
    OrderSnapshot,
    new_order_number,
)

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"


def _quote() -> mallcore.Quote:
    scenario = mallcore.load_scenario(EXAMPLE)
    return mallcore.quote(scenario.cart, scenario.context)


def _run(machine: object, actions: list[str]) -> Lifecycle:
    life = Lifecycle(machine, "X-1")  # type: ignore[arg-type]
    for action in actions:
        life.fire(action, at=AT)
    return life


@pytest.mark.parametrize(
    ("actions", "state"),
    [
        (["pay", "ship", "deliver", "confirm"], "completed"),
        (["pay", "ship_part", "ship_part", "ship", "deliver"], "delivered"),
        (["cancel"], "cancelled"),
        (["pay", "close"], "closed"),
        (["pay", "ship", "deliver", "confirm", "close"], "closed"),
    ],
)
def test_the_order_machine_follows_the_documented_paths(actions: list[str], state: str) -> None:
    assert _run(ORDER_MACHINE, actions).state == state


@pytest.mark.parametrize(
    ("actions", "refused"),
    [([], "ship"), (["pay"], "cancel"), (["cancel"], "pay"), (["pay", "close"], "ship")],
)
def test_the_order_machine_refuses_what_the_lifecycle_forbids(
    actions: list[str], refused: str
) -> None:
    life = _run(ORDER_MACHINE, actions)
    with pytest.raises(InvalidTransitionError):
        life.fire(refused, at=AT)


@pytest.mark.parametrize(
    ("actions", "state"),
    [
        (["approve", "await_return", "receive_return", "start_refund", "refund"], "refunded"),
        (["approve", "start_refund", "refund"], "refunded"),
        (["reject"], "rejected"),
        (["approve", "await_return", "withdraw"], "withdrawn"),
    ],
)
def test_the_after_sale_machine_follows_the_documented_paths(
    actions: list[str], state: str
) -> None:
    life = _run(AFTER_SALE_MACHINE, actions)
    assert (life.state, life.is_final) == (state, True)


def test_order_numbers_sort_by_time_and_do_not_repeat() -> None:
    numbers = [new_order_number(AT + timedelta(seconds=s)) for s in (0, 0, 1, 60)]
    assert len(set(numbers)) == 4
    assert numbers[2:] == sorted(numbers[2:]) and numbers[0] < numbers[2]
    assert all(len(n) == 24 and n[:14].isdigit() for n in numbers)
    assert new_order_number(datetime(2026, 11, 12, 4, tzinfo=UTC)) > numbers[-1]


def test_an_order_number_needs_a_time_zone() -> None:
    with pytest.raises(ConfigError):
        new_order_number(datetime(2026, 11, 11, 12))  # naive, on purpose


def test_the_snapshot_freezes_every_line_and_allocation_of_the_quote() -> None:
    quote = _quote()
    snapshot = OrderSnapshot.from_quote(quote)
    assert snapshot.total == quote.total
    assert [line.key for line in snapshot.lines] == [line.key for line in quote.lines]
    for mine, theirs in zip(snapshot.lines, quote.lines, strict=True):
        assert (mine.paid, mine.shipping, mine.coupon_discount) == (
            theirs.paid_minor,
            theirs.shipping_minor,
            theirs.coupon_discount_minor,
        )
    assert [(a.source, a.amount) for a in snapshot.adjustments] == [
        (a.source, a.amount_minor) for a in quote.adjustments
    ]
    assert all(sum(part for _, part in a.lines) == a.amount for a in snapshot.adjustments)


def test_the_snapshot_round_trips_through_json_exactly() -> None:
    snapshot = OrderSnapshot.from_quote(_quote())
    again = OrderSnapshot.from_dict(json.loads(json.dumps(snapshot.to_dict())))
    assert again == snapshot


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: OrderSnapshot("CNY", []), "lines"),
        (
            lambda: OrderSnapshot("CNY", [_line("A"), _line("A")]),
            "lines",
        ),
        (lambda: _line("A", paid=-1), "paid"),
        (lambda: _line("A", quantity=0), "quantity"),
        (lambda: OrderSnapshot.from_dict({"currency": "CNY"}), "snapshot"),
    ],
)
def test_a_bad_snapshot_is_refused_naming_its_field(build: object, field: str) -> None:
    with pytest.raises(ConfigError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field


def _line(key: str, *, paid: int = 100, quantity: int = 1) -> OrderLine:
    return OrderLine(key, key, quantity, 100, 0, 0, 0, 0, 0, 0, paid)
