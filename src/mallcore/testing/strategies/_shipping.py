"""Hypothesis strategies for shipping: region codes, freight templates and cart lines.

>>> from hypothesis import given
>>> from mallcore.shipping.regions import normalize_region
>>> @given(region_codes())
... def test_valid(code):
...     normalize_region(code)
>>> test_valid()
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mallcore.money import from_minor, minor_units
from mallcore.shipping.freight import ShippingLine
from mallcore.shipping.regions import RegionLevel, normalize_region, region_table
from mallcore.shipping.templates import ChargeBy, ChargeRule, FreeRule, FreightTemplate, Surcharge

__all__ = ["freight_templates", "region_codes", "shipping_lines"]

_FOREIGN = ("US", "US-CA", "US-NY", "GB", "DE", "JP", "JP-13", "SG", "FR-75")


def _chinese(level: RegionLevel, six_digit: bool) -> st.SearchStrategy[str]:
    codes = sorted(r.code for r in region_table().regions.values() if r.level is level)
    drawn = st.sampled_from(codes)
    return drawn.map(lambda code: code.ljust(6, "0")) if six_digit else drawn


def region_codes(
    *, six_digit: bool | None = None, foreign: bool = True, districts: bool = True
) -> st.SearchStrategy[str]:
    """Valid region codes: provinces, cities, districts and (if *foreign*) ISO codes.

    Args:
        six_digit: Write Chinese codes in the 6-digit form (True), the short
            form (False) or either (None).
        foreign: Also draw ISO 3166 countries and subdivisions.
        districts: Also draw district codes (a listed city plus ``01``-``99``).
    """
    forms = [True, False] if six_digit is None else [six_digit]
    parts: list[st.SearchStrategy[str]] = []
    for form in forms:
        parts += [_chinese(RegionLevel.PROVINCE, form), _chinese(RegionLevel.CITY, form)]
    cities = sorted(r.code for r in region_table().regions.values() if r.level is RegionLevel.CITY)
    if districts:
        district = st.builds(
            lambda city, n: f"{city}{n:02d}", st.sampled_from(cities), st.integers(1, 99)
        )
        parts.append(district)
    if foreign:
        parts.append(st.sampled_from(("CN", *_FOREIGN)))
    return st.one_of(parts)


def _quantities(charge_by: ChargeBy) -> st.SearchStrategy[Decimal]:
    if charge_by is ChargeBy.PIECE:
        return st.integers(1, 5).map(Decimal)
    places = 3 if charge_by is ChargeBy.WEIGHT else 6
    return st.decimals(Decimal("0.5"), Decimal(20), places=places).map(
        lambda d: d.quantize(Decimal(1).scaleb(-places))
    )


def _fees(currency: str, max_fee: int) -> st.SearchStrategy[Decimal]:
    return st.integers(0, max_fee * 10 ** minor_units(currency)).map(
        lambda units: from_minor(units, currency).amount
    )


@st.composite
def _template(
    draw: st.DrawFn,
    template_id: str,
    charge_by: ChargeBy | None,
    currency: str,
    max_fee: int,
    region_lists: st.SearchStrategy[list[str]],
    free_rules: bool,
    surcharges: bool,
) -> FreightTemplate:
    unit = charge_by or draw(st.sampled_from(ChargeBy))
    fees = _fees(currency, max_fee)

    def rule(regions: list[str]) -> ChargeRule:
        return ChargeRule(
            draw(_quantities(unit)), draw(fees), draw(_quantities(unit)), draw(fees), regions
        )

    rules = [rule([])]
    used: set[str] = set()
    for regions in draw(st.lists(region_lists, max_size=2)):
        fresh = [c for c in dict.fromkeys(map(normalize_region, regions)) if c not in used]
        if fresh:
            used.update(fresh)
            rules.append(rule(fresh))
    free = []
    if free_rules:
        for _ in range(draw(st.integers(0, 2))):
            amount = draw(st.none() | fees)
            quantity = draw(st.none() | st.integers(1, 6))
            free.append(FreeRule(draw(st.just([]) | region_lists), amount, quantity))
    extra = []
    if surcharges:
        extra = [Surcharge(r, draw(fees)) for r in draw(st.lists(region_lists, max_size=1))]
    return FreightTemplate(template_id, unit, rules, free, (), extra)


def freight_templates(
    *,
    template_id: str = "T",
    charge_by: ChargeBy | str | None = None,
    currency: str = "CNY",
    max_fee: int = 50,
    free_rules: bool = True,
    surcharges: bool = True,
) -> st.SearchStrategy[FreightTemplate]:
    """Valid freight templates with a default rule and up to two regional rules.

    Fees are whole minor units of *currency* up to *max_fee* major units; the
    regions of regional rules, free rules and surcharges are provinces and
    cities (either spelling). Templates never list ``no_delivery`` regions.

    Args:
        template_id: The id of every drawn template.
        charge_by: Fix the charging unit, or None to draw it.
        currency: The currency whose minor unit the fees respect.
        max_fee: Largest fee, in major units.
        free_rules: Whether to draw free-shipping rules.
        surcharges: Whether to draw remote-area surcharges.
    """
    if max_fee < 0:
        msg = f"max_fee={max_fee!r} must not be negative"
        raise InvalidArgument(msg)
    minor_units(currency)
    unit = None if charge_by is None else ChargeBy(charge_by)
    regions = st.lists(region_codes(foreign=False, districts=False), min_size=1, max_size=3)
    return _template(template_id, unit, currency, max_fee, regions, free_rules, surcharges)


def shipping_lines(
    template_ids: tuple[str | None, ...] = ("T",),
    *,
    currency: str = "CNY",
    min_size: int = 1,
    max_size: int = 6,
) -> st.SearchStrategy[list[ShippingLine]]:
    """Lists of shipping lines with unique keys using the given template ids.

    Weights have up to 3 decimals (grams), volumes up to 6 (cm³), amounts are
    whole minor units of *currency* up to 500 major units.
    """
    if not template_ids:
        msg = "template_ids=() must name at least one template (or None)"
        raise InvalidArgument(msg)
    if min_size < 0 or max_size < min_size:
        msg = f"need 0 <= min_size={min_size!r} <= max_size={max_size!r}"
        raise InvalidArgument(msg)
    line = st.tuples(
        st.sampled_from(template_ids),
        st.integers(1, 5),
        st.integers(0, 5000).map(lambda g: Decimal(g).scaleb(-3)),
        st.integers(0, 200_000).map(lambda cm3: Decimal(cm3).scaleb(-6)),
        st.integers(0, 500 * 10 ** minor_units(currency)),
    )
    return st.lists(line, min_size=min_size, max_size=max_size).map(
        lambda rows: [
            ShippingLine(f"SKU{i}", t, q, w, v, from_minor(a, currency))
            for i, (t, q, w, v, a) in enumerate(rows)
        ]
    )
