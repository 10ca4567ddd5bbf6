"""core: create tables

The spine: organisations, the place tree, projects and partners, users and role assignments,
sessions, API tokens, sign-in attempts, patients and the append-only audit log. Triggers on
both databases refuse UPDATE and DELETE on audit events, so the log cannot be rewritten even
by hand-written SQL.

Revision 1e9118a66550, the first; written 2026-11-21 19:23.
"""

import sqlalchemy as sa
from alembic import op

from alima.migrations.helpers import (
    Table,
    at_least,
    create_tables,
    drop_tables,
    in_range,
    index,
    one_of,
    ref,
    table,
)

revision, down_revision = "1e9118a66550", None
branch_labels = depends_on = None


APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER core_audit_event_no_update BEFORE UPDATE ON core_audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
    "CREATE TRIGGER core_audit_event_no_delete BEFORE DELETE ON core_audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END",
)
APPEND_ONLY_POSTGRESQL = (
    "CREATE FUNCTION core_audit_event_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER core_audit_event_no_change BEFORE UPDATE OR DELETE ON core_audit_event "
    "FOR EACH ROW EXECUTE FUNCTION core_audit_event_append_only()",
)


def _append_only() -> None:
    dialect = op.get_bind().dialect.name
    statements = APPEND_ONLY_POSTGRESQL if dialect == "postgresql" else APPEND_ONLY_SQLITE
    for statement in statements:
        op.execute(statement)


def _drop_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS core_audit_event_no_change ON core_audit_event")
        op.execute("DROP FUNCTION IF EXISTS core_audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS core_audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS core_audit_event_no_delete")


def _tables() -> list[Table]:
    return [
        table(
            "core_login_attempt",
            sa.Column("username", sa.String(length=80), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("succeeded", sa.Boolean(), nullable=False),
            sa.Column("ip", sa.String(length=64), nullable=True),
            record="id",
            indexes=["at", "username"],
        ),
        table(
            "core_organisation",
            sa.Column("code", sa.String(length=40), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("kind", sa.String(length=40), nullable=False),
            sa.Column("country_code", sa.String(length=3), nullable=True),
            record="stamped",
            unique=["code"],
        ),
        table(
            "core_place",
            sa.Column("code", sa.String(length=60), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("kind", sa.String(length=40), nullable=False),
            ref("parent_id", "core_place", nullable=True, index=True),
            sa.Column("path", sa.String(length=1000), nullable=False),
            sa.Column("depth", sa.Integer(), nullable=False),
            sa.Column("latitude", sa.Float(), nullable=True),
            sa.Column("longitude", sa.Float(), nullable=True),
            sa.Column("active", sa.Boolean(), nullable=False),
            record="stamped",
            checks={
                "lat": in_range("latitude", -90, 90, nullable=True),
                "lon": in_range("longitude", -180, 180, nullable=True),
            },
            unique=["code"],
            indexes=["path"],
        ),
        table(
            "core_place_population",
            ref("place_id", "core_place"),
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("population", sa.Integer(), nullable=False),
            sa.Column("source", sa.String(length=200), nullable=True),
            record="id",
            checks={"population_positive": at_least("population")},
            named_unique={"place_year": ("place_id", "year")},
        ),
        table(
            "core_project",
            sa.Column("code", sa.String(length=40), nullable=False),
            sa.Column("name", sa.String(length=200), nullable=False),
            ref("country_id", "core_place"),
            sa.Column("programme_areas", sa.JSON(), nullable=False),
            sa.Column("start_on", sa.Date(), nullable=False),
            sa.Column("end_on", sa.Date(), nullable=True),
            record="stamped",
            unique=["code"],
        ),
        table(
            "core_user",
            sa.Column("username", sa.String(length=80), nullable=False),
            sa.Column("full_name", sa.String(length=200), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=False),
            ref("organisation_id", "core_organisation", nullable=True),
            sa.Column("locale", sa.String(length=5), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
            record="stamped",
            unique=["username"],
        ),
        table(
            "core_api_token",
            ref("user_id", "core_user", index=True),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
            record="id",
            unique=["token_hash"],
        ),
        table(
            "core_audit_event",
            sa.Column("id", sa.Uuid(), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            ref("actor_id", "core_user", nullable=True, index=True),
            sa.Column("action", sa.String(length=40), nullable=False),
            sa.Column("entity_type", sa.String(length=60), nullable=False),
            sa.Column("entity_id", sa.Uuid(), nullable=True),
            sa.Column("patient_id", sa.Uuid(), nullable=True),
            sa.Column("place_id", sa.Uuid(), nullable=True),
            sa.Column("channel", sa.String(length=10), nullable=False),
            sa.Column("before", sa.JSON(), nullable=True),
            sa.Column("after", sa.JSON(), nullable=True),
            sa.Column("detail", sa.Text(), nullable=True),
            sa.Column("ip", sa.String(length=64), nullable=True),
            record="none",
            indexes=["at", "patient_id"],
        ),
        table(
            "core_patient",
            sa.Column("identifier", sa.String(length=40), nullable=False),
            sa.Column("given_name", sa.String(length=100), nullable=False),
            sa.Column("family_name", sa.String(length=100), nullable=False),
            sa.Column("sex", sa.String(length=1), nullable=False),
            sa.Column("birth_date", sa.Date(), nullable=False),
            sa.Column("birth_date_estimated", sa.Boolean(), nullable=False),
            sa.Column("caregiver_name", sa.String(length=200), nullable=True),
            sa.Column("village", sa.String(length=200), nullable=True),
            sa.Column("phone", sa.String(length=40), nullable=True),
            ref("place_id", "core_place", index=True),
            sa.Column("search_name", sa.String(length=300), nullable=False),
            sa.Column("search_village", sa.String(length=200), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            record="deleted",
            checks={"sex": one_of("sex", "M", "F")},
            unique=["identifier"],
            indexes=[index("ix_core_patient_place_name", "place_id", "search_name"), "search_name"],
        ),
        table(
            "core_project_partner",
            ref("project_id", "core_project"),
            ref("organisation_id", "core_organisation"),
            sa.Column("role", sa.String(length=40), nullable=False),
            record="id",
            named_unique={"role": ("project_id", "organisation_id", "role")},
        ),
        table(
            "core_project_place",
            ref("project_id", "core_project"),
            ref("place_id", "core_place"),
            record="id",
            named_unique={"place": ("project_id", "place_id")},
        ),
        table(
            "core_role_assignment",
            ref("user_id", "core_user", index=True),
            sa.Column("role", sa.String(length=40), nullable=False),
            ref("place_id", "core_place", nullable=True),
            ref("project_id", "core_project", nullable=True),
            sa.Column("active", sa.Boolean(), nullable=False),
            record="stamped",
            checks={
                "one_scope": "(place_id IS NOT NULL AND project_id IS NULL) OR (place_id IS NULL AND project_id IS NOT NULL)"
            },
        ),
        table(
            "core_user_session",
            ref("user_id", "core_user", index=True),
            sa.Column("token_hash", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("ip", sa.String(length=64), nullable=True),
            record="id",
            unique=["token_hash"],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())
    _append_only()


def downgrade() -> None:
    _drop_append_only()
    drop_tables(*_tables())
