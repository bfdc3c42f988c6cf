"""The price book: what the quote pipeline knows about each SKU.

A :class:`CatalogItem` checks its fields when it is built, with the same
checks as a catalog :class:`~mallcore.sku.Sku` (a negative price, a float
weight or a member price in another currency is refused there, never priced).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs

from mallcore.checks import (
    as_tuple,
    check_amount,
    check_decimal,
    check_flag,
    check_measure,
    check_optional_text,
    check_text,
    invalid,
)
from mallcore.errors import MallcoreError
from mallcore.money import Money
from mallcore.promotions.scope import Scope, ScopedItem
from mallcore.shipping.regions import check_region
from mallcore.sku.catalog import Product
from mallcore.sku.skus import QuantityTier, Sku, check_tiers

__all__ = ["CatalogItem", "PriceOverride", "QuantityTier"]


@attrs.frozen
class PriceOverride:
    """A price-book entry that replaces a SKU's list price in stage 1.

    It applies when the cart is priced in its ``price``'s currency and, if set,
    the address lies in ``region`` (or below it) and the sale comes through
    ``channel``. Among the overrides that apply, the most specific wins: one
    with a channel beats one without, then the deepest region.
    """

    price: Money
    region: str | None = None
    channel: str | None = None
    price_minor: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "price_minor", check_amount("price", self.price))
        if self.region is not None:
            object.__setattr__(self, "region", check_region("region", self.region))
        check_optional_text("channel", self.channel)


def _tags(values: Iterable[str]) -> frozenset[str]:
    items = as_tuple("tags", values)
    for index, tag in enumerate(items):
        check_text(f"tags[{index}]", tag)
    return frozenset(items)


@attrs.frozen
class CatalogItem:
    """One SKU as the price book sees it.

    Args:
        sku: The SKU id (cart lines refer to it).
        product_id: The product it belongs to (quantity tiers and 第N件 count per product).
        price: List price.
        category: Category id, for promotion scopes.
        brand: Brand, for promotion scopes.
        tags: Tags, for promotion scopes.
        freight_template: Freight template id; None ships free.
        weight_kg: Weight of one unit in kg (Decimal, at most 9 decimals).
        volume_m3: Volume of one unit in m³ (Decimal, at most 9 decimals).
        member_discount: Whether a tier's member rate applies.
        member_price: An explicit member price, used as given.
        quantity_tiers: 阶梯价 by the product's total quantity in the cart.
        tax_rate: VAT rate in percent units; None uses the context's default rate
            (so ``0`` marks a zero-rated SKU even when the default is not zero).
        consumption_tax_rate: Consumption tax in percent units (cross-border mode).
        price_overrides: Price-book entries by currency, region or channel.

    Raises:
        InvalidAmountError: A negative, too large or over-precise price.
        CurrencyMismatchError: A member price or tier in another currency.
        ConfigError: Any other bad field (the message names it).
    """

    sku: str
    product_id: str
    price: Money
    category: str | None = None
    brand: str | None = None
    tags: frozenset[str] = attrs.field(default=frozenset(), converter=_tags)
    freight_template: str | None = None
    weight_kg: Decimal = Decimal(0)
    volume_m3: Decimal = Decimal(0)
    member_discount: bool = True
    member_price: Money | None = None
    quantity_tiers: tuple[QuantityTier, ...] = ()
    tax_rate: Decimal | None = None
    consumption_tax_rate: Decimal = Decimal(0)
    price_overrides: tuple[PriceOverride, ...] = ()
    scoped: ScopedItem = attrs.field(init=False, repr=False, eq=False)
    price_minor: int = attrs.field(init=False, repr=False, eq=False)
    member_price_minor: int | None = attrs.field(init=False, repr=False, eq=False)
    #: ``(min_qty, unit price in minor units)`` per quantity tier, ascending.
    tiers_minor: tuple[tuple[int, int], ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        try:
            self._check()
        except MallcoreError as exc:
            where = f"SKU {self.sku!r}: "
            if not str(exc).startswith(where):
                exc.args = (where + str(exc),)
            raise

    def _check(self) -> None:
        set_ = object.__setattr__
        check_text("sku", self.sku)
        check_text("product_id", self.product_id)
        set_(self, "price_minor", check_amount("price", self.price))
        currency = self.price.currency
        for field in ("category", "brand", "freight_template"):
            check_optional_text(field, getattr(self, field))
        set_(self, "weight_kg", check_measure("weight_kg", self.weight_kg))
        set_(self, "volume_m3", check_measure("volume_m3", self.volume_m3))
        check_flag("member_discount", self.member_discount)
        member = self.member_price
        minor = None if member is None else check_amount("member_price", member, currency=currency)
        set_(self, "member_price_minor", minor)
        tiers = check_tiers(self.quantity_tiers, currency)
        set_(self, "quantity_tiers", tiers)
        set_(self, "tiers_minor", tuple((tier.min_qty, tier.price_minor) for tier in tiers))
        if self.tax_rate is not None:
            set_(self, "tax_rate", check_decimal("tax_rate", self.tax_rate, maximum=100))
        rate = check_decimal("consumption_tax_rate", self.consumption_tax_rate, maximum=100)
        set_(self, "consumption_tax_rate", rate)
        overrides = as_tuple("price_overrides", self.price_overrides)
        for index, override in enumerate(overrides):
            if not isinstance(override, PriceOverride):
                raise invalid(f"price_overrides[{index}]", override, "must be a PriceOverride")
        set_(self, "price_overrides", overrides)
        set_(self, "scoped", ScopedItem(self.product_id, self.category, self.brand, self.tags))

    def in_scope(self, scope: Scope) -> bool:
        """Whether *scope* covers this SKU."""
        return scope.matches(self.scoped)

    @classmethod
    def from_sku(
        cls,
        product: Product,
        sku: Sku,
        *,
        tax_rate: Decimal | None = None,
        consumption_tax_rate: Decimal = Decimal(0),
        price_overrides: Iterable[PriceOverride] = (),
    ) -> CatalogItem:
        """The price-book entry of a catalog SKU (see :mod:`mallcore.sku`)."""
        return cls(
            sku=sku.id,
            product_id=product.id,
            price=sku.price,
            category=product.category_id,
            brand=product.brand,
            tags=frozenset(product.tags),
            freight_template=product.freight_template_id,
            weight_kg=sku.weight_kg,
            volume_m3=sku.volume_m3,
            member_discount=sku.member_discount,
            member_price=sku.member_price,
            quantity_tiers=sku.quantity_tiers,
            tax_rate=tax_rate,
            consumption_tax_rate=consumption_tax_rate,
            price_overrides=tuple(price_overrides),
        )
