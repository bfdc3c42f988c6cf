"""Reading JSON documents back into domain objects, with errors that name the field's path.

The readers the order and account codecs share: each takes the parent dict,
the parent's path (``""`` at the top) and the key, and raises
:class:`~mallcore.errors.ConfigError` naming the full path
(``after_sales[1].lifecycle.state``) when the value is missing or of the
wrong kind. Instants are written as ISO-8601 strings in UTC.

>>> text({"order": {"number": ""}}["order"], "order", "number")
Traceback (most recent call last):
...
mallcore.errors.ConfigError: order.number='' must be a non-empty string
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from mallcore.checks import invalid

__all__ = [
    "field",
    "flag",
    "instant",
    "items",
    "mapping",
    "moment",
    "optional_moment",
    "optional_text",
    "path",
    "text",
    "whole",
]


def instant(moment: datetime) -> str:
    """*moment* (timezone-aware) as an ISO-8601 string in UTC."""
    return moment.astimezone(UTC).isoformat()


def path(where: str, key: str | int) -> str:
    """The path of *key* under *where*: ``a.b``, ``a[3]``, or ``b`` at the top."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def mapping(name: str, value: object) -> Mapping[str, Any]:
    """*value* if it is a dict, else a ConfigError naming *name*."""
    if not isinstance(value, Mapping):
        raise invalid(name, value, "must be a dict")
    return value


def field(data: Mapping[str, Any], where: str, key: str) -> Any:
    """``data[key]``, or a ConfigError saying it is missing."""
    if key not in data:
        raise invalid(path(where, key), None, "is missing")
    return data[key]


def text(data: Mapping[str, Any], where: str, key: str, *, empty: bool = False) -> str:
    """A string (non-empty unless *empty*)."""
    value = field(data, where, key)
    if not isinstance(value, str) or not (empty or value.strip()):
        reason = "must be a string" if empty else "must be a non-empty string"
        raise invalid(path(where, key), value, reason)
    return value


def optional_text(data: Mapping[str, Any], where: str, key: str) -> str | None:
    """A non-empty string or null."""
    return None if field(data, where, key) is None else text(data, where, key)


def whole(data: Mapping[str, Any], where: str, key: str, *, minimum: int | None = 0) -> int:
    """An int (not a bool), at least *minimum* unless that is None."""
    value = field(data, where, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(path(where, key), value, "must be a whole number")
    if minimum is not None and value < minimum:
        raise invalid(path(where, key), value, f"must be at least {minimum}")
    return value


def flag(data: Mapping[str, Any], where: str, key: str) -> bool:
    """``true`` or ``false``."""
    value = field(data, where, key)
    if not isinstance(value, bool):
        raise invalid(path(where, key), value, "must be true or false")
    return value


def items(data: Mapping[str, Any], where: str, key: str) -> list[Any]:
    """A list."""
    value = field(data, where, key)
    if not isinstance(value, list | tuple):
        raise invalid(path(where, key), value, "must be a list")
    return list(value)


def moment(data: Mapping[str, Any], where: str, key: str) -> datetime:
    """An ISO-8601 instant with an offset, as an aware datetime in UTC."""
    value = field(data, where, key)
    name = path(where, key)
    if not isinstance(value, str):
        raise invalid(name, value, "must be an ISO-8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise invalid(name, value, "is not an ISO-8601 date and time") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise invalid(name, value, "has no time zone; write it in UTC (+00:00)")
    return parsed.astimezone(UTC)


def optional_moment(data: Mapping[str, Any], where: str, key: str) -> datetime | None:
    """An instant or null."""
    return None if field(data, where, key) is None else moment(data, where, key)
