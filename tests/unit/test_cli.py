"""The ``mallcore`` command: version, help, usage errors and the demo."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import mallcore
from mallcore.adapters.sql import SqlDatabase
from mallcore.cli import main
from mallcore.money import format_money

AMOUNT = r"¥([\d,]+\.\d{2})"
MATRIX_LINE = re.compile(r"^\s+(?P<code>TEE-[A-Z]+-[A-Z]+)\s+(?P<key>colour=\w+\|size=\w+)\s+¥")
STOCK_LINE = re.compile(
    r"^\s+(?P<sku>\S+)\s+reserved (?P<reserved>\d+), available (?P<available>\d+)$"
)
SUBTOTAL_LINE = re.compile(rf"^\s+\S+: (?P<qty>\d+) × {AMOUNT} = {AMOUNT}$")
ADJUSTMENT_LINE = re.compile(
    r"^\s+(?P<source>\S+?)(?: on ¥[\d,]+\.\d{2})?: (?P<sign>[-+])¥(?P<amount>[\d,]+\.\d{2})"
    r"(?: \(.*\))? → (?P<split>.*)$"
)
TOTAL_LINE = re.compile(rf"^\s+total: {AMOUNT}$")
REFUND_LINE = re.compile(rf"^\s+(?P<sku>\S+) paid {AMOUNT}, refunds? (?P<parts>.*)$")


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m mallcore`` in a fresh interpreter, reading its output as UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "mallcore", *args],
        cwd=cwd,
        capture_output=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=60,
        check=False,
    )


def yuan(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


# --------------------------------------------------------------------------- version, help


def test_version_in_a_subprocess() -> None:
    done = run_cli("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"mallcore {mallcore.__version__}\n"


def test_version_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"mallcore {mallcore.__version__}\n"


def test_the_installed_console_script_runs() -> None:
    script = Path(sys.executable).with_name("mallcore")
    if not script.exists():
        pytest.skip("the mallcore console script is not installed next to this interpreter")
    done = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"mallcore {mallcore.__version__}\n"


def test_help_exits_zero_and_lists_the_demo(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: mallcore")
    assert "demo" in out


def test_no_command_prints_help_and_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().out.startswith("usage: mallcore")


def test_no_command_in_a_subprocess_exits_two() -> None:
    done = run_cli()
    assert done.returncode == 2
    assert done.stdout.startswith("usage: mallcore")


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2
    assert "no-such-command" in capsys.readouterr().err


# --------------------------------------------------------------------------- demo


def check_demo_output(out: str) -> None:
    """The demo's numbers must be right, whatever the cart it shows."""
    lines = out.splitlines()

    # 1. The SKU matrix: colour (red, black) × size (s, m, l) minus black/s, first spec outermost.
    matrix = [match for line in lines if (match := MATRIX_LINE.match(line))]
    assert [m["code"] for m in matrix] == [
        "TEE-RED-S", "TEE-RED-M", "TEE-RED-L", "TEE-BLACK-M", "TEE-BLACK-L",
    ], out  # fmt: skip
    assert matrix[0]["key"] == "colour=red|size=s"

    # 2. Stock: every SKU started at 20; available = 20 - reserved.
    stock = [match for line in lines if (match := STOCK_LINE.match(line))]
    assert len(stock) == 3, out
    for row in stock:
        assert int(row["available"]) == 20 - int(row["reserved"])

    # 3. The quote: every adjustment's split adds up to it, and the total is the
    #    list subtotals minus the discounts plus the freight.
    subtotals = [match for line in lines if (match := SUBTOTAL_LINE.match(line))]
    assert len(subtotals) == 3, out
    for row in subtotals:
        assert yuan(row[2]) * int(row["qty"]) == yuan(row[3])
    expected_total = sum(yuan(row[3]) for row in subtotals)
    adjustments = [match for line in lines if (match := ADJUSTMENT_LINE.match(line))]
    assert len(adjustments) >= 5, out
    for row in adjustments:
        amount = yuan(row["amount"])
        shares = [yuan(part) for part in re.findall(AMOUNT, row["split"])]
        assert sum(shares) == amount, row.group(0)
        expected_total += amount if row["sign"] == "+" else -amount
    totals = [yuan(match[1]) for line in lines if (match := TOTAL_LINE.match(line))]
    assert totals == [expected_total], out

    # 4. Refunds of a line, unit by unit, add up to what the line paid.
    refunds = [match for line in lines if (match := REFUND_LINE.match(line))]
    assert len(refunds) == 2, out
    for row in refunds:
        paid = yuan(row[2])
        pieces, _, stated = row["parts"].partition("=")
        refunded = [yuan(part) for part in re.findall(AMOUNT, pieces)]
        assert sum(refunded) == paid, row.group(0)
        if stated:
            assert [yuan(part) for part in re.findall(AMOUNT, stated)] == [paid]

    # 4b. The order's states in their order, and what it refunded in all.
    states = [
        line.split(": ")[1].split(" (")[0]
        for line in lines
        if re.match(r"^\s+(placed|paid|shipped|delivered)\b", line)
    ]
    assert states[0].startswith("pending_payment"), out
    assert states[1:] == ["paid", "partially_shipped", "shipped", "delivered"], out
    (order_line,) = [line for line in lines if line.strip().startswith("order ")]
    refunded, payable, held = (yuan(part) for part in re.findall(AMOUNT, order_line))
    assert refunded == sum(
        sum(yuan(p) for p in re.findall(AMOUNT, row["parts"].partition("=")[0])) for row in refunds
    )
    assert refunded < payable
    assert held == payable - refunded  # the sandbox gateway refunded exactly what the order did

    # 4b'. The member's points and growth: each step's numbers follow from the one before.
    account = re.compile(r"(?P<points>-?\d+) points, growth (?P<growth>\d+), tier (?P<tier>\w+)$")
    steps = [(line, m) for line in lines if (m := account.search(line))]
    assert len(steps) == 4, out
    (_, start), (used_line, used), (earn_line, earned), (refund_line, after) = steps
    spent = int(used_line.split()[0])
    assert int(used["points"]) == int(start["points"]) - spent
    points_in, growth_in = (
        int(n) for n in re.findall(r"earned (\d+) points and (\d+) growth", earn_line)[0]
    )
    assert int(earned["points"]) == int(used["points"]) + points_in
    assert int(earned["growth"]) == int(used["growth"]) + growth_in
    back, clawed = (
        int(n)
        for n in re.findall(r"(\d+) redeemed points returned and (\d+) earned", refund_line)[0]
    )
    assert int(after["points"]) == int(earned["points"]) + back - clawed
    assert 0 < back < spent and 0 < clawed < points_in
    assert int(after["growth"]) < int(earned["growth"])
    # The order lifts the member a tier and its refunds (immediate policy) take it back.
    assert earned["tier"] != start["tier"] == after["tier"]

    # 4c. Daily statements: the payment on the order's day, the refunds on theirs; each ties out.
    days = [line for line in lines if re.match(r"^\s+\d{4}-\d{2}-\d{2}: orders", line)]
    assert len(days) == 2, out
    assert all(day.endswith("ties out") for day in days), out
    paid_day = [yuan(part) for part in re.findall(AMOUNT, days[0])]
    refund_day = [yuan(part) for part in re.findall(AMOUNT, days[1])]
    assert paid_day[:3] == [payable, payable, Decimal(0)]  # GMV, paid, refunded
    assert refund_day[2] == refunded

    # 5. One line per locale, each with an amount written the way CLDR writes it there.
    expected = {
        "zh_CN": "¥1,234.50",
        "en_US": "€1,234.50",
        "de_DE": "1.234,50\xa0€",
        "ja_JP": "￥1,234",
    }
    for locale, shown in expected.items():
        matching = [line for line in lines if line.split()[:1] == [locale]]
        assert len(matching) == 1, f"no line for {locale} in:\n{out}"
        assert shown in matching[0]


def test_demo_in_a_subprocess(tmp_path: Path) -> None:
    # The default file is ./mallcore-demo.sqlite, in the directory the demo runs in.
    done = run_cli("demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    check_demo_output(done.stdout)
    assert (tmp_path / "mallcore-demo.sqlite").is_file()


def test_demo_in_process(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--db", str(tmp_path / "demo.sqlite")]) == 0
    check_demo_output(capsys.readouterr().out)


def test_the_demo_story_is_stored_and_reads_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    with SqlDatabase.open(path, upgrade=False) as database:
        (number,) = database.orders.numbers()
        order = database.orders.get(number)
        assert order is not None
        assert f"placed {number}: pending_payment" in out
        assert f"order {order.state}: refunded {format_money(order.refunded)}" in out
        assert [case.state for case in order.after_sales] == ["refunded"] * 3
        reservation = database.inventory.get_reservation(number)
        assert reservation is not None and reservation.state.value == "committed"
        coupon = database.coupons.get("HOME5")
        assert coupon is not None and (coupon.state, coupon.order_number) == ("used", number)
        tee = database.inventory.get("TEE-RED-M")
        assert tee is not None and tee.on_hand == 18  # two sold; returns are not restocked
        assert database.row_counts()["mallcore_members"] == 1  # read it with the programme's tiers


def test_the_demo_runs_again_on_its_own_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    first = capsys.readouterr().out
    assert main(["demo", "--db", str(path)]) == 0
    second = capsys.readouterr().out
    check_demo_output(second)
    with SqlDatabase.open(path, upgrade=False) as database:
        assert len(database.orders.numbers()) == 1  # started afresh, not added to
    assert first.count("ties out") == second.count("ties out") == 2


def test_the_demo_refuses_a_file_it_did_not_write(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shop = tmp_path / "shop.sqlite"
    with SqlDatabase.open(shop) as database:
        database.inventory.set_stock("REAL-SKU", 5)
    assert main(["demo", "--db", str(shop)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mallcore: ConfigError: --db=") and "did not write" in err
    with SqlDatabase.open(shop) as database:
        level = database.inventory.get("REAL-SKU")
        assert level is not None and level.on_hand == 5
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as raw:
        raw.execute("CREATE TABLE users (id INTEGER)")
    assert main(["demo", "--db", str(other)]) == 2
    assert "NotAMallcoreDatabaseError" in capsys.readouterr().err


def test_demo_formats_extra_locales(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["demo", "--locale", "fr_FR", "--db", str(tmp_path / "demo.sqlite")]) == 0
    fr_lines = [line for line in capsys.readouterr().out.splitlines() if "fr_FR" in line]
    assert len(fr_lines) == 1
    # CLDR fr: narrow no-break space groups thousands, "," is the decimal mark, symbol last.
    assert "1\u202f234,50\xa0€" in fr_lines[0]


def test_demo_with_an_unknown_locale_fails_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["demo", "--locale", "xx_XX", "--db", str(tmp_path / "demo.sqlite")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("mallcore: ConfigError:")
    assert "'xx_XX'" in err
