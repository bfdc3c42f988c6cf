"""Stage 1 of the quote: each line's unit list price, in the cart currency.

A price-book override for the cart's currency, region or channel replaces the
SKU's price (the most specific one wins: a channel beats no channel, then the
deepest region); quantity tiers (阶梯价) replace it when the product's total
quantity in the cart (all its SKUs) reaches a tier's ``min_qty``.
"""

from __future__ import annotations

from collections.abc import Sequence

from mallcore.errors import ConfigError, CurrencyMismatchError
from mallcore.money import Currency
from mallcore.pricing.cart import Cart
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.context import PricingContext
from mallcore.pricing.rulebook import SkuFacts, sku_facts
from mallcore.pricing.sheet import PriceSheet
from mallcore.shipping.regions import is_within, region_ancestors
from mallcore.sku.skus import tier_unit_price

__all__ = ["list_prices"]


def _unknown(sku: str) -> ConfigError:
    return ConfigError(f"unknown SKU {sku!r}: it is not in the catalog")


def _override(item: CatalogItem, context: PricingContext) -> int | None:
    """The most specific price-book override that applies, in minor units, or None."""
    best: tuple[bool, int, int] | None = None
    for override in item.price_overrides:
        if override.price.currency != context.currency:
            continue
        if override.channel is not None and override.channel != context.channel:
            continue
        depth = 0
        if override.region is not None:
            if context.ship_to is None or not is_within(context.ship_to, override.region):
                continue
            depth = len(region_ancestors(override.region))
        rank = (override.channel is not None, depth)
        if best is None or rank > best[:2]:
            best = (*rank, override.price_minor)
    return None if best is None else best[2]


def _unit(item: CatalogItem, context: PricingContext) -> int:
    """The unit list price of *item* before quantity tiers, in minor units."""
    if item.price_overrides:
        override = _override(item, context)
        if override is not None:
            return override
    if item.price.currency != context.currency:
        raise CurrencyMismatchError(
            context.currency.code, item.price.currency.code, context=f"SKU {item.sku!r}"
        )
    return item.price_minor


def list_prices(cart: Cart, context: PricingContext) -> PriceSheet:
    """Stage 1: the price sheet of *cart*, one row per line in cart order, at list prices.

    A SKU's unit price under the context does not depend on the cart, so it
    is worked out once per context and SKU (kept in the rule book with the
    SKU's other facts); only quantity tiers read the cart.
    """
    book = context.rulebook
    lines = cart.lines
    skus = [line.sku for line in lines]
    quantities = [line.quantity for line in lines]
    known = book.skus
    facts = list(map(known.get, skus))
    if None in facts:  # SKUs this context has not priced yet
        catalog = context.catalog
        for i, sku in enumerate(skus):
            if facts[i] is None:
                item = catalog.get(sku)
                if item is None:
                    raise _unknown(sku)
                facts[i] = known[sku] = sku_facts(item, _unit(item, context))
    found: list[SkuFacts] = facts  # type: ignore[assignment]  # no None left
    items = [fact.item for fact in found]
    units = [fact.unit for fact in found]
    if book.quantity_tiers:
        _apply_tiers(items, units, quantities, context.currency)
    return PriceSheet.start(
        skus, items, units, quantities, currency=context.currency, per_major=book.per_major
    )


def _apply_tiers(
    items: Sequence[CatalogItem], units: list[int], quantities: Sequence[int], currency: Currency
) -> None:
    """Replace *units* by quantity-tier prices where a product's total quantity reaches one."""
    per_product: dict[str, int] = {}
    for item, quantity in zip(items, quantities, strict=True):
        per_product[item.product_id] = per_product.get(item.product_id, 0) + quantity
    for i, item in enumerate(items):
        # Tiers are in the SKU's own currency: they apply only there.
        if item.tiers_minor and item.price.currency == currency:
            units[i] = tier_unit_price(item.tiers_minor, per_product[item.product_id], units[i])
