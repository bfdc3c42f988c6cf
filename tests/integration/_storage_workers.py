"""Worker processes for the storage concurrency and crash tests (spawned, so importable)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from mallcore.adapters.sql import SqlDatabase
from mallcore.errors import ConflictError, CouponLimitError, InsufficientStockError
from mallcore.membership.account import MemberAccount
from mallcore.money import Money
from mallcore.orders import EffectKind
from mallcore.testing.contracts import CONTRACT_TIERS, contract_quote
from mallcore.usecases import pay_order, place_order

AT = datetime(2026, 11, 11, 12, tzinfo=UTC)
#: The order the crash tests place (the contract quote: 125.90 CNY with SAVE-1 and 500 points).
CRASH_ORDER = "20261111120000CRASHTEST1"


def reserve_last_units(target: str, worker: int, attempts: int, start: Any, results: Any) -> None:
    """Try *attempts* one-unit reservations of SKU LAST; report (worker, won, sold out, other)."""
    database = SqlDatabase.open(target, upgrade=False)
    won = sold_out = 0
    other: list[str] = []
    start.wait(timeout=60)
    for attempt in range(attempts):
        try:
            database.inventory.reserve(f"w{worker}-{attempt}", {"LAST": 1}, AT + timedelta(hours=1))
            won += 1
        except InsufficientStockError:
            sold_out += 1
        except Exception as error:  # reported to the parent, which fails the test
            other.append(repr(error))
    database.close()
    results.put((worker, won, sold_out, other))


def claim_coupons(target: str, worker: int, attempts: int, start: Any, results: Any) -> None:
    """Claim LAST50 coupons for distinct customers; report (worker, won, refused, other)."""
    database = SqlDatabase.open(target, upgrade=False)
    won = refused = 0
    other: list[str] = []
    start.wait(timeout=60)
    for attempt in range(attempts):
        try:
            database.coupons.claim(
                "LAST50", f"c-{worker}-{attempt}", code=f"L-{worker}-{attempt}", at=AT
            )
            won += 1
        except CouponLimitError:
            refused += 1
        except Exception as error:  # reported to the parent, which fails the test
            other.append(repr(error))
    database.close()
    results.put((worker, won, refused, other))


def pay(target: str, number: str, worker: int, start: Any, results: Any) -> None:
    """Pay the stored order *number*; report (worker, 'paid' | 'late' | 'conflict' | error)."""
    database = SqlDatabase.open(target, upgrade=False, tiers=CONTRACT_TIERS)
    start.wait(timeout=60)
    try:
        with database.unit_of_work() as uow:
            left = pay_order(uow, number, Money("135.90", "CNY"), payment_id=f"pay-{worker}", at=AT)
        late = any(effect.kind is EffectKind.REFUND_PAYMENT for effect in left)
        results.put((worker, "late" if late else "paid"))
    except ConflictError:
        results.put((worker, "conflict"))
    except Exception as error:  # reported to the parent, which fails the test
        results.put((worker, repr(error)))
    finally:
        database.close()


def member_with_points() -> MemberAccount:
    """Customer c-1 with 800 points earned the day before."""
    member = MemberAccount("c-1", CONTRACT_TIERS)
    member.ledger.earn(800, at=AT - timedelta(days=1), source="welcome", key="earn:welcome")
    return member


def place_and_hang(target: str, commit: bool, ready: Any) -> None:
    """Place an order (stock, coupon, order row), tell the parent, and wait to be killed.

    With *commit* false it hangs inside the unit of work, before the commit; with
    *commit* true after it, before any payment.
    """
    database = SqlDatabase.open(target, upgrade=False, tiers=CONTRACT_TIERS)
    quote = contract_quote()
    uow = database.unit_of_work()
    with uow:
        place_order(
            uow,
            quote,
            customer_id="c-1",
            at=AT,
            key="checkout:c-1:1",
            coupons=["SAVE-1"],
            number=CRASH_ORDER,
        )
        if not commit:
            ready.put(os.getpid())
            time.sleep(120)  # killed here, holding the transaction open
    ready.put(os.getpid())
    time.sleep(120)  # killed here, the order placed and unpaid
