"""outbreaks: weekly IDSR reports, line lists, threshold sets, alerts and their actions

A facility reports each epi week its cases and deaths per priority disease and age group (a
week with nothing is a report without lines); immediately notifiable diseases get a line per
suspected case. Thresholds are versioned data per country and disease; a crossed threshold
raises an alert for a health area or a district, with the rule and the figures that fired
it, and every step of its response is kept.

Revision 63fd4831c67d, after 40a0a57e45f2; written 2026-11-29 01:00.
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

revision, down_revision = "63fd4831c67d", "40a0a57e45f2"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "outbreaks_alert",
            ref("place_id", "core_place", index=True),
            sa.Column("disease", sa.String(length=30), nullable=False),
            sa.Column("epi_year", sa.SmallInteger(), nullable=False),
            sa.Column("epi_week", sa.SmallInteger(), nullable=False),
            sa.Column("level", sa.String(length=10), nullable=False),
            sa.Column("rule_code", sa.String(length=60), nullable=False),
            sa.Column("rule", sa.JSON(), nullable=False),
            sa.Column("threshold_version", sa.Integer(), nullable=False),
            sa.Column("figures", sa.JSON(), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            checks={"level": one_of("level", "alert", "epidemic")},
            indexes=[index("ix_outbreaks_alert_place", "place_id", "disease", "level", "status")],
        ),
        table(
            "outbreaks_case",
            ref("place_id", "core_place", index=True),
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
            record="deleted",
            checks={"sex": one_of("sex", "M", "F"), "age": "age_months >= 0 AND age_months < 1500"},
            indexes=[index("ix_outbreaks_case_week", "disease", "epi_year", "epi_week")],
        ),
        table(
            "outbreaks_threshold_set",
            ref("place_id", "core_place", index=True),
            sa.Column("disease", sa.String(length=30), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("rules", sa.JSON(), nullable=False),
            sa.Column("source", sa.Text(), nullable=True),
            named_unique={"one_version": ("place_id", "disease", "version")},
        ),
        table(
            "outbreaks_weekly_report",
            ref("place_id", "core_place", index=True),
            sa.Column("epi_year", sa.SmallInteger(), nullable=False),
            sa.Column("epi_week", sa.SmallInteger(), nullable=False),
            sa.Column("week_start", sa.Date(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            record="deleted",
            checks={"epi_week": "epi_week BETWEEN 1 AND 53"},
            named_unique={"one_per_week": ("place_id", "epi_year", "epi_week")},
            indexes=[index("ix_outbreaks_weekly_report_week", "week_start", "place_id")],
        ),
        table(
            "outbreaks_alert_action",
            ref("alert_id", "outbreaks_alert", index=True),
            sa.Column("action", sa.String(length=20), nullable=False),
            sa.Column("from_status", sa.String(length=20), nullable=False),
            sa.Column("to_status", sa.String(length=20), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
        ),
        table(
            "outbreaks_weekly_count",
            ref("report_id", "outbreaks_weekly_report", index=True),
            sa.Column("disease", sa.String(length=30), nullable=False),
            sa.Column("age_group", sa.String(length=20), nullable=False),
            sa.Column("cases", sa.Integer(), nullable=False),
            sa.Column("deaths", sa.Integer(), nullable=False),
            record="id",
            checks={"not_negative": "cases >= 0 AND deaths >= 0"},
            named_unique={"one_line": ("report_id", "disease", "age_group")},
            indexes=[index("ix_outbreaks_weekly_count_disease", "disease", "report_id")],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
