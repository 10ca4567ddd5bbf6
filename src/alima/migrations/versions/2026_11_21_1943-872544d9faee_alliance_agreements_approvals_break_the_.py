"""alliance: agreements, approvals, break-the-glass, funding, trainings

Co-management needs its own records: partner agreements that narrow what each partner
organisation's users may see, capture, approve and export; the monthly approval of a site's
data by the lead and co-lead partners (an approved month is locked); time-limited emergency
accesses to patients outside one's scope; grants and their allocations to partner
organisations (the share reaching national NGOs is an indicator); trainings of health workers
and their participants. Only new ``alliance_*`` tables: no core table changes.

Revision 872544d9faee, after 4ea65fc5cf12; written 2026-11-21 19:43.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision, down_revision = "872544d9faee", "4ea65fc5cf12"
branch_labels = depends_on = None


def _record_columns(*, author: bool = True, deleted: bool = False) -> list[sa.Column[Any]]:
    """Columns of the id and timestamp mixins, then of the author and soft-delete ones."""
    columns = [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]
    if author:
        columns.append(sa.Column("created_by_id", sa.Uuid(), nullable=True))
    if deleted:
        columns += [
            sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("deleted_reason", sa.Text(), nullable=True),
            sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        ]
    return columns


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """``table.column`` refers to ``target.id``, named by the metadata's naming convention."""
    name = op.f(f"fk_{table}_{column}_{target}")
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=name)


def _create_indexes(table: str, *columns: str) -> None:
    """One plain index on each column, named by the metadata's naming convention."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _drop_indexes(table: str, *columns: str) -> None:
    """Drop the indexes :func:`_create_indexes` made, in the order given."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))


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
        *_record_columns(),
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
        _fk("alliance_agreement", "created_by_id", "core_user"),
        _fk("alliance_agreement", "organisation_id", "core_organisation"),
        _fk("alliance_agreement", "project_id", "core_project"),
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
        *_record_columns(author=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'approved', 'reopened')",
            name=op.f("ck_alliance_data_period_status"),
        ),
        _fk("alliance_data_period", "place_id", "core_place"),
        _fk("alliance_data_period", "project_id", "core_project"),
        _fk("alliance_data_period", "submitted_by_id", "core_user"),
        _fk("alliance_data_period", "unlocked_by_id", "core_user"),
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
        *_record_columns(),
        sa.CheckConstraint("amount > 0", name=op.f("ck_alliance_funding_grant_amount_positive")),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_alliance_funding_grant_dates")),
        sa.CheckConstraint(
            "reporting_amount > 0", name=op.f("ck_alliance_funding_grant_reporting_amount_positive")
        ),
        _fk("alliance_funding_grant", "created_by_id", "core_user"),
        _fk("alliance_funding_grant", "donor_id", "core_organisation"),
        _fk("alliance_funding_grant", "project_id", "core_project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_funding_grant")),
        sa.UniqueConstraint("project_id", "reference", name="reference"),
    )
    _create_indexes("alliance_funding_grant", "project_id")

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
        *_record_columns(),
        sa.CheckConstraint("ended_on >= started_on", name=op.f("ck_alliance_training_dates")),
        _fk("alliance_training", "created_by_id", "core_user"),
        _fk("alliance_training", "organisation_id", "core_organisation"),
        _fk("alliance_training", "place_id", "core_place"),
        _fk("alliance_training", "project_id", "core_project"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_training")),
    )
    _create_indexes("alliance_training", "ended_on", "place_id", "project_id")

    op.create_table(
        "alliance_break_glass",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("alliance_break_glass", "patient_id", "core_patient"),
        _fk("alliance_break_glass", "user_id", "core_user"),
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
        *_record_columns(),
        sa.CheckConstraint(
            "amount > 0", name=op.f("ck_alliance_funding_allocation_amount_positive")
        ),
        _fk("alliance_funding_allocation", "created_by_id", "core_user"),
        _fk("alliance_funding_allocation", "grant_id", "alliance_funding_grant"),
        _fk("alliance_funding_allocation", "organisation_id", "core_organisation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_funding_allocation")),
    )
    _create_indexes("alliance_funding_allocation", "grant_id")

    op.create_table(
        "alliance_period_approval",
        sa.Column("period_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("approved_by_id", sa.Uuid(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("alliance_period_approval", "approved_by_id", "core_user"),
        _fk("alliance_period_approval", "organisation_id", "core_organisation"),
        _fk("alliance_period_approval", "period_id", "alliance_data_period"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_period_approval")),
        sa.UniqueConstraint("period_id", "round", "organisation_id", name="once_per_round"),
    )
    _create_indexes("alliance_period_approval", "period_id")

    op.create_table(
        "alliance_training_participant",
        sa.Column("training_id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("search_name", sa.String(length=200), nullable=False),
        sa.Column("cadre", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(
            "sex IS NULL OR sex IN ('M', 'F')", name=op.f("ck_alliance_training_participant_sex")
        ),
        _fk("alliance_training_participant", "created_by_id", "core_user"),
        _fk("alliance_training_participant", "organisation_id", "core_organisation"),
        _fk("alliance_training_participant", "training_id", "alliance_training"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliance_training_participant")),
    )
    _create_indexes("alliance_training_participant", "search_name", "training_id")


def downgrade() -> None:
    _drop_indexes("alliance_training_participant", "training_id", "search_name")

    op.drop_table("alliance_training_participant")
    _drop_indexes("alliance_period_approval", "period_id")

    op.drop_table("alliance_period_approval")
    _drop_indexes("alliance_funding_allocation", "grant_id")

    op.drop_table("alliance_funding_allocation")
    with op.batch_alter_table("alliance_break_glass", schema=None) as batch_op:
        batch_op.drop_index("ix_alliance_break_glass_user_expires")
        batch_op.drop_index(batch_op.f("ix_alliance_break_glass_patient_id"))
        batch_op.drop_index(batch_op.f("ix_alliance_break_glass_created_at"))

    op.drop_table("alliance_break_glass")
    _drop_indexes("alliance_training", "project_id", "place_id", "ended_on")

    op.drop_table("alliance_training")
    _drop_indexes("alliance_funding_grant", "project_id")

    op.drop_table("alliance_funding_grant")
    with op.batch_alter_table("alliance_data_period", schema=None) as batch_op:
        batch_op.drop_index("ix_alliance_data_period_starts_on_status")
        batch_op.drop_index(batch_op.f("ix_alliance_data_period_place_id"))

    op.drop_table("alliance_data_period")
    with op.batch_alter_table("alliance_agreement", schema=None) as batch_op:
        batch_op.drop_index("ix_alliance_agreement_project_org")

    op.drop_table("alliance_agreement")
