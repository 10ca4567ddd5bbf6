"""stock: the RUTF movements of each site (receipts, losses, adjustments, counts)

One append-only table: a site's balance is replayed from its movements and from the rations
its CMAM visits recorded, so nothing is stored twice. A correction is a new row naming the row
it replaces (``corrects_id``) and copying its day (``corrected_on``) for the period lock.

Revision f4410361523e, after 25168e436009; written 2026-11-28 00:00.
"""

import sqlalchemy as sa

from alima.migrations.helpers import (
    Table,
    create_tables,
    drop_tables,
    index,
    one_of,
    ref,
    table,
)

revision, down_revision = "f4410361523e", "25168e436009"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "stock_movement",
            ref("place_id", "core_place", index=True),
            sa.Column("kind", sa.String(length=20), nullable=False),
            sa.Column("product", sa.String(length=10), nullable=False),
            sa.Column("moved_on", sa.Date(), nullable=False),
            sa.Column("sachets", sa.Integer(), nullable=False),
            sa.Column("cartons", sa.Integer(), nullable=True),
            sa.Column("sachets_per_carton", sa.Integer(), nullable=True),
            sa.Column("batch", sa.String(length=60), nullable=True),
            sa.Column("expires_on", sa.Date(), nullable=True),
            sa.Column("reason", sa.String(length=20), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            ref("corrects_id", "stock_movement", nullable=True, index=True),
            sa.Column("corrected_on", sa.Date(), nullable=True),
            record="deleted",
            checks={
                "receipt_has_batch": "kind != 'receipt' OR (batch IS NOT NULL AND expires_on IS NOT NULL)",
                "kind": one_of("kind", "receipt", "loss", "adjustment", "stock_count"),
                "sachets_positive": "sachets >= 0 OR kind = 'adjustment'",
                "correction_dated": "(corrects_id IS NULL) = (corrected_on IS NULL)",
            },
            indexes=[index("ix_stock_movement_place_on", "place_id", "product", "moved_on")],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
