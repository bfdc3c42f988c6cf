"""Stock levels, reservations and idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the stock, reservation and idempotency tables."""
    op.create_table(
        "mallcore_stock_levels",
        sa.Column("sku_id", sa.String(200), primary_key=True),
        sa.Column("on_hand", sa.BigInteger, nullable=False),
        sa.Column("reserved", sa.BigInteger, nullable=False),
        sa.Column("low_stock_threshold", sa.BigInteger, nullable=False),
        sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="ck_stock_reserved"),
    )
    op.create_table(
        "mallcore_reservations",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("deduct_on", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("expires_at", _UTC, nullable=False),
        sa.Column("lines", sa.Text, nullable=False),
    )
    op.create_index(
        "ix_mallcore_reservations_open_due", "mallcore_reservations", ["state", "expires_at"]
    )
    op.create_table(
        "mallcore_idempotency_keys",
        sa.Column("key", sa.String(500), primary_key=True),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("keep_until", _UTC, nullable=False),
    )
    op.create_index(
        "ix_mallcore_idempotency_keep_until", "mallcore_idempotency_keys", ["keep_until"]
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("mallcore_idempotency_keys")
    op.drop_table("mallcore_reservations")
    op.drop_table("mallcore_stock_levels")
