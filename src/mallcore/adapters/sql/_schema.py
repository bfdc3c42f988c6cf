"""The tables, in SQLAlchemy Core: what the migrations build and the stores query.

Every name starts with ``mallcore_``, so the tables can share a PostgreSQL
database with a shop's own (its ``orders`` table and mallcore's never meet).

Money is stored as integer minor units with its currency code, instants as
UTC (``timestamptz`` on PostgreSQL; ISO text of the UTC instant on SQLite),
aggregates whose shape is the domain's (orders, accounts, products) as JSON
documents beside the columns that are queried.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

#: Alembic's version table; a name of our own, so a shop's own Alembic history can share the DB.
VERSION_TABLE = "mallcore_schema_version"


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """An aware datetime stored as UTC; naive values never get in or out."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite keeps the UTC wall time (its strings have no offset)."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            msg = f"naive datetime {value!r} reached the database"
            raise ValueError(msg)
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Back as an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()

stock_levels = sa.Table(
    "mallcore_stock_levels",
    metadata,
    sa.Column("sku_id", sa.String(200), primary_key=True),
    sa.Column("on_hand", sa.BigInteger, nullable=False),
    sa.Column("reserved", sa.BigInteger, nullable=False),
    sa.Column("low_stock_threshold", sa.BigInteger, nullable=False),
    sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_reserved"),
)

reservations = sa.Table(
    "mallcore_reservations",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("deduct_on", sa.String(20), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("lines", sa.Text, nullable=False),
    sa.Index("ix_mallcore_reservations_open_due", "state", "expires_at"),
)

idempotency_keys = sa.Table(
    "mallcore_idempotency_keys",
    metadata,
    sa.Column("key", sa.String(500), primary_key=True),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("keep_until", UtcDateTime(), nullable=False),
    sa.Index("ix_mallcore_idempotency_keep_until", "keep_until"),
)

coupon_batches = sa.Table(
    "mallcore_coupon_batches",
    metadata,
    sa.Column("template_id", sa.String(200), primary_key=True),
    sa.Column("total_quantity", sa.BigInteger, nullable=True),
    sa.Column("per_customer_limit", sa.BigInteger, nullable=True),
    sa.Column("claimed", sa.BigInteger, nullable=False),
)

coupon_claims = sa.Table(
    "mallcore_coupon_claims",
    metadata,
    sa.Column("template_id", sa.String(200), primary_key=True),
    sa.Column("customer_id", sa.String(200), primary_key=True),
    sa.Column("held", sa.BigInteger, nullable=False),
)

held_coupons = sa.Table(
    "mallcore_held_coupons",
    metadata,
    sa.Column("code", sa.String(200), primary_key=True),
    sa.Column("template_id", sa.String(200), nullable=False),
    sa.Column("customer_id", sa.String(200), nullable=False, index=True),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("order_number", sa.String(200), nullable=True),
    sa.Column("claimed_at", UtcDateTime(), nullable=False),
)

orders = sa.Table(
    "mallcore_orders",
    metadata,
    sa.Column("number", sa.String(200), primary_key=True),
    sa.Column("customer_id", sa.String(200), nullable=False, index=True),
    sa.Column("state", sa.String(40), nullable=False, index=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("placed_at", UtcDateTime(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("total_minor", sa.BigInteger, nullable=False),
    sa.Column("refunded_minor", sa.BigInteger, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)

members = sa.Table(
    "mallcore_members",
    metadata,
    sa.Column("member_id", sa.String(200), primary_key=True),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("tier", sa.String(200), nullable=True),
    sa.Column("growth", sa.BigInteger, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)

ledger_heads = sa.Table(
    "mallcore_ledger_heads",
    metadata,
    sa.Column("member_id", sa.String(200), primary_key=True),
    sa.Column("entries", sa.BigInteger, nullable=False),
    sa.Column("balance", sa.BigInteger, nullable=False),
)

ledger_entries = sa.Table(
    "mallcore_ledger_entries",
    metadata,
    sa.Column("member_id", sa.String(200), primary_key=True),
    sa.Column("number", sa.BigInteger, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("points", sa.BigInteger, nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("key", sa.String(500), nullable=False),
    sa.Column("lots", sa.Text, nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Column("redemption_key", sa.String(500), nullable=True),
)

products = sa.Table(
    "mallcore_products",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("document", sa.Text, nullable=False),
)

product_skus = sa.Table(
    "mallcore_product_skus",
    metadata,
    sa.Column("sku_id", sa.String(200), primary_key=True),
    sa.Column("product_id", sa.String(200), nullable=False, index=True),
)
