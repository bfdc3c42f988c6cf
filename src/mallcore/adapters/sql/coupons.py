"""The SQL CouponStore: claims counted and coupons moved by conditional updates.

A claim is two guarded counters in one transaction: ``claimed + 1 WHERE
claimed < total_quantity`` on the template, and ``held + 1 WHERE held <
per_customer_limit`` (an upsert) on the customer; either refusing rolls both
back. A lock, unlock, use or expiry is one ``UPDATE ... WHERE state = ...``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from mallcore.adapters.sql._engine import insert_for
from mallcore.adapters.sql._schema import coupon_batches, coupon_claims, held_coupons
from mallcore.adapters.sql._tx import Race, Transactor
from mallcore.checks import check_text, invalid
from mallcore.clock import aware
from mallcore.errors import ConflictError, CouponLimitError, UnknownCouponError
from mallcore.promotions.holdings import (
    CouponBatch,
    HeldCoupon,
    check_new_limits,
    coupon_move,
    same_claim,
)

__all__ = ["SqlCouponStore"]

_B, _C, _H = coupon_batches.c, coupon_claims.c, held_coupons.c
_HELD = (_H.code, _H.template_id, _H.customer_id, _H.state, _H.claimed_at, _H.order_number)

#: The state a move starts from, and whether it is tied to the order that locked the coupon.
_FROM = {
    "lock": ("available", False),
    "unlock": ("locked", True),
    "use": ("locked", True),
    "expire": ("available", False),
}


def _held(row: Sequence[Any]) -> HeldCoupon:
    return HeldCoupon(row[0], row[1], row[2], row[3], row[4], row[5])


class SqlCouponStore:
    """A :class:`~mallcore.ports.CouponStore` on SQLite or PostgreSQL."""

    def __init__(self, tx: Transactor) -> None:
        self._tx = tx

    def define(self, batch: CouponBatch) -> None:
        """Create or change a template's limits (never below what is claimed)."""
        if not isinstance(batch, CouponBatch):
            raise invalid("batch", batch, "must be a CouponBatch")
        with self._tx("define a coupon batch") as conn:
            claimed = conn.execute(
                sa.select(_B.claimed).where(_B.template_id == batch.template_id).with_for_update()
            ).scalar()
            check_new_limits(batch, claimed or 0)
            insert = insert_for(conn, coupon_batches).values(
                template_id=batch.template_id,
                total_quantity=batch.total_quantity,
                per_customer_limit=batch.per_customer_limit,
                claimed=0,
            )
            conn.execute(
                insert.on_conflict_do_update(
                    index_elements=[_B.template_id],
                    set_={
                        "total_quantity": batch.total_quantity,
                        "per_customer_limit": batch.per_customer_limit,
                    },
                )
            )

    def batch(self, template_id: str) -> CouponBatch | None:
        """The template's limits, or None."""
        with self._tx("read a coupon batch", read=True) as conn:
            row = conn.execute(
                sa.select(_B.template_id, _B.total_quantity, _B.per_customer_limit).where(
                    _B.template_id == template_id
                )
            ).first()
        return None if row is None else CouponBatch(row[0], row[1], row[2])

    def claimed(self, template_id: str) -> int:
        """How many coupons of *template_id* were claimed."""
        with self._tx("count claimed coupons", read=True) as conn:
            value = conn.execute(
                sa.select(_B.claimed).where(_B.template_id == template_id)
            ).scalar()
        return int(value or 0)

    def claim(self, template_id: str, customer_id: str, *, code: str, at: datetime) -> HeldCoupon:
        """Give *customer_id* a coupon of *template_id* under *code*, within the limits."""
        wanted = HeldCoupon(code, template_id, customer_id, "available", aware(at, field="at"))
        for _attempt in range(3):
            try:
                with self._tx("claim a coupon") as conn:
                    return self._claim(conn, wanted)
            except Race:
                continue
        raise AssertionError("unreachable: a held coupon, once inserted, stays")  # pragma: no cover

    def _claim(self, conn: sa.Connection, wanted: HeldCoupon) -> HeldCoupon:
        held = self._get(conn, wanted.code)
        if held is not None:
            return same_claim(held, wanted)
        limits = conn.execute(
            sa.select(_B.total_quantity, _B.per_customer_limit).where(
                _B.template_id == wanted.template_id
            )
        ).first()
        if limits is None:
            raise invalid("template_id", wanted.template_id, "has no limits defined: define() it")
        total, per_customer = limits
        counted = conn.execute(
            coupon_batches.update()
            .where(
                _B.template_id == wanted.template_id,
                sa.or_(_B.total_quantity.is_(None), _B.claimed < _B.total_quantity),
            )
            .values(claimed=_B.claimed + 1)
        ).rowcount
        if counted != 1:
            raise CouponLimitError(wanted.template_id, wanted.customer_id, "total_quantity", total)
        insert = insert_for(conn, coupon_claims).values(
            template_id=wanted.template_id, customer_id=wanted.customer_id, held=1
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[_C.template_id, _C.customer_id],
            set_={"held": _C.held + 1},
            where=None if per_customer is None else _C.held < per_customer,
        ).returning(_C.held)
        # RETURNING, not rowcount: psycopg reports no row count for an upsert.
        if conn.execute(upsert).first() is None:
            raise CouponLimitError(
                wanted.template_id, wanted.customer_id, "per_customer_limit", per_customer
            )
        try:
            conn.execute(
                held_coupons.insert().values(
                    code=wanted.code,
                    template_id=wanted.template_id,
                    customer_id=wanted.customer_id,
                    state=wanted.state,
                    order_number=None,
                    claimed_at=wanted.claimed_at,
                )
            )
        except exc.IntegrityError:
            raise Race from None
        return wanted

    def get(self, code: str) -> HeldCoupon | None:
        """The coupon held under *code*, or None."""
        with self._tx("read a coupon", read=True) as conn:
            return self._get(conn, code)

    def held_by(self, customer_id: str) -> list[HeldCoupon]:
        """The customer's coupons, by code."""
        with self._tx("read a customer's coupons", read=True) as conn:
            rows = conn.execute(
                sa.select(*_HELD).where(_H.customer_id == customer_id).order_by(_H.code)
            ).all()
        return [_held(row) for row in rows]

    def lock(self, code: str, *, order_number: str, at: datetime) -> HeldCoupon:
        """Lock an available coupon for *order_number*."""
        return self._move(code, "lock", order_number, at)

    def unlock(self, code: str, *, order_number: str, at: datetime) -> HeldCoupon:
        """Give a coupon locked by *order_number* back."""
        return self._move(code, "unlock", order_number, at)

    def use(self, code: str, *, order_number: str, at: datetime) -> HeldCoupon:
        """Mark a coupon locked by *order_number* used."""
        return self._move(code, "use", order_number, at)

    def expire(self, code: str, *, at: datetime) -> HeldCoupon:
        """Expire an available coupon."""
        return self._move(code, "expire", None, at)

    def _move(self, code: str, action: str, order_number: str | None, at: datetime) -> HeldCoupon:
        aware(at, field="at")
        check_text("code", code)
        if order_number is not None:
            check_text("order_number", order_number)
        source, tied = _FROM[action]
        with self._tx(f"{action} a coupon") as conn:
            held = self._get(conn, code)
            if held is None:
                raise UnknownCouponError(code)
            target = coupon_move(held, action, order_number)  # refuses, or says where it goes
            if target == held:
                return held  # a repeat by the same order: nothing to write
            condition = [_H.code == code, _H.state == source]
            if tied:
                condition.append(_H.order_number == order_number)
            moved = conn.execute(
                held_coupons.update()
                .where(*condition)
                .values(state=target.state, order_number=target.order_number)
            ).rowcount
            if moved != 1:
                # Another writer moved it between our read and our update: decide again
                # from what is stored now (a repeat, or a refusal).
                current = self._get(conn, code)
                assert current is not None
                if coupon_move(current, action, order_number) != current:
                    msg = f"coupon {code!r} moved while it was being {action}ed: try again"
                    raise ConflictError(msg)
                return current
            return target

    @staticmethod
    def _get(conn: sa.Connection, code: str) -> HeldCoupon | None:
        row = conn.execute(sa.select(*_HELD).where(_H.code == code)).first()
        return None if row is None else _held(row)
