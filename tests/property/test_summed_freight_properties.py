"""Summing a template's lines and splitting its fee gives what per-line freight gives.

The quote pipeline sends each template's totals to ``template_fees`` as one
``TemplateLoad`` and splits the fee with ``split_fee``; this must equal
``compute_shipping`` charging the cart's lines one by one, for every template,
region and combine mode.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mallcore.money import resolve_currency, to_minor
from mallcore.shipping import ChargeBy, Combine, ShippingLine, compute_shipping
from mallcore.shipping.freight import TemplateLoad, split_fee, template_fees
from mallcore.shipping.templates import NANO, to_nano
from mallcore.testing.strategies import freight_templates, region_codes, shipping_lines

CNY = resolve_currency("CNY")


def charged(line: ShippingLine, charge_by: ChargeBy) -> int:
    if charge_by is ChargeBy.PIECE:
        return line.quantity * NANO
    if charge_by is ChargeBy.WEIGHT:
        return line.quantity * to_nano(line.weight_kg, "weight_kg")
    return line.quantity * to_nano(line.volume_m3, "volume_m3")


@given(
    st.tuples(freight_templates(template_id="T1"), freight_templates(template_id="T2")),
    shipping_lines(("T1", "T2", None), max_size=8),
    region_codes(foreign=False),
    st.sampled_from(list(Combine)),
)
def test_summed_lines_and_split_fees_equal_per_line_freight(
    templates: tuple[object, object], lines: list[ShippingLine], region: str, combine: Combine
) -> None:
    by_id = {t.id: t for t in templates}  # type: ignore[attr-defined]
    per_line = compute_shipping(lines, by_id, region, currency=CNY, combine=combine)
    groups: dict[str, list[ShippingLine]] = {}
    for line in lines:
        if line.template_id is not None:
            groups.setdefault(line.template_id, []).append(line)
    loads = [
        TemplateLoad(
            template_id,
            group[0].key,
            sum(line.quantity for line in group),
            sum(charged(line, ChargeBy.WEIGHT) for line in group),
            sum(charged(line, ChargeBy.VOLUME) for line in group),
            sum(to_minor(line.amount) if line.amount else 0 for line in group),
        )
        for template_id, group in groups.items()
    ]
    fees = template_fees(loads, by_id, region, currency=CNY, combine=combine)
    assert sum(fees) == to_minor(per_line.total)
    expected = {
        key: share for _, _, split in per_line.template_splits() for key, share in split.items()
    }
    for template_id, fee, group in zip(groups, fees, groups.values(), strict=True):
        charge_by = by_id[template_id].charge_by
        values = [charged(line, charge_by) for line in group]
        parts = split_fee(fee, values, [line.quantity for line in group])
        assert {line.key: part for line, part in zip(group, parts, strict=True)} == {
            line.key: expected[line.key] for line in group
        }
