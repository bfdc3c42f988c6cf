"""Freight templates (运费模板): charge rules, free rules, no-delivery regions, surcharges.

A template is operator data made exact: quantities are :class:`~decimal.Decimal`
pieces, kilograms or cubic metres, fees are Decimal amounts in *major* units of
whatever currency the cart is priced in (a template has no currency of its own;
the amounts are checked against the cart currency's minor unit when first used).

Region matching: a rule matches an address
when one of its codes is the address or an ancestor of it; the deepest match
wins; a rule without regions is the default. The engine in
:mod:`mallcore.shipping.freight` reads a template through :meth:`FreightTemplate.plan`,
which resolves a region once and caches the result.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final, NamedTuple

import attrs

from mallcore.checks import (
    MAX_AMOUNT,
    check_choice,
    check_count,
    check_decimal,
    check_items,
    check_measure,
    check_text,
    invalid,
)
from mallcore.money import Currency, minor_units, resolve_currency
from mallcore.shipping.regions import check_regions, region_ancestors

__all__ = [
    "ChargeBy",
    "ChargeRule",
    "FreeRule",
    "FreightTemplate",
    "Surcharge",
    "charged_value",
    "charged_values",
    "to_nano",
]

#: Charged values (pieces, kg, m³) are held as integers of 10⁻⁹ units inside.
NANO: Final = 10**9


class ChargeBy(enum.StrEnum):
    """What a template charges for: pieces, total weight (kg) or total volume (m³).

    A string enum: its members hash and compare as their values, at C speed.
    """

    PIECE = "piece"
    WEIGHT = "weight"
    VOLUME = "volume"


def to_nano(value: Decimal | int, field: str) -> int:
    """Return a non-negative quantity as an integer of 10⁻⁹ units (exact).

    Args:
        value: Pieces, kilograms, cubic metres or a fee, as a Decimal or an int.
        field: Name of the field, used in error messages.

    Raises:
        ConfigError: If *value* is a float, not finite, negative, above
            :data:`~mallcore.checks.MAX_AMOUNT` or has more than nine decimals
            (finer than a microgram or a cubic millimetre).

    >>> to_nano(Decimal("0.1"), "weight_kg")
    100000000
    >>> to_nano(0.1, "weight_kg")
    Traceback (most recent call last):
    ...
    mallcore.errors.ConfigError: weight_kg=0.1 must be a Decimal or an int, not a float
    """
    numerator, denominator = check_measure(field, value, maximum=MAX_AMOUNT).as_integer_ratio()
    return numerator * NANO // denominator


def _regions(values: Iterable[str]) -> tuple[str, ...]:
    return check_regions("regions", values)


def _no_delivery(values: Iterable[str]) -> tuple[str, ...]:
    return check_regions("no_delivery", values)


def _template_id(value: str) -> str:
    return check_text("id", value)


def _charge_by(value: object) -> ChargeBy:
    return check_choice("charge_by", value, ChargeBy)


def _rules(value: Iterable[ChargeRule]) -> tuple[ChargeRule, ...]:
    return check_items("rules", value, ChargeRule, allow_empty=False)


def _free_rules(value: Iterable[FreeRule]) -> tuple[FreeRule, ...]:
    return check_items("free_rules", value, FreeRule)


def _surcharges(value: Iterable[Surcharge]) -> tuple[Surcharge, ...]:
    return check_items("surcharges", value, Surcharge)


def _decimal(field: str, *, positive: bool = False) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
        to_nano(value, field)
        if positive and value <= 0:
            raise invalid(field, value, "must be greater than 0")

    return check


@attrs.frozen
class ChargeRule:
    """First-unit and additional-unit pricing for the addresses of *regions*.

    ``fee(value) = first_fee`` while ``value <= first``, else ``first_fee +
    ceil((value - first) / additional) * additional_fee``. Quantities are in
    the template's unit (pieces, kg or m³); fees in major currency units.

    >>> rule = ChargeRule(Decimal(1), Decimal("10"), Decimal(1), Decimal("5"))
    >>> [rule.fee(Decimal(n)) for n in (1, 2, 3)]
    [Decimal('10'), Decimal('15'), Decimal('20')]
    """

    first: Decimal = attrs.field(validator=_decimal("first"))
    first_fee: Decimal = attrs.field(validator=_decimal("first_fee"))
    additional: Decimal = attrs.field(validator=_decimal("additional", positive=True))
    additional_fee: Decimal = attrs.field(validator=_decimal("additional_fee"))
    regions: tuple[str, ...] = attrs.field(default=(), converter=_regions)

    def fee(self, value: Decimal) -> Decimal:
        """The fee for *value* units (pieces, kg or m³), in major units, exact."""
        if value <= self.first:
            return self.first_fee
        # Decimal's // truncates toward zero, so round the step count up by hand.
        steps, rest = divmod(value - self.first, self.additional)
        return self.first_fee + (steps + (1 if rest else 0)) * self.additional_fee


@attrs.frozen
class FreeRule:
    """Free shipping (包邮) for *regions* once the template's lines reach a threshold.

    ``min_amount`` compares the net item amount (major units) of the lines using
    the template; ``min_quantity`` counts their pieces. A rule with both needs
    both; a rule with neither makes the template free for its regions.
    """

    regions: tuple[str, ...] = attrs.field(default=(), converter=_regions)
    min_amount: Decimal | None = attrs.field(default=None)
    min_quantity: int | None = attrs.field(default=None)

    @min_amount.validator
    def _check_amount(self, attribute: attrs.Attribute[Decimal | None], value: object) -> None:
        if value is not None:
            check_decimal("min_amount", value, maximum=MAX_AMOUNT)

    @min_quantity.validator
    def _check_quantity(self, attribute: attrs.Attribute[int | None], value: object) -> None:
        if value is not None:
            check_count("min_quantity", value)

    def describe(self) -> str:
        """Why this rule makes shipping free, e.g. ``"min_amount 99.00 reached"``."""
        parts = []
        if self.min_amount is not None:
            parts.append(f"min_amount {self.min_amount}")
        if self.min_quantity is not None:
            parts.append(f"min_quantity {self.min_quantity}")
        return " and ".join(parts) + " reached" if parts else "always free"


@attrs.frozen
class Surcharge:
    """A fixed extra fee (偏远地区附加费, major units) for addresses in *regions*."""

    regions: tuple[str, ...] = attrs.field(converter=_regions)
    amount: Decimal = attrs.field(validator=_decimal("amount"))

    @regions.validator
    def _not_empty(
        self, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
    ) -> None:
        if not value:
            raise invalid("regions", [], "must list at least one region")


def _fee_minor(template: str, value: Decimal, field: str, currency: Currency) -> int:
    """*value* (major units) in minor units of *currency*; refused if it has more decimals."""
    scale = 10 ** minor_units(currency)
    units, rest = divmod(value * scale, 1)
    if rest:
        places = minor_units(currency)
        reason = f"has more decimals than {currency.code} allows ({places})"
        exc = invalid(field, value, reason)
        exc.args = (f"freight template {template!r}: {exc}",)
        raise exc
    return int(units)


def charged_value(charge_by: ChargeBy, pieces: int, weight: int, volume: int) -> int:
    """What a template charges for, in 10⁻⁹ units: *pieces* (whole), or *weight* or *volume*.

    *weight* and *volume* are already in 10⁻⁹ kg and 10⁻⁹ m³. This and
    :func:`charged_values` are the one place that reads ``charge_by``.

    >>> charged_value(ChargeBy.PIECE, 3, 0, 0), charged_value(ChargeBy.WEIGHT, 3, 1_500, 0)
    (3000000000, 1500)
    """
    if charge_by is ChargeBy.PIECE:
        return pieces * NANO
    return weight if charge_by is ChargeBy.WEIGHT else volume


def charged_values(
    charge_by: ChargeBy, pieces: Sequence[int], weights: Sequence[int], volumes: Sequence[int]
) -> Sequence[int]:
    """:func:`charged_value` for many lines at once, given as columns.

    >>> charged_values(ChargeBy.PIECE, [1, 2], [5, 5], [0, 0])
    [1000000000, 2000000000]
    """
    if charge_by is ChargeBy.PIECE:
        return [count * NANO for count in pieces]
    if charge_by is ChargeBy.WEIGHT:
        return weights
    return volumes


class Plan(NamedTuple):
    """A template resolved for one region and currency; integers only (internal).

    Charged values are in 10⁻⁹ units of the template's unit; fees in minor
    units.
    """

    undeliverable: bool
    charge_by: ChargeBy
    first: int
    first_fee: int
    additional: int
    additional_fee: int
    surcharge: int
    free_rules: tuple[tuple[int | None, int | None, FreeRule], ...]
    needs_amount: bool
    template: FreightTemplate

    def fee(self, value: int) -> int:
        """The charge rule's fee for *value* (10⁻⁹ units), in minor units, without surcharge.

        ``first_fee`` while ``value <= first``, else ``first_fee + ceil((value -
        first) / additional) * additional_fee``: the one place this formula is written.
        """
        if value <= self.first:
            return self.first_fee
        return self.first_fee - ((self.first - value) // self.additional) * self.additional_fee

    def additional_only_fee(self, value: int) -> int:
        """Every unit at the additional rate: ``ceil(value / additional) * additional_fee``.

        What a template other than the leader pays under ``max_first``.
        """
        return -(-value // self.additional) * self.additional_fee

    def free_rule(self, pieces: int, amount: int) -> FreeRule | None:
        """The first of the free rules that *pieces* and *amount* (minor units) meet, or None."""
        for min_amount, min_quantity, rule in self.free_rules:
            if (min_amount is None or amount >= min_amount) and (
                min_quantity is None or pieces >= min_quantity
            ):
                return rule
        return None


def _deepest(
    candidates: Iterable[tuple[tuple[str, ...], Any]], ancestors: tuple[str, ...]
) -> list[Any]:
    """The items whose regions match most specifically; region-less items are the default.

    *ancestors* runs from the address itself up to its country, so a lower
    index is a deeper, more specific match.
    """
    depth_of = {code: depth for depth, code in enumerate(ancestors)}
    best = len(ancestors) + 1  # the default (no regions) sits below every real match
    found: list[Any] = []
    for regions, item in candidates:
        if regions:
            depth = min((depth_of[c] for c in regions if c in depth_of), default=None)
            if depth is None:
                continue
        else:
            depth = len(ancestors)
        if depth < best:
            best, found = depth, [item]
        elif depth == best:
            found.append(item)
    return found


@attrs.frozen
class FreightTemplate:
    """A freight template: how a cart's lines that use it are charged, per region.

    Args:
        id: The template id that products refer to.
        charge_by: Pieces, total weight (kg) or total volume (m³).
        rules: Charge rules; at most one without regions (the default). An
            address with no matching rule cannot be shipped to.
        free_rules: Free-shipping rules; the deepest matching ones apply.
        no_delivery: Regions the template does not ship to.
        surcharges: Remote-area fixed fees; the deepest matching one applies
            (the first listed among equally deep ones).

    Raises:
        ConfigError: Empty id or rules, two default rules, or a region listed
            by two charge rules.

    >>> t = FreightTemplate("std", ChargeBy.PIECE,
    ...     (ChargeRule(Decimal(1), Decimal(10), Decimal(1), Decimal(5)),))
    >>> t.rule_for("440305").first_fee
    Decimal('10')
    """

    id: str = attrs.field(converter=_template_id)
    charge_by: ChargeBy = attrs.field(converter=_charge_by)
    rules: tuple[ChargeRule, ...] = attrs.field(converter=_rules)
    free_rules: tuple[FreeRule, ...] = attrs.field(default=(), converter=_free_rules)
    no_delivery: tuple[str, ...] = attrs.field(default=(), converter=_no_delivery)
    surcharges: tuple[Surcharge, ...] = attrs.field(default=(), converter=_surcharges)
    _plans: dict[tuple[str, str], Plan] = attrs.field(
        init=False, factory=dict, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        seen: dict[str, int] = {}
        for index, rule in enumerate(self.rules):
            for code in rule.regions or ("*",):
                if code in seen:
                    if code == "*":
                        reason = (
                            f"is empty: a second default rule (the first is rules[{seen[code]}])"
                        )
                    else:
                        reason = f"lists region {code!r}, which rules[{seen[code]}] lists too"
                    raise invalid(f"rules[{index}].regions", list(rule.regions), reason)
                seen[code] = index

    def rule_for(self, region: str) -> ChargeRule | None:
        """The charge rule that applies at *region*, or None if no rule matches."""
        found = _deepest(((r.regions, r) for r in self.rules), region_ancestors(region))
        return found[0] if found else None

    def ships_to(self, region: str) -> bool:
        """Whether the template delivers to *region* (a rule matches, not no_delivery)."""
        ancestors = region_ancestors(region)
        if any(code in self.no_delivery for code in ancestors):
            return False
        return bool(_deepest(((r.regions, r) for r in self.rules), ancestors))

    def plan(self, region: str, currency: str | Currency) -> Plan:
        """Resolve this template at *region* in *currency*; cached per (region, currency).

        Raises:
            UnknownRegionError: If *region* is malformed or unknown.
            ConfigError: If a fee has more decimals than the currency allows.
        """
        code = currency if isinstance(currency, str) else currency.code
        try:
            return self._plans[region, code]
        except KeyError:
            pass
        plan = self._build_plan(region, resolve_currency(code))
        self._plans[region, code] = plan
        return plan

    def check_fees(self, currency: Currency) -> None:
        """Every fee and threshold of the template is a whole number of *currency*'s minor units.

        Raises:
            ConfigError: Naming the first one that is too precise (``rules[0].first_fee``).
        """
        for index, rule in enumerate(self.rules):
            _fee_minor(self.id, rule.first_fee, f"rules[{index}].first_fee", currency)
            _fee_minor(self.id, rule.additional_fee, f"rules[{index}].additional_fee", currency)
        for index, free in enumerate(self.free_rules):
            if free.min_amount is not None:
                _fee_minor(self.id, free.min_amount, f"free_rules[{index}].min_amount", currency)
        for index, extra in enumerate(self.surcharges):
            _fee_minor(self.id, extra.amount, f"surcharges[{index}].amount", currency)

    def _build_plan(self, region: str, currency: Currency) -> Plan:
        ancestors = region_ancestors(region)

        def minor(value: Decimal, field: str) -> int:
            return _fee_minor(self.id, value, field, currency)

        blocked = any(code in self.no_delivery for code in ancestors)
        rules = _deepest(((r.regions, r) for r in self.rules), ancestors)
        surcharges = _deepest(((s.regions, s) for s in self.surcharges), ancestors)
        free = _deepest(((f.regions, f) for f in self.free_rules), ancestors)
        rule = rules[0] if rules else None
        if rule is None:
            blocked = True
            rule = self.rules[0]
        free_rules = tuple(
            (None if f.min_amount is None else minor(f.min_amount, "min_amount"), f.min_quantity, f)
            for f in free
        )
        return Plan(
            template=self,
            undeliverable=blocked,
            charge_by=self.charge_by,
            first=to_nano(rule.first, "first"),
            first_fee=minor(rule.first_fee, "first_fee"),
            additional=to_nano(rule.additional, "additional"),
            additional_fee=minor(rule.additional_fee, "additional_fee"),
            surcharge=minor(surcharges[0].amount, "surcharge amount") if surcharges else 0,
            free_rules=free_rules,
            needs_amount=any(amount is not None for amount, _, _ in free_rules),
        )
