"""core: per-client sign-in throttle; the audit table refuses TRUNCATE

Failed sign-ins were counted per user name, so anyone could lock a nurse out by guessing
from anywhere, and parallel guesses raced past the count. ``core_login_throttle`` keeps one
row per (user name, client address), updated atomically.

The audit table was append-only row by row (UPDATE and DELETE triggers) but ``TRUNCATE``
bypasses row triggers on PostgreSQL; a statement-level ``BEFORE TRUNCATE`` trigger refuses
it. SQLite has no TRUNCATE (its ``DELETE`` without ``WHERE`` already fires the row trigger).

Break-the-glass was unlimited: ``alliance_emergency_alert`` records, for the coordinators,
each time someone reaches the daily cap of emergency accesses.

Revision 5b1c0d7e2a90, after 3c1f0a7d9b21; written 2026-11-27 16:30.
"""

import sqlalchemy as sa
from alembic import op

from alima.migrations.helpers import create_tables, ref, table

revision, down_revision = "5b1c0d7e2a90", "3c1f0a7d9b21"
branch_labels = depends_on = None

NO_TRUNCATE_POSTGRESQL = (
    "CREATE TRIGGER core_audit_event_no_truncate BEFORE TRUNCATE ON core_audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_audit_event_append_only()"
)


def upgrade() -> None:
    create_tables(
        table(
            "core_login_throttle",
            sa.Column("username", sa.String(length=80), nullable=False),
            sa.Column("client", sa.String(length=64), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
            record="none",
            primary_key=("username", "client"),
        )
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NO_TRUNCATE_POSTGRESQL)
    create_tables(
        table(
            "alliance_emergency_alert",
            ref("user_id", "core_user"),
            ref("patient_id", "core_patient", index=True),
            sa.Column("detail", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            record="id",
            indexes=["created_at"],
        )
    )


def downgrade() -> None:
    op.drop_table("alliance_emergency_alert")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS core_audit_event_no_truncate ON core_audit_event")
    op.drop_table("core_login_throttle")
