"""Carts, the price book, the quote pipeline and its result."""

from mallcore.pricing.cart import Cart, CartLine
from mallcore.pricing.catalog import CatalogItem, PriceOverride, QuantityTier
from mallcore.pricing.context import Customer, PricingContext, TaxMode, TaxSettings
from mallcore.pricing.pipeline import quote
from mallcore.pricing.quote import Adjustment, Quote, QuoteLine, Rejection
from mallcore.pricing.scenario import Scenario, load_scenario

__all__ = [
    "Adjustment",
    "Cart",
    "CartLine",
    "CatalogItem",
    "Customer",
    "PriceOverride",
    "PricingContext",
    "QuantityTier",
    "Quote",
    "QuoteLine",
    "Rejection",
    "Scenario",
    "TaxMode",
    "TaxSettings",
    "load_scenario",
    "quote",
]
