"""The SKU value object: one sellable combination of a product, with its price and size.

:class:`Sku` is frozen and trusts its arguments, so catalogs of many thousand
SKUs build quickly; :func:`make_sku` validates raw input (strings from a file,
a form or a scenario) once and builds the value.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from itertools import pairwise

import attrs

from mallcore.errors import ConfigError, CurrencyMismatchError
from mallcore.money import Money, parse_money
from mallcore.sku.specs import escape_id

__all__ = ["QuantityTier", "Sku", "SkuStatus", "make_sku", "parse_decimal"]


class SkuStatus(enum.Enum):
    """Whether a SKU can be sold: ``listed``, ``delisted`` (hidden) or ``retired`` (history only).

    Retired SKUs are never deleted, because orders keep pointing at them.
    """

    LISTED = "listed"
    DELISTED = "delisted"
    RETIRED = "retired"


@attrs.frozen
class QuantityTier:
    """A ladder price (阶梯价): from *min_qty* units of the product, each unit costs *price*."""

    min_qty: int
    price: Money


@attrs.frozen
class Sku:
    """One SKU of a product.

    Attributes:
        id: Stable identifier; stock and orders refer to it. It survives spec edits.
        product_id: The product the SKU belongs to.
        code: The merchant-facing SKU code (upper-case when generated).
        key: Canonical combination key, ``spec=value|...`` in spec order (see
            :func:`mallcore.sku.specs.sku_key`); for a product without specs, the
            escaped id.
        price: List price per unit.
        member_discount: Whether member tier rates apply to this SKU.
        member_price: An explicit member price, used as given.
        quantity_tiers: Ladder prices, ascending by ``min_qty``.
        barcode: EAN/UPC or any scanner code, if any.
        weight_kg: Weight per unit in kilograms (Decimal).
        volume_m3: Volume per unit in cubic metres (Decimal).
        low_stock_threshold: Available units at or below which a low-stock alert is due.
        status: Listed, delisted or retired.
        options: ``(spec_id, value_id)`` pairs in spec order.

    >>> sku = make_sku("tee-red-m", "tee", price="19.90", currency="CNY", weight_kg="0.2")
    >>> sku.price, sku.weight_kg, sku.member_discount
    (Money('19.90', 'CNY'), Decimal('0.2'), True)
    """

    id: str
    product_id: str
    code: str
    key: str
    price: Money
    member_discount: bool = True
    member_price: Money | None = None
    quantity_tiers: tuple[QuantityTier, ...] = ()
    barcode: str | None = None
    weight_kg: Decimal = Decimal(0)
    volume_m3: Decimal = Decimal(0)
    low_stock_threshold: int = 0
    status: SkuStatus = SkuStatus.LISTED
    options: tuple[tuple[str, str], ...] = ()

    @property
    def is_listed(self) -> bool:
        """True when the SKU is for sale."""
        return self.status is SkuStatus.LISTED

    def unit_price(self, product_quantity: int) -> Money:
        """List price per unit when the cart holds *product_quantity* units of the product.

        The highest tier whose ``min_qty`` is reached wins; below every tier the
        list price applies.

        >>> tiers = [{"min_qty": 10, "price": "9.00"}, {"min_qty": 50, "price": "8.00"}]
        >>> sku = make_sku("s", "p", price="10.00", currency="CNY", quantity_tiers=tiers)
        >>> [sku.unit_price(q) for q in (9, 10, 60)]
        [Money('10.00', 'CNY'), Money('9.00', 'CNY'), Money('8.00', 'CNY')]
        """
        price = self.price
        for tier in self.quantity_tiers:
            if product_quantity >= tier.min_qty:
                price = tier.price
        return price


def parse_decimal(value: object, *, field: str, where: str = "") -> Decimal:
    """Read a non-negative, finite Decimal from a Decimal, an int or a decimal string.

    Floats are refused: ``0.1`` is not exactly a tenth.

    Raises:
        ConfigError: If the value is a float, not a number, infinite or negative.

    >>> parse_decimal("0.25", field="weight_kg")
    Decimal('0.25')
    """
    prefix = f"{where}: " if where else ""
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        msg = f"{prefix}{field}={value!r} must be a Decimal, an int or a decimal string"
        raise ConfigError(msg)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        msg = f"{prefix}{field}={value!r} is not a number"
        raise ConfigError(msg) from None
    if not number.is_finite() or number < 0:
        msg = f"{prefix}{field}={value!r} must be a finite number, zero or more"
        raise ConfigError(msg)
    return number


def _tiers(raw: Iterable[object], currency: str, where: str) -> tuple[QuantityTier, ...]:
    tiers: list[QuantityTier] = []
    for item in raw:
        if isinstance(item, QuantityTier):
            tier = item
        elif isinstance(item, Mapping):
            min_qty = item.get("min_qty")
            if isinstance(min_qty, str) and min_qty.strip().isdigit():
                min_qty = int(min_qty)
            if isinstance(min_qty, bool) or not isinstance(min_qty, int):
                msg = f"{where}: quantity_tiers min_qty={min_qty!r} must be an integer"
                raise ConfigError(msg)
            price = parse_money(item.get("price"), currency, field=f"{where}: quantity_tiers price")
            tier = QuantityTier(min_qty, price)
        else:
            msg = f"{where}: quantity tier {item!r} must be a mapping with min_qty and price"
            raise ConfigError(msg)
        if tier.min_qty < 2:
            msg = f"{where}: quantity_tiers min_qty={tier.min_qty!r} must be at least 2"
            raise ConfigError(msg)
        if tier.price.currency.code != currency:
            raise CurrencyMismatchError(currency, tier.price.currency.code, context=where)
        tiers.append(tier)
    tiers.sort(key=lambda tier: tier.min_qty)
    for before, after in pairwise(tiers):
        if before.min_qty == after.min_qty:
            msg = f"{where}: two quantity_tiers start at min_qty={after.min_qty!r}"
            raise ConfigError(msg)
    return tuple(tiers)


def make_sku(
    sku_id: str,
    product_id: str,
    *,
    price: object,
    currency: str,
    code: str | None = None,
    key: str | None = None,
    member_discount: object = True,
    member_price: object = None,
    quantity_tiers: Iterable[object] = (),
    barcode: object = None,
    weight_kg: object = 0,
    volume_m3: object = 0,
    low_stock_threshold: object = 0,
    status: SkuStatus | str = SkuStatus.LISTED,
    options: Iterable[tuple[str, str]] = (),
) -> Sku:
    """Validate raw SKU fields and build a :class:`Sku`.

    Prices are read with :func:`mallcore.money.parse_money` in *currency*;
    weights and volumes with :func:`parse_decimal`. *code* defaults to the id,
    *key* to the escaped id (a product without specs).

    Raises:
        InvalidAmountError: A price that is negative, a float, or has more
            decimals than *currency* allows.
        ConfigError: An empty id, a bad weight, volume, threshold, status or tier.

    >>> make_sku("A", "A", price="9.999", currency="CNY")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mallcore.errors.InvalidAmountError: product 'A', SKU 'A': price='9.999' has more decimals ...
    """
    where = f"product {product_id!r}, SKU {sku_id!r}"
    if not isinstance(sku_id, str) or not sku_id.strip():
        msg = f"product {product_id!r}: sku={sku_id!r} must be a non-empty string"
        raise ConfigError(msg)
    list_price = parse_money(price, currency, field=f"{where}: price")
    member = (
        None
        if member_price is None
        else parse_money(member_price, currency, field=f"{where}: member_price")
    )
    if isinstance(low_stock_threshold, bool) or not isinstance(low_stock_threshold, int):
        msg = f"{where}: low_stock_threshold={low_stock_threshold!r} must be an integer"
        raise ConfigError(msg)
    if low_stock_threshold < 0:
        msg = f"{where}: low_stock_threshold={low_stock_threshold!r} must not be negative"
        raise ConfigError(msg)
    if not isinstance(member_discount, bool):
        msg = f"{where}: member_discount={member_discount!r} must be true or false"
        raise ConfigError(msg)
    try:
        sku_status = SkuStatus(status)
    except ValueError:
        choices = ", ".join(s.value for s in SkuStatus)
        msg = f"{where}: status={status!r} must be one of {choices}"
        raise ConfigError(msg) from None
    if barcode is not None and not isinstance(barcode, str):
        msg = f"{where}: barcode={barcode!r} must be a string"
        raise ConfigError(msg)
    return Sku(
        id=sku_id,
        product_id=product_id,
        code=sku_id if code is None else code,
        key=escape_id(sku_id) if key is None else key,
        price=list_price,
        member_discount=member_discount,
        member_price=member,
        quantity_tiers=_tiers(quantity_tiers, list_price.currency.code, where),
        barcode=barcode or None,
        weight_kg=parse_decimal(weight_kg, field="weight_kg", where=where),
        volume_m3=parse_decimal(volume_m3, field="volume_m3", where=where),
        low_stock_threshold=low_stock_threshold,
        status=sku_status,
        options=tuple(options),
    )
