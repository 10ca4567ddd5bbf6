"""alliance: agreements, approvals, break-the-glass, funding, trainings

Co-management needs its own records: partner agreements that narrow what each partner
organisation's users may see, capture, approve and export; the monthly approval of a site's
data by the lead and co-lead partners (an approved month is locked); time-limited emergency
accesses to patients outside one's scope; grants and their allocations to partner
organisations (the share reaching national NGOs is an indicator); trainings of health workers
and their participants. Only new ``alliance_*`` tables: no core table changes.

Revision 872544d9faee, after 4ea65fc5cf12; written 2026-11-21 19:43.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "872544d9faee", "4ea65fc5cf12"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "alliance_agreement",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=True),
        sa.Column("data_access", sa.String(length=20), nullable=False),
        sa.Column("may_capture", sa.Boolean(), nullable=False),
        sa.Column("may_approve", sa.Boolean(), nullable=False),
        sa.Column("export_level", sa.String(length=20), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "data_access IN ('patient_level', 'aggregates')",
            name=op.f("ck_alliance_agreement_data_access"),
        ),
        sa.CheckConstraint(
            "export_level IN ('none', 'aggregates', 'patient_level')",
            name=op.f("ck_alliance_agreement_export_level"),
        ),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_to >= effective_from",
            name=op.f("ck_alliance_agreement_effective_dates"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_alliance_agreement_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_alliance_agreement_organisation_id_core_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["core_project.id"],
            name=op.f("fk_alliance_agreement_project_id_core_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_agreement")),
    )
    with op.batch_alter_table("alliance_agreement", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alliance_agreement_project_org", ["project_id", "organisation_id"], unique=False
        )

    op.create_table(
        "alliance_data_period",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("submitted_by_id", sa.Uuid(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unlocked_by_id", sa.Uuid(), nullable=True),
        sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unlock_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'reopened')",
            name=op.f("ck_alliance_data_period_status"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_alliance_data_period_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["core_project.id"],
            name=op.f("fk_alliance_data_period_project_id_core_project"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["core_user.id"],
            name=op.f("fk_alliance_data_period_submitted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["unlocked_by_id"],
            ["core_user.id"],
            name=op.f("fk_alliance_data_period_unlocked_by_id_core_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_data_period")),
        sa.UniqueConstraint("place_id", "starts_on", name="month"),
    )
    with op.batch_alter_table("alliance_data_period", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alliance_data_period_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            "ix_alliance_data_period_starts_on_status", ["starts_on", "status"], unique=False
        )

    op.create_table(
        "alliance_funding_grant",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("donor_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reporting_amount", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_alliance_funding_grant_amount_positive")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_alliance_funding_grant_dates")),
        sa.CheckConstraint(
            "reporting_amount > 0", name=op.f("ck_alliance_funding_grant_reporting_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_alliance_funding_grant_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["donor_id"],
            ["core_organisation.id"],
            name=op.f("fk_alliance_funding_grant_donor_id_core_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["core_project.id"],
            name=op.f("fk_alliance_funding_grant_project_id_core_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_funding_grant")),
        sa.UniqueConstraint("project_id", "reference", name="reference"),
    )
    with op.batch_alter_table("alliance_funding_grant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alliance_funding_grant_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "alliance_training",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("trainer", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("ended_on >= started_on", name=op.f("ck_alliance_training_dates")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_alliance_training_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_alliance_training_organisation_id_core_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_alliance_training_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["core_project.id"],
            name=op.f("fk_alliance_training_project_id_core_project"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_training")),
    )
    with op.batch_alter_table("alliance_training", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alliance_training_ended_on"), ["ended_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_alliance_training_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_alliance_training_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "alliance_break_glass",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_alliance_break_glass_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["core_user.id"], name=op.f("fk_alliance_break_glass_user_id_core_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_break_glass")),
    )
    with op.batch_alter_table("alliance_break_glass", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alliance_break_glass_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_alliance_break_glass_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ix_alliance_break_glass_user_expires", ["user_id", "expires_at"], unique=False
        )

    op.create_table(
        "alliance_funding_allocation",
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "amount > 0", name=op.f("ck_alliance_funding_allocation_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_alliance_funding_allocation_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["alliance_funding_grant.id"],
            name=op.f("fk_alliance_funding_allocation_grant_id_alliance_funding_grant"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_alliance_funding_allocation_organisation_id_core_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_funding_allocation")),
    )
    with op.batch_alter_table("alliance_funding_allocation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alliance_funding_allocation_grant_id"), ["grant_id"], unique=False
        )

    op.create_table(
        "alliance_period_approval",
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("approved_by_id", sa.Uuid(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["core_user.id"],
            name=op.f("fk_alliance_period_approval_approved_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_alliance_period_approval_organisation_id_core_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["alliance_data_period.id"],
            name=op.f("fk_alliance_period_approval_period_id_alliance_data_period"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_period_approval")),
        sa.UniqueConstraint("period_id", "round", "organisation_id", name="once_per_round"),
    )
    with op.batch_alter_table("alliance_period_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alliance_period_approval_period_id"), ["period_id"], unique=False
        )

    op.create_table(
        "alliance_training_participant",
        sa.Column("training_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("search_name", sa.String(length=200), nullable=False),
        sa.Column("cadre", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "sex IS NULL OR sex IN ('M', 'F')", name=op.f("ck_alliance_training_participant_sex")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_alliance_training_participant_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_alliance_training_participant_organisation_id_core_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["alliance_training.id"],
            name=op.f("fk_alliance_training_participant_training_id_alliance_training"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_training_participant")),
    )
    with op.batch_alter_table("alliance_training_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alliance_training_participant_search_name"),
            ["search_name"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_alliance_training_participant_training_id"),
            ["training_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("alliance_training_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliance_training_participant_training_id"))
        batch_op.drop_index(batch_op.f("ix_alliance_training_participant_search_name"))

    op.drop_table("alliance_training_participant")
    with op.batch_alter_table("alliance_period_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliance_period_approval_period_id"))

    op.drop_table("alliance_period_approval")
    with op.batch_alter_table("alliance_funding_allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliance_funding_allocation_grant_id"))

    op.drop_table("alliance_funding_allocation")
    with op.batch_alter_table("alliance_break_glass", schema=None) as batch_op:
        batch_op.drop_index("ix_alliance_break_glass_user_expires")
        batch_op.drop_index(batch_op.f("ix_alliance_break_glass_patient_id"))
        batch_op.drop_index(batch_op.f("ix_alliance_break_glass_created_at"))

    op.drop_table("alliance_break_glass")
    with op.batch_alter_table("alliance_training", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliance_training_project_id"))
        batch_op.drop_index(batch_op.f("ix_alliance_training_place_id"))
        batch_op.drop_index(batch_op.f("ix_alliance_training_ended_on"))

    op.drop_table("alliance_training")
    with op.batch_alter_table("alliance_funding_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alliance_funding_grant_project_id"))

    op.drop_table("alliance_funding_grant")
    with op.batch_alter_table("alliance_data_period", schema=None) as batch_op:
        batch_op.drop_index("ix_alliance_data_period_starts_on_status")
        batch_op.drop_index(batch_op.f("ix_alliance_data_period_place_id"))

    op.drop_table("alliance_data_period")
    with op.batch_alter_table("alliance_agreement", schema=None) as batch_op:
        batch_op.drop_index("ix_alliance_agreement_project_org")

    op.drop_table("alliance_agreement")
