"""nutrition: episodes, visits, protocol overrides

CMAM care (issue 4): one episode per treatment with its running figures (band, ration,
next visit, sachets) so caseloads and monthly reports read one row per child; visits keep
the measurements, z-scores and the decision taken; countries adapt a packaged protocol
through validated overrides.

Revision 6edad2afb44f, after 1e9118a66550; written 2026-11-21 19:38.
"""

import sqlalchemy as sa
from alembic import op

from alima.migrations.helpers import (
    Table,
    at_least,
    create_tables,
    drop_tables,
    fk,
    index,
    one_of,
    ref,
    table,
)

revision, down_revision = "6edad2afb44f", "1e9118a66550"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "nutrition_protocol_override",
            ref("country_id", "core_place"),
            sa.Column("protocol_code", sa.String(length=60), nullable=False),
            sa.Column("protocol_version", sa.String(length=20), nullable=False),
            sa.Column("overrides", sa.JSON(), nullable=False),
            sa.Column("effective_from", sa.Date(), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=True),
        ),
        table(
            "nutrition_episode",
            ref("patient_id", "core_patient"),
            ref("place_id", "core_place"),
            sa.Column("protocol_code", sa.String(length=60), nullable=False),
            sa.Column("protocol_version", sa.String(length=20), nullable=False),
            sa.Column("protocol_fingerprint", sa.String(length=64), nullable=False),
            sa.Column("protocol_overrides", sa.JSON(), nullable=True),
            sa.Column("admitted_on", sa.Date(), nullable=False),
            sa.Column("admission_type", sa.String(length=20), nullable=False),
            sa.Column("admission_criteria", sa.JSON(), nullable=False),
            sa.Column("main_criterion", sa.String(length=20), nullable=False),
            sa.Column("severity", sa.String(length=10), nullable=False),
            sa.Column("age_months_at_admission", sa.Float(), nullable=False),
            sa.Column("appetite_test_passed", sa.Boolean(), nullable=True),
            sa.Column("amoxicillin_given", sa.Boolean(), nullable=False),
            ref("previous_episode_id", "nutrition_episode", nullable=True),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("band", sa.String(length=20), nullable=False),
            sa.Column("last_visit_on", sa.Date(), nullable=False),
            sa.Column("next_visit_on", sa.Date(), nullable=True),
            sa.Column("visit_interval_days", sa.Integer(), nullable=False),
            sa.Column("visits_count", sa.Integer(), nullable=False),
            sa.Column("sachets_total", sa.Integer(), nullable=False),
            sa.Column("sachets_per_week", sa.Integer(), nullable=False),
            sa.Column("outcome", sa.String(length=20), nullable=True),
            sa.Column("closed_on", sa.Date(), nullable=True),
            sa.Column("exit_note", sa.Text(), nullable=True),
            ref("transfer_place_id", "core_place", nullable=True),
            record="deleted",
            checks={
                "closed_has_outcome": "(status = 'open' AND outcome IS NULL AND closed_on IS NULL) OR (status = 'closed' AND outcome IS NOT NULL AND closed_on IS NOT NULL)",
                "status": one_of("status", "open", "closed"),
            },
            indexes=[
                index("ix_nutrition_episode_patient", "patient_id", "status"),
                index("ix_nutrition_episode_place_admitted", "place_id", "admitted_on"),
                index("ix_nutrition_episode_place_closed", "place_id", "closed_on"),
                index(
                    "ix_nutrition_episode_place_status_next", "place_id", "status", "next_visit_on"
                ),
            ],
        ),
        table(
            "nutrition_visit",
            ref("episode_id", "nutrition_episode"),
            sa.Column("place_id", sa.Uuid(), nullable=False),
            sa.Column("is_admission", sa.Boolean(), nullable=False),
            sa.Column("visit_on", sa.Date(), nullable=False),
            sa.Column("weight_kg", sa.Float(), nullable=True),
            sa.Column("height_cm", sa.Float(), nullable=True),
            sa.Column("measure", sa.String(length=1), nullable=True),
            sa.Column("muac_mm", sa.Integer(), nullable=True),
            sa.Column("oedema", sa.String(length=10), nullable=False),
            sa.Column("temperature_c", sa.Float(), nullable=True),
            sa.Column("appetite_test_passed", sa.Boolean(), nullable=True),
            sa.Column("danger_signs", sa.Boolean(), nullable=False),
            sa.Column("complications", sa.Boolean(), nullable=False),
            sa.Column("age_days", sa.Integer(), nullable=False),
            sa.Column("zwfl", sa.Float(), nullable=True),
            sa.Column("zwei", sa.Float(), nullable=True),
            sa.Column("zlen", sa.Float(), nullable=True),
            sa.Column("zac", sa.Float(), nullable=True),
            sa.Column("who_flags", sa.JSON(), nullable=False),
            sa.Column("confirmed_unusual", sa.Boolean(), nullable=False),
            sa.Column("band", sa.String(length=20), nullable=False),
            sa.Column("product", sa.String(length=10), nullable=True),
            sa.Column("kcal_per_kg_day", sa.Float(), nullable=True),
            sa.Column("sachets_per_day", sa.Float(), nullable=True),
            sa.Column("ration_days", sa.Integer(), nullable=False),
            sa.Column("sachets_given", sa.Integer(), nullable=False),
            sa.Column("next_visit_on", sa.Date(), nullable=True),
            sa.Column("alerts", sa.JSON(), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            # Given here, not in refs (which sorts by column): this table's first key is the place's.
            sa.CheckConstraint(
                at_least("sachets_given"), name=op.f("ck_nutrition_visit_sachets_positive")
            ),
            fk("nutrition_visit", "place_id", "core_place"),
            record="deleted",
            indexes=[
                index(
                    "ix_nutrition_visit_episode_on",
                    "episode_id",
                    "visit_on",
                    postgresql_include=["sachets_per_day", "deleted_at"],
                ),
                index("ix_nutrition_visit_on", "visit_on"),
                index(
                    "ix_nutrition_visit_place_on",
                    "place_id",
                    "visit_on",
                    postgresql_include=["sachets_given", "deleted_at"],
                ),
            ],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
