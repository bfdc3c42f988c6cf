"""Region codes: Chinese administrative divisions (GB/T 2260) and ISO 3166 countries.

A Chinese code may be written short (``"44"``, ``"4403"``, ``"440305"``) or in
the 6-digit standard form (``"440000"``, ``"440300"``); both name the same
region, and ancestry is by prefix. The canonical form used inside mallcore is
the short one. Every Chinese code descends from the country ``"CN"``; the
ISO 3166-2 province codes (``"CN-GD"``) are accepted as aliases of the
division codes (``"44"``). Other countries use ISO 3166 codes, where ``"CC"`` is
the ancestor of ``"CC-SUB"`` (subdivisions are checked for shape only).

The bundled table (``data/regions_cn.json``) lists every provincial-level and
prefecture-level division with Chinese and English names; districts are not
listed, so a district code is valid when its city is known.

>>> region_ancestors("440305")
('440305', '4403', '44', 'CN')
>>> normalize_region("440300") == normalize_region("4403")
True
>>> region_table().get("4403").name_en
'Shenzhen'
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from functools import cache, lru_cache
from importlib import resources
from typing import Final

import attrs

from mallcore.checks import as_tuple
from mallcore.errors import UnknownRegionError, nested

__all__ = [
    "Region",
    "RegionLevel",
    "RegionTable",
    "check_region",
    "check_regions",
    "is_within",
    "normalize_region",
    "region_ancestors",
    "region_table",
    "to_gb_code",
]

_ISO: Final = re.compile(r"([A-Z]{2})(?:-([A-Z0-9]{1,3}))?")
_CHINA: Final = "CN"


class RegionLevel(enum.Enum):
    """How deep a region sits: country, then province or ISO subdivision, city, district."""

    COUNTRY = "country"
    PROVINCE = "province"
    SUBDIVISION = "subdivision"
    CITY = "city"
    DISTRICT = "district"


@attrs.frozen
class Region:
    """One region of the bundled table.

    Attributes:
        code: The canonical code: ``"44"``, ``"4403"``, ``"CN"``.
        name: The official (Chinese for divisions) name, e.g. ``"深圳市"``.
        name_en: The English or pinyin name, e.g. ``"Shenzhen"``.
        level: Country, province or city.
        parent: The canonical code of the parent region, None for a country.
    """

    code: str
    name: str
    name_en: str
    level: RegionLevel
    parent: str | None


@attrs.frozen
class RegionTable:
    """The bundled, versioned table of provinces, cities and countries.

    Attributes:
        version: The year of the GB/T 2260 (民政部) code list it reflects.
        regions: Every listed region by canonical code.
        iso_aliases: ISO 3166-2 province codes (``"CN-GD"``) to division codes (``"44"``).
    """

    version: str
    regions: Mapping[str, Region]
    iso_aliases: Mapping[str, str]

    def get(self, code: str) -> Region | None:
        """The listed region for *code* (any accepted spelling), or None if unlisted."""
        return self.regions.get(normalize_region(code))

    @property
    def provinces(self) -> tuple[Region, ...]:
        """The 34 provincial-level divisions, in code order."""
        return tuple(r for r in self.regions.values() if r.level is RegionLevel.PROVINCE)

    @property
    def cities(self) -> tuple[Region, ...]:
        """Every listed prefecture-level division, in code order."""
        return tuple(r for r in self.regions.values() if r.level is RegionLevel.CITY)

    @property
    def countries(self) -> tuple[Region, ...]:
        """Every ISO 3166-1 alpha-2 country, in code order."""
        return tuple(r for r in self.regions.values() if r.level is RegionLevel.COUNTRY)


@cache
def region_table() -> RegionTable:
    """Load the bundled region table (once; later calls return the same object)."""
    raw = json.loads(
        resources.files("mallcore.shipping").joinpath("data/regions_cn.json").read_text("utf-8")
    )
    regions: dict[str, Region] = {}
    for row in raw["countries"]:
        regions[row["code"]] = Region(
            row["code"], row["name"], row["name_en"], RegionLevel.COUNTRY, None
        )
    aliases: dict[str, str] = {}
    for row in raw["provinces"]:
        code = row["code"][:2]
        regions[code] = Region(code, row["name"], row["name_en"], RegionLevel.PROVINCE, _CHINA)
        aliases[row["iso"]] = code
    for row in raw["cities"]:
        code = row["code"][:4]
        regions[code] = Region(code, row["name"], row["name_en"], RegionLevel.CITY, code[:2])
    return RegionTable(version=str(raw["version"]), regions=regions, iso_aliases=aliases)


def normalize_region(code: str) -> str:
    """Return the canonical spelling of a region code, checking it against the table.

    Chinese codes become their short form (``"440300"`` → ``"4403"``), ISO codes
    upper case, and ISO 3166-2 province codes their division code (``"CN-GD"`` → ``"44"``).

    Raises:
        UnknownRegionError: If *code* is malformed or names a region that does not exist.

    >>> normalize_region("440000"), normalize_region("cn-gd"), normalize_region("us-ca")
    ('44', '44', 'US-CA')
    >>> normalize_region("449900")
    Traceback (most recent call last):
    ...
    mallcore.errors.UnknownRegionError: region='449900' is not a known city of 44 (广东省)
    """
    if not isinstance(code, str):
        raise UnknownRegionError(code, "must be a string")
    return _normalize(code)


def check_region(field: str, code: object) -> str:
    """:func:`normalize_region` for the value of *field*; the error names *field*.

    Raises:
        UnknownRegionError: As :func:`normalize_region`, with ``field`` set.
    """
    try:
        return normalize_region(code)  # type: ignore[arg-type]
    except UnknownRegionError as exc:
        raise nested(field, exc) from None


def check_regions(field: str, codes: object) -> tuple[str, ...]:
    """Each of *codes* normalised, in order, repeats dropped; an error names ``field[i]``.

    Raises:
        ConfigError: *codes* is a string or not a list.
        UnknownRegionError: A code is refused, with ``field`` set to ``field[i]``.
    """
    items = as_tuple(field, codes)
    return tuple(dict.fromkeys(check_region(f"{field}[{i}]", code) for i, code in enumerate(items)))


@lru_cache(maxsize=4096)
def _normalize(code: str) -> str:
    text = code.strip()
    if text.isdigit() and text.isascii():
        return _normalize_division(code, text)
    match = _ISO.fullmatch(text.upper())
    if match is None:
        reason = (
            "is malformed: use a Chinese division code of 2, 4 or 6 digits"
            " or an ISO 3166 code such as 'US' or 'US-CA'"
        )
        raise UnknownRegionError(code, reason)
    table = region_table()
    country, sub = match.groups()
    region = table.regions.get(country)
    if region is None or region.level is not RegionLevel.COUNTRY:
        raise UnknownRegionError(code, f"names no ISO 3166-1 country ({country!r})")
    if sub is None:
        return country
    full = f"{country}-{sub}"
    return table.iso_aliases.get(full, full)


def _normalize_division(code: str, digits: str) -> str:
    if len(digits) not in (2, 4, 6):
        raise UnknownRegionError(code, "must have 2, 4 or 6 digits")
    padded = digits.ljust(6, "0")
    province, city, district = padded[:2], padded[:4], padded[4:]
    table = region_table().regions
    found = table.get(province)
    if found is None or found.level is not RegionLevel.PROVINCE:
        raise UnknownRegionError(code, f"names no province (unknown code {province})")
    if city[2:] == "00":
        if district != "00":
            raise UnknownRegionError(code, "has a district part but no city part")
        return province
    if city not in table:
        raise UnknownRegionError(code, f"is not a known city of {province} ({found.name})")
    return city if district == "00" else padded


@lru_cache(maxsize=4096)
def region_ancestors(code: str) -> tuple[str, ...]:
    """The region and its ancestors, most specific first, in canonical form.

    Raises:
        UnknownRegionError: If *code* is malformed or unknown.

    >>> region_ancestors("6501"), region_ancestors("US-CA")
    (('6501', '65', 'CN'), ('US-CA', 'US'))
    """
    canonical = normalize_region(code)
    if canonical.isdigit():
        prefixes = [canonical[:n] for n in (6, 4, 2) if n <= len(canonical)]
        return (*prefixes, _CHINA)
    if "-" in canonical:
        return (canonical, canonical[:2])
    return (canonical,)


def is_within(code: str, ancestor: str) -> bool:
    """Whether *code* is *ancestor* or lies inside it (``is_within("440305", "44")``).

    >>> is_within("440305", "440000"), is_within("4403", "CN"), is_within("44", "4403")
    (True, True, False)
    """
    return normalize_region(ancestor) in region_ancestors(code)


def to_gb_code(code: str) -> str:
    """The 6-digit GB/T 2260 form of a Chinese division code (``"4403"`` → ``"440300"``).

    Raises:
        UnknownRegionError: If *code* is not a valid Chinese division code.

    >>> to_gb_code("44"), to_gb_code("CN-GD"), to_gb_code("440305")
    ('440000', '440000', '440305')
    """
    canonical = normalize_region(code)
    if not canonical.isdigit():
        raise UnknownRegionError(code, "is not a Chinese administrative division code")
    return canonical.ljust(6, "0")
