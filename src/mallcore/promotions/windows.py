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

from mallcore.checks import invalid
from mallcore.clock import aware
from mallcore.promotions.reasons import Reason

__all__ = ["Window"]


@lru_cache(maxsize=256)
def _rule(text: str, start: datetime) -> rrule:
    try:
        parsed = rrulestr(text, dtstart=start)
    except (ValueError, TypeError) as exc:
        raise invalid("recurrence", text, f"is not a valid RRULE ({exc})") from None
    if not isinstance(parsed, rrule):
        raise invalid("recurrence", text, "must be a single RRULE")
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
    >>> friday_nights.closed_reason(datetime(2026, 11, 6, 21, 30, tzinfo=cst)) is None
    True
    >>> friday_nights.closed_reason(datetime(2026, 11, 6, 22, 0, tzinfo=cst))
    <Reason.OUTSIDE_RECURRENCE: 'outside_recurrence'>
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
            reason = f"must be after starts_at={self.starts_at.isoformat()}"
            raise invalid("ends_at", self.ends_at.isoformat(), reason)
        if self.duration is not None and (
            not isinstance(self.duration, timedelta) or self.duration <= timedelta(0)
        ):
            raise invalid("duration", self.duration, "must be a positive timedelta")
        if self.recurrence is not None:
            if not isinstance(self.recurrence, str):
                raise invalid("recurrence", self.recurrence, "must be an RRULE string")
            if self.starts_at is None or self.duration is None:
                raise invalid("recurrence", self.recurrence, "needs starts_at and a duration")
            _rule(self.recurrence, self.starts_at)

    def closed_reason(self, at: datetime) -> Reason | None:
        """None when the window is open at *at*, else why it is closed."""
        if self.starts_at is not None and at < self.starts_at:
            return Reason.NOT_STARTED
        if self.ends_at is not None and at >= self.ends_at:
            return Reason.EXPIRED
        if self.recurrence is not None and self.starts_at is not None and self.duration is not None:
            slot = _rule(self.recurrence, self.starts_at).before(at, inc=True)
            if slot is None or at >= slot + self.duration:
                return Reason.OUTSIDE_RECURRENCE
        return None
