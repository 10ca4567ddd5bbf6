"""stock: the RUTF movements of each site (receipts, losses, adjustments, counts)

One append-only table: a site's balance is replayed from its movements and from the rations
its CMAM visits recorded, so nothing is stored twice. A correction is a new row naming the row
it replaces (``corrects_id``) and copying its day (``corrected_on``) for the period lock.

Revision f4410361523e, after 25168e436009; written 2026-11-28 00:00.
"""

import sqlalchemy as sa
from alembic import op


revision, down_revision = "f4410361523e", "25168e436009"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "stock_movement",
        sa.Column("place_id", sa.Uuid(), nullable=False),
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
        sa.Column("corrects_id", sa.Uuid(), nullable=True),
        sa.Column("corrected_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind != 'receipt' OR (batch IS NOT NULL AND expires_on IS NOT NULL)",
            name=op.f("ck_stock_movement_receipt_has_batch"),
        ),
        sa.CheckConstraint(
            "kind IN ('receipt', 'loss', 'adjustment', 'stock_count')",
            name=op.f("ck_stock_movement_kind"),
        ),
        sa.CheckConstraint(
            "sachets >= 0 OR kind = 'adjustment'", name=op.f("ck_stock_movement_sachets_positive")
        ),
        sa.CheckConstraint(
            "(corrects_id IS NULL) = (corrected_on IS NULL)",
            name=op.f("ck_stock_movement_correction_dated"),
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["stock_movement.id"],
            name=op.f("fk_stock_movement_corrects_id_stock_movement"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_stock_movement_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_stock_movement_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_stock_movement_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movement")),
    )
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_movement_corrects_id"), ["corrects_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_stock_movement_place_id"), ["place_id"], unique=False)
        batch_op.create_index(
            "ix_stock_movement_place_on", ["place_id", "product", "moved_on"], unique=False
        )



def downgrade() -> None:
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_movement_place_on")
        batch_op.drop_index(batch_op.f("ix_stock_movement_place_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movement_corrects_id"))

    op.drop_table("stock_movement")
