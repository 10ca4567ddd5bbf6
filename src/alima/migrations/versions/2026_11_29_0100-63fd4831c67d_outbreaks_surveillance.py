"""outbreaks: weekly IDSR reports, line lists, threshold sets, alerts and their actions

A facility reports each epi week its cases and deaths per priority disease and age group (a
week with nothing is a report without lines); immediately notifiable diseases get a line per
suspected case. Thresholds are versioned data per country and disease; a crossed threshold
raises an alert for a health area or a district, with the rule and the figures that fired
it, and every step of its response is kept.

Revision 63fd4831c67d, after 40a0a57e45f2; written 2026-11-29 01:00.
"""

import sqlalchemy as sa
from alembic import op


revision, down_revision = "63fd4831c67d", "40a0a57e45f2"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbreaks_alert",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("disease", sa.String(length=30), nullable=False),
        sa.Column("epi_year", sa.SmallInteger(), nullable=False),
        sa.Column("epi_week", sa.SmallInteger(), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("rule_code", sa.String(length=60), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        sa.Column("threshold_version", sa.Integer(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("level IN ('alert', 'epidemic')", name=op.f("ck_outbreaks_alert_level")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_outbreaks_alert_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_outbreaks_alert_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbreaks_alert")),
    )
    with op.batch_alter_table("outbreaks_alert", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbreaks_alert_place", ["place_id", "disease", "level", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbreaks_alert_place_id"), ["place_id"], unique=False)

    op.create_table(
        "outbreaks_case",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("disease", sa.String(length=30), nullable=False),
        sa.Column("onset_on", sa.Date(), nullable=False),
        sa.Column("epi_year", sa.SmallInteger(), nullable=False),
        sa.Column("epi_week", sa.SmallInteger(), nullable=False),
        sa.Column("village", sa.String(length=200), nullable=True),
        sa.Column("age_months", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=False),
        sa.Column("vaccination", sa.String(length=20), nullable=True),
        sa.Column("vaccine_doses", sa.SmallInteger(), nullable=True),
        sa.Column("sample_taken", sa.Boolean(), nullable=False),
        sa.Column("lab_result", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("sex IN ('M', 'F')", name=op.f("ck_outbreaks_case_sex")),
        sa.CheckConstraint(
            "age_months >= 0 AND age_months < 1500", name=op.f("ck_outbreaks_case_age")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_outbreaks_case_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_outbreaks_case_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_outbreaks_case_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbreaks_case")),
    )
    with op.batch_alter_table("outbreaks_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbreaks_case_place_id"), ["place_id"], unique=False)
        batch_op.create_index(
            "ix_outbreaks_case_week", ["disease", "epi_year", "epi_week"], unique=False
        )

    op.create_table(
        "outbreaks_threshold_set",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("disease", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_outbreaks_threshold_set_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_outbreaks_threshold_set_place_id_core_place"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbreaks_threshold_set")),
        sa.UniqueConstraint("place_id", "disease", "version", name="one_version"),
    )
    with op.batch_alter_table("outbreaks_threshold_set", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbreaks_threshold_set_place_id"), ["place_id"], unique=False
        )

    op.create_table(
        "outbreaks_weekly_report",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("epi_year", sa.SmallInteger(), nullable=False),
        sa.Column("epi_week", sa.SmallInteger(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "epi_week BETWEEN 1 AND 53", name=op.f("ck_outbreaks_weekly_report_epi_week")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_outbreaks_weekly_report_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_outbreaks_weekly_report_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_outbreaks_weekly_report_place_id_core_place"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbreaks_weekly_report")),
        sa.UniqueConstraint("place_id", "epi_year", "epi_week", name="one_per_week"),
    )
    with op.batch_alter_table("outbreaks_weekly_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbreaks_weekly_report_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            "ix_outbreaks_weekly_report_week", ["week_start", "place_id"], unique=False
        )

    op.create_table(
        "outbreaks_alert_action",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["outbreaks_alert.id"],
            name=op.f("fk_outbreaks_alert_action_alert_id_outbreaks_alert"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_outbreaks_alert_action_created_by_id_core_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbreaks_alert_action")),
    )
    with op.batch_alter_table("outbreaks_alert_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbreaks_alert_action_alert_id"), ["alert_id"], unique=False
        )

    op.create_table(
        "outbreaks_weekly_count",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("disease", sa.String(length=30), nullable=False),
        sa.Column("age_group", sa.String(length=20), nullable=False),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("deaths", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "cases >= 0 AND deaths >= 0", name=op.f("ck_outbreaks_weekly_count_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["outbreaks_weekly_report.id"],
            name=op.f("fk_outbreaks_weekly_count_report_id_outbreaks_weekly_report"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbreaks_weekly_count")),
        sa.UniqueConstraint("report_id", "disease", "age_group", name="one_line"),
    )
    with op.batch_alter_table("outbreaks_weekly_count", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbreaks_weekly_count_disease", ["disease", "report_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outbreaks_weekly_count_report_id"), ["report_id"], unique=False
        )



def downgrade() -> None:
    with op.batch_alter_table("outbreaks_weekly_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbreaks_weekly_count_report_id"))
        batch_op.drop_index("ix_outbreaks_weekly_count_disease")

    op.drop_table("outbreaks_weekly_count")
    with op.batch_alter_table("outbreaks_alert_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbreaks_alert_action_alert_id"))

    op.drop_table("outbreaks_alert_action")
    with op.batch_alter_table("outbreaks_weekly_report", schema=None) as batch_op:
        batch_op.drop_index("ix_outbreaks_weekly_report_week")
        batch_op.drop_index(batch_op.f("ix_outbreaks_weekly_report_place_id"))

    op.drop_table("outbreaks_weekly_report")
    with op.batch_alter_table("outbreaks_threshold_set", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbreaks_threshold_set_place_id"))

    op.drop_table("outbreaks_threshold_set")
    with op.batch_alter_table("outbreaks_case", schema=None) as batch_op:
        batch_op.drop_index("ix_outbreaks_case_week")
        batch_op.drop_index(batch_op.f("ix_outbreaks_case_place_id"))

    op.drop_table("outbreaks_case")
    with op.batch_alter_table("outbreaks_alert", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbreaks_alert_place_id"))
        batch_op.drop_index("ix_outbreaks_alert_place")

    op.drop_table("outbreaks_alert")
