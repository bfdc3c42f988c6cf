"""Time windows: when a promotion runs, optionally recurring (every Friday 20:00-22:00).

Promotions are active on ``[starts_at, ends_at)``. A recurrence (an RFC 5545
``RRULE`` read by python-dateutil) with a duration narrows that to the
recurring slots: ``FREQ=WEEKLY;BYDAY=FR;BYHOUR=20;BYMINUTE=0;BYSECOND=0`` for
120 minutes is "every Friday 20:00-22:00".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

import attrs
from dateutil.rrule import rrule, rrulestr

from mallcore.clock import aware
from mallcore.errors import ConfigError

__all__ = ["Window", "WindowState"]


class WindowState:
    """Why a window is closed at an instant, or ``ACTIVE``."""

    ACTIVE = "active"
    NOT_STARTED = "not_started"
    EXPIRED = "expired"
    OUTSIDE_RECURRENCE = "outside_recurrence"


@lru_cache(maxsize=256)
def _rule(text: str, start: datetime) -> rrule:
    try:
        parsed = rrulestr(text, dtstart=start)
    except (ValueError, TypeError) as exc:
        msg = f"recurrence={text!r} is not a valid RRULE ({exc})"
        raise ConfigError(msg) from None
    if not isinstance(parsed, rrule):
        msg = f"recurrence={text!r} must be a single RRULE"
        raise ConfigError(msg)
    return parsed


@attrs.frozen
class Window:
    """A half-open time window ``[starts_at, ends_at)`` with an optional recurrence.

    >>> from datetime import datetime, timezone, timedelta
    >>> cst = timezone(timedelta(hours=8))
    >>> friday_nights = Window(
    ...     starts_at=datetime(2026, 11, 1, tzinfo=cst),
    ...     recurrence="FREQ=WEEKLY;BYDAY=FR;BYHOUR=20;BYMINUTE=0;BYSECOND=0",
    ...     duration=timedelta(hours=2),
    ... )
    >>> friday_nights.state(datetime(2026, 11, 6, 21, 30, tzinfo=cst))
    'active'
    >>> friday_nights.state(datetime(2026, 11, 6, 22, 0, tzinfo=cst))
    'outside_recurrence'
    """

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    recurrence: str | None = None
    duration: timedelta | None = None

    def __attrs_post_init__(self) -> None:
        if self.starts_at is not None:
            aware(self.starts_at, field="starts_at")
        if self.ends_at is not None:
            aware(self.ends_at, field="ends_at")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            msg = (
                f"ends_at={self.ends_at.isoformat()} must be after "
                f"starts_at={self.starts_at.isoformat()}"
            )
            raise ConfigError(msg)
        if self.recurrence is not None:
            if self.starts_at is None or self.duration is None or self.duration <= timedelta(0):
                msg = "a recurrence needs starts_at and a positive duration"
                raise ConfigError(msg)
            _rule(self.recurrence, self.starts_at)

    def state(self, at: datetime) -> str:
        """Return :attr:`WindowState.ACTIVE` or the reason the window is closed at *at*."""
        if self.starts_at is not None and at < self.starts_at:
            return WindowState.NOT_STARTED
        if self.ends_at is not None and at >= self.ends_at:
            return WindowState.EXPIRED
        if self.recurrence is not None and self.starts_at is not None and self.duration is not None:
            slot = _rule(self.recurrence, self.starts_at).before(at, inc=True)
            if slot is None or at >= slot + self.duration:
                return WindowState.OUTSIDE_RECURRENCE
        return WindowState.ACTIVE
