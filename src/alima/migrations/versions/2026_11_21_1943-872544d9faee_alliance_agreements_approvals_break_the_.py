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

from alima.migrations.helpers import (
    Table,
    above,
    at_least,
    create_tables,
    drop_tables,
    index,
    one_of,
    ref,
    table,
)

revision, down_revision = "872544d9faee", "4ea65fc5cf12"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "alliance_agreement",
            ref("project_id", "core_project"),
            ref("organisation_id", "core_organisation"),
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
            indexes=[index("ix_alliance_agreement_project_org", "project_id", "organisation_id")],
        ),
        table(
            "alliance_data_period",
            ref("project_id", "core_project"),
            ref("place_id", "core_place", index=True),
            sa.Column("starts_on", sa.Date(), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("round", sa.Integer(), nullable=False),
            ref("submitted_by_id", "core_user"),
            sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
            ref("unlocked_by_id", "core_user", nullable=True),
            sa.Column("unlocked_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("unlock_reason", sa.Text(), nullable=True),
            record="stamped",
            checks={"status": one_of("status", "submitted", "approved", "reopened")},
            named_unique={"month": ("place_id", "starts_on")},
            indexes=[index("ix_alliance_data_period_starts_on_status", "starts_on", "status")],
        ),
        table(
            "alliance_funding_grant",
            ref("project_id", "core_project", index=True),
            ref("donor_id", "core_organisation"),
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
            named_unique={"reference": ("project_id", "reference")},
        ),
        table(
            "alliance_training",
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("topic", sa.String(length=20), nullable=False),
            ref("organisation_id", "core_organisation"),
            ref("place_id", "core_place", index=True),
            ref("project_id", "core_project", nullable=True, index=True),
            sa.Column("started_on", sa.Date(), nullable=False),
            sa.Column("ended_on", sa.Date(), nullable=False),
            sa.Column("trainer", sa.String(length=200), nullable=False),
            checks={"dates": at_least("ended_on", "started_on")},
            indexes=["ended_on"],
        ),
        table(
            "alliance_break_glass",
            ref("user_id", "core_user"),
            ref("patient_id", "core_patient", index=True),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            record="id",
            indexes=[
                "created_at",
                index("ix_alliance_break_glass_user_expires", "user_id", "expires_at"),
            ],
        ),
        table(
            "alliance_funding_allocation",
            ref("grant_id", "alliance_funding_grant", index=True),
            ref("organisation_id", "core_organisation"),
            sa.Column("amount", sa.BigInteger(), nullable=False),
            sa.Column("note", sa.String(length=200), nullable=True),
            checks={"amount_positive": above("amount")},
        ),
        table(
            "alliance_period_approval",
            ref("period_id", "alliance_data_period", index=True),
            sa.Column("round", sa.Integer(), nullable=False),
            ref("organisation_id", "core_organisation"),
            ref("approved_by_id", "core_user"),
            sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
            record="id",
            named_unique={"once_per_round": ("period_id", "round", "organisation_id")},
        ),
        table(
            "alliance_training_participant",
            ref("training_id", "alliance_training", index=True),
            sa.Column("full_name", sa.String(length=200), nullable=False),
            sa.Column("search_name", sa.String(length=200), nullable=False),
            sa.Column("cadre", sa.String(length=200), nullable=False),
            ref("organisation_id", "core_organisation", nullable=True),
            sa.Column("sex", sa.String(length=1), nullable=True),
            checks={"sex": one_of("sex", "M", "F", nullable=True)},
            indexes=["search_name"],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
