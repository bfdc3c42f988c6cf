"""A rule set: a rules file built once, priced for any customer, address and time.

A rules file (``mallcore validate RULES.json`` checks one) holds a mall's
catalog, promotions, coupons, freight templates and membership programme,
without the customer, the address or the cart. :func:`load_rule_set` builds
it once; :meth:`RuleSet.context` then gives the pricing context of one cart
(its time, buyer, address and the coupons the buyer holds) without
validating or building the rules again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs

from mallcore.membership.points import PointsSettings
from mallcore.membership.tiers import Tier
from mallcore.money import Currency
from mallcore.pricing.catalog import CatalogItem
from mallcore.pricing.context import Customer, PricingContext
from mallcore.promotions.coupons import Coupon
from mallcore.promotions.promotion import Promotion
from mallcore.shipping.templates import FreightTemplate

__all__ = ["RuleSet", "load_rule_set"]


@attrs.frozen
class RuleSet:
    """A mall's rules, built: what :func:`load_rule_set` returns.

    Attributes:
        name: What the rule set is called in reports (the file's stem by default).
        currency: The prices' currency.
        catalog: SKU id → price-book entry.
        promotions: In the order the file lists them.
        coupons: Every coupon of the file, by code (a cart's context gets those its
            buyer holds).
        freight_templates: Template id → template.
        tiers: The membership tiers.
        points: The points settings, or None.
    """

    name: str
    currency: Currency
    catalog: Mapping[str, CatalogItem]
    promotions: tuple[Promotion, ...]
    coupons: Mapping[str, Coupon]
    freight_templates: Mapping[str, FreightTemplate]
    tiers: tuple[Tier, ...] = ()
    points: PointsSettings | None = None

    def context(
        self,
        *,
        at: datetime,
        customer: Customer,
        ship_to: str | None,
        held: Iterable[str] = (),
    ) -> PricingContext:
        """The pricing context of one cart: its instant, buyer, address and held coupons.

        A code the rule set has no coupon for is left out (the coupon no longer
        exists under these rules), so one history can be priced under rule
        sets with different coupons.

        Raises:
            ConfigError, UnknownRegionError: A customer or address the rules refuse.
        """
        coupons = {code: self.coupons[code] for code in held if code in self.coupons}
        return PricingContext(
            currency=self.currency,
            at=at,
            catalog=self.catalog,
            promotions=self.promotions,
            coupons=coupons,
            freight_templates=self.freight_templates,
            tiers=self.tiers,
            points=self.points,
            customer=customer,
            ship_to=ship_to,
        )

    def _repr_html_(self) -> str:
        """The rule set as HTML for notebooks: name, currency, catalog size and every rule.

        Tables of the promotions (id, kind, what each gives, its scope, when it
        runs, how it stacks), the coupons, the freight templates and the
        membership tiers, then the points settings; amounts are shown with
        the currency's symbol in the default locale.
        """
        from html import escape

        from mallcore.money import Money
        from mallcore.pricing._html import describe, table, when

        def fee(value: object) -> str:
            return describe(Money(value, self.currency))

        def regions(codes: tuple[str, ...]) -> str:
            return f" in {', '.join(codes)}" if codes else ""

        count = len(self.catalog)
        parts = [
            f"<p><strong>Rule set {escape(self.name)}</strong>: prices in "
            f"{escape(self.currency.code)}, {count} SKU{'' if count == 1 else 's'} "
            "in the catalog</p>"
        ]
        rows: list[list[object]]
        if self.promotions:
            rows = []
            for promotion in self.promotions:
                window = promotion.window
                active = " until ".join(
                    part for part in (when(window.starts_at), when(window.ends_at)) if part
                )
                if window.starts_at is None and window.ends_at is not None:
                    active = f"until {active}"
                elif window.starts_at is not None and window.ends_at is None:
                    active = f"from {active}"
                if window.recurrence:
                    active = f"{active} {window.recurrence}".strip()
                stacking = describe(
                    {
                        text
                        for text, on in (
                            (f"priority {promotion.priority}", promotion.priority),
                            (f"group {promotion.group}", promotion.group),
                            ("exclusive", promotion.exclusive),
                            ("first order only", promotion.first_order_only),
                            (f"tiers {describe(promotion.member_tiers)}", promotion.member_tiers),
                            (f"channels {describe(promotion.channels)}", promotion.channels),
                        )
                        if on
                    }
                )
                rows.append(
                    [
                        promotion.id,
                        promotion.kind,
                        describe(promotion.benefit),
                        describe(promotion.scope) or "everything",
                        active or "always",
                        stacking,
                    ]
                )
            head = ["promotion", "kind", "gives", "scope", "active", "limits"]
            parts.append(table(head, rows, caption="Promotions, in file order"))
        if self.coupons:
            rows = []
            for code, coupon in sorted(self.coupons.items()):
                template = coupon.template
                gives = describe(
                    template.amount_off if template.amount_off is not None else template.percent_off
                )
                if template.percent_off is not None:
                    gives = f"{gives} % off"
                if template.max_discount is not None:
                    gives = f"{gives}, at most {describe(template.max_discount)}"
                valid = " until ".join(
                    part for part in (when(coupon.valid_from), when(coupon.valid_until)) if part
                )
                rows.append(
                    [
                        code,
                        template.kind.value,
                        gives,
                        describe(template.min_spend) if template.min_spend is not None else "",
                        describe(template.scope) or "everything",
                        valid or "always",
                    ]
                )
            head = ["coupon", "kind", "gives", "min spend", "scope", "valid"]
            parts.append(table(head, rows, caption="Coupons"))
        if self.freight_templates:
            rows = []
            for template_id, freight in sorted(self.freight_templates.items()):
                charges = "; ".join(
                    f"first {rule.first} {fee(rule.first_fee)}, "
                    f"each {rule.additional} more {fee(rule.additional_fee)}{regions(rule.regions)}"
                    for rule in freight.rules
                )
                free = "; ".join(
                    rule.describe().removesuffix(" reached") + regions(rule.regions)
                    for rule in freight.free_rules
                )
                rows.append(
                    [
                        template_id,
                        freight.charge_by.value,
                        charges,
                        free,
                        ", ".join(freight.no_delivery),
                    ]
                )
            head = ["template", "charge by", "charges", "free from", "no delivery"]
            parts.append(table(head, rows, caption="Freight templates"))
        if self.tiers:
            rows = [
                [
                    tier.id,
                    tier.min_growth,
                    "" if tier.rate is None else f"{tier.rate} %",
                    tier.points_multiplier,
                    "yes" if tier.free_shipping else "",
                ]
                for tier in self.tiers
            ]
            head = ["tier", "min growth", "price rate", "points ×", "free shipping"]
            parts.append(table(head, rows, caption="Membership tiers"))
        if self.points is not None:
            points = self.points
            cap = (
                ""
                if points.max_points_per_order is None
                else f", at most {points.max_points_per_order} per order"
            )
            parts.append(
                "<p>"
                + escape(
                    f"Points: {points.points_per_unit} points = {fee(1)}, up to "
                    f"{points.max_ratio} % of the items{cap}; "
                    f"{points.earn_rate} earned per {fee(1)} paid"
                )
                + "</p>"
            )
        return "".join(parts)


def load_rule_set(data: dict[str, Any] | str | Path, *, name: str | None = None) -> RuleSet:
    """Validate a rules file (a dict, a JSON/YAML path, or JSON/YAML text) and build it once.

    A scenario file works too: its customer, address and cart are ignored.

    Raises:
        RulesValidationError: Every problem of the file, each with its JSON path.
        ConfigError: The file cannot be read.
    """
    from mallcore.pricing.rules import load_rule_set as _load

    return _load(data, name=name)
