"""Stage 7 of the quote: the tax part of each line (inclusive), or the tax added to it."""

from __future__ import annotations

from decimal import Decimal

from mallcore.money import RoundingPolicy, percent_of_minor
from mallcore.pricing.context import Customer, TaxMode, TaxSettings
from mallcore.pricing.quote import Adjustment, Stage
from mallcore.pricing.rulebook import RuleBook
from mallcore.pricing.sheet import PriceSheet

__all__ = ["add_tax"]


def add_tax(
    sheet: PriceSheet,
    book: RuleBook,
    settings: TaxSettings,
    customer: Customer,
    rounding: RoundingPolicy,
) -> list[Adjustment]:
    """Stage 7 on *sheet*: the tax part of each line (inclusive) or the tax added to it.

    Inclusive (default): the tax part ``amount × rate / (100 + rate)`` per
    line, rounded per line; nothing is added. Exclusive: ``amount × rate`` per
    line, added. Cross-border: ``(VAT + consumption tax) × 70 %`` of the line's
    items and freight while the order and the customer's year stay within the
    limits, else the full rates; added. A SKU's own ``tax_rate`` beats the
    default ``settings.rate``.
    """
    net = sheet.amount  # each line's item amount after points
    mode = settings.mode
    if mode is TaxMode.INCLUSIVE and not settings.rate and not book.tax_rates:
        return []  # every rate is zero: every line's tax part is zero
    rates = [settings.rate if item.tax_rate is None else item.tax_rate for item in sheet.items]
    tax = sheet.tax
    if mode is TaxMode.INCLUSIVE:
        for i, rate in enumerate(rates):
            if rate and net[i] > 0:
                # The tax part amount × rate / (100 + rate) is what gets rounded, exactly.
                numerator, denominator = rate.as_integer_ratio()
                tax[i] = rounding.divide(net[i] * numerator, 100 * denominator + numerator)
        return []
    sheet.tax_added = True
    shares: list[tuple[int, int]] = []
    bases = list(net)
    if mode is TaxMode.CROSS_BORDER:
        order_major = Decimal(sum(net)) / sheet.per_major
        spent = customer.year_to_date
        year = (Decimal(0) if spent is None else spent.amount) + order_major
        within = order_major <= settings.order_limit and year <= settings.annual_limit
        concession = settings.concession / 100 if within else Decimal(1)
        rates = [
            (rate + item.consumption_tax_rate) * concession
            for rate, item in zip(rates, sheet.items, strict=True)
        ]
        bases = [
            base + freight - waived
            for base, freight, waived in zip(
                bases, sheet.freight, sheet.shipping_discount, strict=True
            )
        ]
    for i, rate in enumerate(rates):
        if rate and bases[i] > 0:
            tax[i] = percent_of_minor(bases[i], rate, rounding)
            if tax[i]:
                shares.append((i, tax[i]))
    return [sheet.adjust("tax", Stage.TAX, shares)] if shares else []
