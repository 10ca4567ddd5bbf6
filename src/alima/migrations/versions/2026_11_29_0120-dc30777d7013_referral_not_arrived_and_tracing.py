"""community and nutrition: referrals closed as not arrived, tracing of absent children

A referred child who never arrives leaves the referral pending forever: staff now close it as
"did not arrive" after the set number of days, with a date, a reason and who closed it (a
state, never a deletion), so the completed-has-arrival check now only binds completed rows.
A tracing visit to a child who missed a visit or defaulted keeps what the tracer found (found
and back, moved, died, refused), which feeds the episode's exit.

Revision dc30777d7013, after c5d169d76e64; written 2026-11-28 01:12.
"""

import sqlalchemy as sa
from alembic import op

from alima.migrations.helpers import (
    Table,
    create_tables,
    drop_tables,
    index,
    one_of,
    ref,
    table,
)

revision, down_revision = "dc30777d7013", "c5d169d76e64"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "nutrition_tracing",
            ref("episode_id", "nutrition_episode", index=True),
            ref("patient_id", "core_patient"),
            ref("place_id", "core_place"),
            sa.Column("visited_on", sa.Date(), nullable=False),
            sa.Column("outcome", sa.String(length=20), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            record="deleted",
            checks={"outcome": one_of("outcome", "found_back", "moved", "died", "refused")},
            indexes=[index("ix_nutrition_tracing_place_visited", "place_id", "visited_on")],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())
    with op.batch_alter_table("community_referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("closed_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_community_referral_closed_by_id_core_user"),
            "core_user",
            ["closed_by_id"],
            ["id"],
        )
        batch_op.drop_constraint(
            batch_op.f("ck_community_referral_completed_has_arrival"), type_="check"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_community_referral_completed_has_arrival"),
            "status <> 'completed' OR arrived_on IS NOT NULL",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_community_referral_not_arrived_has_date"),
            "status <> 'not_arrived' OR closed_on IS NOT NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("community_referral", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_community_referral_not_arrived_has_date"), type_="check"
        )
        batch_op.drop_constraint(
            batch_op.f("ck_community_referral_completed_has_arrival"), type_="check"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_community_referral_completed_has_arrival"),
            "status = 'pending' OR arrived_on IS NOT NULL",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_community_referral_closed_by_id_core_user"), type_="foreignkey"
        )
        batch_op.drop_column("closed_by_id")
        batch_op.drop_column("closed_reason")
        batch_op.drop_column("closed_on")
    drop_tables(*_tables())
