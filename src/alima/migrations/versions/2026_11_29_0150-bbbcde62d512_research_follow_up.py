"""research follow-up: the schedule, study visits and serious adverse events (issue 15)

A study's schedule is set-up data (an event's day after inclusion and its window); a study
visit records weight and MUAC when routine care has none in a window (one per child and
event); a serious adverse event keeps its awareness date, the day it is due at the sponsor
and when it was reported. ``research_study.sae_report_days`` is the study's reporting delay.

Revision bbbcde62d512, after 2620665c5627; written 2026-11-28 06:40.
"""

import sqlalchemy as sa
from alembic import op

from alima.migrations.helpers import (
    Table,
    above,
    at_least,
    create_tables,
    drop_tables,
    one_of,
    ref,
    table,
)

revision, down_revision = "bbbcde62d512", "2620665c5627"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "research_study_event",
            ref("study_id", "research_study", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("code", sa.String(length=40), nullable=False),
            sa.Column("label_fr", sa.String(length=100), nullable=False),
            sa.Column("label_en", sa.String(length=100), nullable=False),
            sa.Column("day_offset", sa.Integer(), nullable=False),
            sa.Column("window_before_days", sa.Integer(), nullable=False),
            sa.Column("window_after_days", sa.Integer(), nullable=False),
            checks={
                "day_offset": above("day_offset"),
                "window": "window_before_days >= 0 AND window_after_days >= 0 AND window_before_days < day_offset",
            },
            unique=[("study_id", "code")],
        ),
        table(
            "research_adverse_event",
            ref("study_id", "research_study", index=True),
            ref("patient_id", "core_patient", index=True),
            ref("place_id", "core_place", index=True),
            ref("episode_id", "nutrition_episode", nullable=True),
            sa.Column("onset_on", sa.Date(), nullable=False),
            sa.Column("aware_on", sa.Date(), nullable=False),
            sa.Column("category", sa.String(length=20), nullable=False),
            sa.Column("outcome", sa.String(length=20), nullable=False),
            sa.Column("relatedness", sa.String(length=12), nullable=False),
            sa.Column("summary", sa.String(length=200), nullable=True),
            sa.Column("report_due_on", sa.Date(), nullable=False),
            sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
            ref("reported_by_id", "core_user", nullable=True),
            checks={
                "death_fatal": "category <> 'death' OR outcome = 'fatal'",
                "category": one_of(
                    "category",
                    "death",
                    "life_threatening",
                    "hospitalisation",
                    "disability",
                    "congenital_anomaly",
                    "other_important",
                ),
                "outcome": one_of(
                    "outcome",
                    "recovered",
                    "recovering",
                    "not_recovered",
                    "sequelae",
                    "fatal",
                    "unknown",
                ),
                "relatedness": one_of("relatedness", "related", "possibly", "not_related"),
                "aware_after_onset": at_least("aware_on", "onset_on"),
            },
        ),
        table(
            "research_study_visit",
            ref("study_id", "research_study", index=True),
            ref("patient_id", "core_patient", index=True),
            ref("place_id", "core_place", index=True),
            ref("event_id", "research_study_event"),
            sa.Column("visit_on", sa.Date(), nullable=False),
            sa.Column("weight_kg", sa.Double(), nullable=False),
            sa.Column("muac_mm", sa.Integer(), nullable=False),
            sa.Column("oedema", sa.String(length=10), nullable=False),
            checks={"oedema": one_of("oedema", "none", "plus1", "plus2", "plus3")},
            unique=[("study_id", "patient_id", "event_id")],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())
    with op.batch_alter_table("research_study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sae_report_days", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        batch_op.create_check_constraint("sae_report_days", "sae_report_days BETWEEN 0 AND 30")


def downgrade() -> None:
    with op.batch_alter_table("research_study", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_research_study_sae_report_days"), type_="check")
        batch_op.drop_column("sae_report_days")
    drop_tables(*_tables())
