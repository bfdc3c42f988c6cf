"""Stage 7 of the quote: the tax part of each line (inclusive), or the tax added to it."""

from __future__ import annotations

from decimal import Decimal

import moneyed

from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.context import PricingContext, TaxMode
from mallcore.pricing.quote import Adjustment
from mallcore.pricing.work import Work

__all__ = ["tax_stage"]


def _has_tax_rates(context: PricingContext) -> bool:
    """Whether any SKU of the catalog sets its own tax rate (cached on the context)."""
    cached = context._cache.get("has_tax_rates")
    if cached is None:
        cached = context._cache["has_tax_rates"] = any(
            item.tax_rate for item in context.catalog.values() if item.tax_rate is not None
        )
    return bool(cached)


def _rate(item: CatalogItem | None, context: PricingContext) -> Decimal:
    if item is not None and item.tax_rate is not None:
        return item.tax_rate
    return context.tax.rate


def tax_stage(work: Work, context: PricingContext) -> tuple[Adjustment, ...]:
    """Stage 7: the tax part of each line (inclusive) or the tax added to it.

    Inclusive (default): ``amount - amount / (1 + rate)`` per line, rounded per
    line; nothing is added. Exclusive: ``amount × rate`` per line, added.
    Cross-border: ``(VAT + consumption tax) × 70 %`` of the line's items and
    freight while the order and the customer's year stay within the limits,
    else the full rates; added.
    """
    settings = context.tax
    rounding = context.rounding
    n = len(work.keys)
    net = work.lines.amount  # each line's item amount after points
    if settings.mode is TaxMode.INCLUSIVE and not settings.rate and not _has_tax_rates(context):
        return ()  # every rate is zero: every line's tax part is zero
    if settings.mode is TaxMode.INCLUSIVE:
        for i in range(n):
            rate = _rate(work.items[i], context)
            amount = net[i]
            if rate and amount > 0:
                # The tax part amount × rate / (100 + rate) is what gets rounded, exactly.
                numerator, denominator = rate.as_integer_ratio()
                work.tax[i] = rounding.divide(amount * numerator, 100 * denominator + numerator)
        return ()
    work.tax_added = True
    shares: list[tuple[int, int]] = []
    concession = Decimal(1)
    if settings.mode is TaxMode.CROSS_BORDER:
        order_items = sum(net)
        order_major = Decimal(order_items) / work.per_major
        spent = context.customer.year_to_date
        year = (spent.amount if isinstance(spent, moneyed.Money) else Decimal(0)) + order_major
        if order_major <= settings.order_limit and year <= settings.annual_limit:
            concession = settings.concession / 100
    for i in range(n):
        item = work.items[i]
        rate = _rate(item, context)
        base = net[i]
        if settings.mode is TaxMode.CROSS_BORDER:
            rate = (
                rate + (item.consumption_tax_rate if item is not None else Decimal(0))
            ) * concession
            base += work.freight[i] - work.shipping_discount[i]
        if rate and base > 0:
            numerator, denominator = (rate / 100).as_integer_ratio()
            work.tax[i] = rounding.divide(base * numerator, denominator)
            if work.tax[i]:
                shares.append((i, work.tax[i]))
    return (work.adjust("tax", "tax", shares),) if shares else ()
