"""sync: duplicates across sites, merged patients

The same child registered at two sites has two patients. The hub queues the pairs that look
alike (``sync_duplicate``: found when patients arrive by sync or on demand, proposed once), and
a data manager's merge moves every record to the kept patient and leaves the other as a
tombstone pointing to it (``core_patient.merged_into_id``), which travels to the laptops with
the patient row.

The column is added without rebuilding ``core_patient`` on SQLite (a laptop's table is
referenced by every care record; SQLite accepts a nullable column with a reference).

Revision 40a0a57e45f2, after b5f19c852a13; written 2026-11-28 01:10.
"""

import sqlalchemy as sa
from alembic import op

from alima.migrations.helpers import (
    Table,
    create_tables,
    drop_tables,
    ref,
    table,
)

revision, down_revision = "40a0a57e45f2", "b5f19c852a13"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "sync_duplicate",
            ref("low_id", "core_patient"),
            ref("high_id", "core_patient"),
            sa.Column("found_by", sa.String(length=10), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            ref("kept_id", "core_patient", nullable=True),
            sa.Column("open_episodes", sa.Integer(), nullable=True),
            ref("resolved_by_id", "core_user", nullable=True),
            sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            record="id",
            named_unique={"uq_sync_duplicate_pair": ("low_id", "high_id")},
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())
    name = op.f("fk_core_patient_merged_into_id_core_patient")
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE core_patient ADD COLUMN merged_into_id CHAR(32) "
            f"CONSTRAINT {name} REFERENCES core_patient (id)"
        )
    else:
        op.add_column("core_patient", sa.Column("merged_into_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(name, "core_patient", "core_patient", ["merged_into_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("core_patient", schema=None) as batch_op:
        batch_op.drop_column("merged_into_id")
    drop_tables(*_tables())
