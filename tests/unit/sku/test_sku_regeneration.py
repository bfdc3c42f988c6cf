import attrs
import pytest
from moneyed import Money

from mallcore.errors import ConfigError
from mallcore.sku.matrix import build_matrix
from mallcore.sku.regeneration import apply_plan, plan_regeneration
from mallcore.sku.skus import SkuStatus
from mallcore.sku.specs import Spec, SpecValue

PRICE = Money("10.00", "CNY")
NEW_PRICE = Money("12.00", "CNY")
COLOUR = Spec("colour", values=[SpecValue("red", "Red"), SpecValue("blue", "Blue")])
SIZE = Spec("size", values=[SpecValue("s", "S"), SpecValue("m", "M")])


def _skus():
    skus = build_matrix("tee", [COLOUR, SIZE]).to_skus(price=PRICE)
    # Give every SKU an individual price and barcode, as a merchant would.
    return tuple(
        attrs.evolve(s, price=Money(f"{10 + i}.00", "CNY"), barcode=f"69000{i}")
        for i, s in enumerate(skus)
    )


def _plan(skus, specs, **kw):
    return plan_regeneration(skus, specs, product_id="tee", price=NEW_PRICE, **kw)


def test_renaming_a_value_keeps_every_sku_unchanged():
    skus = _skus()
    renamed = attrs.evolve(COLOUR, values=[SpecValue("red", "Crimson"), SpecValue("blue", "Navy")])
    plan = _plan(skus, [renamed, SIZE])
    assert plan.kept == skus
    assert not plan.added and not plan.retired and not plan.restored
    assert plan.is_noop


def test_adding_a_value_adds_only_the_new_combinations_at_the_default_price():
    skus = _skus()
    bigger = attrs.evolve(SIZE, values=[*SIZE.values, SpecValue("l", "L")])
    plan = _plan(skus, [COLOUR, bigger])
    assert plan.kept == skus
    assert [s.key for s in plan.added] == ["colour=red|size=l", "colour=blue|size=l"]
    assert all(s.price == NEW_PRICE and s.status is SkuStatus.LISTED for s in plan.added)
    # Matrix order: red-s, red-m, red-l, blue-s, blue-m, blue-l.
    assert [s.code for s in plan.skus] == [
        "TEE-RED-S",
        "TEE-RED-M",
        "TEE-RED-L",
        "TEE-BLUE-S",
        "TEE-BLUE-M",
        "TEE-BLUE-L",
    ]


def test_removing_a_value_retires_its_skus_and_keeps_them_for_history():
    skus = _skus()
    smaller = attrs.evolve(COLOUR, values=[COLOUR.values[0]])
    plan = _plan(skus, [smaller, SIZE])
    assert [s.id for s in plan.retired] == ["TEE-BLUE-S", "TEE-BLUE-M"]
    assert all(s.status is SkuStatus.RETIRED for s in plan.retired)
    # Retired SKUs keep their price and barcode: only the status changes.
    for before, after in zip(skus[2:], plan.retired, strict=True):
        assert attrs.evolve(before, status=SkuStatus.RETIRED) == after
    result = apply_plan(skus, plan)
    assert {s.id for s in result} == {s.id for s in skus}


def test_a_retired_combination_that_comes_back_is_restored_not_recreated():
    skus = _skus()
    smaller = attrs.evolve(COLOUR, values=[COLOUR.values[0]])
    after_removal = apply_plan(skus, _plan(skus, [smaller, SIZE]))
    plan = _plan(after_removal, [COLOUR, SIZE])
    assert not plan.added
    assert [s.id for s in plan.restored] == ["TEE-BLUE-S", "TEE-BLUE-M"]
    assert [s.price for s in plan.restored] == [skus[2].price, skus[3].price]
    assert apply_plan(after_removal, plan) == skus


def test_reordering_specs_keeps_ids_prices_and_barcodes_and_rekeys():
    skus = _skus()
    plan = _plan(skus, [SIZE, COLOUR])
    assert not plan.added and not plan.retired
    assert {(s.id, s.price, s.barcode) for s in plan.kept} == {
        (s.id, s.price, s.barcode) for s in skus
    }
    assert plan.kept[0].key == "size=s|colour=red"
    assert set(plan.rekeyed) == {s.id for s in skus}


def test_already_retired_skus_stay_dormant():
    skus = _skus()
    smaller = attrs.evolve(COLOUR, values=[COLOUR.values[0]])
    after = apply_plan(skus, _plan(skus, [smaller, SIZE]))
    again = _plan(after, [smaller, SIZE])
    assert again.is_noop
    assert [s.id for s in again.dormant] == ["TEE-BLUE-S", "TEE-BLUE-M"]
    assert apply_plan(after, again) == after


def test_a_stale_plan_is_refused():
    skus = _skus()
    plan = _plan(skus[:2], [COLOUR, SIZE])
    with pytest.raises(ConfigError, match="plan again"):
        apply_plan(skus, plan)


def test_an_added_code_that_is_taken_by_a_retired_sku_is_refused():
    skus = _skus()
    # The value 'blue' is replaced by 'navy', which reuses the code BLUE.
    swapped = Spec("colour", values=[SpecValue("red"), SpecValue("navy", code="BLUE")])
    with pytest.raises(ConfigError, match="'TEE-BLUE-S', which another SKU already uses"):
        _plan(skus, [swapped, SIZE])


def test_skus_of_another_product_are_refused():
    skus = build_matrix("mug", [COLOUR]).to_skus(price=PRICE)
    with pytest.raises(ConfigError, match="belongs to product 'mug'"):
        _plan(skus, [COLOUR])


def test_a_plan_made_before_a_price_edit_is_refused():
    skus = _skus()
    plan = _plan(skus, [COLOUR, SIZE])
    edited = (attrs.evolve(skus[0], price=Money("1.00", "CNY")), *skus[1:])
    with pytest.raises(
        ConfigError, match=r"changed since the plan was made \(for example \['TEE-RED-S'\]\)"
    ):
        apply_plan(edited, plan)
