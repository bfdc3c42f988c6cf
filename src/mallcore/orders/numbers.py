"""Order numbers: unique, sortable by time, and not guessable.

``YYYYMMDDHHMMSS`` in UTC, then ten characters of Crockford base32 drawn from
:mod:`secrets` (50 random bits): numbers sort by the second they were made
in, and knowing one number tells nothing about the next.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Final

from mallcore.clock import aware

__all__ = ["new_order_number"]

_ALPHABET: Final = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_RANDOM_CHARS: Final = 10


def new_order_number(at: datetime) -> str:
    """A fresh order number for an order placed at *at* (timezone-aware).

    >>> number = new_order_number(datetime(2026, 11, 11, 20, 0, tzinfo=UTC))
    >>> number[:14], len(number)
    ('20261111200000', 24)

    Raises:
        ConfigError: A naive *at*.
    """
    moment = aware(at, field="at").astimezone(UTC)
    bits = secrets.randbits(5 * _RANDOM_CHARS)
    tail = "".join(_ALPHABET[(bits >> (5 * i)) & 31] for i in reversed(range(_RANDOM_CHARS)))
    return moment.strftime("%Y%m%d%H%M%S") + tail
