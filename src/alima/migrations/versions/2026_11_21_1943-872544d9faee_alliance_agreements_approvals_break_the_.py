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

from alima.migrations.helpers import above, at_least, create_table, drop_table, index, one_of

revision, down_revision = "872544d9faee", "4ea65fc5cf12"
branch_labels = depends_on = None


def upgrade() -> None:
    create_table(
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
        checks={
            "data_access": one_of("data_access", "patient_level", "aggregates"),
            "export_level": one_of("export_level", "none", "aggregates", "patient_level"),
            "effective_dates": at_least("effective_to", "effective_from", nullable=True),
        },
        refs={"organisation_id": "core_organisation", "project_id": "core_project"},
        indexes=[index("ix_alliance_agreement_project_org", "project_id", "organisation_id")],
    )
    create_table(
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
        record="stamped",
        checks={"status": one_of("status", "submitted", "approved", "reopened")},
        refs={
            "place_id": "core_place",
            "project_id": "core_project",
            "submitted_by_id": "core_user",
            "unlocked_by_id": "core_user",
        },
        named_unique={"month": ("place_id", "starts_on")},
        indexes=[
            "place_id",
            index("ix_alliance_data_period_starts_on_status", "starts_on", "status"),
        ],
    )
    create_table(
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
        checks={
            "amount_positive": above("amount"),
            "dates": at_least("ends_on", "starts_on"),
            "reporting_amount_positive": above("reporting_amount"),
        },
        refs={"donor_id": "core_organisation", "project_id": "core_project"},
        named_unique={"reference": ("project_id", "reference")},
        indexes=["project_id"],
    )
    create_table(
        "alliance_training",
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("trainer", sa.String(length=200), nullable=False),
        checks={"dates": at_least("ended_on", "started_on")},
        refs={
            "organisation_id": "core_organisation",
            "place_id": "core_place",
            "project_id": "core_project",
        },
        indexes=["ended_on", "place_id", "project_id"],
    )
    create_table(
        "alliance_break_glass",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        record="id",
        refs={"patient_id": "core_patient", "user_id": "core_user"},
        indexes=[
            "created_at",
            "patient_id",
            index("ix_alliance_break_glass_user_expires", "user_id", "expires_at"),
        ],
    )
    create_table(
        "alliance_funding_allocation",
        sa.Column("grant_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        checks={"amount_positive": above("amount")},
        refs={"grant_id": "alliance_funding_grant", "organisation_id": "core_organisation"},
        indexes=["grant_id"],
    )
    create_table(
        "alliance_period_approval",
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("approved_by_id", sa.Uuid(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        record="id",
        refs={
            "approved_by_id": "core_user",
            "organisation_id": "core_organisation",
            "period_id": "alliance_data_period",
        },
        named_unique={"once_per_round": ("period_id", "round", "organisation_id")},
        indexes=["period_id"],
    )
    create_table(
        "alliance_training_participant",
        sa.Column("training_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("search_name", sa.String(length=200), nullable=False),
        sa.Column("cadre", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        checks={"sex": one_of("sex", "M", "F", nullable=True)},
        refs={"organisation_id": "core_organisation", "training_id": "alliance_training"},
        indexes=["search_name", "training_id"],
    )


def downgrade() -> None:
    drop_table("alliance_training_participant", "search_name", "training_id")
    drop_table("alliance_period_approval", "period_id")
    drop_table("alliance_funding_allocation", "grant_id")
    drop_table(
        "alliance_break_glass",
        "created_at",
        "patient_id",
        index("ix_alliance_break_glass_user_expires"),
    )
    drop_table("alliance_training", "ended_on", "place_id", "project_id")
    drop_table("alliance_funding_grant", "project_id")
    drop_table(
        "alliance_data_period", "place_id", index("ix_alliance_data_period_starts_on_status")
    )
    drop_table("alliance_agreement", index("ix_alliance_agreement_project_org"))
