"""The member account: growth value (成长值), the tier it reaches, and the points ledger.

Growth value is earned on payment and clawed back on refunds, each move with
an idempotency key, like the points ledger's entries. The tier follows the
growth value by the account's :class:`TierPolicy`:

- ``immediate``: the tier is always the highest one the growth value reaches,
  up or down;
- ``hold_until_period_end``: a rise takes effect at once, a fall only when
  the caller closes the period (:meth:`MemberAccount.close_period`, e.g. at
  the end of each year), so a refund never costs a member the tier they hold
  before then.

Every change of tier is kept in :attr:`MemberAccount.tier_history`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import NamedTuple

import attrs

from mallcore.checks import MAX_POINTS, check_choice, check_count, check_text, invalid
from mallcore.clock import aware
from mallcore.membership.ledger import LedgerEntry, LedgerPolicy, PointsLedger
from mallcore.membership.tiers import Tier, as_tier_ladder, tier_for_growth
from mallcore.money import allocate_minor

__all__ = [
    "GrowthEntry",
    "MemberAccount",
    "TierChange",
    "TierPolicy",
    "as_tier_policy",
    "growth_shares",
]


def growth_shares(items_paid: Sequence[int], units_per_major: int, per_major: int = 1) -> list[int]:
    """Growth value earned by lines that paid *items_paid* minor units for their items.

    The order earns ``floor(sum(items_paid) × per_major / units_per_major)``
    (1 per ¥1 by default, freight excluded), split across the lines by what
    each paid with :func:`~mallcore.money.allocate_minor`, so that refunds can
    claw back exactly what each line earned.

    >>> growth_shares([6066, 2162, 4322], 100)  # ¥125.50 in all: 125, split
    [60, 22, 43]
    """
    total = sum(items_paid) * per_major // units_per_major
    if not any(items_paid):
        return [0] * len(items_paid)
    return allocate_minor(total, list(items_paid))


class TierPolicy(enum.StrEnum):
    """When a fall in growth value moves a member down a tier."""

    IMMEDIATE = "immediate"
    HOLD_UNTIL_PERIOD_END = "hold_until_period_end"


class GrowthEntry(NamedTuple):
    """One change of growth value: positive when earned, negative when clawed back."""

    number: int
    growth: int
    at: datetime
    source: str
    key: str


class TierChange(NamedTuple):
    """The member moved from one tier (None: none) to another at *at*, at this growth value."""

    at: datetime
    from_tier: str | None
    to_tier: str | None
    growth: int
    reason: str


def as_tier_policy(value: object) -> TierPolicy:
    """*value* as a :class:`TierPolicy` (the member or its value); ConfigError otherwise."""
    return check_choice("tier_policy", value, TierPolicy)


def _birthday(instance: object, attribute: object, value: date | None) -> None:
    if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
        raise invalid("birthday", value, "must be a date or None")


def _referrer(instance: MemberAccount, attribute: object, value: str | None) -> None:
    if value is None:
        return
    check_text("referrer", value)
    if value == instance.member_id:
        raise invalid("referrer", value, "is the member themself: nobody refers themselves")


@attrs.define(on_setattr=attrs.setters.NO_OP)
class MemberAccount:
    """A member: growth value, tier with its history, points ledger, birthday and referrer.

    Args:
        member_id: The member's id.
        tiers: The programme's tiers, lowest first.
        tier_policy: ``immediate`` or ``hold_until_period_end``.
        ledger_policy: How long the member's points last.
        birthday: For birthday coupons; None when unknown.
        referrer: The member who referred this one; never the member.

    >>> from datetime import UTC, datetime
    >>> account = MemberAccount("u-42", [Tier("member"), Tier("gold", 1000)])
    >>> at = datetime(2026, 11, 11, tzinfo=UTC)
    >>> _ = account.earn_growth(1200, at=at, source="order-1", key="growth:order-1")
    >>> account.tier, account.growth
    ('gold', 1200)
    >>> _ = account.claw_back_growth(300, at=at, source="order-1 refund", key="claw:order-1")
    >>> account.tier, [(c.from_tier, c.to_tier) for c in account.tier_history]
    ('member', [('member', 'gold'), ('gold', 'member')])
    """

    member_id: str = attrs.field(validator=lambda _s, _a, v: check_text("member_id", v))
    tiers: tuple[Tier, ...] = attrs.field(converter=as_tier_ladder)
    tier_policy: TierPolicy = attrs.field(default=TierPolicy.IMMEDIATE, converter=as_tier_policy)
    ledger_policy: LedgerPolicy = attrs.field(factory=LedgerPolicy)
    birthday: date | None = attrs.field(default=None, validator=_birthday)
    referrer: str | None = attrs.field(default=None, validator=_referrer)
    ledger: PointsLedger = attrs.field(init=False)
    growth_entries: list[GrowthEntry] = attrs.field(factory=list, init=False)
    tier_history: list[TierChange] = attrs.field(factory=list, init=False)
    _growth: int = attrs.field(default=0, init=False)
    _tier: str | None = attrs.field(default=None, init=False)
    _by_key: dict[str, GrowthEntry] = attrs.field(factory=dict, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "ledger", PointsLedger(self.member_id, self.ledger_policy))
        start = tier_for_growth(self.tiers, 0)
        self._tier = start.id if start is not None else None

    @classmethod
    def restore(
        cls,
        member_id: str,
        tiers: Sequence[Tier],
        *,
        tier_policy: TierPolicy | str = TierPolicy.IMMEDIATE,
        ledger_policy: LedgerPolicy | None = None,
        birthday: date | None = None,
        referrer: str | None = None,
        growth_entries: Iterable[GrowthEntry] = (),
        tier_history: Iterable[TierChange] = (),
        ledger_entries: Iterable[LedgerEntry] = (),
    ) -> MemberAccount:
        """Rebuild an account from its stored entries (in order), as a storage adapter does.

        The growth value is the sum of *growth_entries*, the tier is where
        *tier_history* leads (the tier of zero growth when it is empty), and
        the ledger is :meth:`~mallcore.membership.ledger.PointsLedger.restore`
        of *ledger_entries*. Their idempotency keys are known again: a move
        under a key already used changes nothing, as before.

        Raises:
            ConfigError: As the constructor; growth entries numbered wrongly,
                with a naive instant, a repeated key or a running total below
                zero; a tier change that is not a :class:`TierChange`; a tier
                the ladder lacks; ledger entries out of order.
        """
        account = cls(
            member_id, tiers, tier_policy, ledger_policy or LedgerPolicy(), birthday, referrer
        )
        ledger = PointsLedger.restore(member_id, ledger_entries, account.ledger_policy)
        object.__setattr__(account, "ledger", ledger)
        growth = 0
        for index, entry in enumerate(growth_entries):
            field = f"growth_entries[{index}]"
            if not isinstance(entry, GrowthEntry) or entry.number != index + 1:
                raise invalid(field, entry, f"must be growth entry {index + 1}")
            aware(entry.at, field=f"{field}.at")
            check_text(f"{field}.key", entry.key)
            if entry.key in account._by_key:
                raise invalid(f"{field}.key", entry.key, "is the key of an earlier entry")
            if isinstance(entry.growth, bool) or not isinstance(entry.growth, int):
                raise invalid(f"{field}.growth", entry.growth, "must be a whole number")
            growth += entry.growth
            if growth < 0:
                raise invalid(f"{field}.growth", entry.growth, "takes the growth value below 0")
            account.growth_entries.append(entry)
            account._by_key[entry.key] = entry
        history = list(tier_history)
        for index, change in enumerate(history):
            if not isinstance(change, TierChange):
                raise invalid(f"tier_history[{index}]", change, "must be a TierChange")
        tier = history[-1].to_tier if history else account._tier
        if tier is not None and tier not in {each.id for each in account.tiers}:
            raise invalid("tier", tier, "is not a tier of the ladder")
        account.tier_history.extend(history)
        account._growth = growth
        account._tier = tier
        return account

    @property
    def version(self) -> int:
        """Incremented by every recorded change (growth, points, tier), for optimistic storage."""
        return len(self.growth_entries) + len(self.ledger.entries) + len(self.tier_history)

    @property
    def growth(self) -> int:
        """The growth value: the sum of the growth entries, never below zero."""
        return self._growth

    @property
    def tier(self) -> str | None:
        """The member's tier id now; None while no tier is reached."""
        return self._tier

    def earn_growth(self, growth: int, *, at: datetime, source: str, key: str) -> GrowthEntry:
        """Add *growth* (from a payment); the tier rises at once if it reaches a higher one.

        Raises:
            ConfigError: Growth below 1, a naive *at*, an empty source, *key*
                reused for another move.
        """
        wanted = check_count("growth", growth, minimum=1, maximum=MAX_POINTS)
        return self._move(wanted, at, source, key)

    def claw_back_growth(self, growth: int, *, at: datetime, source: str, key: str) -> GrowthEntry:
        """Take back *growth* a refund had earned (never below zero); the tier follows the policy.

        Raises:
            ConfigError: As for :meth:`earn_growth`.
        """
        wanted = check_count("growth", growth, minimum=1, maximum=MAX_POINTS)
        return self._move(-wanted, at, source, key, clamp=True)

    def close_period(self, *, at: datetime) -> TierChange | None:
        """End a tier period: a held tier falls to what the growth value reaches.

        Returns the change, or None when the tier stays. Under ``immediate``
        there is nothing held, so nothing changes.
        """
        return self._retier(aware(at, field="at"), "period closed", allow_fall=True)

    def _move(
        self, growth: int, at: datetime, source: str, key: str, *, clamp: bool = False
    ) -> GrowthEntry:
        check_text("key", key)
        seen = self._by_key.get(key)
        if seen is not None:
            if (seen.growth > 0) != (growth > 0) or (not clamp and seen.growth != growth):
                raise invalid("key", key, f"was already used for a growth move of {seen.growth}")
            return seen
        moment = aware(at, field="at")
        check_text("source", source)
        if clamp:
            growth = -min(-growth, self._growth)
        entry = GrowthEntry(len(self.growth_entries) + 1, growth, moment, source, key)
        self.growth_entries.append(entry)
        self._by_key[key] = entry
        self._growth += growth
        fall = self.tier_policy is TierPolicy.IMMEDIATE
        self._retier(moment, source, allow_fall=fall)
        return entry

    def _retier(self, at: datetime, reason: str, *, allow_fall: bool) -> TierChange | None:
        reached = tier_for_growth(self.tiers, self._growth)
        target = reached.id if reached is not None else None
        if target == self._tier:
            return None
        if not allow_fall and self._rank(target) < self._rank(self._tier):
            return None
        change = TierChange(at, self._tier, target, self._growth, reason)
        self._tier = target
        self.tier_history.append(change)
        return change

    def _rank(self, tier_id: str | None) -> int:
        ids: Sequence[str] = [tier.id for tier in self.tiers]
        return -1 if tier_id is None else ids.index(tier_id)
