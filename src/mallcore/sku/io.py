"""Bulk import and export of products and SKUs as CSV (always) or XLSX (``mallcore[xlsx]``).

Files have one row per SKU with the product columns repeated (see
:mod:`mallcore.sku.tabular` for the columns and cell formats). Import checks
every row first and returns an :class:`~mallcore.sku.tabular.ImportReport`:
nothing is imported when any row is bad, unless ``partial=True``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from mallcore.errors import ConfigError
from mallcore.sku.catalog import Product
from mallcore.sku.tabular import COLUMNS, ImportReport, export_rows, import_rows

__all__ = ["export_csv", "export_xlsx", "import_csv", "import_xlsx"]

_XLSX_HINT = "reading or writing XLSX needs openpyxl: pip install mallcore[xlsx]"


def export_csv(products: Iterable[Product], target: str | Path | IO[str] | None = None) -> str:
    """Write *products* as CSV to *target* (a path or a text stream) and return the text.

    >>> from mallcore.sku.catalog import make_product
    >>> from mallcore.sku.skus import make_sku
    >>> sku = make_sku("T1", "tee", price="9.90", currency="CNY")
    >>> tee = make_product("tee", names="T-shirt", skus=[sku])
    >>> text = export_csv([tee])
    >>> [p.id for p in import_csv(io.StringIO(text)).products]
    ['tee']
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(products))
    text = buffer.getvalue()
    if isinstance(target, str | Path):
        Path(target).write_text(text, encoding="utf-8")
    elif target is not None:
        target.write(text)
    return text


def import_csv(source: str | Path | IO[str], *, partial: bool = False) -> ImportReport:
    """Read products from a CSV file or text stream with a header row.

    Args:
        source: A path, or an open text stream (``newline=""`` is best).
        partial: Import the valid rows even when some rows are bad.

    Raises:
        ConfigError: If the header lacks ``product_id`` or ``sku``.
    """
    if isinstance(source, str | Path):
        with Path(source).open(encoding="utf-8-sig", newline="") as handle:
            return _import_csv(handle, partial=partial)
    return _import_csv(source, partial=partial)


def _import_csv(handle: IO[str], *, partial: bool) -> ImportReport:
    return import_rows(_csv_rows(handle), partial=partial)


def _csv_rows(handle: IO[str]) -> Iterator[dict[str, str]]:
    """Rows as complete dicts of text: short rows padded, missing columns blank."""
    reader = csv.reader(handle)
    header = next(reader, [])
    _check_header(header)
    width = len(header)
    missing = [column for column in COLUMNS if column not in set(header)]
    names = header + missing
    blank = [""] * len(missing)
    for values in reader:
        if not values:
            continue
        if len(values) != width:
            values = (values + [""] * width)[:width]
        yield dict(zip(names, values + blank, strict=True))


def _check_header(header: Iterable[str]) -> None:
    missing = [column for column in ("product_id", "sku") if column not in set(header)]
    if missing:
        msg = f"the file's header lacks the columns {missing!r} (expected {list(COLUMNS)!r})"
        raise ConfigError(msg)


def _openpyxl() -> Any:
    try:
        import openpyxl  # optional dependency: loaded only for XLSX
    except ImportError:
        raise ConfigError(_XLSX_HINT) from None
    return openpyxl


def export_xlsx(products: Iterable[Product], target: str | Path | IO[bytes]) -> None:
    """Write *products* to an XLSX workbook (one sheet, every cell as text).

    Raises:
        ConfigError: If openpyxl is not installed (``pip install mallcore[xlsx]``).
    """
    openpyxl = _openpyxl()
    # Imported here, after _openpyxl() checked the optional dependency is installed.
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    rows = [[row[column] for column in COLUMNS] for row in export_rows(products)]
    # Check before the workbook exists: a write-only workbook abandoned half
    # way leaves a temporary file behind.
    for line, values in enumerate(rows, start=2):
        for column, value in zip(COLUMNS, values, strict=True):
            if ILLEGAL_CHARACTERS_RE.search(value):
                msg = f"row {line}, column {column!r}: {value!r} has characters XLSX cannot hold"
                raise ConfigError(msg)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("skus")
    sheet.append(list(COLUMNS))
    for values in rows:
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            # openpyxl would store "=..." as a formula; every cell here is text.
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # A number typed into a spreadsheet: repr is the shortest text that
        # reads back as the same float, so 19.9 stays "19.9", not 19.899999...
        return repr(value)
    return str(value)


def _xlsx_rows(sheet: Any) -> Iterator[dict[str, str]]:
    rows = sheet.iter_rows(values_only=True)
    header = [_cell_text(cell) for cell in next(rows, ())]
    _check_header(header)
    for values in rows:
        if all(value is None for value in values):
            continue
        yield {name: _cell_text(value) for name, value in zip(header, values, strict=False)}


def import_xlsx(source: str | Path | IO[bytes], *, partial: bool = False) -> ImportReport:
    """Read products from the first sheet of an XLSX workbook.

    Numbers typed into cells are read as their shortest decimal text, so a
    price cell holding 19.9 reads as ``"19.9"``.

    Raises:
        ConfigError: If openpyxl is missing, or the header lacks ``product_id`` or ``sku``.
    """
    openpyxl = _openpyxl()
    workbook = openpyxl.load_workbook(source, read_only=True, data_only=True)
    try:
        return import_rows(_xlsx_rows(workbook.worksheets[0]), partial=partial)
    finally:
        workbook.close()
