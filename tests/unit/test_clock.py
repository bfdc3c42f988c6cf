"""The Clock port and its three clocks: system, fixed and advancing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import attrs
import pytest

from mallcore.clock import AdvancingClock, Clock, FixedClock, SystemClock, aware
from mallcore.errors import ConfigError

SHANGHAI = timezone(timedelta(hours=8))
SINGLES_DAY = datetime(2026, 11, 11, 20, 0, tzinfo=SHANGHAI)
NAIVE = datetime(2026, 11, 11, 20, 0)


class NoOffset(tzinfo):
    """A time zone that does not know its offset: as useless as none at all."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


# --------------------------------------------------------------------------- aware()


def test_aware_returns_an_aware_datetime_unchanged() -> None:
    assert aware(SINGLES_DAY) is SINGLES_DAY


@pytest.mark.parametrize("moment", [NAIVE, NAIVE.replace(tzinfo=NoOffset())])
def test_aware_refuses_a_datetime_without_an_offset(moment: datetime) -> None:
    with pytest.raises(ConfigError) as info:
        aware(moment, field="starts_at")
    message = str(info.value)
    assert message.startswith("starts_at='2026-11-11T20:00:00'")
    assert "no time zone" in message


# --------------------------------------------------------------------------- FixedClock


def test_fixed_clock_always_tells_the_same_instant() -> None:
    clock = FixedClock(SINGLES_DAY)
    assert clock.now() == SINGLES_DAY
    assert clock.now() == SINGLES_DAY
    assert clock.now().utcoffset() == timedelta(hours=8)


def test_fixed_clock_refuses_a_naive_datetime() -> None:
    with pytest.raises(ConfigError, match="no time zone"):
        FixedClock(NAIVE)


def test_fixed_clock_is_a_frozen_value() -> None:
    clock = FixedClock(SINGLES_DAY)
    assert clock == FixedClock(SINGLES_DAY)
    # The same instant written in UTC is the same clock.
    assert clock == FixedClock(datetime(2026, 11, 11, 12, 0, tzinfo=UTC))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        clock.at = SINGLES_DAY + timedelta(days=1)  # type: ignore[misc]


# --------------------------------------------------------------------------- AdvancingClock


def test_advancing_clock_stands_still_until_told() -> None:
    clock = AdvancingClock(SINGLES_DAY)
    assert clock.now() == SINGLES_DAY
    assert clock.now() == SINGLES_DAY


def test_advance_by_a_timedelta_returns_the_new_time() -> None:
    clock = AdvancingClock(SINGLES_DAY)
    assert clock.advance(timedelta(minutes=30)) == SINGLES_DAY + timedelta(minutes=30)
    assert clock.now() == SINGLES_DAY + timedelta(minutes=30)


def test_advance_by_keyword_parts_adds_them_up() -> None:
    clock = AdvancingClock(SINGLES_DAY)
    clock.advance(hours=1, minutes=15)
    clock.advance(seconds=30)
    assert clock.now() == SINGLES_DAY + timedelta(hours=1, minutes=15, seconds=30)


def test_advance_by_nothing_is_allowed() -> None:
    clock = AdvancingClock(SINGLES_DAY)
    assert clock.advance() == SINGLES_DAY
    assert clock.advance(timedelta(0)) == SINGLES_DAY


def test_each_read_moves_the_clock_by_its_step() -> None:
    clock = AdvancingClock(SINGLES_DAY, step=timedelta(seconds=5))
    # now() tells the current instant, then moves on: 0 s, 5 s, 10 s.
    reads = [clock.now() for _ in range(3)]
    assert reads == [SINGLES_DAY + timedelta(seconds=s) for s in (0, 5, 10)]
    assert clock.advance(minutes=1) == SINGLES_DAY + timedelta(seconds=15, minutes=1)


@pytest.mark.parametrize(
    "move",
    [
        lambda clock: clock.advance(timedelta(seconds=-1)),
        lambda clock: clock.advance(timedelta(days=-1)),
        lambda clock: clock.advance(minutes=-5),
    ],
    ids=["timedelta", "days", "minutes"],
)
def test_advance_refuses_to_run_backwards(move: Callable[[AdvancingClock], datetime]) -> None:
    clock = AdvancingClock(SINGLES_DAY)
    with pytest.raises(ConfigError, match="must not be negative"):
        move(clock)
    assert clock.now() == SINGLES_DAY


def test_advancing_clock_refuses_a_naive_datetime() -> None:
    with pytest.raises(ConfigError, match="no time zone"):
        AdvancingClock(NAIVE)


def test_advancing_clock_refuses_a_naive_datetime_set_later() -> None:
    clock = AdvancingClock(SINGLES_DAY)
    with pytest.raises(ConfigError, match="no time zone"):
        clock.current = NAIVE
    assert clock.now() == SINGLES_DAY


# --------------------------------------------------------------------------- SystemClock


def test_system_clock_tells_aware_utc_now() -> None:
    before = datetime.now(UTC)
    moment = SystemClock().now()
    after = datetime.now(UTC)
    assert moment.tzinfo is not None
    assert moment.utcoffset() == timedelta(0)
    assert before <= moment <= after


# --------------------------------------------------------------------------- the port


@pytest.mark.parametrize(
    "clock",
    [SystemClock(), FixedClock(SINGLES_DAY), AdvancingClock(SINGLES_DAY)],
    ids=["system", "fixed", "advancing"],
)
def test_every_clock_satisfies_the_clock_protocol(clock: Clock) -> None:
    assert isinstance(clock, Clock)
    now = clock.now()
    assert now.tzinfo is not None
    assert now.utcoffset() is not None


def test_an_object_without_now_is_not_a_clock() -> None:
    class Sundial:
        def shadow(self) -> datetime:
            return SINGLES_DAY

    assert not isinstance(Sundial(), Clock)


def test_an_advancing_clock_refuses_a_negative_step() -> None:
    from datetime import UTC, datetime, timedelta

    import pytest

    from mallcore.clock import AdvancingClock
    from mallcore.errors import ConfigError

    with pytest.raises(ConfigError, match="step"):
        AdvancingClock(datetime(2026, 1, 1, tzinfo=UTC), step=timedelta(seconds=-1))
