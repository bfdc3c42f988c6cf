"""Order-level kinds that look at the in-scope amount: 满减, 每满减, 满折, percent off and 满赠.

Each one reads the eligible lines' current amounts (after stage 2 and the
promotion groups before it), decides what it gives, rounds once, and splits
the discount over those lines by their amounts (largest remainder).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from mallcore.checks import (
    as_tuple,
    check_amount,
    check_count,
    check_items,
    check_percent_value,
    check_text,
    invalid,
    same_currency,
)
from mallcore.money import Currency, Money, RoundingPolicy, percent_of_minor
from mallcore.promotions.benefit import LineView, Outcome, allocate_over

__all__ = [
    "EveryOff",
    "Gift",
    "GiftItem",
    "PercentOff",
    "SpendTier",
    "ThresholdOff",
    "ThresholdPercent",
    "ThresholdPercentTier",
]


def _set(instance: object, name: str, value: object) -> None:
    object.__setattr__(instance, name, value)


def _tiers(values: Iterable[Any]) -> tuple[Any, ...]:
    return as_tuple("tiers", values)


def _gifts(values: Iterable[Any]) -> tuple[Any, ...]:
    return as_tuple("gifts", values)


def _discount(discount: int, base: int, lines: LineView, indices: Sequence[int]) -> Outcome:
    discount = min(discount, base)
    if discount <= 0:
        return Outcome(base=base)
    return Outcome(discount, allocate_over(discount, lines, indices), base=base)


@attrs.frozen
class SpendTier:
    """One rung of a 满减 ladder: spend at least ``min_spend``, get ``amount_off``.

    Raises:
        InvalidAmountError: A negative, too large or over-precise amount, or a
            zero ``amount_off``.
        ConfigError: ``amount_off`` above ``min_spend`` (满10减50 takes off more
            than the order must cost).
    """

    min_spend: Money
    amount_off: Money
    min_spend_minor: int = attrs.field(init=False, repr=False, eq=False)
    amount_off_minor: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        spend = check_amount("min_spend", self.min_spend)
        off = check_amount("amount_off", self.amount_off, positive=True)
        same_currency(
            "spend tier", [("min_spend", self.min_spend), ("amount_off", self.amount_off)]
        )
        if off > spend:
            reason = f"must not exceed min_spend={str(self.min_spend.amount)!r}"
            raise invalid("amount_off", self.amount_off, reason)
        _set(self, "min_spend_minor", spend)
        _set(self, "amount_off_minor", off)


@attrs.frozen
class ThresholdOff:
    """满减 ladder: the highest tier reached applies.

    >>> ladder = ThresholdOff([SpendTier(Money(100, "CNY"), Money(10, "CNY"))])
    >>> ladder.tiers[0].amount_off
    Money('10', 'CNY')
    """

    tiers: tuple[SpendTier, ...] = attrs.field(converter=_tiers)

    kind = "threshold_off"
    consumes_units = False

    def __attrs_post_init__(self) -> None:
        check_items("tiers", self.tiers, SpendTier, allow_empty=False)
        same_currency(
            "threshold_off", [(f"tiers[{i}]", t.min_spend) for i, t in enumerate(self.tiers)]
        )
        spends = [tier.min_spend_minor for tier in self.tiers]
        if len(set(spends)) != len(spends):
            raise invalid(
                "tiers", [str(t.min_spend.amount) for t in self.tiers], "repeat a min_spend"
            )

    @property
    def currency(self) -> Currency:
        """The currency of the tiers."""
        return self.tiers[0].min_spend.currency

    def evaluate(
        self, lines: LineView, indices: Sequence[int], rounding: RoundingPolicy
    ) -> Outcome:
        """The highest tier whose ``min_spend`` the in-scope amount reaches."""
        amount = lines.amount
        base = sum([amount[i] for i in indices])
        best: SpendTier | None = None
        for tier in self.tiers:
            if tier.min_spend_minor <= base and (
                best is None or tier.min_spend_minor > best.min_spend_minor
            ):
                best = tier
        if best is None:
            lowest = min(t.min_spend_minor for t in self.tiers)
            return Outcome(base=base, shortfall=lowest - base)
        return _discount(best.amount_off_minor, base, lines, indices)


@attrs.frozen
class EveryOff:
    """每满减: ``amount_off`` for every full ``per`` spent, at most ``max_times`` times."""

    per: Money
    amount_off: Money
    max_times: int | None = None
    per_minor: int = attrs.field(init=False, repr=False, eq=False)
    amount_off_minor: int = attrs.field(init=False, repr=False, eq=False)

    kind = "every_off"
    consumes_units = False

    def __attrs_post_init__(self) -> None:
        per = check_amount("per", self.per, positive=True)
        off = check_amount("amount_off", self.amount_off, positive=True)
        same_currency("every_off", [("per", self.per), ("amount_off", self.amount_off)])
        if off > per:
            reason = f"must not exceed per={str(self.per.amount)!r}"
            raise invalid("amount_off", self.amount_off, reason)
        if self.max_times is not None:
            check_count("max_times", self.max_times)
        _set(self, "per_minor", per)
        _set(self, "amount_off_minor", off)

    @property
    def currency(self) -> Currency:
        """The currency of ``per``."""
        return self.per.currency

    def evaluate(
        self, lines: LineView, indices: Sequence[int], rounding: RoundingPolicy
    ) -> Outcome:
        """``amount_off`` times the number of full ``per`` in the in-scope amount."""
        amount = lines.amount
        base = sum([amount[i] for i in indices])
        times = base // self.per_minor
        if self.max_times is not None:
            times = min(times, self.max_times)
        if times <= 0:
            return Outcome(base=base, shortfall=self.per_minor - base)
        return _discount(times * self.amount_off_minor, base, lines, indices)


@attrs.frozen
class ThresholdPercentTier:
    """One rung of a 满折 ladder: reach ``min_spend`` or ``min_qty``, get ``percent_off``."""

    percent_off: Decimal
    min_spend: Money | None = None
    min_qty: int | None = None
    min_spend_minor: int | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_percent_value("percent_off", self.percent_off)
        if (self.min_spend is None) == (self.min_qty is None):
            reason = "must be given, or else min_qty: exactly one of the two"
            raise invalid("min_spend", self.min_spend, reason)
        if self.min_qty is not None:
            check_count("min_qty", self.min_qty)
        minor = None if self.min_spend is None else check_amount("min_spend", self.min_spend)
        _set(self, "min_spend_minor", minor)


@attrs.frozen
class ThresholdPercent:
    """满折: the highest tier reached gives its percentage off the in-scope total."""

    tiers: tuple[ThresholdPercentTier, ...] = attrs.field(converter=_tiers)

    kind = "threshold_percent"
    consumes_units = False

    def __attrs_post_init__(self) -> None:
        check_items("tiers", self.tiers, ThresholdPercentTier, allow_empty=False)
        same_currency(
            "threshold_percent", [(f"tiers[{i}]", t.min_spend) for i, t in enumerate(self.tiers)]
        )

    @property
    def currency(self) -> Currency | None:
        """The currency of the spend tiers (None when every tier counts units)."""
        return next((t.min_spend.currency for t in self.tiers if t.min_spend is not None), None)

    def evaluate(
        self, lines: LineView, indices: Sequence[int], rounding: RoundingPolicy
    ) -> Outcome:
        """The best percentage among the tiers reached, rounded once on the in-scope total."""
        amount, qty = lines.amount, lines.qty
        base = sum([amount[i] for i in indices])
        quantity = sum([qty[i] for i in indices])
        reached = [
            tier
            for tier in self.tiers
            if (tier.min_spend_minor is None or tier.min_spend_minor <= base)
            and (tier.min_qty is None or tier.min_qty <= quantity)
        ]
        if not reached:
            spends = [t.min_spend_minor - base for t in self.tiers if t.min_spend_minor is not None]
            return Outcome(base=base, shortfall=min(spends) if spends else None)
        best = max(reached, key=lambda tier: tier.percent_off)
        return _discount(percent_of_minor(base, best.percent_off, rounding), base, lines, indices)


@attrs.frozen
class PercentOff:
    """A percentage off the in-scope total, optionally capped at ``max_discount``."""

    percent_off: Decimal
    max_discount: Money | None = None
    max_discount_minor: int | None = attrs.field(init=False, repr=False, eq=False)

    kind = "percent_off"
    consumes_units = False

    def __attrs_post_init__(self) -> None:
        check_percent_value("percent_off", self.percent_off)
        cap = self.max_discount
        _set(
            self,
            "max_discount_minor",
            None if cap is None else check_amount("max_discount", cap, positive=True),
        )

    @property
    def currency(self) -> Currency | None:
        """The currency of ``max_discount``, if set."""
        return None if self.max_discount is None else self.max_discount.currency

    def evaluate(
        self, lines: LineView, indices: Sequence[int], rounding: RoundingPolicy
    ) -> Outcome:
        """``percent_off`` of the in-scope total, rounded once, then capped."""
        amount = lines.amount
        base = sum([amount[i] for i in indices])
        discount = percent_of_minor(base, self.percent_off, rounding)
        if self.max_discount_minor is not None:
            discount = min(discount, self.max_discount_minor)
        return _discount(discount, base, lines, indices)


@attrs.frozen
class GiftItem:
    """A gift line to add: ``quantity`` units of ``sku`` at zero price."""

    sku: str
    quantity: int = 1

    def __attrs_post_init__(self) -> None:
        check_text("sku", self.sku)
        check_count("quantity", self.quantity)


@attrs.frozen
class Gift:
    """满赠: gift lines at zero price when the in-scope amount reaches ``min_spend``."""

    min_spend: Money
    gifts: tuple[GiftItem, ...] = attrs.field(converter=_gifts)
    min_spend_minor: int = attrs.field(init=False, repr=False, eq=False)

    kind = "gift"
    consumes_units = False

    def __attrs_post_init__(self) -> None:
        _set(self, "min_spend_minor", check_amount("min_spend", self.min_spend))
        check_items("gifts", self.gifts, GiftItem, allow_empty=False)

    @property
    def currency(self) -> Currency:
        """The currency of ``min_spend``."""
        return self.min_spend.currency

    def evaluate(
        self, lines: LineView, indices: Sequence[int], rounding: RoundingPolicy
    ) -> Outcome:
        """The gifts, once the in-scope amount reaches ``min_spend``."""
        amount = lines.amount
        base = sum([amount[i] for i in indices])
        if base < self.min_spend_minor:
            return Outcome(base=base, shortfall=self.min_spend_minor - base)
        return Outcome(gifts=self.gifts, base=base)
