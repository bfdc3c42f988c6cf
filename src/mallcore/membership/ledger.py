"""The points ledger: an append-only list of entries, lots that expire, a balance that is their sum.

A member's points live in a :class:`PointsLedger`. Every change is a
:class:`LedgerEntry` (earn, redeem, expire, clawback, return, adjust) with its
source and an idempotency key: the same key again returns the first entry and
changes nothing. Points that come in form *lots*, each with the instant it
expires; points that go out are taken from the lots that expire first. The
balance is the sum of the entries' points, kept as a running total so that
reading it costs nothing.

- A redemption never makes the balance negative
  (:exc:`~mallcore.errors.InsufficientPointsError`); lots due to expire at the
  redemption's instant are expired first, so expired points are never spent.
- A clawback (a refund of an order whose earned points were already spent)
  may: the negative balance is debt, which blocks redemptions and which the
  next points coming in pay off before they form a lot.
- Expiry (:meth:`PointsLedger.expire_due`, run by the caller's clock) expires
  what is left of each due lot, never points already spent.
- Entries are in time order: one dated before the last entry is refused.
"""

from __future__ import annotations

import enum
import heapq
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

import attrs
from dateutil.relativedelta import relativedelta

from mallcore.checks import check_choice, check_count, check_text, invalid
from mallcore.clock import aware
from mallcore.errors import InsufficientPointsError

__all__ = [
    "EntryKind",
    "Expiry",
    "LedgerEntry",
    "LedgerPolicy",
    "LedgerStatement",
    "PointsLedger",
]

#: The most points one entry may move (the limit of the quote's points too).
_MAX_POINTS = 10**12


class EntryKind(enum.StrEnum):
    """What a ledger entry did to the balance."""

    EARN = "earn"
    REDEEM = "redeem"
    EXPIRE = "expire"
    CLAWBACK = "clawback"
    RETURN = "return"
    ADJUST = "adjust"


class Expiry(enum.StrEnum):
    """When earned points expire: a number of months after they were earned, or at year end."""

    MONTHS = "months"
    END_OF_FOLLOWING_YEAR = "end_of_following_year"


def _expiry(value: object) -> Expiry:
    return check_choice("expiry", value, Expiry)


@attrs.frozen
class LedgerPolicy:
    """How long points last.

    Attributes:
        expiry: ``months`` (points expire *months* after they came in) or
            ``end_of_following_year`` (points earned in 2026 expire when 2028
            begins, in the time zone of the instant they were earned).
        months: For ``months``: how many (default 12).
    """

    expiry: Expiry = attrs.field(default=Expiry.MONTHS, converter=_expiry)
    months: int = attrs.field(default=12)

    def __attrs_post_init__(self) -> None:
        check_count("months", self.months, minimum=1, maximum=1200)

    def expires_at(self, earned_at: datetime) -> datetime:
        """The instant points that came in at *earned_at* stop being usable."""
        if self.expiry is Expiry.MONTHS:
            return earned_at + relativedelta(months=self.months)
        return earned_at.replace(
            year=earned_at.year + 2, month=1, day=1, hour=0, minute=0, second=0, microsecond=0
        )


class LedgerEntry(NamedTuple):
    """One change of a member's points.

    Attributes:
        number: The entry's place in the ledger, from 1.
        kind: What it did.
        points: The change of the balance: positive for earn and return,
            negative for redeem, expire and clawback, either for adjust.
        at: When it happened.
        source: Why, in the shop's words (an order number, ``"review"``).
        key: Its idempotency key.
        lots: ``(lot, points)`` pairs: the lots it filled (positive) or took
            from (negative); a lot is numbered by the entry that opened it.
        expires_at: For an entry that opened a lot: when that lot expires.
        redemption_key: For a return into a redemption's lots: that redemption's key.
    """

    number: int
    kind: EntryKind
    points: int
    at: datetime
    source: str
    key: str
    lots: tuple[tuple[int, int], ...]
    expires_at: datetime | None
    redemption_key: str | None = None


class LedgerStatement(NamedTuple):
    """A member's points over ``[start, end)``: opening, the moves by kind, closing."""

    start: datetime
    end: datetime
    opening: int
    moves: dict[EntryKind, int]
    closing: int


def _points(field: str, value: object) -> int:
    return check_count(field, value, minimum=1, maximum=_MAX_POINTS)


@attrs.define(on_setattr=attrs.setters.NO_OP)
class PointsLedger:
    """One member's points: entries, lots and the balance.

    Change it only through its methods; each is all or nothing and
    idempotent by its *key*.

    >>> from datetime import UTC, datetime
    >>> ledger = PointsLedger("u-42")
    >>> jan, jun = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    >>> _ = ledger.earn(300, at=jan, source="order-1", key="earn:order-1")
    >>> _ = ledger.earn(200, at=jun, source="order-2", key="earn:order-2")
    >>> ledger.redeem(350, at=jun, source="order-3", key="redeem:order-3").lots
    ((1, -300), (2, -50))
    >>> ledger.balance, [e.points for e in ledger.expire_due(datetime(2027, 6, 1, tzinfo=UTC))]
    (150, [-150])
    """

    member_id: str = attrs.field(validator=lambda _s, _a, v: check_text("member_id", v))
    policy: LedgerPolicy = attrs.field(factory=LedgerPolicy)
    entries: list[LedgerEntry] = attrs.field(factory=list, init=False)
    _balance: int = attrs.field(default=0, init=False)
    _left: dict[int, int] = attrs.field(factory=dict, init=False, repr=False)
    _expiry: dict[int, datetime] = attrs.field(factory=dict, init=False, repr=False)
    _queue: list[tuple[datetime, int]] = attrs.field(factory=list, init=False, repr=False)
    _by_key: dict[str, LedgerEntry] = attrs.field(factory=dict, init=False, repr=False)
    _returned: dict[str, int] = attrs.field(factory=dict, init=False, repr=False)

    # ------------------------------------------------------------------ reading

    @property
    def balance(self) -> int:
        """The sum of every entry's points; negative while a clawback's debt is unpaid."""
        return self._balance

    @property
    def debt(self) -> int:
        """Points owed after a clawback (0 when the balance is not negative)."""
        return max(-self._balance, 0)

    def lots(self) -> list[tuple[int, int, datetime]]:
        """``(lot, points left, expires at)`` of each open lot, earliest expiry first."""
        open_lots = [(n, left, self._expiry[n]) for n, left in self._left.items() if left]
        return sorted(open_lots, key=lambda lot: (lot[2], lot[0]))

    def entry_for(self, key: str) -> LedgerEntry | None:
        """The entry recorded under idempotency *key*, if any."""
        return self._by_key.get(key)

    def statement(self, start: datetime, end: datetime) -> LedgerStatement:
        """The opening balance at *start*, each kind's total in ``[start, end)``, the closing one.

        Raises:
            ConfigError: A naive instant, or *end* not after *start*.
        """
        begin, finish = aware(start, field="start"), aware(end, field="end")
        if finish <= begin:
            raise invalid("end", finish.isoformat(), f"must be after start={begin.isoformat()}")
        opening = sum(e.points for e in self.entries if e.at < begin)
        moves = dict.fromkeys(EntryKind, 0)
        for entry in self.entries:
            if begin <= entry.at < finish:
                moves[entry.kind] += entry.points
        return LedgerStatement(begin, finish, opening, moves, opening + sum(moves.values()))

    # ------------------------------------------------------------------ points in

    def earn(
        self,
        points: int,
        *,
        at: datetime,
        source: str,
        key: str,
        expires_at: datetime | None = None,
    ) -> LedgerEntry:
        """Add earned *points* as a new lot (expiring by the policy unless *expires_at* says).

        Debt is paid off first; only what is left forms the lot.

        Raises:
            ConfigError: Points below 1, a naive or backdated *at*, an
                *expires_at* not after *at*, or *key* used for another entry.
        """
        return self._credit(EntryKind.EARN, points, at, source, key, expires_at)

    def adjust(self, points: int, *, at: datetime, source: str, key: str) -> LedgerEntry:
        """An operator's correction: positive points form a lot, negative ones are taken.

        Raises:
            InsufficientPointsError: A negative adjustment above the balance.
            ConfigError: Zero points, a naive or backdated *at*, a reused *key*.
        """
        if isinstance(points, int) and not isinstance(points, bool) and points < 0:
            return self._debit(EntryKind.ADJUST, -points, at, source, key, may_owe=False)
        return self._credit(EntryKind.ADJUST, points, at, source, key, None)

    def return_points(
        self,
        points: int,
        *,
        at: datetime,
        source: str,
        key: str,
        redemption_key: str | None = None,
    ) -> LedgerEntry:
        """Give back redeemed *points* (a cancelled or refunded order's).

        With *redemption_key* the points go back to the lots that redemption
        took them from, last taken first, with the expiry they had (a lot whose
        expiry has passed expires them at the next run); at most what the
        redemption took, less what was returned of it before. Without it they
        form a new lot expiring by the policy. Debt is paid off first.

        Raises:
            ConfigError: Points below 1, more than the redemption has left to
                return, an unknown *redemption_key*, a naive or backdated
                *at*, a reused *key*.
        """
        seen = self._seen(key, EntryKind.RETURN, _points("points", points))
        if seen is not None:
            return seen
        if redemption_key is None:
            return self._credit(EntryKind.RETURN, points, at, source, key, None)
        redemption = self._by_key.get(redemption_key)
        if redemption is None or redemption.kind is not EntryKind.REDEEM:
            raise invalid("redemption_key", redemption_key, "is not the key of a redemption")
        wanted = _points("points", points)
        left = -redemption.points - self._returned.get(redemption_key, 0)
        if wanted > left:
            reason = f"is more than the {left} point(s) left to return of {redemption_key!r}"
            raise invalid("points", wanted, reason)
        targets: list[tuple[int, int]] = []
        still = wanted
        for lot, taken in reversed(redemption.lots):
            back = min(-taken, still)
            if back:
                targets.append((lot, back))
                still -= back
        return self._credit(
            EntryKind.RETURN, wanted, at, source, key, None, into=targets, of=redemption_key
        )

    # ------------------------------------------------------------------ points out

    def redeem(self, points: int, *, at: datetime, source: str, key: str) -> LedgerEntry:
        """Spend *points*, from the lots that expire first; lots due at *at* expire first.

        Raises:
            InsufficientPointsError: More points than the balance (or any
                points while there is debt); nothing changes.
            ConfigError: Points below 1, a naive or backdated *at*, a reused *key*.
        """
        seen = self._seen(key, EntryKind.REDEEM, -_points("points", points))
        if seen is not None:
            return seen
        self._check_at(aware(at, field="at"))
        self.expire_due(at)
        return self._debit(EntryKind.REDEEM, points, at, source, key, may_owe=False)

    def clawback(self, points: int, *, at: datetime, source: str, key: str) -> LedgerEntry:
        """Take back *points* a refunded order had earned; what is not there becomes debt.

        Raises:
            ConfigError: Points below 1, a naive or backdated *at*, a reused *key*.
        """
        return self._debit(EntryKind.CLAWBACK, points, at, source, key, may_owe=True)

    def expire_due(self, now: datetime) -> list[LedgerEntry]:
        """Expire what is left of every lot due at or before *now*, earliest first.

        One ``expire`` entry per lot (key ``expire:<lot>:<entry number>``: a
        lot that points were returned to after it expired expires again);
        points already spent are not touched. Running it again at the same instant does nothing.
        """
        moment = aware(now, field="now")
        done: list[LedgerEntry] = []
        queue = self._queue
        while queue and queue[0][0] <= moment:
            expires, lot = heapq.heappop(queue)
            left = self._left[lot]
            at = max(expires, self.entries[-1].at) if self.entries else expires
            key = f"expire:{lot}:{len(self.entries) + 1}"
            entry = self._append(EntryKind.EXPIRE, -left, at, "expiry", key, ((lot, -left),), None)
            done.append(entry)
        return done

    # ------------------------------------------------------------------ internals

    def _seen(self, key: str, kind: EntryKind, points: int) -> LedgerEntry | None:
        """The entry already recorded under *key* for this move (*points* signed), if any."""
        check_text("key", key)
        seen = self._by_key.get(key)
        if seen is None:
            return None
        if seen.kind is not kind or seen.points != points:
            reason = f"was already used for {seen.kind} of {seen.points} point(s)"
            raise invalid("key", key, reason)
        return seen

    def _check_at(self, moment: datetime) -> None:
        if self.entries and moment < self.entries[-1].at:
            reason = f"is before the ledger's last entry ({self.entries[-1].at.isoformat()})"
            raise invalid("at", moment.isoformat(), reason)

    def _credit(
        self,
        kind: EntryKind,
        points: object,
        at: datetime,
        source: str,
        key: str,
        expires_at: datetime | None,
        *,
        into: Iterable[tuple[int, int]] = (),
        of: str | None = None,
    ) -> LedgerEntry:
        wanted = _points("points", points)
        seen = self._seen(key, kind, wanted)
        if seen is not None:
            return seen
        moment = aware(at, field="at")
        self._check_at(moment)
        check_text("source", source)
        number = len(self.entries) + 1
        targets = list(into)
        expiry: datetime | None = None  # set when the entry opens a lot of its own
        if not targets:
            chosen = self.policy.expires_at(moment) if expires_at is None else expires_at
            expiry = aware(chosen, field="expires_at")
            if expiry <= moment:
                raise invalid("expires_at", expiry.isoformat(), "must be after at")
            targets = [(number, wanted)]
        owed = self.debt
        lots: list[tuple[int, int]] = []
        for lot, amount in targets:
            pays = min(owed, amount)
            owed -= pays
            if amount - pays:
                lots.append((lot, amount - pays))
        entry = LedgerEntry(number, kind, wanted, moment, source, key, tuple(lots), expiry, of)
        self._record(entry)
        return entry

    def _debit(
        self, kind: EntryKind, points: object, at: datetime, source: str, key: str, *, may_owe: bool
    ) -> LedgerEntry:
        wanted = _points("points", points)
        seen = self._seen(key, kind, -wanted)
        if seen is not None:
            return seen
        moment = aware(at, field="at")
        self._check_at(moment)
        check_text("source", source)
        if not may_owe and wanted > self._balance:
            raise InsufficientPointsError(self.member_id, wanted, self._balance)
        taken: list[tuple[int, int]] = []
        still = wanted
        queue = self._queue
        while still and queue:
            lot = queue[0][1]
            left = self._left[lot]
            take = min(left, still)
            taken.append((lot, -take))
            still -= take
            self._left[lot] = left - take  # nothing below can fail: the checks are done
            if take == left:
                heapq.heappop(queue)
        return self._append(kind, -wanted, moment, source, key, tuple(taken), None, moved=True)

    def _append(
        self,
        kind: EntryKind,
        points: int,
        at: datetime,
        source: str,
        key: str,
        lots: tuple[tuple[int, int], ...],
        expires_at: datetime | None,
        *,
        moved: bool = False,
    ) -> LedgerEntry:
        entry = LedgerEntry(len(self.entries) + 1, kind, points, at, source, key, lots, expires_at)
        self._record(entry, moved=moved)
        return entry

    def _record(self, entry: LedgerEntry, *, moved: bool = False) -> None:
        """Keep *entry* and apply it to the balance, the lots and the keys.

        *moved*: its lot moves were applied already (a debit takes from the
        lots as it walks them).
        """
        self.entries.append(entry)
        self._by_key[entry.key] = entry
        self._balance += entry.points
        if entry.expires_at is not None:
            self._expiry[entry.number] = entry.expires_at
        if entry.redemption_key is not None:
            self._returned[entry.redemption_key] = (
                self._returned.get(entry.redemption_key, 0) + entry.points
            )
        if moved:
            return
        for lot, amount in entry.lots:
            before = self._left.get(lot, 0)
            self._left[lot] = before + amount
            if not before and before + amount:  # queued exactly while it has points left
                heapq.heappush(self._queue, (self._expiry[lot], lot))

    @classmethod
    def restore(
        cls, member_id: str, entries: Iterable[LedgerEntry], policy: LedgerPolicy | None = None
    ) -> PointsLedger:
        """Rebuild a ledger from its stored *entries* (in order), as a storage adapter does.

        Raises:
            ConfigError: Entries out of order or numbered wrongly.
        """
        ledger = cls(member_id, policy or LedgerPolicy())
        for index, entry in enumerate(entries, start=1):
            if not isinstance(entry, LedgerEntry) or entry.number != index:
                raise invalid(f"entries[{index - 1}]", entry, f"must be ledger entry {index}")
            ledger._check_at(entry.at)
            ledger._record(entry)
        ledger._queue = [(ledger._expiry[n], n) for n, left in ledger._left.items() if left]
        heapq.heapify(ledger._queue)
        return ledger
