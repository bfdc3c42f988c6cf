"""Shared building blocks of the rule files (pydantic): exact numbers, scopes, error paths.

A rule file is checked in two steps, and every problem of both is reported
with its JSON path:

1. its *shape* by the pydantic specs: known keys, the right types, exact
   numbers (no floats), time zones on datetimes;
2. its *values* by the domain objects the specs ``build()``, with the same
   checks as when those objects are built in Python (one validation, two
   doors): a negative price, 满10减50, a percentage above 100, an unknown
   region. :class:`Problems` collects what the constructors refuse, under
   the path of the value that caused it.

The domain packages only ever see the frozen attrs objects the specs build.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Strict, TypeAdapter, ValidationError

from mallcore.checks import shown
from mallcore.errors import MallcoreError, RulesValidationError

T = TypeVar("T")
S = TypeVar("S")

__all__ = [
    "Amount",
    "AwareDatetime",
    "Count",
    "Percent",
    "Problems",
    "Spec",
    "config_error",
    "error_lines",
    "join_path",
    "validate_each",
]


def _no_float(value: Any) -> Any:
    # A float cannot hold most prices exactly (0.1 + 0.2): make authors write "0.10".
    if isinstance(value, float):
        msg = f'{value!r} is a float; write amounts as strings such as "{value}"'
        raise ValueError(msg)
    return value


#: An exact amount in major units, written as a string or an int (its range is the
#: domain's to check).
Amount = Annotated[Decimal, BeforeValidator(_no_float)]
#: A percentage in percent units (``20`` is 20 %), written as a string or a number.
Percent = Annotated[Decimal, BeforeValidator(_no_float)]
#: A whole number written as a JSON integer (not ``"5"``, not ``5.0``, not ``true``).
Count = Annotated[int, Strict()]


def _aware(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        msg = "datetime has no time zone; add an offset such as +08:00"
        raise ValueError(msg)
    if (
        isinstance(value, str)
        and "T" in value
        and not (value.endswith("Z") or "+" in value[10:] or "-" in value[10:])
    ):
        msg = f"{value!r} has no time zone; add an offset such as +08:00"
        raise ValueError(msg)
    return value


#: A datetime with a time zone offset.
AwareDatetime = Annotated[datetime, BeforeValidator(_aware)]


class Spec(BaseModel):
    """Base of every spec: immutable, unknown keys refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def _drop_tags(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop what pydantic adds to a location but the file does not have.

    A discriminated union adds the tag (``[0].threshold_off.tiers``) right after
    the list index, and a validator of an Annotated type adds its own name
    (``function-before[...]``).
    """
    kept: list[int | str] = []
    for position, part in enumerate(loc):
        if isinstance(part, str):
            if "[" in part:
                continue
            if position and isinstance(loc[position - 1], int) and part in _UNION_TAGS:
                continue
        kept.append(part)
    return tuple(kept)


#: The ``kind`` tags of the discriminated unions in the rule files.
_UNION_TAGS: frozenset[str] = frozenset(
    {
        "time_limited", "flash_sale", "group_price", "threshold_off", "every_off",
        "threshold_percent", "percent_off", "nth_item", "bundle_price", "buy_x_get_y",
        "gift", "free_shipping",
    }
)  # fmt: skip


def error_lines(exc: ValidationError, prefix: str = "", *, tagged: bool = False) -> list[str]:
    """One line per problem: ``path: message (got value)``.

    *prefix* is the JSON path of what was validated; *tagged* says it was one
    element of a discriminated union (pydantic then leads every location with
    the ``kind`` tag, which the file does not have).
    """
    lines = []
    for error in exc.errors(include_url=False):
        loc = tuple(error["loc"])
        if tagged and loc and loc[0] in _UNION_TAGS:
            loc = loc[1:]
        inner = _drop_tags(loc)
        path = join_path(prefix, _path(inner)) if inner else (prefix or "(top level)")
        got = error.get("input")
        shown = (
            "" if isinstance(got, dict | list) or error["type"] == "missing" else f" (got {got!r})"
        )
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{path}: {message}{shown}")
    return lines


def validate_each(
    adapter: TypeAdapter[S],
    items: Any,
    problems: Problems,
    path: str,
    *,
    tagged: bool = False,
) -> list[tuple[int, S]]:
    """Validate each element of the list *items* on its own; note the shape problems.

    Returns ``(index, spec)`` for every element whose shape is right, so that
    their values can be checked (built) even when another element is malformed.
    """
    if not isinstance(items, list):
        problems.note(path or "(top level)", f"must be a list (got {type(items).__name__})")
        return []
    good: list[tuple[int, S]] = []
    for index, item in enumerate(items):
        try:
            good.append((index, adapter.validate_python(item)))
        except ValidationError as exc:
            problems.extend(error_lines(exc, f"{path}[{index}]", tagged=tagged))
    return good


def config_error(exc: ValidationError, what: str) -> RulesValidationError:
    """A :class:`RulesValidationError` listing every problem of *exc* with its JSON path."""
    return RulesValidationError(what, error_lines(exc))


def join_path(path: str, field: str) -> str:
    """``promotions[0]`` + ``tiers[1].amount_off`` → ``promotions[0].tiers[1].amount_off``."""
    if not path:
        return field
    if not field:
        return path
    return f"{path}{field}" if field.startswith("[") else f"{path}.{field}"


def problem_line(path: str, exc: MallcoreError, renames: Mapping[str, str] | None = None) -> str:
    """One problem as ``path: reason (got value)``, the format of :func:`error_lines`.

    *renames* maps a domain field name to the file key that feeds it
    (``duration`` → ``duration_minutes``).
    """
    if exc.field is not None and exc.reason is not None:
        field = exc.field
        if renames:
            head, dot, rest = field.partition(".")
            field = renames.get(head, head) + dot + rest
        return f"{join_path(path, field)}: {exc.reason} (got {_as_written(exc.value)})"
    text = " ".join(str(exc).split())
    return f"{path or '(top level)'}: {text}"


def _as_written(value: object) -> str:
    """*value* as a file would write it: amounts and decimals as their text."""
    if isinstance(value, Decimal):
        return repr(str(value))
    return shown(value)


class Problems:
    """Every problem found while building a file's objects, each under its JSON path."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        #: The error behind each line (None for the loader's own and pydantic's problems).
        self.errors: list[MallcoreError | None] = []

    def __bool__(self) -> bool:
        return bool(self.lines)

    def add(self, path: str, exc: MallcoreError, renames: Mapping[str, str] | None = None) -> None:
        """Note *exc*, raised by the value at *path* (see :func:`problem_line`)."""
        self.lines.append(problem_line(path, exc, renames))
        self.errors.append(exc)

    def note(self, path: str, message: str) -> None:
        """Note a problem found by the loader itself (a duplicate id, a dangling reference)."""
        self.lines.append(f"{path}: {message}")
        self.errors.append(None)

    def extend(self, lines: list[str]) -> None:
        """Note problems already written as lines (pydantic's)."""
        self.lines.extend(lines)
        self.errors.extend([None] * len(lines))

    def build(
        self, path: str, make: Callable[[], T], renames: Mapping[str, str] | None = None
    ) -> T | None:
        """``make()``, or None when it raises a mallcore error (noted under *path*)."""
        try:
            return make()
        except MallcoreError as exc:
            self.add(path, exc, renames)
            return None

    def raise_for(self, what: str) -> None:
        """Raise :class:`RulesValidationError` listing every problem, if there is any."""
        if self.lines:
            raise RulesValidationError(what, self.lines)
