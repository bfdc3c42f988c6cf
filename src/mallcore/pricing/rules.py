"""The scenario file (DESIGN.md sections 11-12) as pydantic specs, and ``load_scenario``.

A scenario holds the rules (catalog, promotions, coupons, freight templates,
membership), the customer, the address and a cart. Validation reports every
problem with its JSON path; building compiles the rules once.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, TypeAdapter, ValidationError, model_validator

from mallcore.errors import ConfigError
from mallcore.membership.rules import MembershipSpec
from mallcore.money import RoundingPolicy, parse_money
from mallcore.pricing.cart import Cart, CartLine
from mallcore.pricing.catalog import CatalogItem, PriceOverride
from mallcore.pricing.context import Customer, PricingContext, TaxMode, TaxSettings
from mallcore.pricing.scenario import Scenario
from mallcore.promotions.rules import CouponSpec, PromotionSpec
from mallcore.rules import Amount, AwareDatetime, Percent, Spec, config_error
from mallcore.shipping.regions import normalize_region
from mallcore.shipping.rules import FreightTemplateSpec
from mallcore.sku.skus import QuantityTier

__all__ = [
    "SCHEMAS",
    "RulesSpec",
    "ScenarioSpec",
    "load_scenario",
    "read_rules_file",
    "validate_rules",
]


class _QuantityTierSpec(Spec):
    min_qty: int = Field(ge=1)
    price: Amount


class _PriceOverrideSpec(Spec):
    price: Amount
    currency: str | None = None
    region: str | None = None
    channel: str | None = None


class SkuSpec(Spec):
    """A SKU in a scenario catalog."""

    sku: str = Field(min_length=1)
    price: Amount
    currency: str | None = None
    weight_kg: Amount = Decimal(0)
    volume_m3: Amount = Decimal(0)
    member_discount: bool = True
    member_price: Amount | None = None
    quantity_tiers: list[_QuantityTierSpec] = []
    tax_rate: Percent | None = None
    consumption_tax_rate: Percent = Decimal(0)
    price_overrides: list[_PriceOverrideSpec] = []


class ProductSpec(Spec):
    """A product in a scenario catalog, with its SKUs."""

    id: str = Field(min_length=1)
    category: str | None = None
    brand: str | None = None
    tags: list[str] = []
    freight_template: str | None = None
    skus: list[SkuSpec] = Field(min_length=1)


class CatalogSpec(Spec):
    """``{products: [...]}``."""

    products: list[ProductSpec] = []


class CustomerSpec(Spec):
    """The buyer."""

    id: str = "guest"
    tier: str | None = None
    points: int = 0
    first_order: bool = False
    year_to_date: Amount | None = None


class ShipToSpec(Spec):
    """The address: a region code."""

    region: str = Field(min_length=1)


class CartLineSpec(Spec):
    """One cart line."""

    sku: str = Field(min_length=1)
    quantity: int


class CartSpec(Spec):
    """The cart: lines, coupon codes in order, and a points request."""

    lines: list[CartLineSpec] = Field(min_length=1)
    coupons: list[str] = []
    points: Literal["max"] | int | None = None


class TaxSpec(Spec):
    """Tax mode and default rate (percent units)."""

    mode: Literal["inclusive", "exclusive", "cross_border"] = "inclusive"
    rate: Percent = Decimal(0)


class ScenarioSpec(Spec):
    """A whole scenario file."""

    description: str | None = None
    currency: str
    at: AwareDatetime
    catalog: CatalogSpec = CatalogSpec()
    promotions: list[PromotionSpec] = []
    coupons: list[CouponSpec] = []
    freight_templates: list[FreightTemplateSpec] = []
    membership: MembershipSpec | None = None
    customer: CustomerSpec = CustomerSpec()
    ship_to: ShipToSpec | None = None
    cart: CartSpec
    combine: Literal["sum", "max_first"] = "sum"
    allow_zero_payment: bool = False
    max_coupons_per_class: int = Field(default=1, ge=1)
    channel: str | None = None
    rounding: Literal["half_up", "half_even", "down", "up"] = "half_up"
    tax: TaxSpec = TaxSpec()

    @model_validator(mode="after")
    def _unique_ids(self) -> ScenarioSpec:
        def duplicates(values: list[str]) -> list[str]:
            seen: set[str] = set()
            return sorted({v for v in values if v in seen or seen.add(v)})  # type: ignore[func-returns-value]

        checks = {
            "catalog SKU": [s.sku for p in self.catalog.products for s in p.skus],
            "product id": [p.id for p in self.catalog.products],
            "promotion id": [p.id for p in self.promotions],
            "coupon code": [c.code for c in self.coupons],
            "freight template id": [t.id for t in self.freight_templates],
        }
        for what, values in checks.items():
            dup = duplicates(values)
            if dup:
                msg = f"duplicate {what}(s): {', '.join(dup)}"
                raise ValueError(msg)
        return self

    def build_context(self) -> PricingContext:
        """Compile the rules into a :class:`PricingContext` (once per scenario)."""
        currency = self.currency.upper()
        catalog: dict[str, CatalogItem] = {}
        for product in self.catalog.products:
            for sku in product.skus:
                sku_currency = (sku.currency or currency).upper()
                field = f"SKU {sku.sku!r} price"
                catalog[sku.sku] = CatalogItem(
                    sku=sku.sku,
                    product_id=product.id,
                    price=parse_money(sku.price, sku_currency, field=field),
                    category=product.category,
                    brand=product.brand,
                    tags=frozenset(product.tags),
                    freight_template=product.freight_template,
                    weight_kg=sku.weight_kg,
                    volume_m3=sku.volume_m3,
                    member_discount=sku.member_discount,
                    member_price=None
                    if sku.member_price is None
                    else parse_money(
                        sku.member_price, sku_currency, field=f"SKU {sku.sku!r} member_price"
                    ),
                    quantity_tiers=tuple(
                        QuantityTier(
                            t.min_qty,
                            parse_money(
                                t.price, sku_currency, field=f"SKU {sku.sku!r} quantity tier price"
                            ),
                        )
                        for t in sku.quantity_tiers
                    ),
                    tax_rate=sku.tax_rate,
                    consumption_tax_rate=sku.consumption_tax_rate,
                    price_overrides=tuple(
                        PriceOverride(
                            parse_money(
                                o.price,
                                (o.currency or sku_currency).upper(),
                                field=f"SKU {sku.sku!r} price_overrides[{n}].price",
                            ),
                            None if o.region is None else normalize_region(o.region),
                            o.channel,
                        )
                        for n, o in enumerate(sku.price_overrides)
                    ),
                )
        templates = {spec.id: spec.build() for spec in self.freight_templates}
        for product in self.catalog.products:
            if product.freight_template is not None and product.freight_template not in templates:
                msg = (
                    f"product {product.id!r} uses freight template {product.freight_template!r}, "
                    "which freight_templates does not define"
                )
                raise ConfigError(msg)
        tiers, points = self.membership.build() if self.membership is not None else ((), None)
        customer = Customer(
            self.customer.id,
            self.customer.tier,
            self.customer.points,
            self.customer.first_order,
            None
            if self.customer.year_to_date is None
            else parse_money(self.customer.year_to_date, currency, field="customer.year_to_date"),
        )
        return PricingContext(
            currency=currency,
            at=self.at,
            catalog=catalog,
            promotions=tuple(spec.build(currency) for spec in self.promotions),
            coupons={spec.code: spec.build(currency) for spec in self.coupons},
            freight_templates=templates,
            combine=self.combine,
            tiers=tiers,
            points=points,
            customer=customer,
            ship_to=self.ship_to.region if self.ship_to is not None else None,
            channel=self.channel,
            allow_zero_payment=self.allow_zero_payment,
            max_coupons_per_class=self.max_coupons_per_class,
            rounding=RoundingPolicy(self.rounding),
            tax=TaxSettings(mode=TaxMode(self.tax.mode), rate=self.tax.rate),
        )

    def build_cart(self) -> Cart:
        """The scenario's cart (lines merged by SKU)."""
        return Cart(
            [CartLine(line.sku, line.quantity) for line in self.cart.lines],
            tuple(self.cart.coupons),
            self.cart.points,
        )


class RulesSpec(Spec):
    """A rules file: a scenario's rules without customer, address or cart."""

    description: str | None = None
    currency: str
    catalog: CatalogSpec = CatalogSpec()
    promotions: list[PromotionSpec] = []
    coupons: list[CouponSpec] = []
    freight_templates: list[FreightTemplateSpec] = []
    membership: MembershipSpec | None = None


#: The JSON Schemas ``mallcore schema NAME`` prints.
SCHEMAS: dict[str, TypeAdapter[Any]] = {
    "coupon": TypeAdapter(CouponSpec),
    "freight_template": TypeAdapter(FreightTemplateSpec),
    "membership": TypeAdapter(MembershipSpec),
    "promotion": TypeAdapter(PromotionSpec),
    "rules": TypeAdapter(RulesSpec),
    "scenario": TypeAdapter(ScenarioSpec),
}


def read_rules_file(source: str | Path) -> Any:
    """Parse a JSON (or, with PyYAML installed, YAML) file or text into plain data.

    Raises:
        ConfigError: The file is missing or does not parse.
    """
    text: str
    path = Path(source) if isinstance(source, Path) or "\n" not in str(source) else None
    if path is not None and path.exists():
        text = path.read_text(encoding="utf-8")
        suffix = path.suffix.lower()
    elif isinstance(source, str) and source.lstrip().startswith(("{", "[")):
        text, suffix = source, ".json"
    elif path is not None and path.suffix.lower() in {".json", ".yaml", ".yml"}:
        msg = f"file {str(path)!r} does not exist"
        raise ConfigError(msg)
    else:
        text, suffix = str(source), ".yaml"
    if suffix in {".yaml", ".yml"}:
        try:
            import yaml
        except ImportError:
            msg = "reading YAML needs PyYAML: pip install mallcore[yaml]"
            raise ConfigError(msg) from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            msg = f"not valid YAML: {exc}"
            raise ConfigError(msg) from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        msg = f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise ConfigError(msg) from None


def load_scenario(data: Any) -> Scenario:
    """Validate a scenario (a dict, a JSON/YAML path, or JSON/YAML text) and compile it.

    Raises:
        RulesValidationError: Every problem, each with its JSON path.
        ConfigError: The file cannot be read, or the rules contradict each other.
    """
    if isinstance(data, str | Path):
        data = read_rules_file(data)
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, "scenario") from exc
    return Scenario(spec.build_cart(), spec.build_context())


def validate_rules(source: Any) -> str:
    """Check a scenario or rules file completely; return which it is (``scenario`` or ``rules``).

    Raises:
        RulesValidationError: Every schema problem, each with its JSON path.
        ConfigError: A problem found while compiling (an amount too precise for
            its currency, a product naming a missing freight template).
    """
    data = read_rules_file(source) if isinstance(source, str | Path) else source
    if isinstance(data, dict) and "cart" in data:
        load_scenario(data)
        return "scenario"
    try:
        spec = RulesSpec.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, "rules") from exc
    probe = {
        **spec.model_dump(mode="python", exclude_none=True),
        "at": "2000-01-01T00:00:00+00:00",
        "cart": {"lines": [{"sku": "-", "quantity": 1}]},
    }
    ScenarioSpec.model_validate(probe).build_context()
    return "rules"
