import builtins
import csv
import io
from datetime import UTC, datetime

import pytest
from moneyed import Money

from mallcore.errors import ConfigError
from mallcore.sku.catalog import make_product
from mallcore.sku.io import export_csv, export_xlsx, import_csv, import_xlsx
from mallcore.sku.matrix import build_matrix
from mallcore.sku.skus import make_sku
from mallcore.sku.specs import Spec, SpecValue
from mallcore.sku.tabular import COLUMNS, RowProblem

SPECS = (
    Spec("colour", "Colour", [SpecValue("red", "Red"), SpecValue("a|b=c", "Odd", code="ODD")]),
    Spec("size", "Size", [SpecValue("s", "S")]),
)


def _catalog():
    tee = make_product(
        "tee",
        names={"en": "Tee", "zh_Hant": "T恤"},
        specs=SPECS,
        skus=build_matrix("tee", SPECS).to_skus(price=Money("19.90", "CNY")),
        category_id="tops",
        brand="Acme, Inc.",
        tags={"summer", 'quote "me"'},
        freight_template_id="T1",
        status="listed",
        list_at=datetime(2026, 11, 11, tzinfo=UTC),
    )
    mug = make_product(
        "mug",
        names="Mug",
        skus=[
            make_sku(
                "MUG-1",
                "mug",
                price="5.00",
                currency="CNY",
                quantity_tiers=[{"min_qty": 10, "price": "4.50"}],
                member_discount=False,
                member_price="4.00",
                barcode="6901234567892",
                weight_kg="0.350",
            )
        ],
    )
    return [tee, mug]


def _snapshot(product):
    return (
        product.id,
        product.names,
        product.category_id,
        product.brand,
        product.tags,
        product.freight_template_id,
        product.specs,
        product.skus,
        product.status,
        product.list_at,
        product.delist_at,
        product.exclusions,
        product.code_template,
    )


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def _write(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_csv_round_trip_is_lossless(tmp_path):
    catalog = _catalog()
    path = tmp_path / "catalog.csv"
    export_csv(catalog, path)
    report = import_csv(path)
    assert report.ok and report.rows == 3
    assert [_snapshot(p) for p in report.products] == [_snapshot(p) for p in catalog]


def test_one_row_per_sku_with_product_columns():
    rows = _rows(export_csv(_catalog()))
    assert [(r["product_id"], r["sku"]) for r in rows] == [
        ("tee", "TEE-RED-S"),
        ("tee", "TEE-ODD-S"),
        ("mug", "MUG-1"),
    ]
    assert rows[1]["key"] == "colour=a\\|b\\=c|size=s"
    assert rows[2]["quantity_tiers"] == "10:4.50"


def test_a_bad_row_blocks_the_whole_import_and_is_reported():
    rows = _rows(export_csv(_catalog()))
    rows[2]["price"] = "5.001"
    report = import_csv(io.StringIO(_write(rows)))
    assert report.products == ()
    (problem,) = report.problems
    # Header is row 1, so the third data row is row 4.
    assert (problem.row, problem.column, problem.value) == (4, "price", "5.001")
    assert "more decimals than CNY allows" in problem.message


def test_partial_import_keeps_the_valid_rows():
    rows = _rows(export_csv(_catalog()))
    rows[0]["weight_kg"] = "heavy"
    report = import_csv(io.StringIO(_write(rows)), partial=True)
    assert [p.id for p in report.products] == ["tee", "mug"]
    assert [s.id for s in report.products[0].skus] == ["TEE-ODD-S"]
    assert report.problems == (
        RowProblem(2, "weight_kg", "heavy", "weight_kg='heavy' is not a number"),
    )


def test_every_bad_row_is_reported_not_only_the_first():
    rows = _rows(export_csv(_catalog()))
    rows[0]["currency"] = "RMB"
    rows[1]["key"] = "colour=blue|size=s"
    rows[2]["sku_status"] = "gone"
    report = import_csv(io.StringIO(_write(rows)))
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "currency"),
        (3, "key"),
        (4, "sku_status"),
    ]


def test_duplicate_codes_across_rows_are_reported_on_the_later_row():
    rows = _rows(export_csv(_catalog()))
    rows[2]["code"] = "TEE-RED-S"
    report = import_csv(io.StringIO(_write(rows)))
    assert [(p.row, p.column, p.value) for p in report.problems] == [(4, "code", "TEE-RED-S")]


def test_conflicting_product_columns_are_reported():
    rows = _rows(export_csv(_catalog()))
    rows[1]["brand"] = "Other"
    report = import_csv(io.StringIO(_write(rows)))
    assert [(p.row, p.column, p.value) for p in report.problems] == [(3, "brand", "Other")]


def test_missing_header_columns_raise():
    with pytest.raises(ConfigError, match="lacks the columns"):
        import_csv(io.StringIO("id,price\nA,1\n"))


def test_product_only_row_imports_a_product_without_skus():
    text = _write([{"product_id": "p", "names": '{"en": "P"}'}])
    report = import_csv(io.StringIO(text))
    assert report.ok
    assert report.products[0].skus == ()


def test_xlsx_round_trip_is_lossless(tmp_path):
    catalog = _catalog()
    path = tmp_path / "catalog.xlsx"
    export_xlsx(catalog, path)
    report = import_xlsx(path)
    assert report.ok
    assert [_snapshot(p) for p in report.products] == [_snapshot(p) for p in catalog]


def test_xlsx_numeric_cells_read_as_decimal_text(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["product_id", "names", "sku", "price", "currency", "weight_kg"])
    sheet.append(["p", '{"en": "P"}', "P-1", 19.9, "CNY", 0.1])
    path = tmp_path / "typed.xlsx"
    workbook.save(path)
    (product,) = import_xlsx(path).products
    assert product.skus[0].price == Money("19.90", "CNY")
    assert str(product.skus[0].weight_kg) == "0.1"


def test_missing_openpyxl_says_how_to_install(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "openpyxl":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ConfigError, match=r"pip install mallcore\[xlsx\]"):
        export_xlsx(_catalog(), tmp_path / "x.xlsx")


def test_xlsx_keeps_text_that_looks_like_a_formula(tmp_path):
    mug = make_product(
        "mug",
        names="=HYPERLINK(1)",
        brand="=1+1",
        skus=[make_sku("M", "mug", price="1", currency="CNY")],
    )
    path = tmp_path / "formula.xlsx"
    export_xlsx([mug], path)
    (back,) = import_xlsx(path).products
    assert (back.name(), back.brand) == ("=HYPERLINK(1)", "=1+1")


def test_xlsx_refuses_control_characters_naming_the_cell(tmp_path):
    mug = make_product("mug", names="Mug", brand="bad\x01", skus=[])
    with pytest.raises(ConfigError, match="row 2, column 'brand'"):
        export_xlsx([mug], tmp_path / "bad.xlsx")


def test_specs_cell_with_numbers_for_labels_is_reported():
    rows = _rows(export_csv(_catalog()))
    rows[0]["specs"] = rows[1]["specs"] = (
        '[{"id": "colour", "label": 7, "values": [{"id": "red"}]}]'
    )
    report = import_csv(io.StringIO(_write(rows)))
    assert [(p.row, p.column) for p in report.problems][:2] == [(2, "specs"), (3, "specs")]
    assert "label=7 must be a string" in report.problems[0].message


def test_a_minimal_header_and_short_rows_are_filled_with_blanks():
    text = 'product_id,names,sku,price,currency,weight_kg\np,"{""en"": ""P""}",P-1,2.50,CNY\n'
    (product,) = import_csv(io.StringIO(text)).products
    (sku,) = product.skus
    assert (sku.id, sku.code, sku.price, sku.weight_kg) == ("P-1", "P-1", Money("2.50", "CNY"), 0)
