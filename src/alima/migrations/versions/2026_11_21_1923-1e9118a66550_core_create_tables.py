"""core: create tables

The spine: organisations, the place tree, projects and partners, users and role assignments,
sessions, API tokens, sign-in attempts, patients and the append-only audit log. Triggers on
both databases refuse UPDATE and DELETE on audit events, so the log cannot be rewritten even
by hand-written SQL.

Revision 1e9118a66550, the first; written 2026-11-21 19:23.
"""

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
    with op.batch_alter_table("core_login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_login_attempt_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_core_login_attempt_username"), ["username"], unique=False
        )

    op.create_table(
        "core_organisation",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("country_code", sa.String(length=3), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "latitude IS NULL OR (latitude >= -90 AND latitude <= 90)",
            name=op.f("ck_core_place_lat"),
        ),
        sa.CheckConstraint(
            "longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
            name=op.f("ck_core_place_lon"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["core_place.id"], name=op.f("fk_core_place_parent_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_place")),
        sa.UniqueConstraint("code", name=op.f("uq_core_place_code")),
    )
    with op.batch_alter_table("core_place", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_place_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_core_place_path"), ["path"], unique=False)

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
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_core_place_population_place_id_core_place"),
        ),
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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["country_id"], ["core_place.id"], name=op.f("fk_core_project_country_id_core_place")
        ),
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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_core_user_organisation_id_core_organisation"),
        ),
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
        sa.ForeignKeyConstraint(
            ["user_id"], ["core_user.id"], name=op.f("fk_core_api_token_user_id_core_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_core_api_token_token_hash")),
    )
    with op.batch_alter_table("core_api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_api_token_user_id"), ["user_id"], unique=False)

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
        sa.ForeignKeyConstraint(
            ["actor_id"], ["core_user.id"], name=op.f("fk_core_audit_event_actor_id_core_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_audit_event")),
    )
    with op.batch_alter_table("core_audit_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_audit_event_actor_id"), ["actor_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_core_audit_event_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_core_audit_event_patient_id"), ["patient_id"], unique=False
        )

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("sex IN ('M', 'F')", name=op.f("ck_core_patient_sex")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_core_patient_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_core_patient_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_core_patient_place_id_core_place")
        ),
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
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_core_project_partner_organisation_id_core_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["core_project.id"],
            name=op.f("fk_core_project_partner_project_id_core_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_project_partner")),
        sa.UniqueConstraint("project_id", "organisation_id", "role", name="role"),
    )
    op.create_table(
        "core_project_place",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_core_project_place_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["core_project.id"],
            name=op.f("fk_core_project_place_project_id_core_project"),
        ),
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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(place_id IS NOT NULL AND project_id IS NULL) OR (place_id IS NULL AND project_id IS NOT NULL)",
            name=op.f("ck_core_role_assignment_one_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_core_role_assignment_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["core_project.id"],
            name=op.f("fk_core_role_assignment_project_id_core_project"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["core_user.id"], name=op.f("fk_core_role_assignment_user_id_core_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_role_assignment")),
    )
    with op.batch_alter_table("core_role_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_core_role_assignment_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "core_user_session",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["core_user.id"], name=op.f("fk_core_user_session_user_id_core_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_core_user_session_token_hash")),
    )
    with op.batch_alter_table("core_user_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_user_session_user_id"), ["user_id"], unique=False)

    _append_only()


def downgrade() -> None:
    _drop_append_only()
    with op.batch_alter_table("core_user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_user_session_user_id"))

    op.drop_table("core_user_session")
    with op.batch_alter_table("core_role_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_role_assignment_user_id"))

    op.drop_table("core_role_assignment")
    op.drop_table("core_project_place")
    op.drop_table("core_project_partner")
    with op.batch_alter_table("core_patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_patient_search_name"))
        batch_op.drop_index("ix_core_patient_place_name")
        batch_op.drop_index(batch_op.f("ix_core_patient_place_id"))

    op.drop_table("core_patient")
    with op.batch_alter_table("core_audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_audit_event_patient_id"))
        batch_op.drop_index(batch_op.f("ix_core_audit_event_at"))
        batch_op.drop_index(batch_op.f("ix_core_audit_event_actor_id"))

    op.drop_table("core_audit_event")
    with op.batch_alter_table("core_api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_api_token_user_id"))

    op.drop_table("core_api_token")
    op.drop_table("core_user")
    op.drop_table("core_project")
    op.drop_table("core_place_population")
    with op.batch_alter_table("core_place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_place_path"))
        batch_op.drop_index(batch_op.f("ix_core_place_parent_id"))

    op.drop_table("core_place")
    op.drop_table("core_organisation")
    with op.batch_alter_table("core_login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_core_login_attempt_username"))
        batch_op.drop_index(batch_op.f("ix_core_login_attempt_at"))

    op.drop_table("core_login_attempt")
