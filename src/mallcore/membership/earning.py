"""Points for things other than purchases: registration, reviews, shares, daily sign-in.

:class:`EarningRules` says how many points each earns; :class:`SignInRule`
adds a streak bonus table (a bonus on the Nth day in a row) and what a missed
day does: ``reset`` starts the streak again at day 1, ``keep`` lets the
streak go on from where it was (the missed day just does not count). After
the longest day in the table the cycle starts again at day 1.

:func:`sign_in_day` is the pure rule; :meth:`SignInStreak.sign_in` applies it
to a member's ledger, once per calendar day.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType

import attrs

from mallcore.checks import MAX_POINTS, check_choice, check_count, invalid
from mallcore.membership.ledger import LedgerEntry, PointsLedger

__all__ = ["EarningRules", "MissedDay", "SignInRule", "SignInStreak", "sign_in_day"]


class MissedDay(enum.StrEnum):
    """What a day without a sign-in does to the streak."""

    RESET = "reset"
    KEEP = "keep"


def _bonus(value: object) -> Mapping[int, int]:
    if not isinstance(value, Mapping):
        raise invalid("streak_bonus", value, "must map a streak day to its bonus points")
    table: dict[int, int] = {}
    for day, points in value.items():
        check_count("streak_bonus day", day, minimum=1, maximum=366)
        table[day] = check_count(f"streak_bonus[{day}]", points, minimum=0, maximum=MAX_POINTS)
    return MappingProxyType(dict(sorted(table.items())))


def _missed(value: object) -> MissedDay:
    return check_choice("missed", value, MissedDay)


@attrs.frozen
class SignInRule:
    """Daily sign-in: *base* points a day, plus *streak_bonus* on the Nth day in a row.

    >>> rule = SignInRule(5, {3: 10, 7: 30})
    >>> [sign_in_day(rule, previous, gap) for previous, gap in ((0, 1), (2, 1), (7, 1), (4, 3))]
    [(1, 5), (3, 15), (1, 5), (1, 5)]
    """

    base: int = 5
    streak_bonus: Mapping[int, int] = attrs.field(factory=dict, converter=_bonus, hash=False)
    missed: MissedDay = attrs.field(default=MissedDay.RESET, converter=_missed)

    def __attrs_post_init__(self) -> None:
        check_count("base", self.base, minimum=0, maximum=MAX_POINTS)

    @property
    def cycle(self) -> int:
        """The streak day after which the cycle starts again (the table's longest), or 0."""
        return max(self.streak_bonus, default=0)


def sign_in_day(rule: SignInRule, previous_day: int, days_since: int) -> tuple[int, int]:
    """The streak day of a sign-in and its points.

    Args:
        rule: The sign-in rule.
        previous_day: The streak day of the last sign-in (0 for none).
        days_since: Calendar days since that sign-in (1 = yesterday).

    Returns:
        ``(streak day, points)``.
    """
    if previous_day == 0 or (days_since > 1 and rule.missed is MissedDay.RESET):
        day = 1
    else:
        day = previous_day + 1
        if rule.cycle and day > rule.cycle:
            day = 1
    return day, rule.base + rule.streak_bonus.get(day, 0)


@attrs.frozen
class EarningRules:
    """Points for registering, writing a review, sharing, and signing in."""

    registration: int = 0
    review: int = 0
    share: int = 0
    sign_in: SignInRule | None = None

    def __attrs_post_init__(self) -> None:
        for field in ("registration", "review", "share"):
            check_count(field, getattr(self, field), minimum=0, maximum=MAX_POINTS)
        if self.sign_in is not None and not isinstance(self.sign_in, SignInRule):
            raise invalid("sign_in", self.sign_in, "must be a SignInRule or None")

    def award(
        self, ledger: PointsLedger, reason: str, *, at: datetime, key: str
    ) -> LedgerEntry | None:
        """Credit the points *reason* (``registration``, ``review``, ``share``) earns; None if 0.

        Raises:
            ConfigError: An unknown reason, or the ledger's own refusals.
        """
        if reason not in ("registration", "review", "share"):
            raise invalid("reason", reason, "must be registration, review or share")
        points: int = getattr(self, reason)
        if not points:
            return None
        return ledger.earn(points, at=at, source=reason, key=key)


@attrs.define
class SignInStreak:
    """A member's sign-in streak: the last day signed in and its streak day."""

    last_day: date | None = None
    streak_day: int = 0

    def sign_in(
        self, ledger: PointsLedger, rule: SignInRule, *, day: date, at: datetime
    ) -> LedgerEntry:
        """Sign in on calendar *day*: credit the day's points once (key ``sign_in:<day>``).

        Raises:
            ConfigError: A day before the last sign-in.
        """
        key = f"sign_in:{day.isoformat()}"
        seen = ledger.entry_for(key)
        if seen is not None:
            return seen
        if self.last_day is not None and day <= self.last_day:
            raise invalid(
                "day", day.isoformat(), f"is not after the last sign-in ({self.last_day})"
            )
        since = (day - self.last_day).days if self.last_day is not None else 0
        streak_day, points = sign_in_day(rule, self.streak_day, since)
        entry = ledger.earn(points, at=at, source=f"sign-in day {streak_day}", key=key)
        self.last_day, self.streak_day = day, streak_day
        return entry
