"""Scenario and rules files as pydantic specs, ``load_scenario`` and ``validate_rules``.

A scenario holds the rules (catalog, promotions, coupons, freight templates,
membership), the customer, the address and a cart. Loading checks the file's
shape with the specs and its values with the domain objects they build (the
same checks as in Python), and reports every problem with its JSON path.
Building compiles the rules once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Literal

import attrs
from pydantic import TypeAdapter, ValidationError

from mallcore.checks import invalid
from mallcore.errors import ConfigError, MallcoreError, RulesValidationError
from mallcore.membership.points import PointsSettings
from mallcore.membership.rules import MembershipSpec
from mallcore.membership.tiers import Tier
from mallcore.money import Currency, Money, RoundingPolicy, resolve_currency
from mallcore.pricing.cart import Cart, CartLine
from mallcore.pricing.catalog import CatalogItem, PriceOverride
from mallcore.pricing.context import (
    Customer,
    PricingContext,
    RuleProblem,
    TaxMode,
    TaxSettings,
    rule_problems,
)
from mallcore.pricing.ruleset import RuleSet
from mallcore.pricing.scenario import Scenario
from mallcore.promotions.coupons import Coupon
from mallcore.promotions.promotion import Promotion
from mallcore.promotions.rules import CouponSpec, PromotionSpec
from mallcore.rules import (
    Amount,
    AwareDatetime,
    Count,
    Percent,
    Problems,
    Spec,
    error_lines,
    validate_each,
)
from mallcore.shipping.regions import normalize_region
from mallcore.shipping.rules import FreightTemplateSpec, build_templates
from mallcore.shipping.templates import FreightTemplate
from mallcore.sku.catalog import make_product
from mallcore.sku.matrix import DEFAULT_CODE_TEMPLATE, build_matrix
from mallcore.sku.skus import Sku, make_sku
from mallcore.sku.specs import Spec as SkuSpecDimension
from mallcore.sku.specs import SpecValue

__all__ = [
    "SCHEMAS",
    "RulesSpec",
    "ScenarioSpec",
    "load_rule_set",
    "load_scenario",
    "read_rules_file",
    "validate_rules",
]


class _QuantityTierSpec(Spec):
    min_qty: Count
    price: Amount


class _PriceOverrideSpec(Spec):
    price: Amount
    currency: str | None = None
    region: str | None = None
    channel: str | None = None

    def build(self, sku_currency: str) -> PriceOverride:
        currency = (self.currency or sku_currency).upper()
        return PriceOverride(Money(self.price, currency), self.region, self.channel)


class _SkuFields(Spec):
    """What a SKU may say about itself (every key optional: defaults of a matrix)."""

    price: Amount | None = None
    currency: str | None = None
    weight_kg: Amount = Decimal(0)
    volume_m3: Amount = Decimal(0)
    member_discount: bool = True
    member_price: Amount | None = None
    quantity_tiers: list[_QuantityTierSpec] = []
    tax_rate: Percent | None = None
    consumption_tax_rate: Percent = Decimal(0)
    price_overrides: list[_PriceOverrideSpec] = []


class SkuSpec(_SkuFields):
    """A SKU in a scenario catalog (in a matrix product: the generated code it overrides)."""

    sku: str


class _SpecValueSpec(Spec):
    id: str
    label: str = ""
    code: str | None = None


class _SpecDimensionSpec(Spec):
    id: str
    label: str = ""
    values: list[_SpecValueSpec]


class ProductSpec(Spec):
    """A product: its SKUs listed one by one, or generated from ``specs`` (the SKU matrix).

    With ``specs``, every combination of their values (first spec outermost)
    minus ``exclusions`` becomes a SKU whose id is its generated code
    (``code_template``, default ``{product}-{codes}``, upper-cased); the SKU
    fields come from ``sku_defaults``, and an entry of ``skus`` whose ``sku``
    is a generated code overrides them for that SKU.
    """

    id: str
    category: str | None = None
    brand: str | None = None
    tags: list[str] = []
    freight_template: str | None = None
    skus: list[SkuSpec] = []
    specs: list[_SpecDimensionSpec] = []
    exclusions: list[dict[str, str]] = []
    code_template: str = DEFAULT_CODE_TEMPLATE
    sku_defaults: _SkuFields | None = None


class CatalogSpec(Spec):
    """``{products: [...]}``."""

    products: list[ProductSpec] = []


class CustomerSpec(Spec):
    """The buyer."""

    id: str = "guest"
    tier: str | None = None
    points: Count = 0
    first_order: bool = False
    year_to_date: Amount | None = None


class ShipToSpec(Spec):
    """The address: a region code."""

    region: str


class CartLineSpec(Spec):
    """One cart line."""

    sku: str
    quantity: Count


class CartSpec(Spec):
    """The cart: lines, coupon codes in order, and a points request."""

    lines: list[CartLineSpec]
    coupons: list[str] = []
    points: Literal["max"] | Count | None = None


class TaxSpec(Spec):
    """Tax mode and default rate (percent units)."""

    mode: Literal["inclusive", "exclusive", "cross_border"] = "inclusive"
    rate: Percent = Decimal(0)


class RulesSpec(Spec):
    """A rules file: a scenario's rules without customer, address or cart."""

    description: str | None = None
    currency: str
    catalog: CatalogSpec = CatalogSpec()
    promotions: list[PromotionSpec] = []
    coupons: list[CouponSpec] = []
    freight_templates: list[FreightTemplateSpec] = []
    membership: MembershipSpec | None = None


class ScenarioSpec(RulesSpec):
    """A whole scenario file: the rules plus who buys what, where, when and how."""

    at: AwareDatetime
    customer: CustomerSpec = CustomerSpec()
    ship_to: ShipToSpec | None = None
    cart: CartSpec
    combine: Literal["sum", "max_first"] = "sum"
    allow_zero_payment: bool = False
    max_coupons_per_class: Count = 1
    channel: str | None = None
    rounding: Literal["half_up", "half_even", "down", "up"] = "half_up"
    tax: TaxSpec = TaxSpec()


#: The JSON Schemas ``mallcore schema NAME`` prints.
SCHEMAS: dict[str, TypeAdapter[Any]] = {
    "coupon": TypeAdapter(CouponSpec),
    "freight_template": TypeAdapter(FreightTemplateSpec),
    "membership": TypeAdapter(MembershipSpec),
    "promotion": TypeAdapter(PromotionSpec),
    "rules": TypeAdapter(RulesSpec),
    "scenario": TypeAdapter(ScenarioSpec),
}


# --------------------------------------------------------------------------- building


@attrs.define
class _Rules:
    """The rules of a file, built, with the JSON path of every built object."""

    currency: Currency
    catalog: dict[str, CatalogItem] = attrs.Factory(dict)
    sku_paths: dict[str, str] = attrs.Factory(dict)
    templates: dict[str, FreightTemplate] = attrs.Factory(dict)
    template_paths: dict[str, str] = attrs.Factory(dict)
    promotions: list[Promotion] = attrs.Factory(list)
    promotion_paths: list[str] = attrs.Factory(list)
    coupons: dict[str, Coupon] = attrs.Factory(dict)
    coupon_paths: dict[str, str] = attrs.Factory(dict)
    tiers: tuple[Tier, ...] = ()
    points: PointsSettings | None = None
    #: Every SKU id the file writes or generates, built or not.
    declared: set[str] = attrs.Factory(set)

    def path_of(self, problem: RuleProblem) -> str:
        """The JSON path of the rule a :class:`RuleProblem` is about."""
        key = problem.key
        if problem.section == "catalog" and isinstance(key, str):
            return self.sku_paths.get(key, "catalog")
        if problem.section == "freight_templates" and isinstance(key, str):
            return self.template_paths.get(key, "freight_templates")
        if problem.section == "promotions" and isinstance(key, int):
            return self.promotion_paths[key]
        if problem.section == "coupons" and isinstance(key, str):
            return self.coupon_paths.get(key, "coupons")
        if problem.section == "tiers":
            return "membership.tiers" if key is None else f"membership.tiers[{key}]"
        return problem.section


def _sku_kwargs(fields: _SkuFields, currency: str) -> dict[str, Any]:
    return {
        "price": fields.price,
        "currency": (fields.currency or currency).upper(),
        "weight_kg": fields.weight_kg,
        "volume_m3": fields.volume_m3,
        "member_discount": fields.member_discount,
        "member_price": fields.member_price,
        "quantity_tiers": [{"min_qty": t.min_qty, "price": t.price} for t in fields.quantity_tiers],
    }


def _price_book(
    fields: _SkuFields, sku_currency: str, problems: Problems, path: str
) -> dict[str, Any] | None:
    """The price-book extras of a SKU (tax rates, overrides), or None (problems noted)."""
    overrides = [
        problems.build(f"{path}.price_overrides[{index}]", partial(spec.build, sku_currency))
        for index, spec in enumerate(fields.price_overrides)
    ]
    if None in overrides:
        return None
    return {
        "tax_rate": fields.tax_rate,
        "consumption_tax_rate": fields.consumption_tax_rate,
        "price_overrides": overrides,
    }


def _fields(spec: SkuSpec, defaults: _SkuFields | None) -> _SkuFields:
    """*spec*'s fields over *defaults*: only the keys the SKU entry writes override."""
    if defaults is None:
        return spec
    written = spec.model_dump(exclude_unset=True, exclude={"sku"})
    return defaults.model_copy(update=written)


def _build_product(product: ProductSpec, path: str, rules: _Rules, problems: Problems) -> None:
    """Build one product's SKUs into ``rules.catalog`` (problems noted under *path*)."""
    currency = rules.currency.code
    built: list[tuple[Sku, _SkuFields, str]] = []
    if product.specs:
        matrix = problems.build(
            path,
            lambda: build_matrix(
                product.id,
                [
                    SkuSpecDimension(
                        dim.id, dim.label, [SpecValue(v.id, v.label, v.code) for v in dim.values]
                    )
                    for dim in product.specs
                ],
                exclusions=product.exclusions,
                code_template=product.code_template,
            ),
        )
        if matrix is None:
            return
        overrides = {spec.sku: (index, spec) for index, spec in enumerate(product.skus)}
        codes = set(matrix.codes)
        rules.declared.update(codes)
        for sku_id, (index, _) in overrides.items():
            if sku_id not in codes:
                reason = "names no combination of the product's specs"
                problems.note(f"{path}.skus[{index}].sku", f"{reason} (got {sku_id!r})")
        defaults = product.sku_defaults or _SkuFields()
        for position, code in enumerate(matrix.codes):
            index, override = overrides.get(code, (-1, None))
            fields = defaults if override is None else _fields(override, defaults)
            where = f"{path}.sku_defaults" if override is None else f"{path}.skus[{index}]"
            make = partial(
                make_sku,
                code,
                product.id,
                code=code,
                key=matrix.keys[position],
                options=matrix.options(position),
                **_sku_kwargs(fields, currency),
            )
            sku = problems.build(where, make)
            if sku is None and override is None:
                return  # a bad default would be reported once per combination
            if sku is not None:
                built.append((sku, fields, where))
    else:
        if not product.skus:
            problems.note(
                f"{path}.skus", "a product needs skus, or specs to generate them (got [])"
            )
        unread = {
            "exclusions": product.exclusions or None,
            "code_template": None
            if product.code_template == DEFAULT_CODE_TEMPLATE
            else product.code_template,
            "sku_defaults": product.sku_defaults,
        }
        for key, value in unread.items():
            if value is not None:
                shown = (
                    value.model_dump(mode="json", exclude_unset=True)
                    if isinstance(value, Spec)
                    else value
                )
                problems.note(f"{path}.{key}", f"is read only with specs (got {shown!r})")
        for index, spec in enumerate(product.skus):
            where = f"{path}.skus[{index}]"
            rules.declared.add(spec.sku)
            make = partial(make_sku, spec.sku, product.id, **_sku_kwargs(spec, currency))
            sku = problems.build(where, make)
            if sku is not None:
                built.append((sku, spec, where))
    catalog_product = problems.build(
        path,
        lambda: make_product(
            product.id,
            names=product.id,
            skus=[sku for sku, _, _ in built],
            category_id=product.category,
            brand=product.brand,
            tags=product.tags,
            freight_template_id=product.freight_template,
            status="listed",
        ),
    )
    if catalog_product is None:
        return
    for sku, fields, where in built:
        if sku.id in rules.catalog:
            problems.note(f"{where}.sku", f"another SKU has this id (got {sku.id!r})")
            continue
        extras = _price_book(fields, sku.price.currency.code, problems, where)
        if extras is None:
            continue
        item = problems.build(where, partial(CatalogItem.from_sku, catalog_product, sku, **extras))
        if item is not None:
            rules.catalog[sku.id] = item
            rules.sku_paths[sku.id] = where


def _build_rules(spec: RulesSpec, problems: Problems) -> _Rules | None:
    """Every rule of *spec*, built; None when the currency itself is refused."""
    # No path of its own: the error already names the field "currency".
    currency = problems.build("", lambda: resolve_currency(spec.currency))
    if currency is None:
        return None
    rules = _Rules(currency)
    product_ids: set[str] = set()
    for index, product in enumerate(spec.catalog.products):
        path = f"catalog.products[{index}]"
        if product.id in product_ids:
            problems.note(f"{path}.id", f"another product has this id (got {product.id!r})")
            continue
        product_ids.add(product.id)
        _build_product(product, path, rules, problems)
    rules.templates = build_templates(
        list(enumerate(spec.freight_templates)), problems, "freight_templates"
    )
    rules.template_paths = {
        template.id: f"freight_templates[{index}]"
        for index, template in enumerate(spec.freight_templates)
    }
    for index, promotion_spec in enumerate(spec.promotions):
        path = f"promotions[{index}]"
        promotion = promotion_spec.build(currency.code, problems, path)
        if promotion is not None:
            rules.promotions.append(promotion)
            rules.promotion_paths.append(path)
    for index, coupon_spec in enumerate(spec.coupons):
        path = f"coupons[{index}]"
        if coupon_spec.code in rules.coupon_paths:
            problems.note(
                f"{path}.code", f"another coupon has this code (got {coupon_spec.code!r})"
            )
            continue
        rules.coupon_paths[coupon_spec.code] = path
        coupon = coupon_spec.build(currency.code, problems, path)
        if coupon is not None:
            rules.coupons[coupon.code] = coupon
    if spec.membership is not None:
        rules.tiers, rules.points = spec.membership.build(problems, "membership")
    return rules


def _check_rules(rules: _Rules, customer: Customer, problems: Problems) -> None:
    """The cross-rule checks of :func:`~mallcore.pricing.context.rule_problems`, with paths."""
    for problem in rule_problems(
        rules.currency,
        catalog=rules.catalog,
        promotions=rules.promotions,
        coupons=rules.coupons,
        freight_templates=rules.templates,
        tiers=rules.tiers,
        customer=customer,
    ):
        problems.add(rules.path_of(problem), problem.error)


def _build_scenario(spec: ScenarioSpec, problems: Problems) -> Scenario | None:
    rules = _build_rules(spec, problems)
    if rules is None:
        return None
    c = spec.customer
    customer = problems.build(
        "customer",
        lambda: Customer(
            c.id,
            c.tier,
            c.points,
            c.first_order,
            None if c.year_to_date is None else Money(c.year_to_date, rules.currency),
        ),
    )
    if customer is not None:
        _check_rules(rules, customer, problems)
    tax = problems.build("tax", lambda: TaxSettings(TaxMode(spec.tax.mode), spec.tax.rate))
    region = spec.ship_to.region if spec.ship_to is not None else None
    if region is not None:
        problems.build("ship_to.region", lambda: normalize_region(region))
    lines: list[CartLine] = []
    for index, line in enumerate(spec.cart.lines):
        where = f"cart.lines[{index}]"
        cart_line = problems.build(where, partial(CartLine, line.sku, line.quantity))
        if cart_line is None:
            continue
        if cart_line.sku not in rules.declared:
            problems.add(where, invalid("sku", cart_line.sku, "is not in the catalog"))
        lines.append(cart_line)
    cart = None
    if len(lines) == len(spec.cart.lines):
        cart = problems.build(
            "cart", lambda: Cart(lines, tuple(spec.cart.coupons), spec.cart.points)
        )
    if problems or customer is None or tax is None:
        return None
    context = problems.build(
        "",
        lambda: PricingContext(
            currency=rules.currency,
            at=spec.at,
            catalog=rules.catalog,
            promotions=tuple(rules.promotions),
            coupons=rules.coupons,
            freight_templates=rules.templates,
            combine=spec.combine,
            tiers=rules.tiers,
            points=rules.points,
            customer=customer,
            ship_to=region,
            channel=spec.channel,
            allow_zero_payment=spec.allow_zero_payment,
            max_coupons_per_class=spec.max_coupons_per_class,
            rounding=RoundingPolicy(spec.rounding),
            tax=tax,
        ),
    )
    if context is None or cart is None:
        return None
    return Scenario(cart, context)


# --------------------------------------------------------------------------- files


def read_rules_file(source: str | Path) -> Any:
    """Parse a JSON (or, with PyYAML installed, YAML) file or text into plain data.

    Raises:
        ConfigError: The file is missing or does not parse; a JSON syntax error
            names the file, the line and the column.
    """
    text: str
    path = Path(source) if isinstance(source, Path) or "\n" not in str(source) else None
    name = "the text"
    if path is not None and path.exists():
        text = path.read_text(encoding="utf-8")
        suffix = path.suffix.lower()
        name = str(path)
    elif isinstance(source, str) and source.lstrip().startswith(("{", "[")):
        text, suffix = source, ".json"
    elif isinstance(source, Path) or (
        path is not None and path.suffix.lower() in {".json", ".yaml", ".yml"}
    ):
        msg = f"file {str(source)!r} does not exist"
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
            msg = f"{name} is not valid YAML: {' '.join(str(exc).split())}"
            raise ConfigError(msg) from None
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        msg = f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise ConfigError(msg) from None


def _raise(problems: Problems, what: str) -> None:
    """Raise for *problems*: the one problem's own error, or every problem listed.

    A file with a single problem raises that problem's error class
    (:class:`~mallcore.errors.InvalidAmountError`, ...), its message led by
    the JSON path; more problems raise :class:`RulesValidationError`.
    """
    if not problems:
        return
    if len(problems.lines) == 1 and problems.errors[0] is not None:
        error = problems.errors[0]
        error.args = (problems.lines[0],)
        raise error
    raise RulesValidationError(what, problems.lines)


def _shape_problems(
    exc: ValidationError, data: Any, problems: Problems, currency: str | None
) -> None:
    """Note pydantic's problems, then the value problems of the rules whose shape is fine."""
    problems.extend(error_lines(exc))
    if currency is None or not isinstance(data, Mapping):
        return
    seen = Problems()  # their shape problems are among pydantic's already
    for index, promotion in validate_each(
        _PROMOTION, data.get("promotions", []), seen, "promotions", tagged=True
    ):
        promotion.build(currency, problems, f"promotions[{index}]")
    for index, coupon in validate_each(_COUPON, data.get("coupons", []), seen, "coupons"):
        coupon.build(currency, problems, f"coupons[{index}]")
    templates = validate_each(
        _TEMPLATE, data.get("freight_templates", []), seen, "freight_templates"
    )
    build_templates(templates, problems, "freight_templates")
    catalog = data.get("catalog")
    if isinstance(catalog, Mapping):
        built = _Rules(resolve_currency(currency))  # thrown away: only its problems count
        products = validate_each(_PRODUCT, catalog.get("products", []), seen, "catalog.products")
        for index, product in products:
            _build_product(product, f"catalog.products[{index}]", built, problems)
    membership = data.get("membership")
    if membership is not None:
        for _, program in validate_each(_MEMBERSHIP, [membership], seen, "membership"):
            program.build(problems, "membership")


_PROMOTION: TypeAdapter[Any] = TypeAdapter(PromotionSpec)
_COUPON: TypeAdapter[CouponSpec] = TypeAdapter(CouponSpec)
_TEMPLATE: TypeAdapter[FreightTemplateSpec] = TypeAdapter(FreightTemplateSpec)
_PRODUCT: TypeAdapter[ProductSpec] = TypeAdapter(ProductSpec)
_MEMBERSHIP: TypeAdapter[MembershipSpec] = TypeAdapter(MembershipSpec)


def _currency_of(data: Any) -> str | None:
    if isinstance(data, Mapping) and isinstance(data.get("currency"), str):
        try:
            return resolve_currency(data["currency"]).code
        except MallcoreError:
            return None
    return None


def load_scenario(data: Any) -> Scenario:
    """Validate a scenario (a dict, a JSON/YAML path, or JSON/YAML text) and compile it.

    Raises:
        RulesValidationError: Every problem, each with its JSON path.
        MallcoreError: When the file has exactly one problem, that problem's own
            error (:class:`~mallcore.errors.InvalidAmountError` for a price with
            too many decimals, :class:`~mallcore.errors.UnknownRegionError`, ...),
            its message led by the JSON path.
        ConfigError: The file cannot be read.
    """
    if isinstance(data, str | Path):
        data = read_rules_file(data)
    problems = Problems()
    try:
        spec = ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        _shape_problems(exc, data, problems, _currency_of(data))
        _raise(problems, "scenario")
        raise  # pragma: no cover - _raise always raises here
    scenario = _build_scenario(spec, problems)
    _raise(problems, "scenario")
    assert scenario is not None
    return scenario


def load_rule_set(data: Any, *, name: str | None = None) -> RuleSet:
    """Validate a rules (or scenario) file and build its rules once; see :mod:`.ruleset`."""
    label = name
    if isinstance(data, str | Path):
        if isinstance(data, Path) or not data.lstrip().startswith(("{", "[")):
            label = label or Path(data).name.split(".")[0]
        data = read_rules_file(data)
    problems = Problems()
    fields = set(RulesSpec.model_fields)
    rules_only = (
        {k: v for k, v in data.items() if k in fields} if isinstance(data, Mapping) else data
    )
    try:
        spec = RulesSpec.model_validate(rules_only)
    except ValidationError as exc:
        _shape_problems(exc, rules_only, problems, _currency_of(rules_only))
        _raise(problems, "rules")
        raise  # pragma: no cover - _raise always raises here
    rules = _build_rules(spec, problems)
    if rules is not None:
        _check_rules(rules, Customer(), problems)
    _raise(problems, "rules")
    assert rules is not None
    return RuleSet(
        name=label or "rules",
        currency=rules.currency,
        catalog=dict(rules.catalog),
        promotions=tuple(rules.promotions),
        coupons=dict(rules.coupons),
        freight_templates=dict(rules.templates),
        tiers=rules.tiers,
        points=rules.points,
    )


def validate_rules(source: Any) -> str:
    """Check a scenario or rules file completely; return which it is (``scenario`` or ``rules``).

    A scenario passes only if :func:`~mallcore.pricing.quote` prices its cart:
    the quote is run as the last check, and a cart it refuses (an
    undeliverable line, a zero total, a SKU in another currency) is a problem
    of the file.

    Raises:
        RulesValidationError: Every problem, each with its JSON path, even
            when there is only one.
        ConfigError: The file cannot be read or parsed (the message names the
            file, line and column of a JSON syntax error).
    """
    data = read_rules_file(source) if isinstance(source, str | Path) else source
    problems = Problems()
    is_scenario = isinstance(data, Mapping) and "cart" in data
    model: type[RulesSpec] = ScenarioSpec if is_scenario else RulesSpec
    what = "scenario" if is_scenario else "rules"
    try:
        spec = model.model_validate(data)
    except ValidationError as exc:
        _shape_problems(exc, data, problems, _currency_of(data))
        raise RulesValidationError(what, problems.lines) from None
    if isinstance(spec, ScenarioSpec):
        scenario = _build_scenario(spec, problems)
        if scenario is not None:
            from mallcore.pricing.pipeline import quote

            try:
                quote(scenario.cart, scenario.context)
            except MallcoreError as exc:
                where = "ship_to.region" if type(exc).__name__ == "UndeliverableError" else "cart"
                problems.add(where, exc)
    else:
        rules = _build_rules(spec, problems)
        if rules is not None:
            _check_rules(rules, Customer(), problems)
    if problems:
        raise RulesValidationError(what, problems.lines)
    return what
