"""The history format: rows parsed or refused by row number, Parquet and CSV, the generator."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mallcore.errors import ConfigError, HistoryRowError
from mallcore.pricing import load_rule_set
from mallcore.whatif import COLUMNS, HistoryReader, parse_row, synthetic_history, write_history

RULES = Path(__file__).resolve().parents[2] / "examples" / "01-stacked-cart.scenario.json"

GOOD = {
    "cart_id": "C-1",
    "at": "2026-11-11T20:00:00+08:00",
    "customer_id": "u-7",
    "tier": "gold",
    "points": "800",
    "ship_to": "440305",
    "lines": "A:2;B:1",
    "coupons": "SAVE10P; FREESHIP",
    "points_request": "max",
}


def test_a_good_row_reads_as_a_cart() -> None:
    cart = parse_row(GOOD, 7)
    assert (cart.row, cart.cart_id) == (7, "C-1")
    assert cart.at == datetime(2026, 11, 11, 12, tzinfo=UTC)
    assert (cart.customer.id, cart.customer.tier, cart.customer.points) == ("u-7", "gold", 800)
    assert cart.ship_to == "440305"
    assert [(line.sku, line.quantity) for line in cart.cart.lines] == [("A", 2), ("B", 1)]
    assert cart.cart.points == "max" and cart.cart.coupons == ()
    assert cart.held == ("SAVE10P", "FREESHIP")


def test_empty_optional_columns_take_their_defaults() -> None:
    row = {**GOOD, "customer_id": "", "tier": "", "points": "", "ship_to": "", "coupons": ""}
    cart = parse_row({**row, "points_request": ""}, 1)
    assert (cart.customer.id, cart.customer.tier, cart.customer.points) == ("guest", None, 0)
    assert (cart.ship_to, cart.held, cart.cart.points) == (None, (), None)
    assert parse_row({**GOOD, "points_request": "300"}, 1).cart.points == 300


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("cart_id", "", "must not be empty"),
        ("at", "2026-11-11T20:00:00", "no time zone"),
        ("at", "yesterday", "not an ISO-8601 time"),
        ("lines", "", "at least one"),
        ("lines", "A;B:1", "SKU:QUANTITY"),
        ("lines", "A:two", "whole number"),
        ("lines", "A:0", "at least 1"),
        ("points", "lots", "whole number"),
        ("points_request", "all", "whole number"),
    ],
)
def test_a_bad_row_is_refused_with_its_number_and_column(
    column: str, value: str, reason: str
) -> None:
    with pytest.raises(HistoryRowError, match=reason) as caught:
        parse_row({**GOOD, column: value}, 12)
    error = caught.value
    assert error.row == 12 and str(error).startswith("row 12: ")
    assert error.field in (column, "quantity")
    assert isinstance(error, ConfigError)


def test_a_missing_column_is_named() -> None:
    row = {key: value for key, value in GOOD.items() if key != "lines"}
    with pytest.raises(HistoryRowError, match="row 3: lines=None is missing"):
        parse_row(row, 3)


def _rows(n: int) -> list[dict[str, str]]:
    return list(synthetic_history(load_rule_set(RULES), n, seed=3))


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_a_file_reads_back_partition_by_partition_with_row_numbers(
    tmp_path: Path, suffix: str
) -> None:
    rows = _rows(250)
    path = write_history(rows, tmp_path / f"history{suffix}", row_group_rows=100)
    reader = HistoryReader(path, csv_rows=100)
    assert reader.partitions() == [(1, 100), (101, 100), (201, 50)]
    carts = list(reader)
    assert [cart.row for cart in carts] == list(range(1, 251))
    assert [cart.cart_id for cart in carts] == [row["cart_id"] for row in rows]
    assert [c.cart_id for c in reader.read(1)] == [row["cart_id"] for row in rows[100:200]]


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_bad_rows_stop_the_read_unless_skipped(tmp_path: Path, suffix: str) -> None:
    rows = _rows(30)
    rows[4] = {**rows[4], "lines": "A:-1"}
    rows[20] = {**rows[20], "at": "not a time"}
    path = write_history(rows, tmp_path / f"history{suffix}", row_group_rows=10)
    with pytest.raises(HistoryRowError, match="row 5: "):
        list(HistoryReader(path, csv_rows=10))
    reader = HistoryReader(path, skip_bad=True, csv_rows=10)
    assert len(list(reader)) == 28
    assert [(problem.row, problem.field) for problem in reader.problems] == [
        (5, "quantity"),
        (21, "at"),
    ]


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        HistoryReader(tmp_path / "nope.parquet").partitions()


def test_the_generator_is_seeded_and_writes_every_column() -> None:
    first, again, other = (
        _rows(50),
        _rows(50),
        list(synthetic_history(load_rule_set(RULES), 50, seed=4)),
    )
    assert first == again and first != other
    assert all(tuple(row) == COLUMNS for row in first)
    assert all(parse_row(row, n) for n, row in enumerate(first, start=1))
    with pytest.raises(ConfigError, match="catalog"):
        list(synthetic_history(load_rule_set({"currency": "CNY"}), 1, seed=1))
