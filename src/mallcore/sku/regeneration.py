"""Plan and apply a change of a product's specs without losing SKU identity.

Editing specs never rebuilds SKUs blindly: :func:`plan_regeneration` compares
the existing SKUs with the new matrix and says which SKUs are *kept* (same
combination: id, code, price, barcode and stock survive; only labels may
change), *added* (new combinations, with defaults), *restored* (a retired
combination that is back) and *retired* (combinations that disappear; they stay
for history because orders point at them). :func:`apply_plan` returns the
resulting SKUs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

import attrs

from mallcore.errors import ConfigError
from mallcore.money import Money, parse_money
from mallcore.sku.matrix import DEFAULT_CODE_TEMPLATE, build_matrix
from mallcore.sku.skus import Sku, SkuStatus
from mallcore.sku.specs import Spec

__all__ = ["RegenerationPlan", "apply_plan", "plan_regeneration"]


@attrs.frozen
class RegenerationPlan:
    """What a spec edit does to a product's SKUs. Nothing changes until :func:`apply_plan`.

    Attributes:
        product_id: The product.
        specs: The new specs.
        kept: Live SKUs whose combination survives, as they will be after the
            edit (normally identical; only ``key``/``options`` change when
            specs are reordered).
        added: New SKUs for new combinations, with the defaults given.
        restored: Retired SKUs whose combination is back, listed again.
        retired: Live SKUs whose combination is gone, now with status retired.
        dormant: SKUs that were retired already and stay retired.
        skus: Every SKU after the edit: live ones in matrix order, then the
            retired and dormant ones in their previous order.
        rekeyed: Ids of kept SKUs whose key changed (spec reordering).
        exclusions: The exclusion patterns of the new matrix.
        source: The SKUs the plan was made from; :func:`apply_plan` checks
            that they have not changed since.
    """

    product_id: str
    specs: tuple[Spec, ...]
    kept: tuple[Sku, ...]
    added: tuple[Sku, ...]
    restored: tuple[Sku, ...]
    retired: tuple[Sku, ...]
    dormant: tuple[Sku, ...]
    skus: tuple[Sku, ...]
    rekeyed: tuple[str, ...] = ()
    exclusions: tuple[Mapping[str, str], ...] = ()
    source: tuple[Sku, ...] = attrs.field(default=(), repr=False, eq=False)

    @property
    def is_noop(self) -> bool:
        """True when applying the plan changes no SKU at all."""
        return not (self.added or self.restored or self.retired or self.rekeyed)


def _index(existing: Sequence[Sku], product_id: str) -> dict[str, Sku]:
    by_key: dict[str, Sku] = {}
    for sku in existing:
        if sku.product_id != product_id:
            msg = f"product {product_id!r}: SKU {sku.id!r} belongs to product {sku.product_id!r}"
            raise ConfigError(msg)
        if by_key.setdefault(sku.key, sku) is not sku:
            other = by_key[sku.key].id
            msg = f"product {product_id!r}: SKUs {other!r} and {sku.id!r} share key {sku.key!r}"
            raise ConfigError(msg)
    return by_key


def plan_regeneration(
    existing_skus: Iterable[Sku],
    new_specs: Sequence[Spec],
    *,
    product_id: str,
    price: Money,
    exclusions: Iterable[Mapping[str, str]] = (),
    code_template: str = DEFAULT_CODE_TEMPLATE,
    weight_kg: Decimal = Decimal(0),
    volume_m3: Decimal = Decimal(0),
) -> RegenerationPlan:
    """Compare *existing_skus* with the matrix of *new_specs* and plan the change.

    SKUs are matched by combination (the set of ``spec=value`` pairs), so
    renaming a value, changing labels or reordering specs keeps every SKU.
    Adding or removing a whole spec changes every combination: the old SKUs
    are retired and new ones added.

    Args:
        existing_skus: The product's SKUs now, retired ones included.
        new_specs: The specs after the edit.
        product_id: The product.
        price: List price of added SKUs (validated once).
        exclusions: Exclusion patterns of the new matrix.
        code_template: Code template for added SKUs.
        weight_kg: Weight of added SKUs, kilograms.
        volume_m3: Volume of added SKUs, cubic metres.

    Raises:
        ConfigError: Invalid specs or exclusions, two existing SKUs with one
            key, or an added SKU whose code is already used by another SKU.

    >>> from mallcore.sku.specs import SpecValue
    >>> size = Spec("size", values=[SpecValue("s"), SpecValue("m")])
    >>> skus = build_matrix("tee", [size]).to_skus(price=Money("10.00", "CNY"))
    >>> bigger = Spec("size", values=[SpecValue("m", "Medium"), SpecValue("l")])
    >>> plan = plan_regeneration(skus, [bigger], product_id="tee", price=Money("12.00", "CNY"))
    >>> [s.code for s in plan.kept], [s.code for s in plan.added], [s.code for s in plan.retired]
    (['TEE-M'], ['TEE-L'], ['TEE-S'])
    """
    existing = tuple(existing_skus)
    exclusion_tuple = tuple(dict(e) for e in exclusions)
    by_key = _index(existing, product_id)
    matrix = build_matrix(
        product_id, new_specs, exclusions=exclusion_tuple, code_template=code_template
    )
    new_keys = matrix.keys
    matches: list[Sku | None] = [by_key.get(key) for key in new_keys]
    matched_ids = {id(sku) for sku in matches if sku is not None}
    unmatched = [sku for sku in existing if id(sku) not in matched_ids]
    if unmatched and len(matched_ids) < len(new_keys):
        # Only reordered specs can match a combination under another key; look
        # those up by their order-free set of pairs, for the misses alone.
        by_pairs = {frozenset(sku.options): sku for sku in unmatched if sku.options}
        for index, match in enumerate(matches):
            if match is None:
                found = by_pairs.pop(frozenset(matrix.options(index)), None)
                if found is not None:
                    matches[index] = found
                    matched_ids.add(id(found))

    to_price = parse_money(price.amount, price.currency, field=f"product {product_id!r}: price")
    taken_codes = {sku.code for sku in existing} | {sku.id for sku in existing}
    spec_ids = tuple(spec.id for spec in matrix.specs)
    kept: list[Sku] = []
    added: list[Sku] = []
    restored: list[Sku] = []
    live: list[Sku] = []
    rekeyed: list[str] = []
    for index, match in enumerate(matches):
        key = new_keys[index]
        if match is None:
            code = matrix.codes[index]
            if code in taken_codes:
                msg = (
                    f"product {product_id!r}: new combination {key!r} would get SKU code "
                    f"{code!r}, which another SKU already uses; give the value another code"
                )
                raise ConfigError(msg)
            sku = Sku(
                code,
                product_id,
                code,
                key,
                to_price,
                weight_kg=weight_kg,
                volume_m3=volume_m3,
                options=tuple(zip(spec_ids, matrix.combinations[index], strict=True)),
            )
            added.append(sku)
        else:
            sku = match
            if sku.key != key:
                sku = attrs.evolve(sku, key=key, options=matrix.options(index))
                rekeyed.append(sku.id)
            if sku.status is SkuStatus.RETIRED:
                sku = attrs.evolve(sku, status=SkuStatus.LISTED)
                restored.append(sku)
            else:
                kept.append(sku)
        live.append(sku)

    retired: list[Sku] = []
    dormant: list[Sku] = []
    history: list[Sku] = []
    for sku in existing:
        if id(sku) in matched_ids:
            continue
        if sku.status is SkuStatus.RETIRED:
            dormant.append(sku)
            history.append(sku)
        else:
            gone = attrs.evolve(sku, status=SkuStatus.RETIRED)
            retired.append(gone)
            history.append(gone)
    return RegenerationPlan(
        product_id=product_id,
        specs=matrix.specs,
        kept=tuple(kept),
        added=tuple(added),
        restored=tuple(restored),
        retired=tuple(retired),
        dormant=tuple(dormant),
        skus=tuple(live + history),
        rekeyed=tuple(rekeyed),
        exclusions=exclusion_tuple,
        source=existing,
    )


def apply_plan(existing_skus: Iterable[Sku], plan: RegenerationPlan) -> tuple[Sku, ...]:
    """Return the SKUs after *plan*, checking that it was made from *existing_skus*.

    No SKU is deleted: the result holds every existing id (retired ones with
    status ``retired``) plus the added ones.

    Raises:
        ConfigError: If the SKUs changed since the plan was made (a price
            edit, a new SKU, ...): the plan is stale and would undo that change.
    """
    current = tuple(existing_skus)
    if current != plan.source:
        changed = sorted({s.id for s in current} ^ {s.id for s in plan.source}) or sorted(
            s.id for s, t in zip(current, plan.source, strict=False) if s != t
        )
        msg = (
            f"product {plan.product_id!r}: the SKUs changed since the plan was made "
            f"(for example {changed[:5]!r}); plan again"
        )
        raise ConfigError(msg)
    return plan.skus
