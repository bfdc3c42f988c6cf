"""SQL repositories of aggregates stored as JSON documents: orders, members, products.

Each row holds the aggregate's document (the exact round trip of
:func:`mallcore.orders.order_to_dict`, :func:`mallcore.membership.account_to_dict`,
or a product's catalog rows) beside the columns that are queried or
checked: the version for the optimistic save (``UPDATE ... WHERE version =
expected``), the state, the customer, and an order's money in minor units.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from mallcore.adapters.sql._schema import members, orders, product_skus, products
from mallcore.adapters.sql._tx import Transactor
from mallcore.adapters.sql.ledger import append_entries, read_entries, stored_count
from mallcore.errors import ConflictError, StorageError
from mallcore.membership.account import MemberAccount
from mallcore.membership.codec import (
    account_from_dict,
    account_to_dict,
    ledger_entry_to_dict,
)
from mallcore.membership.tiers import Tier
from mallcore.orders.codec import order_from_dict, order_to_dict
from mallcore.orders.order import Order
from mallcore.sku.catalog import Product
from mallcore.sku.tabular import export_rows, import_rows

__all__ = ["SqlMemberRepository", "SqlOrderRepository", "SqlProductRepository"]

_O, _M, _P, _S = orders.c, members.c, products.c, product_skus.c


def _dump(document: Any) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class SqlOrderRepository:
    """An :class:`~mallcore.ports.OrderRepository` on SQLite or PostgreSQL."""

    def __init__(self, tx: Transactor) -> None:
        self._tx = tx

    @staticmethod
    def _columns(order: Order) -> dict[str, Any]:
        snapshot = order.snapshot
        return {
            "customer_id": order.customer_id,
            "state": order.state,
            "version": order.version,
            "placed_at": order.placed_at,
            "currency": snapshot.currency.code,
            "total_minor": snapshot.total_minor,
            "refunded_minor": sum(case.refunded for case in order.after_sales),
            "document": _dump(order_to_dict(order)),
        }

    def add(self, order: Order) -> None:
        """Store a new order; StorageError if its number is taken."""
        with self._tx("add an order") as conn:
            try:
                conn.execute(orders.insert().values(number=order.number, **self._columns(order)))
            except exc.IntegrityError:
                msg = f"order {order.number!r} exists already: save it instead"
                raise StorageError(msg) from None

    def get(self, number: str) -> Order | None:
        """The stored order, or None."""
        with self._tx("read an order", read=True) as conn:
            document = conn.execute(sa.select(_O.document).where(_O.number == number)).scalar()
        return None if document is None else order_from_dict(json.loads(document))

    def save(self, order: Order, *, expected_version: int) -> None:
        """Replace the stored order if it is still at *expected_version*."""
        with self._tx("save an order") as conn:
            saved = conn.execute(
                orders.update()
                .where(_O.number == order.number, _O.version == expected_version)
                .values(**self._columns(order))
            ).rowcount
            if saved != 1:
                stored = conn.execute(
                    sa.select(_O.version).where(_O.number == order.number)
                ).scalar()
                if stored is None:
                    msg = f"order {order.number!r} is not stored: add it first"
                    raise StorageError(msg)
                raise ConflictError.lost_update("order", order.number, stored, expected_version)

    def numbers(self, *, state: str | None = None, customer_id: str | None = None) -> list[str]:
        """Order numbers, oldest first, optionally filtered."""
        query = sa.select(_O.number).order_by(_O.placed_at, _O.number)
        if state is not None:
            query = query.where(_O.state == state)
        if customer_id is not None:
            query = query.where(_O.customer_id == customer_id)
        with self._tx("list orders", read=True) as conn:
            return list(conn.execute(query).scalars())


class SqlMemberRepository:
    """A :class:`~mallcore.ports.MemberRepository` on SQLite or PostgreSQL.

    The account's growth, tier and history are a document in
    ``mallcore_members``; its points ledger goes, append only, to
    ``mallcore_ledger_entries`` (the rows of
    :class:`~mallcore.adapters.sql.SqlPointsLedgerStore`): a save writes the
    new entries only, in the same transaction as the document.

    Args:
        tx: Where statements run.
        tiers: The programme's tier ladder, which restored accounts are built with.
    """

    def __init__(self, tx: Transactor, tiers: Sequence[Tier] = ()) -> None:
        self._tx = tx
        self._tiers = tuple(tiers)

    @staticmethod
    def _columns(account: MemberAccount) -> dict[str, Any]:
        document = account_to_dict(account)
        del document["ledger_entries"]  # stored as rows of their own
        return {
            "version": account.version,
            "tier": account.tier,
            "growth": account.growth,
            "document": _dump(document),
        }

    def add(self, account: MemberAccount) -> None:
        """Store a new account; StorageError if its id is taken."""
        with self._tx("add a member") as conn:
            try:
                conn.execute(
                    members.insert().values(member_id=account.member_id, **self._columns(account))
                )
            except exc.IntegrityError:
                msg = f"member {account.member_id!r} exists already: save it instead"
                raise StorageError(msg) from None
            append_entries(conn, account.member_id, account.ledger.entries, expected_count=0)

    def get(self, member_id: str) -> MemberAccount | None:
        """The stored account, or None."""
        with self._tx("read a member", read=True) as conn:
            document = conn.execute(
                sa.select(_M.document).where(_M.member_id == member_id)
            ).scalar()
            if document is None:
                return None
            entries = read_entries(conn, member_id)
        data = json.loads(document)
        data["ledger_entries"] = [ledger_entry_to_dict(entry) for entry in entries]
        return account_from_dict(data, tiers=self._tiers)

    def save(self, account: MemberAccount, *, expected_version: int) -> None:
        """Replace the stored account if it is still at *expected_version*."""
        with self._tx("save a member") as conn:
            saved = conn.execute(
                members.update()
                .where(_M.member_id == account.member_id, _M.version == expected_version)
                .values(**self._columns(account))
            ).rowcount
            if saved != 1:
                stored = conn.execute(
                    sa.select(_M.version).where(_M.member_id == account.member_id)
                ).scalar()
                if stored is None:
                    msg = f"member {account.member_id!r} is not stored: add it first"
                    raise StorageError(msg)
                raise ConflictError.lost_update(
                    "member", account.member_id, stored, expected_version
                )
            have = stored_count(conn, account.member_id)
            entries = account.ledger.entries
            if len(entries) < have:
                raise ConflictError.lost_append(account.member_id, have, len(entries))
            append_entries(conn, account.member_id, entries[have:], expected_count=have)


class SqlProductRepository:
    """A :class:`~mallcore.ports.ProductRepository` on SQLite or PostgreSQL.

    A product is stored as its catalog rows (those of :func:`mallcore.sku.export_csv`)
    and read back through the same validation as an import.
    """

    def __init__(self, tx: Transactor) -> None:
        self._tx = tx

    def add(self, product: Product) -> None:
        """Store a new product; StorageError if its id or a SKU id is taken."""
        with self._tx("add a product") as conn:
            try:
                conn.execute(products.insert().values(id=product.id, document=_rows(product)))
            except exc.IntegrityError:
                msg = f"product {product.id!r} exists already: save it instead"
                raise StorageError(msg) from None
            self._claim_skus(conn, product)

    def get(self, product_id: str) -> Product | None:
        """The stored product, or None."""
        with self._tx("read a product", read=True) as conn:
            document = conn.execute(sa.select(_P.document).where(_P.id == product_id)).scalar()
        return None if document is None else _product(document)

    def save(self, product: Product) -> None:
        """Replace a stored product."""
        with self._tx("save a product") as conn:
            saved = conn.execute(
                products.update().where(_P.id == product.id).values(document=_rows(product))
            ).rowcount
            if saved != 1:
                msg = f"product {product.id!r} is not stored: add it first"
                raise StorageError(msg)
            conn.execute(product_skus.delete().where(_S.product_id == product.id))
            self._claim_skus(conn, product)

    def all(self) -> list[Product]:
        """Every product, by id."""
        with self._tx("list products", read=True) as conn:
            documents = conn.execute(sa.select(_P.document).order_by(_P.id)).scalars().all()
        return [_product(document) for document in documents]

    def product_of(self, sku_id: str) -> Product | None:
        """The product that has *sku_id*, or None."""
        with self._tx("find a SKU's product", read=True) as conn:
            document = conn.execute(
                sa.select(_P.document)
                .join(product_skus, _S.product_id == _P.id)
                .where(_S.sku_id == sku_id)
            ).scalar()
        return None if document is None else _product(document)

    @staticmethod
    def _claim_skus(conn: sa.Connection, product: Product) -> None:
        if not product.skus:
            return
        for sku in product.skus:
            owner = conn.execute(sa.select(_S.product_id).where(_S.sku_id == sku.id)).scalar()
            if owner is not None:
                msg = f"SKU {sku.id!r} belongs to product {owner!r} already"
                raise StorageError(msg)
        conn.execute(
            product_skus.insert(),
            [{"sku_id": sku.id, "product_id": product.id} for sku in product.skus],
        )


def _rows(product: Product) -> str:
    return _dump(list(export_rows([product])))


def _product(document: str) -> Product:
    report = import_rows(json.loads(document))
    if not report.ok or len(report.products) != 1:
        problems = "; ".join(f"{p.column}: {p.message}" for p in report.problems)
        msg = f"a stored product no longer reads back as one product: {problems}"
        raise StorageError(msg)
    return report.products[0]
