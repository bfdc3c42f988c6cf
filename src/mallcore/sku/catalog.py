"""Products: names, category, brand, tags, specs, SKUs and the listing schedule.

A :class:`Product` is an aggregate (equal by id) that records domain events.
Availability is evaluated against an instant or a :class:`~mallcore.clock.Clock`
with :func:`is_purchasable`; price range and stock come from the listed SKUs.
Stock itself lives in the inventory module, so :func:`total_stock` takes a
mapping of SKU id to available units.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

import attrs

from mallcore.clock import Clock, aware
from mallcore.errors import ConfigError, CurrencyMismatchError
from mallcore.money import Money
from mallcore.sku.matrix import (
    DEFAULT_CODE_TEMPLATE,
    check_code,
    check_code_template,
    check_exclusions,
)
from mallcore.sku.names import LocalizedText
from mallcore.sku.regeneration import RegenerationPlan, apply_plan, plan_regeneration
from mallcore.sku.skus import Sku
from mallcore.sku.specs import Spec, validate_specs

__all__ = [
    "ListingStatus",
    "Product",
    "ProductDelisted",
    "ProductListed",
    "SkusRegenerated",
    "is_purchasable",
    "listing_status",
    "make_product",
    "price_range",
    "total_stock",
]


class ListingStatus(enum.Enum):
    """Where a product stands: ``draft`` (never listed), ``listed`` or ``delisted``."""

    DRAFT = "draft"
    LISTED = "listed"
    DELISTED = "delisted"


@attrs.frozen
class ProductListed:
    """A product was put on sale."""

    product_id: str
    at: datetime


@attrs.frozen
class ProductDelisted:
    """A product was taken off sale."""

    product_id: str
    at: datetime


@attrs.frozen
class SkusRegenerated:
    """A product's specs changed; ids of the SKUs added, restored and retired."""

    product_id: str
    added: tuple[str, ...]
    restored: tuple[str, ...]
    retired: tuple[str, ...]


ProductEvent = ProductListed | ProductDelisted | SkusRegenerated


@attrs.define(eq=False)
class Product:
    """A product (SPU) and its SKUs. Two products are equal when their ids are.

    Build one with :func:`make_product`, which validates the fields.
    """

    id: str
    names: LocalizedText
    category_id: str | None = None
    brand: str | None = None
    tags: frozenset[str] = frozenset()
    freight_template_id: str | None = None
    specs: tuple[Spec, ...] = ()
    skus: tuple[Sku, ...] = ()
    status: ListingStatus = ListingStatus.DRAFT
    list_at: datetime | None = None
    delist_at: datetime | None = None
    exclusions: tuple[Mapping[str, str], ...] = ()
    code_template: str = DEFAULT_CODE_TEMPLATE
    events: list[ProductEvent] = attrs.field(factory=list, repr=False)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Product) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def listed_skus(self) -> tuple[Sku, ...]:
        """The SKUs that are for sale (neither delisted nor retired)."""
        return tuple(sku for sku in self.skus if sku.is_listed)

    def name(self, locale: str | None = None) -> str:
        """The product name in *locale*, with babel's fallback chain."""
        return self.names.get(locale)

    def mark_listed(self, at: datetime) -> None:
        """Put the product on sale at *at* (clears a scheduled delisting that has passed)."""
        moment = aware(at)
        self.status = ListingStatus.LISTED
        if self.delist_at is not None and self.delist_at <= moment:
            self.delist_at = None
        self.events.append(ProductListed(self.id, moment))

    def mark_delisted(self, at: datetime) -> None:
        """Take the product off sale now."""
        self.status = ListingStatus.DELISTED
        self.events.append(ProductDelisted(self.id, aware(at)))

    def regenerate(
        self,
        new_specs: Sequence[Spec],
        *,
        price: Money,
        exclusions: Iterable[Mapping[str, str]] | None = None,
    ) -> RegenerationPlan:
        """Plan a spec edit and apply it (see :meth:`apply`); added SKUs get *price*.

        Args:
            new_specs: The specs after the edit.
            price: List price of added SKUs.
            exclusions: Exclusions of the new matrix; ``None`` keeps the current ones.

        Returns:
            The applied :class:`~mallcore.sku.regeneration.RegenerationPlan`.
        """
        plan = plan_regeneration(
            self.skus,
            new_specs,
            product_id=self.id,
            price=price,
            exclusions=self.exclusions if exclusions is None else exclusions,
            code_template=self.code_template,
        )
        self.apply(plan)
        return plan

    def apply(self, plan: RegenerationPlan) -> None:
        """Take the SKUs, specs and exclusions of *plan* and record :class:`SkusRegenerated`.

        Raises:
            ConfigError: If the plan is for another product or was made from
                other SKUs than the product has now.
        """
        if plan.product_id != self.id:
            msg = f"product {self.id!r}: the plan is for product {plan.product_id!r}"
            raise ConfigError(msg)
        self.skus = apply_plan(self.skus, plan)
        self.specs = plan.specs
        self.exclusions = plan.exclusions
        self.events.append(
            SkusRegenerated(
                self.id,
                tuple(s.id for s in plan.added),
                tuple(s.id for s in plan.restored),
                tuple(s.id for s in plan.retired),
            )
        )


def make_product(
    product_id: str,
    *,
    names: LocalizedText | Mapping[str, str] | str,
    skus: Iterable[Sku] = (),
    specs: Sequence[Spec] = (),
    category_id: str | None = None,
    brand: str | None = None,
    tags: Iterable[str] = (),
    freight_template_id: str | None = None,
    status: ListingStatus | str = ListingStatus.DRAFT,
    list_at: datetime | None = None,
    delist_at: datetime | None = None,
    exclusions: Iterable[Mapping[str, str]] = (),
    code_template: str = DEFAULT_CODE_TEMPLATE,
) -> Product:
    """Validate product fields and build a :class:`Product`.

    *names* may be a :class:`LocalizedText`, a mapping (its first locale is the
    default) or a plain string (stored as ``en``).

    Raises:
        ConfigError: An empty id, invalid specs, SKUs of another product, two
            SKUs with one id, code or key, an invalid code, a naive or inverted
            schedule, or an unknown status.

    >>> from mallcore.sku.skus import make_sku
    >>> sku = make_sku("TEE", "tee", price="9.90", currency="CNY")
    >>> tee = make_product("tee", names="T-shirt", skus=[sku])
    >>> tee.name("zh"), [s.code for s in tee.skus]
    ('T-shirt', ['TEE'])
    """
    if not isinstance(product_id, str) or not product_id:
        msg = f"product id {product_id!r} must be a non-empty string"
        raise ConfigError(msg)
    where = f"product {product_id!r}"
    if isinstance(names, str):
        names = LocalizedText({"en": names}, default="en")
    elif not isinstance(names, LocalizedText):
        if not names:
            msg = f"{where}: names must hold at least one locale"
            raise ConfigError(msg)
        names = LocalizedText(names, default=next(iter(names)))
    try:
        listing = ListingStatus(status)
    except ValueError:
        msg = f"{where}: status={status!r} must be draft, listed or delisted"
        raise ConfigError(msg) from None
    for field, moment in (("list_at", list_at), ("delist_at", delist_at)):
        if moment is not None:
            aware(moment, field=f"{where}: {field}")
    if list_at is not None and delist_at is not None and delist_at <= list_at:
        msg = (
            f"{where}: delist_at={delist_at.isoformat()!r} must come after "
            f"list_at={list_at.isoformat()!r}"
        )
        raise ConfigError(msg)
    if isinstance(tags, str):
        msg = f"{where}: tags={tags!r} must be a list of tags, not one string"
        raise ConfigError(msg)
    tag_set = frozenset(tags)
    for tag in tag_set:
        if not isinstance(tag, str) or not tag:
            msg = f"{where}: tag {tag!r} must be a non-empty string"
            raise ConfigError(msg)
    for field, value in (
        ("category_id", category_id),
        ("brand", brand),
        ("freight_template_id", freight_template_id),
    ):
        if value is not None and (not isinstance(value, str) or not value):
            msg = f"{where}: {field}={value!r} must be a non-empty string or None"
            raise ConfigError(msg)
    sku_tuple = tuple(skus)
    _check_skus(product_id, sku_tuple)
    checked_specs = validate_specs(specs, product_id=product_id)
    exclusion_tuple = tuple(dict(e) for e in exclusions)
    check_exclusions(checked_specs, exclusion_tuple, product_id)
    check_code_template(code_template, product_id)
    return Product(
        id=product_id,
        names=names,
        category_id=category_id,
        brand=brand,
        tags=tag_set,
        freight_template_id=freight_template_id,
        specs=checked_specs,
        skus=sku_tuple,
        status=listing,
        list_at=list_at,
        delist_at=delist_at,
        exclusions=exclusion_tuple,
        code_template=code_template,
    )


def _check_skus(product_id: str, skus: tuple[Sku, ...]) -> None:
    where = f"product {product_id!r}"
    seen: dict[str, dict[str, str]] = {"id": {}, "code": {}, "key": {}}
    for item in skus:
        sku: object = item
        if not isinstance(sku, Sku):
            msg = f"{where}: {sku!r} is not a Sku"
            raise ConfigError(msg)
        if sku.product_id != product_id:
            msg = f"{where}: SKU {sku.id!r} belongs to product {sku.product_id!r}"
            raise ConfigError(msg)
        check_code(sku.code, where=f"{where}, SKU {sku.id!r}")
        for field in ("id", "code", "key"):
            value = getattr(sku, field)
            other = seen[field].setdefault(value, sku.id)
            if other != sku.id:
                msg = f"{where}: SKUs {other!r} and {sku.id!r} share the {field} {value!r}"
                raise ConfigError(msg)


def listing_status(product: Product, at: datetime | Clock) -> ListingStatus:
    """The product's status at *at*, after its schedule.

    A scheduled ``list_at`` lists a draft (or listed) product from that instant
    and it counts as a draft before; a scheduled ``delist_at`` delists it from
    that instant (the window is ``[list_at, delist_at)``). A product delisted by
    hand stays delisted.
    """
    moment = aware(at if isinstance(at, datetime) else at.now())
    if product.status is ListingStatus.DELISTED:
        return ListingStatus.DELISTED
    if product.delist_at is not None and moment >= product.delist_at:
        return ListingStatus.DELISTED
    if product.list_at is not None:
        if moment >= product.list_at:
            return ListingStatus.LISTED
        # Not started yet: the product has never been on sale, whatever its flag says.
        return ListingStatus.DRAFT
    return product.status


def is_purchasable(product: Product, at: datetime | Clock) -> bool:
    """True when *product* is listed at *at* and has at least one listed SKU.

    >>> from datetime import UTC, datetime
    >>> from mallcore.sku.skus import make_sku
    >>> sku = make_sku("A", "a", price="1.00", currency="CNY")
    >>> launch = datetime(2026, 11, 11, tzinfo=UTC)
    >>> product = make_product("a", names="A", skus=[sku], list_at=launch)
    >>> is_purchasable(product, datetime(2026, 11, 10, tzinfo=UTC)), is_purchasable(product, launch)
    (False, True)
    """
    return listing_status(product, at) is ListingStatus.LISTED and any(
        sku.is_listed for sku in product.skus
    )


def price_range(product: Product) -> tuple[Money, Money] | None:
    """Lowest and highest list price over the listed SKUs, or ``None`` if none is listed.

    Raises:
        CurrencyMismatchError: If the listed SKUs are priced in different currencies.
    """
    prices = [sku.price for sku in product.skus if sku.is_listed]
    if not prices:
        return None
    currency = prices[0].currency
    for price in prices:
        if price.currency != currency:
            raise CurrencyMismatchError(currency.code, price.currency.code, context=product.id)
    amounts = [price.amount for price in prices]
    low: Decimal = min(amounts)
    high: Decimal = max(amounts)
    return Money(low, currency), Money(high, currency)


def total_stock(product: Product, available: Mapping[str, int]) -> int:
    """Sum of available units over the listed SKUs; SKUs missing from *available* count 0.

    Args:
        product: The product.
        available: SKU id → available units (from the inventory module).
    """
    return sum(available.get(sku.id, 0) for sku in product.skus if sku.is_listed)
