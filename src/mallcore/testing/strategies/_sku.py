r"""Hypothesis strategies for the catalog: specs, SKUs and whole products.

Spec and value ids deliberately include ``=``, ``|`` and ``\`` so that key
escaping is exercised; SKU codes stay within the allowed code alphabet.

>>> from hypothesis import given
>>> @given(products(currency="CNY"))
... def test_listed_prices_are_cny(product):
...     assert all(sku.price.currency.code == "CNY" for sku in product.skus)
>>> test_listed_prices_are_cny()
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mallcore.money import to_minor
from mallcore.sku.catalog import ListingStatus, Product, make_product
from mallcore.sku.matrix import build_matrix
from mallcore.sku.names import LocalizedText
from mallcore.sku.skus import QuantityTier, Sku, SkuStatus, make_sku
from mallcore.sku.specs import Spec, SpecValue
from mallcore.testing.strategies._money import currency_codes, money

__all__ = ["products", "skus", "specs"]

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_LOCALES = ("en", "zh", "zh_Hant", "zh_Hans_CN", "ja", "fr_FR")
_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_ids = st.text(
    st.sampled_from("=|\\-ab") | st.characters(blacklist_categories=("Cs", "Cc")),
    min_size=1,
    max_size=6,
)
_codes = st.text(_CODE_ALPHABET, min_size=1, max_size=4)


def _check_size(name: str, low: int, high: int) -> None:
    if low < 0 or high < low:
        msg = f"need 0 <= min_{name}={low!r} <= max_{name}={high!r}"
        raise InvalidArgument(msg)


@st.composite
def _spec(draw: st.DrawFn, spec_id: str, max_values: int) -> Spec:
    ids = draw(st.lists(_ids, min_size=1, max_size=max_values, unique=True))
    codes = draw(st.lists(_codes, min_size=len(ids), max_size=len(ids), unique=True))
    values = [
        SpecValue(value_id, draw(_text), code) for value_id, code in zip(ids, codes, strict=True)
    ]
    return Spec(spec_id, draw(_text), values)


def specs(
    *, min_specs: int = 1, max_specs: int = 3, max_values: int = 4
) -> st.SearchStrategy[tuple[Spec, ...]]:
    r"""Valid spec tuples: distinct spec ids, 1..*max_values* values each, distinct codes.

    Ids may contain ``=``, ``|`` and ``\``, which keys must escape.
    """
    _check_size("specs", min_specs, max_specs)
    if max_values < 1:
        msg = f"max_values={max_values!r} must be at least 1"
        raise InvalidArgument(msg)
    return st.lists(_ids, min_size=min_specs, max_size=max_specs, unique=True).flatmap(
        lambda spec_ids: st.tuples(*(_spec(spec_id, max_values) for spec_id in spec_ids))
    )


_decimals = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False)


@st.composite
def _sku_fields(draw: st.DrawFn, sku: Sku) -> Sku:
    """Vary the per-SKU fields of *sku* (price, tiers, sizes, barcode, status)."""
    code = sku.price.currency.code
    price = draw(money(code, max_amount=10_000))
    tier_qtys = draw(st.lists(st.integers(2, 100), max_size=3, unique=True))
    tiers = tuple(QuantityTier(q, draw(money(code, max_amount=10_000))) for q in sorted(tier_qtys))
    member_price = draw(st.none() | money(code, max_amount=10_000))
    return attrs.evolve(
        sku,
        price=price,
        member_discount=draw(st.booleans()),
        member_price=member_price,
        quantity_tiers=tiers,
        barcode=draw(st.none() | st.text("0123456789", min_size=8, max_size=13)),
        weight_kg=draw(_decimals),
        volume_m3=draw(_decimals),
        low_stock_threshold=draw(st.integers(0, 50)),
        status=draw(st.sampled_from(SkuStatus)),
    )


def skus(*, product_id: str = "P", currency: str | None = None) -> st.SearchStrategy[Sku]:
    """Single SKUs of a product without specs, with every optional field varied."""
    codes = st.just(currency) if currency is not None else currency_codes()

    def build(sku_id: str, code: str) -> st.SearchStrategy[Sku]:
        base = make_sku(sku_id, product_id, price="0", currency=code)
        return _sku_fields(base)

    return st.tuples(_codes.map(lambda c: f"S{c}"), codes).flatmap(lambda args: build(*args))


_zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))])
_moments = st.builds(
    lambda minutes, tz: (
        datetime(2026, 1, 1, tzinfo=UTC).astimezone(tz) + timedelta(minutes=minutes)
    ),
    st.integers(0, 500_000),
    _zones,
)


@st.composite
def _products(draw: st.DrawFn, currency: str | None, max_skus: int) -> Product:
    code = draw(st.just(currency) if currency is not None else currency_codes())
    product_id = "P" + draw(_codes)
    locales = draw(st.lists(st.sampled_from(_LOCALES), min_size=1, max_size=3, unique=True))
    names = LocalizedText({tag: draw(_text) for tag in locales}, default=locales[0])
    list_at = draw(st.none() | _moments)
    delist_at = draw(st.none() | _moments)
    if list_at is not None and delist_at is not None and delist_at <= list_at:
        delist_at = None
    spec_tuple: tuple[Spec, ...] = ()
    exclusions: list[dict[str, str]] = []
    if draw(st.booleans()):
        spec_tuple = draw(specs(max_specs=3, max_values=3))
        if draw(st.booleans()):
            exclusions = [{spec_tuple[0].id: spec_tuple[0].values[0].id}]
        bases = build_matrix(product_id, spec_tuple, exclusions=exclusions).to_skus(
            price="0", currency=code
        )
    else:
        sku_codes = draw(st.lists(_codes, min_size=1, max_size=max_skus, unique=True))
        bases = tuple(
            make_sku(f"{product_id}-{c}", product_id, price="0", currency=code) for c in sku_codes
        )
    sku_tuple = [draw(_sku_fields(base)) for base in bases[:max_skus]]
    for sku in sku_tuple:
        to_minor(sku.price)  # strategies must only make amounts exact in their currency
    return make_product(
        product_id,
        names=names,
        skus=sku_tuple,
        specs=spec_tuple,
        category_id=draw(st.none() | _codes),
        brand=draw(st.none() | _text.filter(bool)),
        tags=draw(st.frozensets(_text.filter(bool), max_size=3)),
        freight_template_id=draw(st.none() | st.sampled_from(["T1", "T2"])),
        status=draw(st.sampled_from(ListingStatus)),
        list_at=list_at,
        delist_at=delist_at,
        exclusions=exclusions,
    )


def products(*, currency: str | None = None, max_skus: int = 12) -> st.SearchStrategy[Product]:
    """Products with names in 1–3 locales, a schedule, and either specs or explicit SKUs.

    Half the products have specs (their SKUs are the matrix, sometimes with an
    exclusion, cut at *max_skus*); the rest list 1..*max_skus* SKUs explicitly.
    All SKUs of a product share one currency.
    """
    if max_skus < 1:
        msg = f"max_skus={max_skus!r} must be at least 1"
        raise InvalidArgument(msg)
    return _products(currency, max_skus)
