"""``ShippingLine.checked``, the pipeline's trusted constructor, charges like a validated line."""

from __future__ import annotations

from decimal import Decimal

from mallcore.money import Money, resolve_currency
from mallcore.shipping import ChargeBy, ChargeRule, FreeRule, FreightTemplate, compute_shipping
from mallcore.shipping.freight import ShippingLine
from mallcore.shipping.templates import to_nano

CNY = resolve_currency("CNY")


def trusted(key: str, quantity: int, weight: str, amount: str) -> ShippingLine:
    kg = Decimal(weight)
    nanos = (to_nano(kg, "weight_kg"), 0)
    minor = int(Decimal(amount) * 100)
    return ShippingLine.checked(key, "T", quantity, kg, Decimal(0), nanos, minor, CNY)


def validated(key: str, quantity: int, weight: str, amount: str) -> ShippingLine:
    return ShippingLine(key, "T", quantity, Decimal(weight), amount=Money(amount, "CNY"))


def test_checked_lines_give_the_same_fees_and_shares_as_validated_ones() -> None:
    # By weight: 1 kg for 8.00, each further 0.5 kg 2.00; free from 100.00.
    template = FreightTemplate(
        "T",
        ChargeBy.WEIGHT,
        [ChargeRule(Decimal(1), Decimal(8), Decimal("0.5"), Decimal(2))],
        free_rules=[FreeRule(min_amount=Decimal(100))],
    )
    for amounts in (("30.00", "20.00"), ("60.00", "45.00")):
        cart = [("A", 2, "0.4", amounts[0]), ("B", 1, "0.7", amounts[1])]
        fast = compute_shipping(
            [trusted(*line) for line in cart], {"T": template}, "4403", currency="CNY"
        )
        slow = compute_shipping(
            [validated(*line) for line in cart], {"T": template}, "4403", currency="CNY"
        )
        assert fast.total == slow.total
        assert fast.template_splits() == slow.template_splits()
    # 1.5 kg below 100.00: 8.00 + 1 × 2.00; the free rule applies from 100.00 on.
    below = compute_shipping(
        [trusted("A", 2, "0.4", "30.00"), trusted("B", 1, "0.7", "20.00")],
        {"T": template},
        "4403",
        currency="CNY",
    )
    assert below.total == Money("10.00", "CNY")


def test_a_checked_line_keeps_its_fields() -> None:
    line = trusted("A", 3, "0.25", "12.30")
    assert (line.key, line.template_id, line.quantity, line.weight_kg) == (
        "A",
        "T",
        3,
        Decimal("0.25"),
    )
    assert line.amount is None  # free rules read the minor amount directly
