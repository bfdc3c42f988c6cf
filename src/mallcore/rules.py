"""Shared building blocks of the rule files (pydantic): exact numbers, scopes, error paths.

Operator-authored data is validated here, at the edge; the domain packages
only ever see the frozen attrs objects that the specs ``build()``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from mallcore.errors import RulesValidationError
from mallcore.promotions.scope import Scope

__all__ = [
    "Amount",
    "AwareDatetime",
    "Percent",
    "ScopeSpec",
    "Spec",
    "config_error",
    "error_lines",
]


def _no_float(value: Any) -> Any:
    # A float cannot hold most prices exactly (0.1 + 0.2): make authors write "0.10".
    if isinstance(value, float):
        msg = f'{value!r} is a float; write amounts as strings such as "{value}"'
        raise ValueError(msg)
    return value


#: A non-negative exact amount in major units, written as a string or an int.
Amount = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, allow_inf_nan=False)]
#: A percentage in percent units (``20`` is 20 %), 0..100.
Percent = Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=100, allow_inf_nan=False)]


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


class _ScopeLists(Spec):
    products: list[str] = []
    categories: list[str] = []
    brands: list[str] = []
    tags: list[str] = []


class ScopeSpec(_ScopeLists):
    """``{products, categories, brands, tags, exclude}``; omitted lists match everything."""

    exclude: _ScopeLists | None = None

    def build(self) -> Scope:
        """The domain :class:`~mallcore.promotions.scope.Scope`."""
        exclude = None
        if self.exclude is not None:
            exclude = Scope(
                frozenset(self.exclude.products),
                frozenset(self.exclude.categories),
                frozenset(self.exclude.brands),
                frozenset(self.exclude.tags),
            )
        return Scope(
            frozenset(self.products),
            frozenset(self.categories),
            frozenset(self.brands),
            frozenset(self.tags),
            exclude,
        )


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


def error_lines(exc: ValidationError, prefix: str = "") -> list[str]:
    """One line per problem: ``path: message (got value)``."""
    lines = []
    for error in exc.errors(include_url=False):
        path = _path(_drop_tags(tuple(error["loc"])))
        if prefix:
            path = f"{prefix}.{path}" if not path.startswith("[") else prefix + path
        got = error.get("input")
        shown = (
            "" if isinstance(got, dict | list) or error["type"] == "missing" else f" (got {got!r})"
        )
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{path}: {message}{shown}")
    return lines


def config_error(exc: ValidationError, what: str) -> RulesValidationError:
    """A :class:`RulesValidationError` listing every problem of *exc* with its JSON path."""
    return RulesValidationError(what, error_lines(exc))
