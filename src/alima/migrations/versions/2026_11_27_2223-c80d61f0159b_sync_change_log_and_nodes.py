"""sync: the change log of every synced row, enrolled nodes, quarantine, conflicts, shares

The change log (sync_change) is written by the flush of every synced row from now on;
rows written before are put in it by the hub when a laptop first pulls
(alima.sync.hub.publish_missing), so existing data (the demo, everything typed so far)
reaches the laptops without a copy in this migration.

Revision c80d61f0159b, after 3f7a9c2e5d41; written 2026-11-27 22:23.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "c80d61f0159b", "3f7a9c2e5d41"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_change",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("row", sa.JSON(), nullable=False),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.Column("scope_path", sa.String(length=1000), nullable=True),
        sa.Column("shared_path", sa.String(length=1000), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("origin_node_id", sa.Uuid(), nullable=True),
        sa.Column("audience_path", sa.String(length=1000), nullable=True),
        sa.Column("hlc", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_change")),
    )
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_change_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_sync_change_row_seq", ["row_id", "seq"], unique=False)

    op.create_table(
        "sync_peer",
        sa.Column("hub_url", sa.String(length=500), nullable=False),
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("site_code", sa.String(length=60), nullable=False),
        sa.Column("credential", sa.String(length=100), nullable=False),
        sa.Column("pull_cursor", sa.String(length=200), nullable=False),
        sa.Column(
            "pushed_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("quarantined", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_peer")),
    )
    op.create_table(
        "sync_node",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("credential_hash", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_reason", sa.Text(), nullable=True),
        sa.Column("last_contact_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "pushed_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "pulled_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("schema_head", sa.String(length=40), nullable=True),
        sa.Column("clock_skew_seconds", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["core_place.id"], name=op.f("fk_sync_node_site_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_node")),
        sa.UniqueConstraint("credential_hash", name=op.f("uq_sync_node_credential_hash")),
    )
    with op.batch_alter_table("sync_node", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_node_site_id"), ["site_id"], unique=False)

    op.create_table(
        "sync_conflict",
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("base", sa.JSON(), nullable=False),
        sa.Column("ours", sa.JSON(), nullable=False),
        sa.Column("theirs", sa.JSON(), nullable=False),
        sa.Column("winner", sa.String(length=6), nullable=False),
        sa.Column("node_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.JSON(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"], ["sync_node.id"], name=op.f("fk_sync_conflict_node_id_sync_node")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["core_user.id"],
            name=op.f("fk_sync_conflict_resolved_by_id_core_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflict")),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_conflict_row_id"), ["row_id"], unique=False)

    op.create_table(
        "sync_enrolment",
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("node_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_sync_enrolment_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["node_id"], ["sync_node.id"], name=op.f("fk_sync_enrolment_node_id_sync_node")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["core_place.id"], name=op.f("fk_sync_enrolment_site_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_enrolment")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_sync_enrolment_code_hash")),
    )
    with op.batch_alter_table("sync_enrolment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_enrolment_site_id"), ["site_id"], unique=False)

    op.create_table(
        "sync_quarantine",
        sa.Column("node_id", sa.Uuid(), nullable=False),
        sa.Column("node_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=False),
        sa.Column("row_id", sa.Uuid(), nullable=True),
        sa.Column("row", sa.JSON(), nullable=True),
        sa.Column("base", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"], ["sync_node.id"], name=op.f("fk_sync_quarantine_node_id_sync_node")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["core_user.id"],
            name=op.f("fk_sync_quarantine_resolved_by_id_core_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_quarantine")),
        sa.UniqueConstraint("node_id", "node_seq", name="uq_sync_quarantine_node_seq"),
    )
    with op.batch_alter_table("sync_quarantine", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_quarantine_node_id"), ["node_id"], unique=False)

    op.create_table(
        "sync_share",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["core_patient.id"], name=op.f("fk_sync_share_patient_id_core_patient")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_sync_share_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_share")),
        sa.UniqueConstraint("patient_id", "place_id", name="uq_sync_share_patient_place"),
    )
    with op.batch_alter_table("sync_share", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_share_place_id"), ["place_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_share_place_id"))

    op.drop_table("sync_share")
    with op.batch_alter_table("sync_quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_quarantine_node_id"))

    op.drop_table("sync_quarantine")
    with op.batch_alter_table("sync_enrolment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_enrolment_site_id"))

    op.drop_table("sync_enrolment")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_conflict_row_id"))

    op.drop_table("sync_conflict")
    with op.batch_alter_table("sync_node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_node_site_id"))

    op.drop_table("sync_node")
    op.drop_table("sync_peer")
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_change_row_seq")
        batch_op.drop_index(batch_op.f("ix_sync_change_patient_id"))

    op.drop_table("sync_change")
