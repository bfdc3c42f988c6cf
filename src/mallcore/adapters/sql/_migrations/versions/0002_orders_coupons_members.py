"""Orders, coupons, member accounts, points ledgers and products.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)
_ID = sa.String(200)


def upgrade() -> None:
    """Create the order, coupon, membership and catalog tables."""
    op.create_table(
        "mallcore_coupon_batches",
        sa.Column("template_id", _ID, primary_key=True),
        sa.Column("total_quantity", sa.BigInteger, nullable=True),
        sa.Column("per_customer_limit", sa.BigInteger, nullable=True),
        sa.Column("claimed", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mallcore_coupon_claims",
        sa.Column("template_id", _ID, primary_key=True),
        sa.Column("customer_id", _ID, primary_key=True),
        sa.Column("held", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mallcore_held_coupons",
        sa.Column("code", _ID, primary_key=True),
        sa.Column("template_id", _ID, nullable=False),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("order_number", _ID, nullable=True),
        sa.Column("claimed_at", _UTC, nullable=False),
    )
    op.create_index(
        "ix_mallcore_held_coupons_customer_id", "mallcore_held_coupons", ["customer_id"]
    )
    op.create_table(
        "mallcore_orders",
        sa.Column("number", _ID, primary_key=True),
        sa.Column("customer_id", _ID, nullable=False),
        sa.Column("state", sa.String(40), nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("placed_at", _UTC, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total_minor", sa.BigInteger, nullable=False),
        sa.Column("refunded_minor", sa.BigInteger, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_index("ix_mallcore_orders_customer_id", "mallcore_orders", ["customer_id"])
    op.create_index("ix_mallcore_orders_state", "mallcore_orders", ["state"])
    op.create_table(
        "mallcore_members",
        sa.Column("member_id", _ID, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("tier", _ID, nullable=True),
        sa.Column("growth", sa.BigInteger, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_table(
        "mallcore_ledger_heads",
        sa.Column("member_id", _ID, primary_key=True),
        sa.Column("entries", sa.BigInteger, nullable=False),
        sa.Column("balance", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "mallcore_ledger_entries",
        sa.Column("member_id", _ID, primary_key=True),
        sa.Column("number", sa.BigInteger, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("points", sa.BigInteger, nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("lots", sa.Text, nullable=False),
        sa.Column("expires_at", _UTC, nullable=True),
        sa.Column("redemption_key", sa.String(500), nullable=True),
    )
    op.create_table(
        "mallcore_products",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_table(
        "mallcore_product_skus",
        sa.Column("sku_id", _ID, primary_key=True),
        sa.Column("product_id", _ID, nullable=False),
    )
    op.create_index("ix_mallcore_product_skus_product_id", "mallcore_product_skus", ["product_id"])


def downgrade() -> None:
    """Drop them."""
    for table in (
        "mallcore_product_skus",
        "mallcore_products",
        "mallcore_ledger_entries",
        "mallcore_ledger_heads",
        "mallcore_members",
        "mallcore_orders",
        "mallcore_held_coupons",
        "mallcore_coupon_claims",
        "mallcore_coupon_batches",
    ):
        op.drop_table(table)
