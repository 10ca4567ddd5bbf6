"""research follow-up: the schedule, study visits and serious adverse events (issue 15)

A study's schedule is set-up data (an event's day after inclusion and its window); a study
visit records weight and MUAC when routine care has none in a window (one per child and
event); a serious adverse event keeps its awareness date, the day it is due at the sponsor
and when it was reported. ``research_study.sae_report_days`` is the study's reporting delay.

Revision bbbcde62d512, after 2620665c5627; written 2026-11-28 06:40.
"""

import sqlalchemy as sa
from alembic import op


revision, down_revision = "bbbcde62d512", "2620665c5627"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "research_study_event",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_fr", sa.String(length=100), nullable=False),
        sa.Column("label_en", sa.String(length=100), nullable=False),
        sa.Column("day_offset", sa.Integer(), nullable=False),
        sa.Column("window_before_days", sa.Integer(), nullable=False),
        sa.Column("window_after_days", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("day_offset > 0", name=op.f("ck_research_study_event_day_offset")),
        sa.CheckConstraint(
            "window_before_days >= 0 AND window_after_days >= 0 AND window_before_days < day_offset",
            name=op.f("ck_research_study_event_window"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_study_event_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_research_study_event_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_study_event_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_study_event")),
        sa.UniqueConstraint("study_id", "code", name=op.f("uq_research_study_event_study_id")),
    )
    with op.batch_alter_table("research_study_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_study_event_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_study_event_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_adverse_event",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("onset_on", sa.Date(), nullable=False),
        sa.Column("aware_on", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("relatedness", sa.String(length=12), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=True),
        sa.Column("report_due_on", sa.Date(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reported_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "category <> 'death' OR outcome = 'fatal'",
            name=op.f("ck_research_adverse_event_death_fatal"),
        ),
        sa.CheckConstraint(
            "category IN ('death', 'life_threatening', 'hospitalisation', 'disability', 'congenital_anomaly', 'other_important')",
            name=op.f("ck_research_adverse_event_category"),
        ),
        sa.CheckConstraint(
            "outcome IN ('recovered', 'recovering', 'not_recovered', 'sequelae', 'fatal', 'unknown')",
            name=op.f("ck_research_adverse_event_outcome"),
        ),
        sa.CheckConstraint(
            "relatedness IN ('related', 'possibly', 'not_related')",
            name=op.f("ck_research_adverse_event_relatedness"),
        ),
        sa.CheckConstraint(
            "aware_on >= onset_on", name=op.f("ck_research_adverse_event_aware_after_onset")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_adverse_event_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["nutrition_episode.id"],
            name=op.f("fk_research_adverse_event_episode_id_nutrition_episode"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_research_adverse_event_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_research_adverse_event_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_adverse_event_reported_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_adverse_event_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_adverse_event")),
    )
    with op.batch_alter_table("research_adverse_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_adverse_event_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_adverse_event_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_adverse_event_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_study_visit",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("visit_on", sa.Date(), nullable=False),
        sa.Column("weight_kg", sa.Double(), nullable=False),
        sa.Column("muac_mm", sa.Integer(), nullable=False),
        sa.Column("oedema", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "oedema IN ('none', 'plus1', 'plus2', 'plus3')",
            name=op.f("ck_research_study_visit_oedema"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_study_visit_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["research_study_event.id"],
            name=op.f("fk_research_study_visit_event_id_research_study_event"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_research_study_visit_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_research_study_visit_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_study_visit_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_study_visit")),
        sa.UniqueConstraint(
            "study_id", "patient_id", "event_id", name=op.f("uq_research_study_visit_study_id")
        ),
    )
    with op.batch_alter_table("research_study_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_study_visit_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_study_visit_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_study_visit_study_id"), ["study_id"], unique=False
        )

    with op.batch_alter_table("research_study", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sae_report_days", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        batch_op.create_check_constraint("sae_report_days", "sae_report_days BETWEEN 0 AND 30")


def downgrade() -> None:
    with op.batch_alter_table("research_study", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_research_study_sae_report_days"), type_="check")
        batch_op.drop_column("sae_report_days")

    with op.batch_alter_table("research_study_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_study_visit_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_study_visit_place_id"))
        batch_op.drop_index(batch_op.f("ix_research_study_visit_patient_id"))

    op.drop_table("research_study_visit")
    with op.batch_alter_table("research_adverse_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_adverse_event_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_adverse_event_place_id"))
        batch_op.drop_index(batch_op.f("ix_research_adverse_event_patient_id"))

    op.drop_table("research_adverse_event")
    with op.batch_alter_table("research_study_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_study_event_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_study_event_place_id"))

    op.drop_table("research_study_event")
