"""core: create tables

The spine: organisations, the place tree, projects and partners, users and role assignments,
sessions, API tokens, sign-in attempts, patients and the append-only audit log. Triggers on
both databases refuse UPDATE and DELETE on audit events, so the log cannot be rewritten even
by hand-written SQL.

Revision 1e9118a66550, the first; written 2026-11-21 19:23.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

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


def _record_columns(*, author: bool = True, deleted: bool = False) -> list[sa.Column[Any]]:
    """Columns of the id and timestamp mixins, then of the author and soft-delete ones."""
    columns = [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]
    if author:
        columns.append(sa.Column("created_by_id", sa.Uuid(), nullable=True))
    if deleted:
        columns += [
            sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("deleted_reason", sa.Text(), nullable=True),
            sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        ]
    return columns


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """``table.column`` refers to ``target.id``, named by the metadata's naming convention."""
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name)


def _create_indexes(table: str, *columns: str) -> None:
    """One plain index on each column, named by the metadata's naming convention."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _drop_indexes(table: str, *columns: str) -> None:
    """Drop the indexes :func:`_create_indexes` made, in the order given."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))


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


def upgrade() -> None:
    op.create_table(
        "core_login_attempt",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_login_attempt")),
    )
    _create_indexes("core_login_attempt", "at", "username")

    op.create_table(
        "core_organisation",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("country_code", sa.String(length=3), nullable=True),
        *_record_columns(author=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_organisation")),
        sa.UniqueConstraint("code", name=op.f("uq_core_organisation_code")),
    )
    op.create_table(
        "core_place",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_record_columns(author=False),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)",
            name=op.f("ck_core_place_lat"),
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
            name=op.f("ck_core_place_lon"),
        ),
        _fk("core_place", "parent_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_place")),
        sa.UniqueConstraint("code", name=op.f("uq_core_place_code")),
    )
    _create_indexes("core_place", "parent_id", "path")

    op.create_table(
        "core_place_population",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "population >= 0", name=op.f("ck_core_place_population_population_positive")
        ),
        _fk("core_place_population", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_place_population")),
        sa.UniqueConstraint("place_id", "year", name="place_year"),
    )
    op.create_table(
        "core_project",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country_id", sa.Uuid(), nullable=False),
        sa.Column("programme_areas", sa.JSON(), nullable=False),
        sa.Column("start_on", sa.Date(), nullable=False),
        sa.Column("end_on", sa.Date(), nullable=True),
        *_record_columns(author=False),
        _fk("core_project", "country_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_project")),
        sa.UniqueConstraint("code", name=op.f("uq_core_project_code")),
    )
    op.create_table(
        "core_user",
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        *_record_columns(author=False),
        _fk("core_user", "organisation_id", "core_organisation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_user")),
        sa.UniqueConstraint("username", name=op.f("uq_core_user_username")),
    )
    op.create_table(
        "core_api_token",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("core_api_token", "user_id", "core_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_core_api_token_token_hash")),
    )
    _create_indexes("core_api_token", "user_id")

    op.create_table(
        "core_audit_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
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
        _fk("core_audit_event", "actor_id", "core_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_audit_event")),
    )
    _create_indexes("core_audit_event", "actor_id", "at", "patient_id")

    op.create_table(
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
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("search_name", sa.String(length=300), nullable=False),
        sa.Column("search_village", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_record_columns(deleted=True),
        sa.CheckConstraint("sex IN ('M', 'F')", name=op.f("ck_core_patient_sex")),
        _fk("core_patient", "created_by_id", "core_user"),
        _fk("core_patient", "deleted_by_id", "core_user"),
        _fk("core_patient", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_patient")),
        sa.UniqueConstraint("identifier", name=op.f("uq_core_patient_identifier")),
    )
    with op.batch_alter_table("core_patient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_patient_place_id"), ["place_id"], unique=False)
        batch_op.create_index(
            "ix_core_patient_place_name", ["place_id", "search_name"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_core_patient_search_name"), ["search_name"], unique=False
        )

    op.create_table(
        "core_project_partner",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("core_project_partner", "organisation_id", "core_organisation"),
        _fk("core_project_partner", "project_id", "core_project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_project_partner")),
        sa.UniqueConstraint("project_id", "organisation_id", "role", name="role"),
    )
    op.create_table(
        "core_project_place",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("core_project_place", "place_id", "core_place"),
        _fk("core_project_place", "project_id", "core_project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_project_place")),
        sa.UniqueConstraint("project_id", "place_id", name="place"),
    )
    op.create_table(
        "core_role_assignment",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_record_columns(author=False),
        sa.CheckConstraint(
            "(place_id IS NOT NULL AND project_id IS NULL) OR (place_id IS NULL AND project_id IS NOT NULL)",
            name=op.f("ck_core_role_assignment_one_scope"),
        ),
        _fk("core_role_assignment", "place_id", "core_place"),
        _fk("core_role_assignment", "project_id", "core_project"),
        _fk("core_role_assignment", "user_id", "core_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_role_assignment")),
    )
    _create_indexes("core_role_assignment", "user_id")

    op.create_table(
        "core_user_session",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("core_user_session", "user_id", "core_user"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_core_user_session_token_hash")),
    )
    _create_indexes("core_user_session", "user_id")

    _append_only()


def downgrade() -> None:
    _drop_append_only()
    _drop_indexes("core_user_session", "user_id")

    op.drop_table("core_user_session")
    _drop_indexes("core_role_assignment", "user_id")

    op.drop_table("core_role_assignment")
    op.drop_table("core_project_place")
    op.drop_table("core_project_partner")
    with op.batch_alter_table("core_patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_patient_search_name"))
        batch_op.drop_index("ix_core_patient_place_name")
        batch_op.drop_index(batch_op.f("ix_core_patient_place_id"))

    op.drop_table("core_patient")
    _drop_indexes("core_audit_event", "patient_id", "at", "actor_id")

    op.drop_table("core_audit_event")
    _drop_indexes("core_api_token", "user_id")

    op.drop_table("core_api_token")
    op.drop_table("core_user")
    op.drop_table("core_project")
    op.drop_table("core_place_population")
    _drop_indexes("core_place", "path", "parent_id")

    op.drop_table("core_place")
    op.drop_table("core_organisation")
    _drop_indexes("core_login_attempt", "username", "at")

    op.drop_table("core_login_attempt")
