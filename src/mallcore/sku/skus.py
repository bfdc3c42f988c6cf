"""The SKU value object: one sellable combination of a product, with its price and size.

:class:`Sku` is frozen and checks its own fields when built, however it is made;
:func:`make_sku` reads raw input (strings from a file, a form or a scenario)
into the right types first.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Final

import attrs

from mallcore.checks import (
    as_tuple,
    check_amount,
    check_choice,
    check_count,
    check_decimal,
    check_flag,
    check_measure,
    check_text,
    invalid,
    nested,
)
from mallcore.errors import CurrencyMismatchError, MallcoreError
from mallcore.money import Currency, Money, parse_money
from mallcore.sku.specs import escape_id

__all__ = [
    "CODE_PATTERN",
    "MAX_CODE_LENGTH",
    "QuantityTier",
    "Sku",
    "SkuStatus",
    "check_code",
    "check_tiers",
    "make_sku",
    "parse_decimal",
    "tier_unit_price",
]


#: Characters a SKU code may contain (checked after upper-casing generated codes).
CODE_PATTERN: Final = re.compile(r"[A-Za-z0-9._-]+")
#: The longest SKU code accepted, in characters.
MAX_CODE_LENGTH: Final = 64


def check_code(code: str, *, where: str) -> str:
    """Return *code* if it is a valid SKU code, else raise :class:`ConfigError`.

    A code is 1 to :data:`MAX_CODE_LENGTH` characters from ``A-Z a-z 0-9 . _ -``.

    >>> check_code("TEE-RED-M", where="product 'tee'")
    'TEE-RED-M'
    >>> check_code("TEE RED", where="product 'tee'")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mallcore.errors.ConfigError: product 'tee': SKU code 'TEE RED' may only use A-Z, a-z, ...
    """
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        reason = "may only use A-Z, a-z, 0-9, '.', '_' and '-'"
    elif len(code) > MAX_CODE_LENGTH:
        reason = f"is longer than {MAX_CODE_LENGTH} characters"
    else:
        return code
    exc = invalid("code", code, reason)
    exc.args = (f"{where}: SKU code {code!r} {reason}",)
    raise exc


class SkuStatus(enum.Enum):
    """Whether a SKU can be sold: ``listed``, ``delisted`` (hidden) or ``retired`` (history only).

    Retired SKUs are never deleted, because orders keep pointing at them.
    """

    LISTED = "listed"
    DELISTED = "delisted"
    RETIRED = "retired"


@attrs.frozen
class QuantityTier:
    """A ladder price (阶梯价): from *min_qty* units of the product, each unit costs *price*.

    Raises:
        ConfigError: A ``min_qty`` below 2 or not a whole number.
        InvalidAmountError: A negative, too large or over-precise price.
    """

    min_qty: int
    price: Money
    price_minor: int = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_count("min_qty", self.min_qty, minimum=2)
        object.__setattr__(self, "price_minor", check_amount("price", self.price))


def check_tiers(tiers: Iterable[object], currency: Currency) -> tuple[QuantityTier, ...]:
    """Quantity tiers in *currency*, sorted by ``min_qty``, each ``min_qty`` once.

    Raises:
        ConfigError: A tier that is not a :class:`QuantityTier`, or two tiers
            starting at the same ``min_qty`` (the field is ``quantity_tiers[i]``).
        CurrencyMismatchError: A tier priced in another currency.
    """
    items = as_tuple("quantity_tiers", tiers)
    for index, tier in enumerate(items):
        if not isinstance(tier, QuantityTier):
            raise invalid(f"quantity_tiers[{index}]", tier, "must be a QuantityTier")
        if tier.price.currency != currency:
            context = f"quantity_tiers[{index}].price"
            raise CurrencyMismatchError(currency.code, tier.price.currency.code, context=context)
    ordered = tuple(sorted(items, key=lambda tier: tier.min_qty))
    for before, after in pairwise(ordered):
        if before.min_qty == after.min_qty:
            raise invalid("quantity_tiers", after.min_qty, "has two tiers with this min_qty")
    return ordered


def tier_unit_price(tiers: Sequence[tuple[int, int]], product_quantity: int, list_unit: int) -> int:
    """The unit price when the cart holds *product_quantity* units of the product.

    *tiers* are ``(min_qty, unit price)`` pairs in minor units, ascending; the
    highest tier reached wins, and below every tier *list_unit* applies. This
    is the one place the 阶梯价 rule is written.

    >>> tier_unit_price([(10, 900), (50, 800)], 9, 1000), tier_unit_price([(10, 900)], 10, 1000)
    (1000, 900)
    """
    price = list_unit
    for min_qty, unit in tiers:
        if product_quantity >= min_qty:
            price = unit
    return price


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

    def __attrs_post_init__(self) -> None:
        # Every SKU checks itself, however it was made (make_sku, a matrix, a CSV
        # row, a scenario file): the one validation of SKU data.
        try:
            self._check()
        except MallcoreError as exc:
            raise _in_sku(self.product_id, self.id, exc) from None

    def _check(self) -> None:
        check_text("sku", self.id)
        check_text("product_id", self.product_id)
        check_text("key", self.key)
        check_code(self.code, where=f"product {self.product_id!r}, SKU {self.id!r}")
        check_amount("price", self.price)
        if self.member_price is not None:
            check_amount("member_price", self.member_price, currency=self.price.currency)
        tiers = check_tiers(self.quantity_tiers, self.price.currency)
        object.__setattr__(self, "quantity_tiers", tiers)
        check_flag("member_discount", self.member_discount)
        if self.barcode is not None:
            check_text("barcode", self.barcode)
        check_measure("weight_kg", self.weight_kg)
        check_measure("volume_m3", self.volume_m3)
        check_count("low_stock_threshold", self.low_stock_threshold, minimum=0)
        object.__setattr__(self, "status", check_choice("status", self.status, SkuStatus))
        object.__setattr__(self, "options", as_tuple("options", self.options))

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
        tiers = [(tier.min_qty, index) for index, tier in enumerate(self.quantity_tiers)]
        index = tier_unit_price(tiers, product_quantity, -1)
        return self.price if index < 0 else self.quantity_tiers[index].price


def _in_sku(product_id: str, sku_id: str, exc: MallcoreError) -> MallcoreError:
    """*exc* with the product and SKU named first, so a message says whose field it is."""
    if exc.field is None or exc.reason is None:
        return exc
    where = f"product {product_id!r}, SKU {sku_id!r}: "
    moved = invalid(exc.field, exc.value, exc.reason, type(exc))
    moved.args = (where + str(moved),)
    return moved


def parse_decimal(value: object, *, field: str, where: str = "") -> Decimal:
    """Read a non-negative, finite Decimal from a Decimal, an int or a decimal string.

    Floats are refused: ``0.1`` is not exactly a tenth.

    Raises:
        ConfigError: If the value is a float, not a number, infinite or negative.

    >>> parse_decimal("0.25", field="weight_kg")
    Decimal('0.25')
    """
    try:
        return check_decimal(field, value, text=True)
    except MallcoreError as exc:
        if where:
            exc.args = (f"{where}: {exc}",)
        raise


def _raw_tiers(raw: Iterable[object], currency: str) -> tuple[QuantityTier, ...]:
    """Quantity tiers from QuantityTier objects or ``{min_qty, price}`` mappings."""
    tiers: list[QuantityTier] = []
    for index, item in enumerate(as_tuple("quantity_tiers", raw)):
        if isinstance(item, QuantityTier):
            tiers.append(item)
        elif isinstance(item, Mapping):
            min_qty = item.get("min_qty")
            if isinstance(min_qty, str) and min_qty.strip().isdigit():
                min_qty = int(min_qty)
            field = f"quantity_tiers[{index}]"
            price = parse_money(item.get("price"), currency, field=f"{field}.price")
            try:
                tiers.append(QuantityTier(min_qty, price))  # type: ignore[arg-type]
            except MallcoreError as exc:
                raise nested(field, exc) from None
        else:
            reason = "must be a QuantityTier or a mapping with min_qty and price"
            raise invalid(f"quantity_tiers[{index}]", item, reason)
    return tuple(tiers)


def _read_decimal(field: str, value: object) -> Decimal:
    """A decimal string read as a Decimal; anything else as it is (the Sku checks it)."""
    if isinstance(value, str):
        return check_decimal(field, value, text=True)
    return value  # type: ignore[return-value]  # Sku refuses what is not a Decimal or an int


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
    try:
        list_price = parse_money(price, currency, field="price")
        member = (
            None
            if member_price is None
            else parse_money(member_price, currency, field="member_price")
        )
        tiers = _raw_tiers(quantity_tiers, list_price.currency.code)
        sku_status = check_choice("status", status, SkuStatus)
        # Text becomes a Decimal here; the Sku checks the number itself.
        weight = _read_decimal("weight_kg", weight_kg)
        volume = _read_decimal("volume_m3", volume_m3)
    except MallcoreError as exc:
        raise _in_sku(product_id, sku_id, exc) from None
    return Sku(
        id=sku_id,
        product_id=product_id,
        code=sku_id if code is None else code,
        key=escape_id(sku_id) if key is None else key,
        price=list_price,
        member_discount=member_discount,  # type: ignore[arg-type]
        member_price=member,
        quantity_tiers=tiers,
        barcode=barcode or None,  # type: ignore[arg-type]
        weight_kg=weight,
        volume_m3=volume,
        low_stock_threshold=low_stock_threshold,  # type: ignore[arg-type]
        status=sku_status,
        options=tuple(options),
    )
