"""Distribution (分销): promoters, who bound whom, commissions per order line, withdrawals.

- :class:`PromoterNetwork` keeps who brought each customer: binding refuses a
  customer binding to themself and any binding that would close a cycle; the
  :class:`BindMode` says what a second binding does.
- :class:`CommissionPlan` pays each level of promoters above the buyer (two
  by default, at most three) a percentage of the line's paid item amount,
  floored to the minor unit, or a fixed amount per unit.
- A :class:`Commission` is *frozen* until the line's after-sale window
  closes, reduced on refunds (by ``proportional_refund`` over what it was, so
  a fully refunded line pays nothing), then *available*; it follows
  :data:`COMMISSION_MACHINE`.
- A :class:`Withdrawal` takes available money out: at least the minimum, the
  fee rounded half up and deducted from the transfer; ``requested →
  approved → paid``, or ``rejected`` (the money goes back to the promoter),
  on :data:`WITHDRAWAL_MACHINE`.

Amounts are integer minor units of the order's currency.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from mallcore.checks import MAX_AMOUNT, check_choice, check_count, check_text, invalid
from mallcore.lifecycle import Event, Lifecycle, Machine, Transition
from mallcore.money import HALF_UP, RoundingPolicy, percent_of_minor, proportional_refund_minor
from mallcore.money.percent import check_percent

__all__ = [
    "COMMISSION_MACHINE",
    "WITHDRAWAL_MACHINE",
    "BindMode",
    "Commission",
    "CommissionPlan",
    "LevelRate",
    "PromoterNetwork",
    "Withdrawal",
    "available_balance",
    "commissions_for_line",
]

#: A commission: ``frozen`` while the line may still be refunded, then
#: ``available`` (``release``) or ``cancelled`` when refunds took all of it.
COMMISSION_MACHINE = Machine(
    "commission",
    initial="frozen",
    states=["frozen", "available", "cancelled"],
    transitions=[
        Transition("reduce", "frozen", "frozen"),
        Transition("cancel", "frozen", "cancelled"),
        Transition("release", "frozen", "available"),
    ],
    final=["available", "cancelled"],
)

#: A withdrawal: ``requested``, then ``approved`` and ``paid``, or ``rejected``.
WITHDRAWAL_MACHINE = Machine(
    "withdrawal",
    initial="requested",
    states=["requested", "approved", "paid", "rejected"],
    transitions=[
        Transition("approve", "requested", "approved"),
        Transition("pay", "approved", "paid"),
        Transition("reject", ["requested", "approved"], "rejected"),
    ],
    final=["paid", "rejected"],
)

_MAX_LEVELS = 3
#: The largest amount in minor units anything here accepts (MAX_AMOUNT major units at 3 decimals).
_MAX_MINOR = int(MAX_AMOUNT) * 1000


class BindMode(enum.StrEnum):
    """What binding a customer who already has a promoter does.

    ``first_bind``: the first promoter stays. ``registration_bind``: a customer
    is bound only when they register, never later. ``overwrite``: the latest
    promoter replaces the earlier one.
    """

    FIRST_BIND = "first_bind"
    REGISTRATION_BIND = "registration_bind"
    OVERWRITE = "overwrite"


def _bind_mode(value: object) -> BindMode:
    return check_choice("mode", value, BindMode)


@attrs.define
class PromoterNetwork:
    """Who brought whom: each customer's promoter, under one :class:`BindMode`.

    >>> network = PromoterNetwork()
    >>> network.bind("bob", "alice"), network.bind("carol", "bob")
    (True, True)
    >>> network.uplines("carol", levels=2)
    ['bob', 'alice']
    >>> network.bind("alice", "carol")
    Traceback (most recent call last):
    ...
    mallcore.errors.ConfigError: promoter='carol' would close a cycle: alice is above carol
    """

    mode: BindMode = attrs.field(default=BindMode.FIRST_BIND, converter=_bind_mode)
    _parent: dict[str, str] = attrs.field(factory=dict, init=False, repr=False)

    def promoter_of(self, customer: str) -> str | None:
        """The customer's promoter, or None."""
        return self._parent.get(customer)

    def bind(self, customer: str, promoter: str, *, registering: bool = False) -> bool:
        """Bind *customer* to *promoter*; return whether the binding changed.

        Raises:
            ConfigError: An empty id, the customer as their own promoter, or a
                binding that would make a cycle (the customer is above the
                promoter already). Nothing changes.
        """
        check_text("customer", customer)
        check_text("promoter", promoter)
        if customer == promoter:
            raise invalid("promoter", promoter, "is the customer: nobody promotes themselves")
        above = promoter
        while above in self._parent:
            above = self._parent[above]
            if above == customer:
                why = f"would close a cycle: {customer} is above {promoter}"
                raise invalid("promoter", promoter, why)
        current = self._parent.get(customer)
        if current == promoter:
            return False
        if self.mode is BindMode.REGISTRATION_BIND and not registering:
            return False
        if self.mode is not BindMode.OVERWRITE and current is not None:
            return False
        self._parent[customer] = promoter
        return True

    def uplines(self, customer: str, *, levels: int = 2) -> list[str]:
        """The promoters above *customer*, nearest first, at most *levels* of them."""
        found: list[str] = []
        above = self._parent.get(customer)
        while above is not None and len(found) < levels:
            found.append(above)
            above = self._parent.get(above)
        return found


def _percent(value: object) -> Decimal | None:
    return None if value is None else check_percent(value, field="percent")


@attrs.frozen
class LevelRate:
    """What one level earns: *percent* of the line's paid item amount, or *fixed_per_unit*.

    Args:
        percent: Percent units (``5`` = 5 %), floored to the minor unit.
        fixed_per_unit: Minor units per unit bought, instead of a percentage.

    Raises:
        ConfigError: Neither or both given, or a bad value.
    """

    percent: Decimal | None = attrs.field(default=None, converter=_percent)
    fixed_per_unit: int | None = None

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.fixed_per_unit is None):
            raise invalid("percent", self.percent, "give exactly one of percent and fixed_per_unit")
        if self.fixed_per_unit is not None:
            check_count("fixed_per_unit", self.fixed_per_unit, minimum=1, maximum=_MAX_MINOR)

    def amount(self, items_paid: int, units: int) -> int:
        """The commission for a line that paid *items_paid* minor units for *units* units."""
        if self.percent is not None:
            return percent_of_minor(items_paid, self.percent, RoundingPolicy.DOWN)
        assert self.fixed_per_unit is not None
        return min(self.fixed_per_unit * units, items_paid)


def _levels(value: object) -> tuple[LevelRate, ...]:
    levels = tuple(value) if isinstance(value, Sequence) else ()
    if not levels or len(levels) > _MAX_LEVELS:
        raise invalid("levels", value, f"must list 1 to {_MAX_LEVELS} levels, nearest first")
    for index, level in enumerate(levels):
        if not isinstance(level, LevelRate):
            raise invalid(f"levels[{index}]", level, "must be a LevelRate")
    return levels


@attrs.frozen
class CommissionPlan:
    """The commission of each level of promoters above the buyer, nearest first.

    >>> plan = CommissionPlan([LevelRate(5), LevelRate(3)])
    >>> plan.preview(9999, 1)  # a line paying 99.99
    [499, 299]
    """

    levels: tuple[LevelRate, ...] = attrs.field(converter=_levels)

    def preview(self, items_paid: int, units: int) -> list[int]:
        """What each level would earn on a line paying *items_paid* for *units* (minor units)."""
        return [rate.amount(items_paid, units) for rate in self.levels]


@attrs.define(on_setattr=attrs.setters.NO_OP)
class Commission:
    """One promoter's commission on one order line, on :data:`COMMISSION_MACHINE`.

    Attributes:
        promoter: Who earns it.
        order: The order number.
        line_key: The order line.
        level: 1 for the buyer's promoter, 2 for theirs, ...
        units: Units the line bought.
        original: The commission when the line was paid (minor units).
        amount: What is left of it after refunds (minor units).
        releases_at: When the line's after-sale window closes; None while
            that is not known yet (the order is not delivered).
    """

    promoter: str
    order: str
    line_key: str
    level: int
    units: int
    original: int
    releases_at: datetime | None = None
    amount: int = attrs.field(init=False)
    refunded_units: int = attrs.field(default=0, init=False)
    lifecycle: Lifecycle = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "amount", self.original)
        subject = f"{self.order}/{self.line_key}/L{self.level}"
        object.__setattr__(self, "lifecycle", Lifecycle(COMMISSION_MACHINE, subject))

    @property
    def state(self) -> str:
        """``frozen``, ``available`` or ``cancelled``."""
        return self.lifecycle.state

    def reduce(self, units: int, *, at: datetime, key: str) -> Event:
        """The line refunded *units* more: take back their share; all of it cancels it.

        Raises:
            InvalidTransitionError: The commission is not frozen any more.
            ConfigError: More units than are left unrefunded.
        """
        if (seen := self.lifecycle.event_for(key)) is not None:
            return seen
        left = self.units - self.refunded_units
        check_count("units", units, minimum=1, maximum=max(left, 1))
        if units > left:
            raise invalid("units", units, f"is more than the {left} unit(s) not yet refunded")
        cut = proportional_refund_minor(self.original, self.units, self.refunded_units, units)
        action = "cancel" if units == left else "reduce"
        event = self.lifecycle.fire(action, at=at, key=key, reason=f"{units} unit(s) refunded")
        object.__setattr__(self, "amount", self.amount - cut)
        object.__setattr__(self, "refunded_units", self.refunded_units + units)
        return event

    def release(self, *, at: datetime, window_closes_at: datetime | None = None) -> Event | None:
        """Make a frozen commission available once the after-sale window has closed; else None.

        The window closes at *window_closes_at* if given, else at ``releases_at``;
        with neither known, nothing happens.
        """
        closes = window_closes_at if window_closes_at is not None else self.releases_at
        if self.state != "frozen" or closes is None or at < closes:
            return None
        return self.lifecycle.fire("release", at=at, key="release")


def available_balance(commissions: Sequence[Commission], withdrawals: Sequence[Withdrawal]) -> int:
    """What a promoter may withdraw: available commissions less withdrawals not rejected."""
    earned = sum(c.amount for c in commissions if c.state == "available")
    taken = sum(w.amount for w in withdrawals if w.state != "rejected")
    return earned - taken


def commissions_for_line(
    plan: CommissionPlan,
    uplines: Sequence[str],
    *,
    order: str,
    line_key: str,
    items_paid: int,
    units: int,
    releases_at: datetime | None = None,
) -> list[Commission]:
    """The commissions of one paid line: one per level that has a promoter and earns something.

    *items_paid* is what the line paid for its items, freight excluded (minor units).
    """
    made = []
    amounts = plan.preview(items_paid, units)
    for level, (promoter, amount) in enumerate(zip(uplines, amounts, strict=False), start=1):
        if amount:
            made.append(Commission(promoter, order, line_key, level, units, amount, releases_at))
    return made


@attrs.define(on_setattr=attrs.setters.NO_OP)
class Withdrawal:
    """Money a promoter takes out: the fee is rounded half up and deducted from the transfer.

    Build one with :meth:`request`.

    >>> from datetime import UTC, datetime
    >>> w = Withdrawal.request("alice", 10_000, available=12_345, minimum=5_000,
    ...                        fee_percent=Decimal("0.6"), at=datetime(2026, 12, 1, tzinfo=UTC))
    >>> w.fee, w.transfer
    (60, 9940)
    """

    promoter: str
    amount: int
    fee: int
    lifecycle: Lifecycle

    @property
    def transfer(self) -> int:
        """What reaches the promoter: the amount less the fee."""
        return self.amount - self.fee

    @property
    def state(self) -> str:
        """``requested``, ``approved``, ``paid`` or ``rejected``."""
        return self.lifecycle.state

    @classmethod
    def request(
        cls,
        promoter: str,
        amount: int,
        *,
        available: int,
        minimum: int,
        fee_percent: Decimal | int,
        at: datetime,
        withdrawal_id: str | None = None,
        rounding: RoundingPolicy = HALF_UP,
    ) -> Withdrawal:
        """Ask to withdraw *amount* of the promoter's *available* money.

        Raises:
            ConfigError: Below *minimum*, above *available*, or a bad fee.
        """
        check_text("promoter", promoter)
        check_count("amount", amount, minimum=1, maximum=_MAX_MINOR)
        if amount < minimum:
            raise invalid("amount", amount, f"is below the minimum withdrawal ({minimum})")
        if amount > available:
            raise invalid("amount", amount, f"is more than the {available} available")
        fee = percent_of_minor(amount, check_percent(fee_percent, field="fee_percent"), rounding)
        subject = withdrawal_id or f"{promoter}/W{at:%Y%m%d%H%M%S}"
        withdrawal = cls(promoter, amount, fee, Lifecycle(WITHDRAWAL_MACHINE, subject))
        return withdrawal

    def approve(self, *, at: datetime, actor: str = "finance") -> Event:
        """Approve the request."""
        return self.lifecycle.fire("approve", at=at, actor=actor)

    def pay(self, *, at: datetime, actor: str = "finance") -> Event:
        """The transfer was made."""
        return self.lifecycle.fire("pay", at=at, actor=actor)

    def reject(self, *, at: datetime, reason: str, actor: str = "finance") -> int:
        """Refuse it: return the amount that goes back to the promoter's available money."""
        self.lifecycle.fire("reject", at=at, actor=actor, reason=reason)
        return self.amount
