"""The SKU matrix: every combination of a product's spec values, with keys and codes.

The matrix is the Cartesian product of the specs, first spec outermost, minus
exclusion patterns (partial combinations such as ``{"colour": "gold", "size": "xs"}``).
It is computed on plain tuples and strings, so 100,000 combinations take a
fraction of a second; :meth:`SkuMatrix.to_skus` then builds the
:class:`~mallcore.sku.skus.Sku` values once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import compress, product
from typing import Final

import attrs
import moneyed

from mallcore.errors import ConfigError
from mallcore.money import Money, parse_money
from mallcore.sku.skus import (
    CODE_PATTERN,
    MAX_CODE_LENGTH,
    QuantityTier,
    Sku,
    SkuStatus,
    check_code,
)
from mallcore.sku.specs import Spec, escape_id, validate_specs

__all__ = [
    "CODE_PATTERN",
    "DEFAULT_CODE_TEMPLATE",
    "MAX_CODE_LENGTH",
    "SkuMatrix",
    "build_matrix",
    "check_code",
    "check_code_template",
    "check_exclusions",
]

#: Placeholders: ``{product}`` (the product id) and ``{codes}`` (value code parts joined by ``-``).
DEFAULT_CODE_TEMPLATE: Final = "{product}-{codes}"
_SEPARATOR: Final = "-"


@attrs.frozen
class SkuMatrix:
    """The combinations of one product's specs, in matrix order.

    ``keys[i]``, ``codes[i]`` and ``combinations[i]`` (value ids, one per spec)
    describe the i-th combination.

    >>> from mallcore.sku.specs import SpecValue
    >>> colour = Spec("colour", values=[SpecValue("red"), SpecValue("gold")])
    >>> size = Spec("size", values=[SpecValue("s"), SpecValue("m")])
    >>> matrix = build_matrix("tee", [colour, size], exclusions=[{"colour": "gold", "size": "s"}])
    >>> list(matrix.codes)
    ['TEE-RED-S', 'TEE-RED-M', 'TEE-GOLD-M']
    >>> matrix.keys[2]
    'colour=gold|size=m'
    """

    product_id: str
    specs: tuple[Spec, ...]
    keys: tuple[str, ...]
    codes: tuple[str, ...]
    combinations: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return len(self.keys)

    def options(self, index: int) -> tuple[tuple[str, str], ...]:
        """``(spec_id, value_id)`` pairs of combination *index*."""
        return tuple(zip((s.id for s in self.specs), self.combinations[index], strict=True))

    def to_skus(
        self,
        *,
        price: Money | str | Decimal | int,
        currency: str | None = None,
        member_discount: bool = True,
        quantity_tiers: Sequence[QuantityTier] = (),
        weight_kg: Decimal = Decimal(0),
        volume_m3: Decimal = Decimal(0),
        low_stock_threshold: int = 0,
    ) -> tuple[Sku, ...]:
        """Build one listed SKU per combination, all with the same defaults.

        The SKU id is its code. The defaults are validated once, not per SKU.

        Raises:
            InvalidAmountError: If *price* is not a valid price in its currency.
        """
        if isinstance(price, moneyed.Money):
            list_price = parse_money(price.amount, price.currency, field="price")
        else:
            if currency is None:
                msg = f"product {self.product_id!r}: give currency= with a plain price"
                raise ConfigError(msg)
            list_price = parse_money(price, currency, field="price")
        tiers = tuple(quantity_tiers)
        spec_ids = tuple(spec.id for spec in self.specs)
        product_id = self.product_id
        listed = SkuStatus.LISTED
        return tuple(
            Sku(
                code,
                product_id,
                code,
                key,
                list_price,
                member_discount,
                None,
                tiers,
                None,
                weight_kg,
                volume_m3,
                low_stock_threshold,
                listed,
                tuple(zip(spec_ids, combination, strict=True)),
            )
            for key, code, combination in zip(self.keys, self.codes, self.combinations, strict=True)
        )


def check_code_template(template: str, product_id: str) -> tuple[str, str]:
    """Split a code template into the upper-cased text before and after ``{codes}``.

    Raises:
        ConfigError: If the template lacks ``{codes}`` or uses other placeholders.

    >>> check_code_template("{product}-{codes}", "tee")
    ('TEE-', '')
    """
    return _template_parts(template, product_id)


def _template_parts(template: str, product_id: str) -> tuple[str, str]:
    where = f"product {product_id!r}"
    if template.count("{codes}") != 1:
        msg = f"{where}: code_template={template!r} must contain '{{codes}}' exactly once"
        raise ConfigError(msg)
    filled = template.replace("{product}", product_id)
    prefix, suffix = filled.split("{codes}")
    if "{" in prefix + suffix or "}" in prefix + suffix:
        msg = f"{where}: code_template={template!r} may only use {{product}} and {{codes}}"
        raise ConfigError(msg)
    return prefix.upper(), suffix.upper()


def check_exclusions(
    specs: Sequence[Spec], exclusions: Iterable[Mapping[str, str]], product_id: str
) -> list[tuple[tuple[int, str], ...]]:
    """Check exclusion patterns against *specs*; return them as ``(spec index, value id)`` pairs.

    Raises:
        ConfigError: An empty pattern, or one naming an unknown spec or value.
    """
    positions = {spec.id: index for index, spec in enumerate(specs)}
    patterns = []
    for exclusion in exclusions:
        if not exclusion:
            msg = f"product {product_id!r}: an empty exclusion would exclude every combination"
            raise ConfigError(msg)
        pattern = []
        for spec_id, value_id in exclusion.items():
            if spec_id not in positions:
                msg = (
                    f"product {product_id!r}: exclusion {dict(exclusion)!r} "
                    f"names no spec {spec_id!r}"
                )
                raise ConfigError(msg)
            spec = specs[positions[spec_id]]
            try:
                spec.value(value_id)
            except ConfigError:
                msg = (
                    f"product {product_id!r}, spec {spec_id!r}: exclusion {dict(exclusion)!r} "
                    f"names no value {value_id!r}"
                )
                raise ConfigError(msg) from None
            pattern.append((positions[spec_id], value_id))
        patterns.append(tuple(pattern))
    return patterns


def build_matrix(
    product_id: str,
    specs: Sequence[Spec],
    *,
    exclusions: Iterable[Mapping[str, str]] = (),
    code_template: str = DEFAULT_CODE_TEMPLATE,
) -> SkuMatrix:
    """Enumerate the combinations of *specs* with their canonical keys and SKU codes.

    Codes come from *code_template* (``{product}`` and ``{codes}``, the value
    code parts joined by ``-``), upper-cased, checked with :func:`check_code`
    and unique.

    Args:
        product_id: The product the SKUs belong to.
        specs: At least one spec; see :func:`~mallcore.sku.specs.validate_specs`.
        exclusions: Partial combinations (spec id → value id) to leave out.
        code_template: How SKU codes are spelled.

    Raises:
        ConfigError: Invalid specs, an exclusion naming an unknown spec or value,
            a bad template, an invalid or too long code, or two combinations
            with the same code.
    """
    specs = validate_specs(specs, product_id=product_id)
    where = f"product {product_id!r}"
    if not specs:
        msg = f"{where}: a product without specs lists its SKUs explicitly"
        raise ConfigError(msg)
    prefix, suffix = _template_parts(code_template, product_id)
    for spec in specs:
        for value in spec.values:
            check_code(value.code_part, where=f"{where}, spec {spec.id!r}, value {value.id!r}")
    longest = (
        prefix
        + _SEPARATOR.join(max((v.code_part for v in spec.values), key=len) for spec in specs)
        + suffix
    )
    check_code(longest, where=where)

    # Keys, codes and value ids come from three products over precomputed
    # strings: the inner loop is itertools plus str.join, nothing per value.
    key_parts = [[f"{escape_id(spec.id)}={escape_id(v.id)}" for v in spec.values] for spec in specs]
    code_parts = [[v.code_part for v in spec.values] for spec in specs]
    value_ids = [[v.id for v in spec.values] for spec in specs]
    join_key, join_code = "|".join, _SEPARATOR.join
    keys = [join_key(parts) for parts in product(*key_parts)]
    if suffix:
        codes = [prefix + join_code(parts) + suffix for parts in product(*code_parts)]
    else:
        codes = [prefix + join_code(parts) for parts in product(*code_parts)]
    combinations = list(product(*value_ids))

    patterns = check_exclusions(specs, exclusions, product_id)
    if patterns:
        keep = [
            not any(all(combo[i] == v for i, v in pattern) for pattern in patterns)
            for combo in combinations
        ]
        keys = list(compress(keys, keep))
        codes = list(compress(codes, keep))
        combinations = list(compress(combinations, keep))

    # Distinct parts within each spec make the joined codes distinct unless a
    # part itself contains the separator; only then is a full check needed.
    if any(_SEPARATOR in part for parts in code_parts for part in parts) and len(set(codes)) != len(
        codes
    ):
        code, _ = Counter(codes).most_common(1)[0]
        clashing = [keys[i] for i, c in enumerate(codes) if c == code]
        msg = f"{where}: combinations {clashing!r} all get the SKU code {code!r}"
        raise ConfigError(msg)
    return SkuMatrix(product_id, specs, tuple(keys), tuple(codes), tuple(combinations))
