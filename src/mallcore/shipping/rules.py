"""Validate operator-written freight templates (JSON, YAML, ...) and build them.

This is the one shipping module that imports pydantic. Unknown keys are
rejected and quantities and fees must be decimal strings or integers (never
floats); the values are checked by the domain templates the specs build.
Every problem is reported with the JSON path of the bad value:

>>> from mallcore.errors import RulesValidationError
>>> try:
...     load_freight_templates([{"id": "std", "charge_by": "piece", "no_delivery": ["4499"],
...         "rules": [{"first": "1", "first_fee": 8.5, "additional": "0", "additional_fee": "2"}]}])
... except RulesValidationError as exc:
...     for problem in exc.problems:
...         print(problem)
[0].rules[0].first_fee: 8.5 is a float; write amounts as strings such as "8.5" (got 8.5)
>>> try:
...     load_freight_templates([{"id": "std", "charge_by": "piece", "no_delivery": ["4499"],
...         "rules": [{"first": "1", "first_fee": "8.5",
...                    "additional": "0", "additional_fee": "2"}]}])
... except RulesValidationError as exc:
...     for problem in exc.problems:
...         print(problem)
[0].rules[0].additional: must be greater than 0 (got '0')
[0].no_delivery[0]: is not a known city of 44 (广东省) (got '4499')
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from pydantic import TypeAdapter

from mallcore.rules import Amount, Count, Problems, Spec, validate_each
from mallcore.shipping.regions import normalize_region
from mallcore.shipping.templates import (
    ChargeBy,
    ChargeRule,
    FreeRule,
    FreightTemplate,
    Surcharge,
)

__all__ = [
    "ChargeRuleSpec",
    "FreeRuleSpec",
    "FreightTemplateSpec",
    "SurchargeSpec",
    "load_freight_templates",
]


def _regions(codes: list[str] | None, problems: Problems, path: str) -> tuple[str, ...] | None:
    """The region codes, normalised; None when one of them is refused (noted)."""
    built = [
        problems.build(f"{path}[{index}]", partial(normalize_region, code))
        for index, code in enumerate(codes or ())
    ]
    return None if None in built else tuple(code for code in built if code is not None)


class ChargeRuleSpec(Spec):
    """``{regions?, first, first_fee, additional, additional_fee}``; no regions: the default."""

    regions: list[str] | None = None
    first: Amount
    first_fee: Amount
    additional: Amount
    additional_fee: Amount

    def build(self, problems: Problems, path: str) -> ChargeRule | None:
        """The domain charge rule, or None (problems noted)."""
        regions = _regions(self.regions, problems, f"{path}.regions")
        if regions is None:
            return None
        return problems.build(
            path,
            lambda: ChargeRule(
                self.first, self.first_fee, self.additional, self.additional_fee, regions
            ),
        )


class FreeRuleSpec(Spec):
    """``{regions?, min_amount?, min_quantity?}``; both thresholds given: both needed."""

    regions: list[str] | None = None
    min_amount: Amount | None = None
    min_quantity: Count | None = None

    def build(self, problems: Problems, path: str) -> FreeRule | None:
        """The domain free rule, or None (problems noted)."""
        regions = _regions(self.regions, problems, f"{path}.regions")
        if regions is None:
            return None
        return problems.build(path, lambda: FreeRule(regions, self.min_amount, self.min_quantity))


class SurchargeSpec(Spec):
    """``{regions, amount}``: a fixed remote-area fee."""

    regions: list[str]
    amount: Amount

    def build(self, problems: Problems, path: str) -> Surcharge | None:
        """The domain surcharge, or None (problems noted)."""
        regions = _regions(self.regions, problems, f"{path}.regions")
        if regions is None:
            return None
        return problems.build(path, lambda: Surcharge(regions, self.amount))


class FreightTemplateSpec(Spec):
    """One freight template as written in a scenario or a settings file."""

    id: str
    charge_by: Literal["piece", "weight", "volume"]
    rules: list[ChargeRuleSpec]
    free_rules: list[FreeRuleSpec] = []
    no_delivery: list[str] = []
    surcharges: list[SurchargeSpec] = []

    def build(self, problems: Problems, path: str) -> FreightTemplate | None:
        """The domain template, or None (problems noted)."""
        rules = [rule.build(problems, f"{path}.rules[{i}]") for i, rule in enumerate(self.rules)]
        free = [
            rule.build(problems, f"{path}.free_rules[{i}]")
            for i, rule in enumerate(self.free_rules)
        ]
        blocked = _regions(self.no_delivery, problems, f"{path}.no_delivery")
        extra = [
            rule.build(problems, f"{path}.surcharges[{i}]")
            for i, rule in enumerate(self.surcharges)
        ]
        if None in rules or None in free or None in extra or blocked is None:
            return None
        return problems.build(
            path,
            lambda: FreightTemplate(
                id=self.id,
                charge_by=ChargeBy(self.charge_by),
                rules=rules,  # type: ignore[arg-type]
                free_rules=free,  # type: ignore[arg-type]
                no_delivery=blocked,
                surcharges=extra,  # type: ignore[arg-type]
            ),
        )


_TEMPLATE: TypeAdapter[FreightTemplateSpec] = TypeAdapter(FreightTemplateSpec)


def load_freight_templates(data: Any) -> dict[str, FreightTemplate]:
    """Validate a list of raw freight templates (parsed JSON, YAML, ...) and build them.

    Args:
        data: A list of mappings with the keys ``id, charge_by, rules,
            free_rules, no_delivery, surcharges``.

    Returns:
        The templates by id, in the order given.

    Raises:
        RulesValidationError: A :class:`~mallcore.errors.ConfigError` whose
            ``problems`` list every problem, each starting with its JSON path
            (``[0].rules[1].first``).

    >>> from decimal import Decimal
    >>> templates = load_freight_templates([{"id": "T1", "charge_by": "piece",
    ...     "rules": [{"first": "1", "first_fee": "8.00", "additional": "1",
    ...                "additional_fee": "2.00"}]}])
    >>> templates["T1"].rules[0].fee(Decimal(3))
    Decimal('12.00')
    """
    problems = Problems()
    templates = build_templates(validate_each(_TEMPLATE, data, problems, ""), problems, "")
    problems.raise_for("freight templates")
    return templates


def build_templates(
    specs: list[tuple[int, FreightTemplateSpec]], problems: Problems, path: str
) -> dict[str, FreightTemplate]:
    """Build each ``(index, spec)`` of *specs* at ``path[index]``; note problems, repeated ids."""
    templates: dict[str, FreightTemplate] = {}
    for index, spec in specs:
        where = f"{path}[{index}]"
        if spec.id in templates:
            problems.note(f"{where}.id", f"another template has this id (got {spec.id!r})")
            continue
        template = spec.build(problems, where)
        if template is not None:
            templates[spec.id] = template
    return templates
