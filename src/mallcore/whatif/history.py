"""Histories of carts to re-price: one row per cart, read from Parquet or CSV with pyarrow.

A history file has these columns (all text in CSV; in Parquet ``at`` may be a
UTC timestamp and ``points`` an integer):

==================  ==========================================================
column              what it holds
==================  ==========================================================
``cart_id``         the cart's (or order's) id, non-empty
``at``              when it was priced: ISO-8601 with an offset
                    (``2026-11-11T20:00:00+08:00``), or a timestamp with a zone
``customer_id``     the buyer (``guest`` when empty)
``tier``            the buyer's tier id, empty for none
``points``          the buyer's points balance then (0 when empty)
``ship_to``         the address's region code, empty when freight is not quoted
``lines``           ``SKU:QUANTITY`` pairs separated by ``;`` (``TEE-RED-M:2;MUG:1``)
``coupons``         the codes the buyer held, separated by ``;`` (may be empty)
``points_request``  ``max``, a number of points, or empty for none
==================  ==========================================================

A bad row (a missing column, a quantity that is not a whole number, a naive
time) is a :class:`~mallcore.errors.HistoryRowError` naming its row number
(the first data row is row 1), the column and the value. By default the first
one stops the read; ``skip_bad=True`` skips bad rows and keeps them on the
reader's ``problems``. A file is read in *partitions* (a Parquet file's row
groups; a CSV file's blocks of ``csv_rows`` rows), each on its own, so that
workers can each read their part and memory stays flat however long the
history is.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs

from mallcore.checks import shown
from mallcore.clock import aware
from mallcore.errors import HistoryRowError, MallcoreError
from mallcore.pricing.cart import Cart, CartLine
from mallcore.pricing.context import Customer
from mallcore.pricing.ruleset import RuleSet

__all__ = [
    "COLUMNS",
    "HistoryCart",
    "HistoryReader",
    "parse_row",
    "synthetic_history",
    "write_history",
]

#: The columns of a history file, in order.
COLUMNS = (
    "cart_id",
    "at",
    "customer_id",
    "tier",
    "points",
    "ship_to",
    "lines",
    "coupons",
    "points_request",
)

#: Rows per partition of a CSV file.
CSV_ROWS = 10_000


@attrs.frozen
class HistoryCart:
    """One cart of a history: who bought what, where and when, and the coupons held.

    Attributes:
        row: Its row number in the file (the first data row is 1).
        cart_id: Its id.
        at: When it was priced (aware).
        customer: The buyer then (tier, points balance).
        ship_to: The address's region, or None.
        cart: The lines and the points request (no coupon codes: see *held*).
        held: The coupon codes the buyer held, in the order written.
    """

    row: int
    cart_id: str
    at: datetime
    customer: Customer
    ship_to: str | None
    cart: Cart
    held: tuple[str, ...] = ()


def _text(row: Mapping[str, Any], column: str, number: int) -> str:
    if column not in row:
        raise HistoryRowError(number, column, None, "is missing")
    value = row[column]
    if value is None:
        return ""
    if isinstance(value, datetime | int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise HistoryRowError(number, column, value, "must be text")
    return value.strip()


def _at(row: Mapping[str, Any], number: int) -> datetime:
    value = row.get("at")
    if isinstance(value, datetime):
        moment = value
    else:
        text = _text(row, "at", number)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise HistoryRowError(number, "at", text, "is not an ISO-8601 time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise HistoryRowError(number, "at", shown(value), "has no time zone offset")
    return aware(moment, field="at")


def _whole(text: str, number: int, column: str) -> int:
    try:
        if not text.lstrip("-").isdigit():
            raise ValueError(text)
        return int(text)
    except ValueError:
        raise HistoryRowError(number, column, text, "must be a whole number") from None


def _lines(text: str, number: int) -> list[CartLine]:
    if not text:
        raise HistoryRowError(number, "lines", text, "must name at least one SKU:QUANTITY")
    lines = []
    for item in text.split(";"):
        sku, sep, quantity = item.strip().rpartition(":")
        if not sep or not sku:
            reason = "must be SKU:QUANTITY pairs separated by ';'"
            raise HistoryRowError(number, "lines", item, reason)
        if not quantity.strip().lstrip("-").isdigit():
            reason = "must be SKU:QUANTITY with a whole number of units"
            raise HistoryRowError(number, "lines", item.strip(), reason)
        lines.append(CartLine(sku.strip(), int(quantity)))
    return lines


def parse_row(row: Mapping[str, Any], number: int) -> HistoryCart:
    """One history row (column → value) as a :class:`HistoryCart`.

    Raises:
        HistoryRowError: The row is bad; the error names *number*, the column
            and the value.
    """
    try:
        cart_id = _text(row, "cart_id", number)
        if not cart_id:
            raise HistoryRowError(number, "cart_id", cart_id, "must not be empty")
        at = _at(row, number)
        points_text = _text(row, "points", number)
        customer = Customer(
            _text(row, "customer_id", number) or "guest",
            _text(row, "tier", number) or None,
            _whole(points_text, number, "points") if points_text else 0,
        )
        request_text = _text(row, "points_request", number)
        request: str | int | None = None
        if request_text == "max":
            request = "max"
        elif request_text:
            request = _whole(request_text, number, "points_request")
        cart = Cart(_lines(_text(row, "lines", number), number), (), request)
        held = tuple(c.strip() for c in _text(row, "coupons", number).split(";") if c.strip())
        ship_to = _text(row, "ship_to", number) or None
    except HistoryRowError:
        raise
    except MallcoreError as exc:  # a value the domain refuses (a quantity of 0, ...)
        field = getattr(exc, "field", "row")
        raise HistoryRowError(number, field, getattr(exc, "value", None), str(exc)) from None
    return HistoryCart(number, cart_id, at, customer, ship_to, cart, held)


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - the analysis extra is installed in tests
        from mallcore.errors import ConfigError

        msg = "what-if analysis needs pyarrow: pip install 'mallcore[analysis]'"
        raise ConfigError(msg) from None
    return pyarrow


@attrs.define
class HistoryReader:
    """Reads a history file partition by partition (see the module notes).

    Args:
        path: A ``.parquet`` or ``.csv`` file.
        skip_bad: Skip bad rows (kept on :attr:`problems`) instead of stopping.
        csv_rows: Rows per partition of a CSV file.
    """

    path: Path = attrs.field(converter=Path)
    skip_bad: bool = False
    csv_rows: int = CSV_ROWS
    problems: list[HistoryRowError] = attrs.field(factory=list, init=False)

    @property
    def is_parquet(self) -> bool:
        """Whether the file is Parquet (else CSV)."""
        return self.path.suffix.lower() in (".parquet", ".pq")

    def partitions(self) -> list[tuple[int, int]]:
        """``(first row number, rows)`` of each partition, in file order."""
        if not self.path.is_file():
            from mallcore.errors import ConfigError

            raise ConfigError(f"history {self.path} does not exist or is not a file")
        if self.is_parquet:
            _pyarrow()
            import pyarrow.parquet as pq

            meta = pq.ParquetFile(self.path).metadata
            spans, first = [], 1
            for index in range(meta.num_row_groups):
                rows = meta.row_group(index).num_rows
                spans.append((first, rows))
                first += rows
            return spans
        count = sum(1 for _ in self._csv_rows())
        return [
            (first, min(self.csv_rows, count - first + 1))
            for first in range(1, count + 1, self.csv_rows)
        ]

    def read(self, partition: int) -> list[HistoryCart]:
        """The carts of one partition (bad rows raise, or are skipped with ``skip_bad``)."""
        first, _rows = self.partitions()[partition]
        if self.is_parquet:
            import pyarrow.parquet as pq

            rows: Iterator[dict[str, Any]] = iter(
                pq.ParquetFile(self.path).read_row_group(partition).to_pylist()
            )
        else:
            rows = (
                row
                for number, row in enumerate(self._csv_rows(), start=1)
                if first <= number < first + self.csv_rows
            )
        return self._parse(rows, first)

    def __iter__(self) -> Iterator[HistoryCart]:
        """Every cart of the file, partition after partition."""
        for index in range(len(self.partitions())):
            yield from self.read(index)

    def _parse(self, rows: Iterator[Mapping[str, Any]], first: int) -> list[HistoryCart]:
        carts = []
        for number, row in enumerate(rows, start=first):
            try:
                carts.append(parse_row(row, number))
            except HistoryRowError as problem:
                if not self.skip_bad:
                    raise
                self.problems.append(problem)
        return carts

    def _csv_rows(self) -> Iterator[dict[str, Any]]:
        import pyarrow.csv as pacsv

        options = pacsv.ConvertOptions(
            column_types={column: _pyarrow().string() for column in COLUMNS},
            strings_can_be_null=False,
        )
        reader = pacsv.open_csv(self.path, convert_options=options)
        for batch in reader:
            yield from batch.to_pylist()


def write_history(
    rows: Sequence[Mapping[str, Any]] | Iterator[Mapping[str, Any]],
    path: str | Path,
    *,
    row_group_rows: int = 10_000,
) -> Path:
    """Write history rows (column → text, as :func:`synthetic_history` makes) to Parquet or CSV.

    Parquet files get row groups of *row_group_rows* rows: the partitions
    workers read.
    """
    pa = _pyarrow()
    target = Path(path)
    schema = pa.schema([(column, pa.string()) for column in COLUMNS])
    if target.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        with pq.ParquetWriter(target, schema) as writer:
            for chunk in _chunks(rows, row_group_rows):
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
        return target
    import pyarrow.csv as pacsv

    with pacsv.CSVWriter(target, schema) as writer:
        for chunk in _chunks(rows, row_group_rows):
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
    return target


def _chunks(rows: Any, size: int) -> Iterator[list[Mapping[str, Any]]]:
    chunk: list[Mapping[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def synthetic_history(
    rules: RuleSet,
    carts: int,
    *,
    seed: int,
    start: datetime = datetime(2026, 10, 1, tzinfo=UTC),
    days: int = 30,
    regions: Sequence[str] = ("310101", "440305", "110105", "510104", "650102"),
    max_lines: int = 5,
) -> Iterator[dict[str, str]]:
    """Realistic, seeded history rows for *rules*: the same seed gives the same rows.

    Carts spread over *days* from *start* (busier evenings), one to
    *max_lines* lines of the catalog's SKUs (a few popular ones bought more
    often), members of the programme's tiers with points, a region, and
    sometimes one or two of the rule set's coupons.
    """
    random_ = random.Random(seed)
    skus = sorted(rules.catalog)
    if not skus:
        from mallcore.errors import ConfigError

        raise ConfigError("synthetic_history needs a rule set with a catalog")
    weights = [1 / (rank + 1) for rank in range(len(skus))]
    tiers = [tier.id for tier in rules.tiers]
    codes = sorted(rules.coupons)
    for index in range(carts):
        day = random_.randrange(days)
        hour = random_.choices(range(24), weights=[1] * 8 + [2] * 10 + [4] * 6)[0]
        at = start + timedelta(days=day, hours=hour, minutes=random_.randrange(60))
        picked = random_.choices(skus, weights=weights, k=random_.randint(1, max_lines))
        lines = {sku: random_.choices((1, 2, 3), weights=(6, 3, 1))[0] for sku in picked}
        held = random_.sample(codes, k=min(len(codes), random_.choice((0, 0, 1, 2))))
        member = random_.random() < 0.7
        yield {
            "cart_id": f"C{seed}-{index:07d}",
            "at": at.isoformat(),
            "customer_id": f"u-{random_.randrange(carts // 3 + 1)}" if member else "guest",
            "tier": random_.choice(tiers) if member and tiers else "",
            "points": str(random_.choice((0, 0, 200, 800, 2500))) if member else "0",
            "ship_to": random_.choice(regions),
            "lines": ";".join(f"{sku}:{quantity}" for sku, quantity in lines.items()),
            "coupons": ";".join(held),
            "points_request": "max" if member and random_.random() < 0.3 else "",
        }
