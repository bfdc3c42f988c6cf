from datetime import UTC, datetime, timedelta

import pytest
from moneyed import Money

from mallcore.clock import FixedClock
from mallcore.errors import ConfigError, CurrencyMismatchError
from mallcore.sku.catalog import (
    ListingStatus,
    ProductDelisted,
    ProductListed,
    SkusRegenerated,
    is_purchasable,
    listing_status,
    make_product,
    price_range,
    total_stock,
)
from mallcore.sku.categories import CategoryTree
from mallcore.sku.names import LocalizedText, fallback_chain
from mallcore.sku.skus import SkuStatus, make_sku
from mallcore.sku.specs import Spec, SpecValue

T0 = datetime(2026, 11, 11, tzinfo=UTC)


def _sku(sku_id, price, status="listed", currency="CNY"):
    return make_sku(sku_id, "p", price=price, currency=currency, status=status)


def _product(*skus, **kw):
    return make_product("p", names={"en": "Pen"}, skus=skus, **kw)


# ---------------------------------------------------------------- names


def test_fallback_chain_goes_script_then_language_then_default():
    names = LocalizedText({"en": "Pen", "zh": "笔", "zh_Hant": "筆", "zh_Hant_TW": "原子筆"}, "en")
    assert names.get("zh_Hant_TW") == "原子筆"
    assert names.get("zh_HK") == "筆"  # zh_Hant_HK → zh_Hant
    assert names.get("zh_CN") == "笔"  # zh_Hans_CN → zh_Hans → zh
    assert names.get("de_DE") == "Pen"
    assert fallback_chain("zh_Hant_TW") == ("zh_Hant_TW", "zh_Hant", "zh")


def test_locale_tags_are_normalized():
    names = LocalizedText({"zh-TW": "筆", "en": "Pen"}, default="en")
    assert set(names.texts) == {"zh_Hant_TW", "en"}
    assert names.get("zh_Hant_TW") == "筆"


def test_default_locale_must_have_a_text():
    with pytest.raises(ConfigError, match="default locale 'fr'"):
        LocalizedText({"en": "Pen"}, default="fr")


def test_unknown_locale_is_refused():
    with pytest.raises(ConfigError, match="xx_YY"):
        LocalizedText({"xx_YY": "?"}, default="xx_YY")


# ---------------------------------------------------------------- categories


def test_moving_a_category_keeps_its_products_and_updates_paths():
    tree = CategoryTree()
    tree.add("apparel")
    tree.add("tops", parent_id="apparel")
    tree.add("sale")
    product = _product(_sku("A", "1.00"), category_id="tops")
    tree.move("tops", "sale")
    assert product.category_id == "tops"
    assert tree.path(product.category_id) == ("sale", "tops")
    assert tree.descendants("sale") == {"sale", "tops"}
    assert tree.descendants("apparel") == {"apparel"}


def test_a_category_cannot_move_under_its_descendant():
    tree = CategoryTree()
    tree.add("a")
    tree.add("b", parent_id="a")
    with pytest.raises(ConfigError, match="under its own descendant 'b'"):
        tree.move("a", "b")


def test_unknown_parent_is_refused():
    with pytest.raises(ConfigError, match="category 'nope' does not exist"):
        CategoryTree().add("x", parent_id="nope")


# ---------------------------------------------------------------- listing


def test_draft_scheduled_product_lists_itself_at_list_at():
    product = _product(_sku("A", "1.00"), list_at=T0, delist_at=T0 + timedelta(days=1))
    assert listing_status(product, T0 - timedelta(seconds=1)) is ListingStatus.DRAFT
    assert is_purchasable(product, T0)
    assert is_purchasable(product, FixedClock(T0 + timedelta(hours=23)))
    # The window is [list_at, delist_at).
    assert not is_purchasable(product, T0 + timedelta(days=1))


def test_manually_delisted_product_is_never_purchasable():
    product = _product(_sku("A", "1.00"), status="delisted", list_at=T0)
    assert not is_purchasable(product, T0 + timedelta(days=3))


def test_product_without_listed_skus_is_not_purchasable():
    product = _product(_sku("A", "1.00", status="retired"), status="listed")
    assert not is_purchasable(product, T0)


def test_naive_instants_are_refused():
    with pytest.raises(ConfigError, match="no time zone"):
        is_purchasable(_product(_sku("A", "1.00")), datetime(2026, 1, 1))


def test_delist_before_list_is_refused():
    with pytest.raises(ConfigError, match=r"delist_at=.* must come after list_at"):
        _product(_sku("A", "1.00"), list_at=T0, delist_at=T0)


def test_mark_listed_and_delisted_record_events():
    product = _product(_sku("A", "1.00"))
    product.mark_listed(T0)
    product.mark_delisted(T0 + timedelta(hours=1))
    assert product.events == [
        ProductListed("p", T0),
        ProductDelisted("p", T0 + timedelta(hours=1)),
    ]
    assert product.status is ListingStatus.DELISTED


# ---------------------------------------------------------------- derived values


def test_price_range_and_stock_use_listed_skus_only():
    product = _product(
        _sku("A", "5.00"),
        _sku("B", "12.50"),
        _sku("C", "1.00", status="delisted"),
        _sku("D", "99.00", status="retired"),
    )
    assert price_range(product) == (Money("5.00", "CNY"), Money("12.50", "CNY"))
    # Stock of delisted/retired SKUs (C, D) is ignored; E is not a SKU of the product.
    assert total_stock(product, {"A": 3, "B": 4, "C": 100, "D": 7, "E": 1}) == 7
    assert total_stock(product, {}) == 0


def test_price_range_is_none_without_listed_skus():
    assert price_range(_product(_sku("A", "1.00", status="delisted"))) is None


def test_price_range_refuses_mixed_currencies():
    product = _product(_sku("A", "1.00"), _sku("B", "1.00", currency="USD"))
    with pytest.raises(CurrencyMismatchError):
        price_range(product)


# ---------------------------------------------------------------- product validation


def test_duplicate_sku_codes_are_refused_naming_both_skus():
    first = make_sku("A", "p", price="1", currency="CNY", code="X")
    second = make_sku("B", "p", price="1", currency="CNY", code="X")
    with pytest.raises(ConfigError, match="product 'p': SKUs 'A' and 'B' share the code 'X'"):
        _product(first, second)


def test_sku_of_another_product_is_refused():
    with pytest.raises(ConfigError, match="belongs to product 'q'"):
        _product(make_sku("A", "q", price="1", currency="CNY"))


def test_names_as_plain_string_or_mapping():
    assert make_product("p", names="Pen").name("fr") == "Pen"
    assert make_product("p", names={"zh": "笔", "en": "Pen"}).name("fr") == "笔"


def test_regenerate_applies_the_plan_and_records_an_event():
    size = Spec("size", values=[SpecValue("s"), SpecValue("m")])
    product = make_product("tee", names="Tee", specs=[size])
    product.regenerate([size], price=Money("9.00", "CNY"))
    assert [s.code for s in product.skus] == ["TEE-S", "TEE-M"]
    product.regenerate([Spec("size", values=[SpecValue("m")])], price=Money("9.00", "CNY"))
    assert [s.status for s in product.skus] == [SkuStatus.LISTED, SkuStatus.RETIRED]
    assert product.events[-1] == SkusRegenerated("tee", (), (), ("TEE-S",))


def test_tags_given_as_one_string_are_refused():
    with pytest.raises(ConfigError, match="tags='summer' must be a list"):
        make_product("p", names="P", tags="summer")


def test_empty_brand_is_refused():
    with pytest.raises(ConfigError, match="brand=''"):
        make_product("p", names="P", brand="")


def test_apply_refuses_a_plan_for_another_product():
    size = Spec("size", values=[SpecValue("s")])
    tee = make_product("tee", names="Tee", specs=[size])
    mug = make_product("mug", names="Mug", specs=[size])
    plan = mug.regenerate([size], price=Money("1.00", "CNY"))
    with pytest.raises(ConfigError, match="the plan is for product 'mug'"):
        tee.apply(plan)
