"""A cart's shipping fee from its freight templates (stage 6 of the quote).

Lines are grouped by freight template. Each template charges its lines' total
pieces, weight (kg) or volume (m³) by the charge rule that matches the ship-to
region, unless one of its free rules is met; several templates combine by
:class:`Combine`. Each template's fee is split over its lines by their share of
the charged value with :func:`mallcore.money.allocate_minor`.

The fine print:

- A free rule waives the whole template fee, its remote-area surcharge included.
- Under ``max_first`` a free template is not charged: it takes no part in the
  choice of the template that pays its first fee; a tie on the first fee goes to
  the template listed first, so the fee never depends on the order of cart lines.
- A remote-area surcharge is added to every charged template's fee, whatever
  the combine mode.
- A template id that ``templates`` lacks raises :class:`~mallcore.errors.ConfigError`
  naming the SKU and the template.
- Chinese division codes are descendants of ``CN``, so a rule for ``CN`` matches them.

All arithmetic is in integers (minor units, 10⁻⁹ quantity units); nothing is rounded.

>>> from decimal import Decimal
>>> from mallcore.money import Money
>>> from mallcore.shipping.templates import ChargeBy, ChargeRule, FreightTemplate
>>> t = FreightTemplate("std", ChargeBy.WEIGHT,
...     [ChargeRule(Decimal(1), Decimal(8), Decimal("0.5"), Decimal(2))])
>>> cart = [ShippingLine("TEA", "std", 3, Decimal("0.4"), amount=Money("30", "CNY"))]
>>> compute_shipping(cart, {"std": t}, "4403", currency="CNY").total  # 1.2 kg: 8 + 1 × 2
Money('10.00', 'CNY')
"""

from __future__ import annotations

import enum
import functools
import math
import operator
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import NamedTuple

import attrs
import moneyed

from mallcore.errors import ConfigError, CurrencyMismatchError, UndeliverableError
from mallcore.money import Currency, Money, allocate_minor, from_minor, resolve_currency, to_minor
from mallcore.shipping.regions import region_ancestors
from mallcore.shipping.templates import (
    ChargeBy,
    FreeRule,
    FreightTemplate,
    Plan,
    charged_value,
    to_nano,
)

__all__ = [
    "Combine",
    "ShippingBreakdown",
    "ShippingLine",
    "TemplateFee",
    "TemplateLoad",
    "compute_shipping",
    "split_fee",
    "template_fees",
]


class Combine(enum.Enum):
    """How the fees of several templates in one cart combine.

    ``SUM`` adds every template's fee. ``MAX_FIRST`` charges the full fee of the
    charged template with the highest first fee (ties: the one listed first
    among the templates) and every other charged template
    ``ceil(value / additional) × additional_fee``.
    """

    SUM = "sum"
    MAX_FIRST = "max_first"


@attrs.frozen
class ShippingLine:
    """One cart line as shipping sees it.

    Args:
        key: The cart line key (the SKU id, or ``"gift:SKU"``).
        template_id: The product's freight template; None ships free.
        quantity: Pieces, at least 1.
        weight_kg: Weight of one unit in kilograms (Decimal, at most 9 decimals).
        volume_m3: Volume of one unit in cubic metres (Decimal, at most 9 decimals).
        amount: The line's net item amount after stage 4 (coupons), used by
            free rules' ``min_amount``; None counts as zero.

    Raises:
        ConfigError: A bad key, quantity, weight or volume (the message names it).
        InvalidAmountError: An amount with more decimals than its currency has.
    """

    key: str
    template_id: str | None
    quantity: int
    weight_kg: Decimal = Decimal(0)
    volume_m3: Decimal = Decimal(0)
    amount: Money | None = None
    # The line's pieces, weight and volume in 10⁻⁹ units and its amount in minor
    # units, computed once here so that compute_shipping only adds integers.
    _weight: int = attrs.field(init=False, repr=False, eq=False)
    _volume: int = attrs.field(init=False, repr=False, eq=False)
    _amount_minor: int = attrs.field(init=False, repr=False, eq=False)
    _amount_currency: Currency | None = attrs.field(init=False, repr=False, eq=False)
    #: The line's charged value (10⁻⁹ units) under each way of charging: a
    #: template reads its own with one lookup.
    _charged: dict[ChargeBy, int] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        key: object = self.key  # callers' data: check what the annotations promise
        template_id: object = self.template_id
        amount: object = self.amount
        if not isinstance(key, str) or not key:
            msg = f"key={key!r} must be a non-empty string"
            raise ConfigError(msg)
        if template_id is not None and not isinstance(template_id, str):
            msg = f"template_id={template_id!r} of {key!r} must be a string or None"
            raise ConfigError(msg)
        if type(self.quantity) is not int or self.quantity < 1:
            msg = f"quantity={self.quantity!r} of {self.key!r} must be an integer of at least 1"
            raise ConfigError(msg)
        weight = to_nano(self.weight_kg, "weight_kg")
        volume = to_nano(self.volume_m3, "volume_m3")
        if amount is None:
            minor = 0
        elif isinstance(amount, moneyed.Money):
            minor = to_minor(amount)
        else:
            msg = f"amount={amount!r} of {key!r} must be Money or None"
            raise ConfigError(msg)
        object.__setattr__(self, "_weight", self.quantity * weight)
        object.__setattr__(self, "_volume", self.quantity * volume)
        object.__setattr__(self, "_amount_minor", minor)
        object.__setattr__(self, "_amount_currency", None if amount is None else amount.currency)
        charged = {
            charge_by: charged_value(charge_by, self.quantity, self._weight, self._volume)
            for charge_by in ChargeBy
        }
        object.__setattr__(self, "_charged", charged)


class TemplateLoad(NamedTuple):
    """What one template carries in a cart, already summed over its lines.

    For callers that split each template's fee over their own lines with
    :func:`split_fee` (the quote pipeline): a template's fee depends only on
    these totals. *key* names the group's first line, so an
    :class:`~mallcore.errors.UndeliverableError` names a real SKU.

    Attributes:
        template_id: The template.
        key: The key of the group's first line.
        pieces: Total pieces.
        weight: Total weight in 10⁻⁹ kg.
        volume: Total volume in 10⁻⁹ m³.
        amount_minor: Total net item amount in minor units of the cart currency.
    """

    template_id: str
    key: str
    pieces: int
    weight: int
    volume: int
    amount_minor: int


class _Shares(Mapping[str, Money]):
    """Line key → share of freight, held in minor units; Money is built on access."""

    __slots__ = ("_currency", "minor")

    def __init__(self, minor: dict[str, int], currency: Currency) -> None:
        #: The shares in minor units (read-only by convention).
        self.minor = minor
        self._currency = currency

    def __getitem__(self, key: str) -> Money:
        return from_minor(self.minor[key], self._currency)

    def __iter__(self) -> Iterator[str]:
        return iter(self.minor)

    def __len__(self) -> int:
        return len(self.minor)

    def __repr__(self) -> str:
        return repr(dict(self.items()))


@attrs.frozen
class TemplateFee:
    """What one freight template charged, and why.

    Attributes:
        template_id: The template.
        charge_by: Pieces, weight or volume.
        charged_value: The template's lines' total pieces, kg or m³.
        base_fee: The charge rule's fee for *charged_value*, before combine and
            free rules, without surcharge.
        fee: What the cart pays for this template: after combine, plus the
            surcharge; zero when a free rule applies.
        free: Whether a free rule made the template free.
        free_reason: E.g. ``"free_rule: min_amount 99.00 reached"``, or None.
        surcharge: The remote-area surcharge included in *fee* (zero when free).
        line_shares: *fee* split over the template's lines by charged value.
    """

    template_id: str
    charge_by: ChargeBy
    charged_value: Decimal
    base_fee: Money
    fee: Money
    free: bool
    free_reason: str | None
    surcharge: Money
    line_shares: Mapping[str, Money] = attrs.field(hash=False)


@attrs.define(slots=True)
class _Charge:
    """What one template charges a cart (internal): its plan, lines and fees in minor units."""

    plan: Plan
    lines: list[ShippingLine]
    #: Pieces, weight or volume of the lines, in 10⁻⁹ units.
    value: int
    #: The charge rule's fee for *value*, before combine and free rules.
    base: int
    #: What the cart pays: after combine, plus surcharge; zero when free.
    fee: int
    free_rule: FreeRule | None


@attrs.frozen(eq=False)
class ShippingBreakdown:
    """The cart's shipping: total, per-template fees and per-line shares.

    The total is computed at once. The per-line shares (with
    :func:`~mallcore.money.allocate_minor`, by charged value) and the
    :class:`TemplateFee` details are computed on first access and then kept, so
    a caller that only needs the total does not pay for the splits.
    ``line_shares`` covers every line of the cart in cart order (lines without
    a template get zero) and sums to ``total``.
    """

    total: Money
    _lines: tuple[ShippingLine, ...] = attrs.field(repr=False)
    _charges: list[_Charge] = attrs.field(repr=False)

    @functools.cached_property
    def _splits(self) -> list[dict[str, int]]:
        return [_split(charge) for charge in self._charges]

    def template_splits(self) -> list[tuple[str, int, dict[str, int]]]:
        """``(template id, fee, {line key: share})`` per template, in minor units, in cart order."""
        return [
            (charge.plan.template.id, charge.fee, split)
            for charge, split in zip(self._charges, self._splits, strict=True)
        ]

    @functools.cached_property
    def line_shares(self) -> Mapping[str, Money]:
        """Each line's share of ``total``, by line key, in cart order."""
        minor = dict.fromkeys([line.key for line in self._lines], 0)
        for split in self._splits:
            minor.update(split)
        return _Shares(minor, self.total.currency)

    @functools.cached_property
    def fees(self) -> tuple[TemplateFee, ...]:
        """One :class:`TemplateFee` per template used by the cart, in cart order."""
        currency = self.total.currency
        return tuple(
            _template_fee(charge, split, currency)
            for charge, split in zip(self._charges, self._splits, strict=True)
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ShippingBreakdown):
            return NotImplemented
        mine = (self.total, self.fees, dict(self.line_shares))
        return mine == (other.total, other.fees, dict(other.line_shares))

    def __hash__(self) -> int:
        return hash((self.total, self.fees))


def _from_nano(value: int) -> Decimal:
    exponent = -9
    while exponent < 0 and value % 10 == 0:
        value //= 10
        exponent += 1
    return Decimal(value).scaleb(exponent)


def _template_fee(charge: _Charge, split: dict[str, int], currency: Currency) -> TemplateFee:
    plan, rule = charge.plan, charge.free_rule
    template = plan.template
    return TemplateFee(
        template_id=template.id,
        charge_by=template.charge_by,
        charged_value=_from_nano(charge.value),
        base_fee=from_minor(charge.base, currency),
        fee=from_minor(charge.fee, currency),
        free=rule is not None,
        free_reason=None if rule is None else f"free_rule: {rule.describe()}",
        surcharge=from_minor(0 if rule is not None else plan.surcharge, currency),
        line_shares={key: from_minor(part, currency) for key, part in split.items()},
    )


def split_fee(fee: int, values: Sequence[int], quantities: Sequence[int]) -> list[int]:
    """Split one template's *fee* (minor units) over its lines by their charged *values*.

    The largest-remainder rule of :func:`~mallcore.money.allocate_minor`, by
    charged value (pieces, weight or volume; ties to the earlier line); when
    every value is zero (zero-weight goods such as e-cards still share a weight
    template's first fee), by *quantities*.

    >>> split_fee(1200, [2, 1], [2, 1]), split_fee(500, [0, 0], [1, 3])
    ([800, 400], [125, 375])
    """
    if not fee:
        return [0] * len(values)
    weights = values if any(values) else quantities
    # Charged values are in 10⁻⁹ units, so they share large factors; dividing
    # them out changes no share (remainders and ties scale alike) and keeps
    # the products of the split small.
    try:
        common = math.gcd(*weights)
    except TypeError:  # not all ints: allocate_minor says which weight is wrong
        common = 1
    if common > 1:
        weights = [weight // common for weight in weights]
    return allocate_minor(fee, weights)


def _split(charge: _Charge) -> dict[str, int]:
    """The template's fee split over its lines by charged value (minor units)."""
    fee, group = charge.fee, charge.lines
    if len(group) == 1:
        return {group[0].key: fee}
    charge_by = charge.plan.charge_by
    values = [line._charged[charge_by] for line in group]
    parts = split_fee(fee, values, [line.quantity for line in group])
    return {line.key: part for line, part in zip(group, parts, strict=True)}


def _charge(plan: Plan, value: int, pieces: int, amount: int, lines: list[ShippingLine]) -> _Charge:
    """One template's charge for its lines' totals, free rules and surcharge included."""
    base = plan.fee(value)
    rule = plan.free_rule(pieces, amount) if plan.free_rules else None
    fee = 0 if rule is not None else base + plan.surcharge
    return _Charge(plan, lines, value, base, fee, rule)


_KEY = operator.attrgetter("key")
_QUANTITY = operator.attrgetter("quantity")


def compute_shipping(
    lines: Sequence[ShippingLine],
    templates: Mapping[str, FreightTemplate],
    region: str,
    *,
    currency: str | Currency,
    combine: Combine = Combine.SUM,
) -> ShippingBreakdown:
    """Compute the shipping fee of a cart's lines to *region*.

    Args:
        lines: The cart's lines; keys must be unique.
        templates: Freight templates by id.
        region: The ship-to region code (see :mod:`mallcore.shipping.regions`).
        currency: The cart currency; template fees are read in it.
        combine: How several templates' fees combine.

    Returns:
        The total, the per-template fees and each line's share, all exact to
        the minor unit (nothing is rounded: fees are whole minor units).

    Raises:
        UndeliverableError: A line's template does not deliver to *region*
            (the first such line in cart order is named).
        ConfigError: A line names a template that *templates* lacks, two lines
            share a key, or a template fee is too precise for *currency*.
        UnknownRegionError: *region* is malformed or unknown.
        CurrencyMismatchError: A line's amount is in another currency (checked
            when a ``min_amount`` free rule reads it).
    """
    cur = resolve_currency(currency)
    lines = tuple(lines)
    if len(set(map(_KEY, lines))) != len(lines):
        _duplicate_key(lines)
    groups: defaultdict[str | None, list[ShippingLine]] = defaultdict(list)
    for line in lines:
        groups[line.template_id].append(line)
    groups.pop(None, None)
    if not groups:
        region_ancestors(region)  # an invalid region is an error even for a free cart
    charges: list[_Charge] = []
    for template_id, group in groups.items():
        assert template_id is not None
        plan = _plan(templates, template_id, group[0].key, region, cur)
        charge_by = plan.charge_by
        value = sum([line._charged[charge_by] for line in group])
        # Only a free rule reads the pieces and the amount.
        pieces = sum(map(_QUANTITY, group)) if plan.free_rules else 0
        amount = _amount(plan, group, cur)
        charges.append(_charge(plan, value, pieces, amount, group))
    if combine is Combine.MAX_FIRST:
        _max_first(charges, templates)
    total = sum([charge.fee for charge in charges])
    return ShippingBreakdown(from_minor(total, cur), lines, charges)


def _amount(plan: Plan, group: list[ShippingLine], currency: Currency) -> int:
    """The group's net item amount in minor units, when a free rule reads it (else 0)."""
    if not plan.needs_amount:
        return 0
    for line in group:
        if line._amount_currency not in (currency, None):
            other: Currency = line._amount_currency
            context = f"amount of {line.key!r}"
            raise CurrencyMismatchError(currency.code, other.code, context=context)
    return sum([line._amount_minor for line in group])


def _max_first(charges: list[_Charge], listed: Mapping[str, FreightTemplate]) -> None:
    """Re-price *charges* by ``max_first``, in place.

    The charged template with the highest first fee pays its full fee; every
    other charged template pays all its units at the additional rate. A tie on
    the first fee goes to the template listed earlier in *listed*, so the fee
    does not depend on the order of the cart's lines.
    """
    position = {template_id: n for n, template_id in enumerate(listed)}
    charged = [charge for charge in charges if charge.free_rule is None]
    if not charged:
        return
    leader = min(charged, key=lambda c: (-c.plan.first_fee, position[c.plan.template.id]))
    for charge in charged:
        if charge is not leader:
            charge.fee = charge.plan.additional_only_fee(charge.value) + charge.plan.surcharge


def _plan(
    templates: Mapping[str, FreightTemplate],
    template_id: str,
    key: str,
    region: str,
    currency: Currency,
) -> Plan:
    """*template_id* resolved at *region*; *key* (the group's first line) names errors."""
    template = templates.get(template_id)
    if template is None:
        msg = (
            f"SKU {key!r} uses freight template {template_id!r},"
            " which is not among the freight templates"
        )
        raise ConfigError(msg)
    plan = template.plan(region, currency)
    if plan.undeliverable:
        raise UndeliverableError(key, region, template=template.id)
    return plan


def template_fees(
    loads: Sequence[TemplateLoad],
    templates: Mapping[str, FreightTemplate],
    region: str,
    *,
    currency: Currency,
    combine: Combine = Combine.SUM,
) -> list[int]:
    """Each template's fee in minor units, from totals already summed per template.

    The same fees as :func:`compute_shipping` gives for the lines behind
    *loads* (free rules, surcharges and *combine* included), without building
    shipping lines or a breakdown; split each fee over its lines with
    :func:`split_fee`. Raises what :func:`compute_shipping` raises.
    """
    charges = []
    for load in loads:
        plan = _plan(templates, load.template_id, load.key, region, currency)
        value = charged_value(plan.charge_by, load.pieces, load.weight, load.volume)
        charges.append(_charge(plan, value, load.pieces, load.amount_minor, []))
    if combine is Combine.MAX_FIRST:
        _max_first(charges, templates)
    return [charge.fee for charge in charges]


def _duplicate_key(lines: Sequence[ShippingLine]) -> None:
    seen: set[str] = set()
    for line in lines:
        if line.key in seen:
            msg = f"key={line.key!r} appears on two shipping lines; merge them first"
            raise ConfigError(msg)
        seen.add(line.key)
