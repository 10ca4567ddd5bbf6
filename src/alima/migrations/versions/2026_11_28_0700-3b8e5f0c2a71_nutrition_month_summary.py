"""nutrition: the monthly report's figures per site and complete month, and their dirty marks

Also two covering indexes for the impact page's yearly counts of consultations and deliveries,
and a partial index of the deleted patients (every count leaves them out).

A country's monthly report sums its sites' figures instead of recounting millions of
episodes and visits (issue 16). ``nutrition_month_figure`` holds the figures of complete
months, ``nutrition_month_dirty`` the (site, month) pairs written since (read live until the
refresh rewrites them), ``nutrition_month_state`` the last month covered. Empty at upgrade:
``alima summaries refresh`` fills them; until then every report is recounted live.

Revision 3b8e5f0c2a71, after bbbcde62d512; written 2026-11-28 07:00.
"""

import sqlalchemy as sa
from alembic import op

from alima.migrations.helpers import (
    Table,
    create_indexes,
    create_tables,
    drop_tables,
    index,
    ref,
    table,
)

revision, down_revision = "3b8e5f0c2a71", "bbbcde62d512"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "nutrition_month_figure",
            ref("place_id", "core_place"),
            sa.Column("month", sa.Date(), nullable=False),
            sa.Column("figure", sa.String(length=40), nullable=False),
            sa.Column("value", sa.Float(), nullable=False),
            record="none",
            primary_key=("place_id", "month", "figure"),
            indexes=[
                index("ix_nutrition_month_figure_month", "month", "figure", "place_id", "value")
            ],
        ),
        table(
            "nutrition_month_dirty",
            sa.Column("place_id", sa.Uuid(), nullable=False),
            sa.Column("month", sa.Date(), nullable=False),
            sa.Column("marks", sa.Integer(), nullable=False),
            record="none",
            primary_key=("place_id", "month"),
        ),
        table(
            "nutrition_month_state",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("through", sa.Date(), nullable=True),
            record="none",
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())
    create_indexes(
        "core_patient", index("ix_core_patient_deleted", "id", where="deleted_at IS NOT NULL")
    )
    op.create_index(
        "ix_care_consultation_on_place",
        "care_consultation",
        ["consulted_on", "place_id"],
        postgresql_include=["deleted_at", "patient_id"],
    )
    op.create_index(
        "ix_care_delivery_on_place",
        "care_delivery",
        ["delivered_on", "place_id"],
        postgresql_include=["deleted_at", "patient_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_core_patient_deleted", table_name="core_patient")
    op.drop_index("ix_care_delivery_on_place", table_name="care_delivery")
    op.drop_index("ix_care_consultation_on_place", table_name="care_consultation")
    drop_tables(*_tables())
