"""nutrition: referral to inpatient care awaiting a decision; care: newborn's patient record

A child referred to inpatient care at a visit (oedema +++, complications, danger signs) was
left open with no next visit and no way to record what happened. ``referred_on`` marks an
episode whose referral awaits the clinician's decision (the medical transfer, which closes the
episode, or keeping the child); ``referral_kept_reason`` says why a referred child was kept in
outpatient care. Open episodes already stuck in that state (no next visit) are marked referred
on their last visit, so they appear in the caseload's "referred" group.

``care_newborn.patient_id`` links a baby registered from its delivery to its own patient record
(one record per baby).

Revision 3c1f0a7d9b21, after 5d1c2b7e9a40; written 2026-11-22 10:00.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "3c1f0a7d9b21", "5d1c2b7e9a40"
branch_labels = depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nutrition_episode", schema=None) as batch_op:
        batch_op.add_column(sa.Column("referred_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("referral_kept_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("care_newborn", schema=None) as batch_op:
        batch_op.add_column(sa.Column("patient_id", sa.Uuid(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_care_newborn_patient_id"), ["patient_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_care_newborn_patient_id_core_patient"),
            "core_patient",
            ["patient_id"],
            ["id"],
        )
    op.execute(
        "UPDATE nutrition_episode SET referred_on = last_visit_on "
        "WHERE status = 'open' AND next_visit_on IS NULL AND deleted_at IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("care_newborn", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_care_newborn_patient_id_core_patient"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_care_newborn_patient_id"), type_="unique")
        batch_op.drop_column("patient_id")
    with op.batch_alter_table("nutrition_episode", schema=None) as batch_op:
        batch_op.drop_column("referral_kept_reason")
        batch_op.drop_column("referred_on")
