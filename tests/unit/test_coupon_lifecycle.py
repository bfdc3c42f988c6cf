"""A held coupon moves available → locked → used, or back to available, or expires unused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mallcore.errors import InvalidTransitionError
from mallcore.lifecycle import Lifecycle
from mallcore.promotions import COUPON_MACHINE

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("actions", "state"),
    [
        (["lock", "use"], "used"),
        (["lock", "unlock", "lock", "use"], "used"),
        (["expire"], "expired"),
        (["lock", "unlock", "expire"], "expired"),
    ],
)
def test_a_coupon_follows_its_lifecycle(actions: list[str], state: str) -> None:
    life = Lifecycle(COUPON_MACHINE, "SAVE10")
    for action in actions:
        life.fire(action, at=AT)
    assert (life.state, life.is_final) == (state, True)


@pytest.mark.parametrize(
    ("actions", "refused"),
    [([], "use"), (["lock"], "lock"), (["lock"], "expire"), (["lock", "use"], "unlock")],
)
def test_a_coupon_cannot_be_used_twice_or_unlocked_once_used(
    actions: list[str], refused: str
) -> None:
    life = Lifecycle(COUPON_MACHINE, "SAVE10")
    for action in actions:
        life.fire(action, at=AT)
    with pytest.raises(InvalidTransitionError):
        life.fire(refused, at=AT)
    assert life.version == len(actions)
