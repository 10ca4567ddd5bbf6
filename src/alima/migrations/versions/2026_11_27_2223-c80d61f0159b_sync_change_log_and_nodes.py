"""sync: the change log of every synced row, enrolled nodes, quarantine, conflicts, shares

The change log (sync_change) is written by the flush of every synced row from now on;
rows written before are put in it by the hub when a laptop first pulls
(alima.sync.hub.publish_missing), so existing data (the demo, everything typed so far)
reaches the laptops without a copy in this migration.

Revision c80d61f0159b, after 3f7a9c2e5d41; written 2026-11-27 22:23.
"""

import sqlalchemy as sa

from alima.migrations.helpers import (
    Table,
    create_tables,
    drop_tables,
    index,
    ref,
    table,
)

revision, down_revision = "c80d61f0159b", "3f7a9c2e5d41"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
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
            record="none",
            primary_key=("seq",),
            indexes=["patient_id", index("ix_sync_change_row_seq", "row_id", "seq")],
        ),
        table(
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
            record="id",
        ),
        table(
            "sync_node",
            sa.Column("name", sa.String(length=100), nullable=False),
            ref("site_id", "core_place", index=True),
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
            record="id",
            unique=["credential_hash"],
        ),
        table(
            "sync_conflict",
            sa.Column("entity", sa.String(length=60), nullable=False),
            sa.Column("row_id", sa.Uuid(), nullable=False),
            sa.Column("kind", sa.String(length=10), nullable=False),
            sa.Column("fields", sa.JSON(), nullable=False),
            sa.Column("base", sa.JSON(), nullable=False),
            sa.Column("ours", sa.JSON(), nullable=False),
            sa.Column("theirs", sa.JSON(), nullable=False),
            sa.Column("winner", sa.String(length=6), nullable=False),
            ref("node_id", "sync_node", nullable=True),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            ref("resolved_by_id", "core_user", nullable=True),
            sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("resolution", sa.JSON(), nullable=True),
            record="id",
            indexes=["row_id"],
        ),
        table(
            "sync_enrolment",
            ref("site_id", "core_place", index=True),
            sa.Column("code_hash", sa.String(length=64), nullable=False),
            ref("created_by_id", "core_user", nullable=True),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            ref("node_id", "sync_node", nullable=True),
            record="id",
            unique=["code_hash"],
        ),
        table(
            "sync_quarantine",
            ref("node_id", "sync_node", index=True),
            sa.Column(
                "node_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
            ),
            sa.Column("entity", sa.String(length=60), nullable=False),
            sa.Column("row_id", sa.Uuid(), nullable=True),
            sa.Column("row", sa.JSON(), nullable=True),
            sa.Column("base", sa.JSON(), nullable=True),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            ref("resolved_by_id", "core_user", nullable=True),
            sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            record="id",
            named_unique={"uq_sync_quarantine_node_seq": ("node_id", "node_seq")},
        ),
        table(
            "sync_share",
            ref("patient_id", "core_patient"),
            ref("place_id", "core_place", index=True),
            sa.Column("reason", sa.String(length=40), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            record="id",
            named_unique={"uq_sync_share_patient_place": ("patient_id", "place_id")},
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
