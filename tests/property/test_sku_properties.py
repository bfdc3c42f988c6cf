import io
from decimal import Decimal
from itertools import product as cartesian

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st
from moneyed import Money

from mallcore.sku.catalog import make_product
from mallcore.sku.io import export_csv, import_csv
from mallcore.sku.matrix import build_matrix
from mallcore.sku.regeneration import apply_plan, plan_regeneration
from mallcore.sku.skus import SkuStatus
from mallcore.sku.specs import SpecValue, key_pairs, sku_key
from mallcore.testing.strategies import products, skus, specs

PRICE = Money("1.00", "CNY")
tricky = st.text(st.sampled_from("ab=|\\"), min_size=1, max_size=5)
pair_lists = st.lists(st.tuples(tricky, tricky), min_size=1, max_size=4)


@given(pair_lists, pair_lists)
def test_keys_never_collide_whatever_the_ids(first, second):
    assert (sku_key(first) == sku_key(second)) == (first == second)


@given(pair_lists)
def test_keys_parse_back_to_their_pairs(pairs):
    assert key_pairs(sku_key(pairs)) == tuple(pairs)


@st.composite
def specs_and_exclusions(draw):
    spec_tuple = draw(specs())
    exclusions = []
    for _ in range(draw(st.integers(0, 2))):
        chosen = draw(st.lists(st.sampled_from(spec_tuple), min_size=1, unique_by=lambda s: s.id))
        exclusions.append({s.id: draw(st.sampled_from(s.values)).id for s in chosen})
    return spec_tuple, exclusions


@given(specs_and_exclusions())
def test_matrix_matches_a_brute_force_oracle(case):
    spec_tuple, exclusions = case
    matrix = build_matrix("p", spec_tuple, exclusions=exclusions)
    ids = [s.id for s in spec_tuple]
    oracle = [
        combo
        for combo in cartesian(*[[v.id for v in s.values] for s in spec_tuple])
        if not any(all(combo[ids.index(k)] == v for k, v in ex.items()) for ex in exclusions)
    ]
    assert list(matrix.combinations) == oracle
    assert [key_pairs(k) for k in matrix.keys] == [tuple(zip(ids, c, strict=True)) for c in oracle]
    assert len(set(matrix.codes)) == len(matrix.codes)
    assert all(code == code.upper() for code in matrix.codes)


@st.composite
def spec_edits(draw):
    """Specs, and an edit of them: relabel values, drop some, add new ones."""
    before = draw(specs(max_specs=3, max_values=3))
    after = []
    for spec in before:
        values = [
            attrs.evolve(v, label=draw(st.text(max_size=3))) if draw(st.booleans()) else v
            for v in spec.values
        ]
        keep = draw(st.lists(st.booleans(), min_size=len(values), max_size=len(values)))
        values = [v for v, k in zip(values, keep, strict=True) if k] or values[:1]
        if draw(st.booleans()):
            values.append(SpecValue(f"new-{spec.id}", "New", code="NEWVALUE"))
        after.append(attrs.evolve(spec, values=values))
    return before, tuple(after)


@given(spec_edits())
def test_replanning_after_applying_a_plan_is_a_noop(edit):
    before, after = edit
    existing = build_matrix("p", before).to_skus(price=PRICE)
    plan = plan_regeneration(existing, after, product_id="p", price=PRICE)
    applied = apply_plan(existing, plan)
    again = plan_regeneration(applied, after, product_id="p", price=PRICE)
    assert again.is_noop
    assert not again.added and not again.retired and not again.restored
    assert again.kept == tuple(s for s in applied if s.status is not SkuStatus.RETIRED)
    assert apply_plan(applied, again) == applied


@given(spec_edits())
def test_surviving_combinations_keep_their_sku_and_nothing_is_deleted(edit):
    before, after = edit
    existing = build_matrix("p", before).to_skus(price=PRICE)
    plan = plan_regeneration(existing, after, product_id="p", price=PRICE)
    new_keys = set(build_matrix("p", after).keys)
    by_id = {s.id: s for s in existing}
    old_keys = {s.key for s in existing}
    assert all(by_id[s.id] == s for s in plan.kept)
    assert {s.key for s in plan.kept} == new_keys & old_keys
    assert {s.key for s in plan.retired} == old_keys - new_keys
    assert {s.key for s in plan.added} == new_keys - old_keys
    assert {s.id for s in apply_plan(existing, plan)} >= set(by_id)


@given(specs())
def test_relabelling_every_value_keeps_every_sku(spec_tuple):
    existing = build_matrix("p", spec_tuple).to_skus(price=PRICE)
    relabelled = tuple(
        attrs.evolve(s, label=s.label + "!", values=[attrs.evolve(v, label="x") for v in s.values])
        for s in spec_tuple
    )
    plan = plan_regeneration(existing, relabelled, product_id="p", price=PRICE)
    assert plan.kept == existing and plan.is_noop


def _snapshot(p):
    return (
        p.id,
        p.names,
        p.category_id,
        p.brand,
        p.tags,
        p.freight_template_id,
        p.specs,
        p.skus,
        p.status,
        p.list_at,
        p.delist_at,
        p.exclusions,
        p.code_template,
    )


@given(st.lists(products(), max_size=3, unique_by=lambda p: p.id))
def test_csv_export_then_import_is_lossless(catalog):
    # SKU codes must be unique across the catalog, as import checks.
    codes = [s.code for p in catalog for s in p.skus]
    ids = [s.id for p in catalog for s in p.skus]
    assume(len(set(codes)) == len(codes) and len(set(ids)) == len(ids))
    report = import_csv(io.StringIO(export_csv(catalog)))
    assert report.ok, report.problems
    assert [_snapshot(p) for p in report.products] == [_snapshot(p) for p in catalog]


@given(skus(currency="KWD"))
def test_sku_strategy_prices_are_exact_in_their_currency(sku):
    assert sku.price.currency.code == "KWD"
    assert sku.price.amount == sku.price.amount.quantize(Decimal("0.001"))


@given(spec_edits())
def test_csv_round_trip_keeps_retired_skus_of_dropped_values(edit):
    before, after = edit
    product = make_product("p", names="P", specs=before)
    product.regenerate(before, price=PRICE)
    product.regenerate(after, price=PRICE)
    report = import_csv(io.StringIO(export_csv([product])))
    assert report.ok, report.problems
    assert _snapshot(report.products[0]) == _snapshot(product)
