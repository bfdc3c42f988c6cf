"""The Clock port: where mallcore asks for the current time.

Everything that depends on "now" (promotion windows, listing schedules,
reservation expiry, payment timeouts) takes a :class:`Clock`, so tests and
notebooks can fix or advance time instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

import attrs

from mallcore.errors import ConfigError, invalid

__all__ = ["AdvancingClock", "Clock", "FixedClock", "SystemClock", "aware"]


def aware(moment: datetime, *, field: str = "at") -> datetime:
    """Return *moment* if it carries a time zone, else raise :class:`ConfigError`.

    Naive datetimes are refused because "20:00" means different instants in
    Shanghai and Berlin, and promotion windows must not shift silently.
    """
    if not isinstance(moment, datetime):
        raise invalid(field, moment, "must be a datetime with a time zone")
    if moment.tzinfo is None or moment.utcoffset() is None:
        reason = "has no time zone; give an offset such as +08:00"
        raise invalid(field, moment.isoformat(), reason)
    return moment


@runtime_checkable
class Clock(Protocol):
    """Port: tells the current time as a time-zone-aware datetime."""

    def now(self) -> datetime:
        """The current instant, time-zone aware."""
        ...


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        """The current instant in UTC."""
        return datetime.now(UTC)


@attrs.frozen
class FixedClock:
    """A clock stopped at one instant.

    >>> from datetime import datetime, UTC
    >>> FixedClock(datetime(2026, 11, 11, tzinfo=UTC)).now().isoformat()
    '2026-11-11T00:00:00+00:00'
    """

    at: datetime = attrs.field(converter=aware)

    def now(self) -> datetime:
        """The fixed instant."""
        return self.at


@attrs.define
class AdvancingClock:
    """A test clock that only moves when told to (or by *step* on every read).

    >>> from datetime import datetime, timedelta, UTC
    >>> clock = AdvancingClock(datetime(2026, 1, 1, tzinfo=UTC))
    >>> clock.advance(minutes=30).isoformat()
    '2026-01-01T00:30:00+00:00'
    """

    current: datetime = attrs.field(converter=aware)
    step: timedelta = attrs.field(default=timedelta(0))

    @step.validator
    def _forward(self, attribute: attrs.Attribute[timedelta], value: timedelta) -> None:
        if value < timedelta(0):
            msg = f"step={value!r} must not be negative: clocks do not run backwards"
            raise ConfigError(msg)

    def now(self) -> datetime:
        """The current test instant; then move on by *step*."""
        moment = self.current
        self.current = moment + self.step
        return moment

    def advance(self, delta: timedelta | None = None, **parts: float) -> datetime:
        """Move the clock forward by *delta* or by ``timedelta(**parts)``; return the new time."""
        move = delta if delta is not None else timedelta(**parts)
        if move < timedelta(0):
            msg = f"delta={move!r} must not be negative: clocks do not run backwards"
            raise ConfigError(msg)
        self.current = self.current + move
        return self.current
