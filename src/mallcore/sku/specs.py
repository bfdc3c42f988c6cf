r"""Spec dimensions (colour, size, ...) and the canonical SKU keys built from them.

A product's specs are an ordered tuple of :class:`Spec`; each spec has ordered
:class:`SpecValue`\\ s with a stable id and a display label. A SKU key names one
combination as ``spec_id=value_id`` pairs joined by ``|`` in spec order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from mallcore.errors import ConfigError

__all__ = [
    "Spec",
    "SpecValue",
    "escape_id",
    "key_pairs",
    "sku_key",
    "unescape_id",
    "validate_specs",
]

_ESCAPES: Final = str.maketrans({"\\": "\\\\", "=": "\\=", "|": "\\|"})


@attrs.frozen
class SpecValue:
    """One value of a spec: a stable *id*, a *label* for people, an optional SKU-code part.

    Renaming (a new *label*) keeps the id, so it keeps every SKU that uses the value.

    >>> SpecValue("gold", "Gold").code_part
    'GOLD'
    >>> SpecValue("金", "金色", code="GD").code_part
    'GD'
    """

    id: str
    label: str = ""
    code: str | None = None

    @property
    def code_part(self) -> str:
        """The piece this value adds to generated SKU codes (``code`` or the id), upper-cased."""
        return (self.code if self.code is not None else self.id).upper()


def _as_tuple(values: Iterable[SpecValue]) -> tuple[SpecValue, ...]:
    return tuple(values)


@attrs.frozen
class Spec:
    """A spec dimension (``colour``) with its ordered values.

    >>> size = Spec("size", "Size", (SpecValue("s", "S"), SpecValue("m", "M")))
    >>> [value.id for value in size.values]
    ['s', 'm']
    """

    id: str
    label: str = ""
    values: tuple[SpecValue, ...] = attrs.field(default=(), converter=_as_tuple)

    def value(self, value_id: str) -> SpecValue:
        """Return the value with *value_id*.

        Raises:
            ConfigError: If the spec has no such value.
        """
        for value in self.values:
            if value.id == value_id:
                return value
        msg = f"spec {self.id!r} has no value {value_id!r}"
        raise ConfigError(msg)


def escape_id(identifier: str) -> str:
    r"""Escape ``\``, ``=`` and ``|`` in a spec or value id so keys stay unambiguous.

    >>> escape_id("a=b|c")
    'a\\=b\\|c'
    """
    return identifier.translate(_ESCAPES)


def unescape_id(text: str) -> str:
    r"""Undo :func:`escape_id`.

    >>> unescape_id(escape_id("x\\=|y")) == "x\\=|y"
    True
    """
    out: list[str] = []
    chars = iter(text)
    for char in chars:
        out.append(next(chars, "\\") if char == "\\" else char)
    return "".join(out)


def sku_key(pairs: Iterable[tuple[str, str]]) -> str:
    r"""The canonical key of a combination: ``spec=value`` pairs joined by ``|``.

    Pairs must come in spec order. Ids are escaped with :func:`escape_id`, so
    two different combinations never share a key, whatever their ids contain.

    >>> sku_key([("colour", "red"), ("size", "m")])
    'colour=red|size=m'
    >>> sku_key([("a", "b=c")])
    'a=b\\=c'
    """
    return "|".join(f"{escape_id(spec)}={escape_id(value)}" for spec, value in pairs)


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            current.append(char)
            current.append(next(chars, ""))
        elif char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def key_pairs(key: str) -> tuple[tuple[str, str], ...]:
    """Parse a key made by :func:`sku_key` back into ``(spec_id, value_id)`` pairs.

    Raises:
        ConfigError: If *key* is not a well-formed key.

    >>> key_pairs("colour=red|size=m")
    (('colour', 'red'), ('size', 'm'))
    >>> key_pairs("")
    ()
    """
    if not key:
        return ()
    if "\\" not in key:
        # No escapes: plain splitting is exact and much faster (CSV import parses every key).
        plain = [part.split("=") for part in key.split("|")]
        if all(len(pair) == 2 and pair[0] and pair[1] for pair in plain):
            return tuple((pair[0], pair[1]) for pair in plain)
        msg = f"key={key!r} is not a list of spec=value pairs joined by '|'"
        raise ConfigError(msg)
    pairs = []
    for part in _split_unescaped(key, "|"):
        halves = _split_unescaped(part, "=")
        if len(halves) != 2 or not halves[0] or not halves[1]:
            msg = f"key={key!r} is not a list of spec=value pairs joined by '|'"
            raise ConfigError(msg)
        pairs.append((unescape_id(halves[0]), unescape_id(halves[1])))
    return tuple(pairs)


def _is_text(value: object) -> bool:
    # Specs built from parsed JSON may carry numbers where strings belong.
    return isinstance(value, str)


def validate_specs(specs: Sequence[Spec], *, product_id: str) -> tuple[Spec, ...]:
    """Check a product's specs and return them as a tuple.

    Raises:
        ConfigError: A spec or value without an id, a spec with no values, a
            spec id or value id used twice, or two values of one spec with the
            same code part. The message names the product, the spec and the value.

    >>> validate_specs([Spec("size", values=[SpecValue("s"), SpecValue("s")])], product_id="tee")
    Traceback (most recent call last):
    ...
    mallcore.errors.ConfigError: product 'tee', spec 'size': value id 's' is used twice
    """
    seen_specs: set[str] = set()
    for item in specs:
        spec: object = item
        if not isinstance(spec, Spec):
            msg = f"product {product_id!r}: specs must be Spec objects, got {spec!r}"
            raise ConfigError(msg)
        where = f"product {product_id!r}, spec {spec.id!r}"
        if not isinstance(spec.id, str) or not spec.id:
            msg = f"product {product_id!r}: a spec has no id (got {spec.id!r})"
            raise ConfigError(msg)
        if not _is_text(spec.label):
            msg = f"{where}: label={spec.label!r} must be a string"
            raise ConfigError(msg)
        if spec.id in seen_specs:
            msg = f"product {product_id!r}: spec id {spec.id!r} is used twice"
            raise ConfigError(msg)
        seen_specs.add(spec.id)
        if not spec.values:
            msg = f"{where}: a spec needs at least one value"
            raise ConfigError(msg)
        ids: set[str] = set()
        codes: dict[str, str] = {}
        for value in spec.values:
            if not isinstance(value, SpecValue) or not isinstance(value.id, str) or not value.id:
                msg = f"{where}: value {value!r} has no id"
                raise ConfigError(msg)
            if not _is_text(value.label) or not (value.code is None or _is_text(value.code)):
                msg = f"{where}, value {value.id!r}: label and code must be strings"
                raise ConfigError(msg)
            if value.id in ids:
                msg = f"{where}: value id {value.id!r} is used twice"
                raise ConfigError(msg)
            ids.add(value.id)
            part = value.code_part
            if part in codes:
                msg = (
                    f"{where}: values {codes[part]!r} and {value.id!r} share the code "
                    f"{part!r}; give one of them another code"
                )
                raise ConfigError(msg)
            codes[part] = value.id
    return tuple(specs)
