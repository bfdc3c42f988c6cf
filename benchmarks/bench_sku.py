"""SKU matrix generation, spec-edit planning and CSV import at catalog scale.

1. A 100,000-SKU matrix (5 specs x 10 values) with keys and codes, against a
   bare ``itertools.product`` + dict baseline that produces the same keys and codes.
2. A regeneration plan over those 100,000 SKUs: an 11th value added to one spec
   and every value of another spec relabelled (10,000 added, 100,000 kept).
3. Importing a 10,000-row CSV file (100 products x 100 SKUs), with the bare
   ``csv.DictReader`` pass over the same text for reference.
"""

from __future__ import annotations

import csv
import io
import itertools

import attrs
from moneyed import Money

from benchmarks._harness import Target, Workload, measure
from mallcore.sku.catalog import make_product
from mallcore.sku.io import export_csv, import_csv
from mallcore.sku.matrix import build_matrix
from mallcore.sku.regeneration import plan_regeneration
from mallcore.sku.specs import Spec, SpecValue

BASELINE = "itertools.product + dict"
PRICE = Money("99.00", "CNY")


def _specs(n_specs: int, n_values: int) -> list[Spec]:
    return [
        Spec(f"s{i}", f"Spec {i}", [SpecValue(f"v{i}{j}", f"Value {j}") for j in range(n_values)])
        for i in range(n_specs)
    ]


def _baseline(product_id: str, specs: list[Spec]) -> dict[str, str]:
    """What a hand-written script does: product of the values, one dict entry per combination."""
    key_parts = [[f"{s.id}={v.id}" for v in s.values] for s in specs]
    code_parts = [[v.id.upper() for v in s.values] for s in specs]
    prefix = product_id.upper() + "-"
    return {
        "|".join(keys): prefix + "-".join(codes)
        for keys, codes in zip(
            itertools.product(*key_parts), itertools.product(*code_parts), strict=True
        )
    }


def _matrix_workload() -> Workload:
    specs = _specs(5, 10)
    matrix = build_matrix("prod", specs)
    expected = _baseline("prod", specs)
    assert len(matrix) == 100_000
    assert dict(zip(matrix.keys, matrix.codes, strict=True)) == expected
    assert list(matrix.keys) == list(expected)
    workload = Workload("sku matrix 100k (5x10)", subject="mallcore build_matrix")
    workload.timings["mallcore build_matrix"] = measure(lambda: build_matrix("prod", specs))
    workload.timings[BASELINE] = measure(lambda: _baseline("prod", specs))
    workload.targets += [
        Target(peer=BASELINE, at_least=1 / 3),
        Target(peer="", max_seconds=1.0, label="100k matrix"),
    ]
    workload.notes.append("mallcore also validates specs and codes and keeps value ids per SKU")
    return workload


def _plan_workload() -> Workload:
    specs = _specs(5, 10)
    existing = build_matrix("prod", specs).to_skus(price=PRICE)
    edited = list(specs)
    edited[0] = attrs.evolve(specs[0], values=[*specs[0].values, SpecValue("v0x", "New")])
    edited[1] = attrs.evolve(
        specs[1], values=[attrs.evolve(v, label=v.label + " (renamed)") for v in specs[1].values]
    )

    def plan() -> object:
        return plan_regeneration(existing, edited, product_id="prod", price=PRICE)

    result = plan_regeneration(existing, edited, product_id="prod", price=PRICE)
    assert len(result.kept) == 100_000 and len(result.added) == 10_000 and not result.retired
    assert result.kept == existing
    workload = Workload("regeneration plan 100k SKUs", subject="mallcore plan_regeneration")
    workload.timings["mallcore plan_regeneration"] = measure(plan)
    workload.targets.append(Target(peer="", max_seconds=1.0, label="100k plan"))
    return workload


def _csv_text(n_products: int) -> str:
    specs = _specs(2, 10)
    products = []
    for p in range(n_products):
        product_id = f"p{p:03d}"
        skus = build_matrix(product_id, specs).to_skus(price=Money(f"{p + 1}.90", "CNY"))
        products.append(
            make_product(
                product_id,
                names={"en": f"Product {p}", "zh": f"商品 {p}"},
                specs=specs,
                skus=skus,
                category_id="apparel",
                brand="Acme",
                tags={"new", "summer"},
                freight_template_id="T1",
                status="listed",
            )
        )
    return export_csv(products)


def _csv_workload() -> Workload:
    text = _csv_text(100)
    report = import_csv(io.StringIO(text))
    assert report.ok and report.rows == 10_000
    assert sum(len(p.skus) for p in report.products) == 10_000
    workload = Workload("CSV import 10k rows", subject="mallcore import_csv")
    workload.timings["mallcore import_csv"] = measure(lambda: import_csv(io.StringIO(text)))
    workload.timings["csv.DictReader only"] = measure(
        lambda: list(csv.DictReader(io.StringIO(text)))
    )
    workload.targets.append(Target(peer="", max_seconds=0.5, label="10k-row import"))
    workload.notes.append("csv.DictReader only parses text; it is a floor, not a target")
    return workload


def run(quick: bool) -> list[Workload]:
    """The three SKU workloads; sizes are the stated ones even with *quick*."""
    del quick  # the workloads are fast enough to run at full size in a smoke run
    return [_matrix_workload(), _plan_workload(), _csv_workload()]
