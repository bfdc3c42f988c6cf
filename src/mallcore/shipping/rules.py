"""Validate operator-written freight templates (JSON, YAML, ...) and build them.

This is the one shipping module that imports pydantic. Unknown keys are
rejected, quantities and fees must be decimal strings or integers (never
floats), and every problem is reported with the JSON path of the bad value:

>>> from mallcore.errors import RulesValidationError
>>> try:
...     load_freight_templates([{"id": "std", "charge_by": "piece", "no_delivery": ["4499"],
...         "rules": [{"first": "1", "first_fee": 8.5, "additional": "1", "additional_fee": "2"}]}])
... except RulesValidationError as exc:
...     for problem in exc.problems:
...         print(problem)
[0].rules[0].first_fee: must be a decimal string or an integer, not a float (got 8.5)
[0].no_delivery[0]: region='4499' is not a known city of 44 (广东省) (got '4499')
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from mallcore.errors import RulesValidationError
from mallcore.rules import error_lines
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


def _exact_decimal(value: object) -> Decimal:
    # Pydantic would turn a float into a Decimal; a float cannot hold 0.1 exactly.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        msg = f"must be a decimal string or an integer, not a {type(value).__name__}"
        raise ValueError(msg)
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        msg = "is not a number"
        raise ValueError(msg) from None
    if not number.is_finite() or number < 0:
        msg = "must be a finite number of at least 0"
        raise ValueError(msg)
    numerator, denominator = number.as_integer_ratio()
    if numerator * 10**9 % denominator:  # finer than a microgram or a cubic millimetre
        msg = "has more than 9 decimals"
        raise ValueError(msg)
    return number


def _region(value: object) -> str:
    if not isinstance(value, str):
        msg = f"region codes are strings, not {type(value).__name__}"
        raise ValueError(msg)
    return normalize_region(value)


#: A non-negative Decimal written as a string or an integer; floats are refused.
Quantity = Annotated[Decimal, BeforeValidator(_exact_decimal)]
RegionCode = Annotated[str, BeforeValidator(_region)]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ChargeRuleSpec(_Spec):
    """``{regions?, first, first_fee, additional, additional_fee}``; no regions: the default."""

    regions: list[RegionCode] | None = None
    first: Quantity
    first_fee: Quantity
    additional: Quantity
    additional_fee: Quantity

    @model_validator(mode="after")
    def _additional_positive(self) -> ChargeRuleSpec:
        if self.additional <= 0:
            msg = f"additional={self.additional} must be greater than 0"
            raise ValueError(msg)
        return self

    def build(self) -> ChargeRule:
        """The domain charge rule."""
        return ChargeRule(
            self.first, self.first_fee, self.additional, self.additional_fee, self.regions or ()
        )


class FreeRuleSpec(_Spec):
    """``{regions?, min_amount?, min_quantity?}``; both thresholds given: both needed."""

    regions: list[RegionCode] | None = None
    min_amount: Quantity | None = None
    min_quantity: int | None = Field(default=None, ge=1, strict=True)

    def build(self) -> FreeRule:
        """The domain free rule."""
        return FreeRule(self.regions or (), self.min_amount, self.min_quantity)


class SurchargeSpec(_Spec):
    """``{regions, amount}``: a fixed remote-area fee."""

    regions: list[RegionCode] = Field(min_length=1)
    amount: Quantity

    def build(self) -> Surcharge:
        """The domain surcharge."""
        return Surcharge(self.regions, self.amount)


class FreightTemplateSpec(_Spec):
    """One freight template as written in a scenario or a settings file."""

    id: str = Field(min_length=1)
    charge_by: Literal["piece", "weight", "volume"]
    rules: list[ChargeRuleSpec] = Field(min_length=1)
    free_rules: list[FreeRuleSpec] = []
    no_delivery: list[RegionCode] = []
    surcharges: list[SurchargeSpec] = []

    @model_validator(mode="after")
    def _rules_unambiguous(self) -> FreightTemplateSpec:
        seen: dict[str, int] = {}
        for index, rule in enumerate(self.rules):
            for code in rule.regions or ["*"]:
                if code in seen:
                    what = "more than one default rule" if code == "*" else f"region {code!r}"
                    msg = f"{what} in rules[{seen[code]}] and rules[{index}]"
                    raise ValueError(msg)
                seen[code] = index
        return self

    def build(self) -> FreightTemplate:
        """The domain template."""
        return FreightTemplate(
            id=self.id,
            charge_by=ChargeBy(self.charge_by),
            rules=tuple(rule.build() for rule in self.rules),
            free_rules=tuple(rule.build() for rule in self.free_rules),
            no_delivery=tuple(self.no_delivery),
            surcharges=tuple(s.build() for s in self.surcharges),
        )


_TEMPLATES = TypeAdapter(list[FreightTemplateSpec])


def load_freight_templates(data: object) -> dict[str, FreightTemplate]:
    """Validate a list of raw freight templates (parsed JSON, YAML, ...) and build them.

    Args:
        data: A list of mappings with the keys ``id, charge_by, rules,
            free_rules, no_delivery, surcharges`` (DESIGN.md section 12).

    Returns:
        The templates by id, in the order given.

    Raises:
        RulesValidationError: A :class:`~mallcore.errors.ConfigError` whose
            ``problems`` list every problem, each starting with its JSON path
            (``[0].rules[1].first``). The :class:`pydantic.ValidationError` is
            chained as ``__cause__``.

    >>> templates = load_freight_templates([{"id": "T1", "charge_by": "piece",
    ...     "rules": [{"first": "1", "first_fee": "8.00", "additional": "1",
    ...                "additional_fee": "2.00"}]}])
    >>> templates["T1"].rules[0].fee(Decimal(3))
    Decimal('12.00')
    """
    try:
        specs = _TEMPLATES.validate_python(data)
    except ValidationError as exc:
        raise RulesValidationError("freight templates", error_lines(exc)) from exc
    templates: dict[str, FreightTemplate] = {}
    for index, spec in enumerate(specs):
        if spec.id in templates:
            problem = f"[{index}].id: duplicate template id (got {spec.id!r})"
            raise RulesValidationError("freight templates", [problem])
        templates[spec.id] = spec.build()
    return templates
