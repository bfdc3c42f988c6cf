"""The price book: what the quote pipeline knows about each SKU."""

from __future__ import annotations

from decimal import Decimal

import attrs

from mallcore.money import Money, to_minor
from mallcore.promotions.scope import ScopedItem
from mallcore.sku.catalog import Product
from mallcore.sku.skus import QuantityTier, Sku

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
    price_minor: int = attrs.field(init=False, repr=False)

    @price_minor.default
    def _price_minor(self) -> int:
        return to_minor(self.price)


@attrs.frozen
class CatalogItem:
    """One SKU as the price book sees it.

    Args:
        sku: The SKU id (cart lines refer to it).
        product_id: The product it belongs to (quantity tiers and 第N件 count per product).
        price: List price in the pricing currency.
        category: Category id, for promotion scopes.
        brand: Brand, for promotion scopes.
        tags: Tags, for promotion scopes.
        freight_template: Freight template id; None ships free.
        weight_kg: Weight of one unit in kg.
        volume_m3: Volume of one unit in m³.
        member_discount: Whether a tier's member rate applies.
        member_price: An explicit member price, used as given.
        quantity_tiers: 阶梯价 by the product's total quantity in the cart.
        tax_rate: VAT rate in percent units; None uses the context's default rate
            (so ``0`` marks a zero-rated SKU even when the default is not zero).
        consumption_tax_rate: Consumption tax in percent units (cross-border mode).
        price_overrides: Price-book entries by currency, region or channel.
    """

    sku: str
    product_id: str
    price: Money
    category: str | None = None
    brand: str | None = None
    tags: frozenset[str] = frozenset()
    freight_template: str | None = None
    weight_kg: Decimal = Decimal(0)
    volume_m3: Decimal = Decimal(0)
    member_discount: bool = True
    member_price: Money | None = None
    quantity_tiers: tuple[QuantityTier, ...] = ()
    tax_rate: Decimal | None = None
    consumption_tax_rate: Decimal = Decimal(0)
    price_overrides: tuple[PriceOverride, ...] = ()
    scoped: ScopedItem = attrs.field(init=False, repr=False)
    price_minor: int = attrs.field(init=False, repr=False)
    member_price_minor: int | None = attrs.field(init=False, repr=False)
    #: ``(min_qty, unit price in minor units)`` per quantity tier.
    tiers_minor: tuple[tuple[int, int], ...] = attrs.field(init=False, repr=False)

    @scoped.default
    def _scoped(self) -> ScopedItem:
        return ScopedItem(self.product_id, self.category, self.brand, self.tags)

    @price_minor.default
    def _price_minor(self) -> int:
        return to_minor(self.price)

    @member_price_minor.default
    def _member_price_minor(self) -> int | None:
        return None if self.member_price is None else to_minor(self.member_price)

    @tiers_minor.default
    def _tiers_minor(self) -> tuple[tuple[int, int], ...]:
        return tuple((tier.min_qty, to_minor(tier.price)) for tier in self.quantity_tiers)

    @classmethod
    def from_sku(cls, product: Product, sku: Sku) -> CatalogItem:
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
        )
