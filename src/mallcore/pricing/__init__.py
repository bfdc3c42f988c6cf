"""Carts, the price book, the quote pipeline and its result, and the best-coupon search.

Pricing is the one place that applies rules: it reads the promotion kinds of
:mod:`mallcore.promotions`, the freight templates of :mod:`mallcore.shipping`
and the points settings of :mod:`mallcore.membership`.
"""

from mallcore.pricing.best import BestCoupons, best_coupons
from mallcore.pricing.cart import Cart, CartLine
from mallcore.pricing.catalog import CatalogItem, PriceOverride, QuantityTier
from mallcore.pricing.context import Customer, PricingContext, TaxMode, TaxSettings
from mallcore.pricing.pipeline import is_points_mall_order, quote
from mallcore.pricing.quote import Adjustment, LineColumns, Quote, QuoteLine, Rejection, Stage
from mallcore.pricing.rulebook import RuleBook, compile_rules
from mallcore.pricing.ruleset import RuleSet, load_rule_set
from mallcore.pricing.scenario import Scenario, load_scenario

__all__ = [
    "Adjustment",
    "BestCoupons",
    "Cart",
    "CartLine",
    "CatalogItem",
    "Customer",
    "LineColumns",
    "PriceOverride",
    "PricingContext",
    "QuantityTier",
    "Quote",
    "QuoteLine",
    "Rejection",
    "RuleBook",
    "RuleSet",
    "Scenario",
    "Stage",
    "TaxMode",
    "TaxSettings",
    "best_coupons",
    "compile_rules",
    "is_points_mall_order",
    "load_rule_set",
    "load_scenario",
    "quote",
]
