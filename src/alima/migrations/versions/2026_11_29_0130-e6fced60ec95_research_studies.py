"""research: studies, their set-up, the screening log, consent and allocation (issue 15)

Research runs inside routine care: a study's eligibility is read from the admission, the
screening log keeps the CONSORT flow, consent records name the approved form version and its
withdrawal, and the allocation sequence is drawn in advance (its seed never stored) and used
once per child. One allocation per child and study, one active consent per child and study.

Revision e6fced60ec95, after dc30777d7013; written 2026-11-28 04:18.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "e6fced60ec95", "dc30777d7013"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "research_study",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("sponsor_id", sa.Uuid(), nullable=False),
        sa.Column("registry_number", sa.String(length=60), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("target_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("blinded", sa.Boolean(), nullable=False),
        sa.Column("stratify_muac_mm", sa.Integer(), nullable=True),
        sa.Column("block_multipliers", sa.JSON(), nullable=False),
        sa.Column("sequence_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("sequence_generated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("age_min_months", sa.Double(), nullable=False),
        sa.Column("age_max_months", sa.Double(), nullable=False),
        sa.Column("muac_below_mm", sa.Integer(), nullable=True),
        sa.Column("no_complication", sa.Boolean(), nullable=False),
        sa.Column("exclude_oedema", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "status IN ('setup', 'recruiting', 'closed')", name=op.f("ck_research_study_status")
        ),
        sa.CheckConstraint(
            "age_max_months >= age_min_months", name=op.f("ck_research_study_age_range")
        ),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_research_study_dates")
        ),
        sa.CheckConstraint("target_size > 0", name=op.f("ck_research_study_target_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_study_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_study_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_research_study_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["core_project.id"],
            name=op.f("fk_research_study_project_id_core_project"),
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["core_organisation.id"],
            name=op.f("fk_research_study_sponsor_id_core_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_study")),
        sa.UniqueConstraint("code", name=op.f("uq_research_study_code")),
    )
    with op.batch_alter_table("research_study", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_research_study_place_id"), ["place_id"], unique=False)

    op.create_table(
        "research_consent_form",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('information', 'consent')", name=op.f("ck_research_consent_form_kind")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_consent_form_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_research_consent_form_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_consent_form_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_consent_form")),
        sa.UniqueConstraint(
            "study_id",
            "kind",
            "version",
            "language",
            name=op.f("uq_research_consent_form_study_id"),
        ),
    )
    with op.batch_alter_table("research_consent_form", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_consent_form_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_consent_form_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_ethics_approval",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("committee", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("protocol_version", sa.String(length=20), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_ethics_approval_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_research_ethics_approval_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_ethics_approval_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_ethics_approval")),
    )
    with op.batch_alter_table("research_ethics_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_ethics_approval_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_ethics_approval_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_protocol_version",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_protocol_version_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_research_protocol_version_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_protocol_version_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_protocol_version")),
        sa.UniqueConstraint(
            "study_id", "version", name=op.f("uq_research_protocol_version_study_id")
        ),
    )
    with op.batch_alter_table("research_protocol_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_protocol_version_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_protocol_version_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_study_arm",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("ratio", sa.Integer(), nullable=False),
        sa.Column("protocol_code", sa.String(length=60), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("ratio >= 1", name=op.f("ck_research_study_arm_ratio_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_study_arm_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_research_study_arm_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_study_arm_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_study_arm")),
        sa.UniqueConstraint("study_id", "code", name=op.f("uq_research_study_arm_study_id")),
    )
    with op.batch_alter_table("research_study_arm", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_study_arm_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_study_arm_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_study_partner",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_study_partner_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["core_organisation.id"],
            name=op.f("fk_research_study_partner_organisation_id_core_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_research_study_partner_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_study_partner_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_study_partner")),
        sa.UniqueConstraint(
            "study_id", "organisation_id", name=op.f("uq_research_study_partner_study_id")
        ),
    )
    with op.batch_alter_table("research_study_partner", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_study_partner_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_study_partner_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_study_site",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("target_size", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_study_site_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_research_study_site_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_study_site_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_study_site")),
        sa.UniqueConstraint("study_id", "place_id", name=op.f("uq_research_study_site_study_id")),
    )
    with op.batch_alter_table("research_study_site", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_study_site_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_study_site_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_consent",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column("consented_on", sa.Date(), nullable=False),
        sa.Column("caregiver_name", sa.String(length=200), nullable=False),
        sa.Column("caregiver_relation", sa.String(length=40), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("witness_name", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_use", sa.String(length=12), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(status = 'withdrawn') = (withdrawn_on IS NOT NULL AND withdrawal_use IS NOT NULL)",
            name=op.f("ck_research_consent_withdrawal"),
        ),
        sa.CheckConstraint(
            "method = 'signed' OR witness_name IS NOT NULL",
            name=op.f("ck_research_consent_witness"),
        ),
        sa.CheckConstraint(
            "method IN ('signed', 'thumbprint')", name=op.f("ck_research_consent_method")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'withdrawn', 'superseded')",
            name=op.f("ck_research_consent_status"),
        ),
        sa.CheckConstraint(
            "withdrawal_use IS NULL OR withdrawal_use IN ('collected', 'none')",
            name=op.f("ck_research_consent_withdrawal_use"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_consent_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["research_consent_form.id"],
            name=op.f("fk_research_consent_form_id_research_consent_form"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_research_consent_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_research_consent_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_consent_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_consent")),
    )
    with op.batch_alter_table("research_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_consent_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_consent_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_consent_study_id"), ["study_id"], unique=False
        )
        batch_op.create_index(
            "uq_research_consent_active",
            ["study_id", "patient_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "research_screening",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("screened_on", sa.Date(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("muac_mm", sa.Integer(), nullable=True),
        sa.Column("approached", sa.Boolean(), nullable=False),
        sa.Column("consented", sa.Boolean(), nullable=False),
        sa.Column("included", sa.Boolean(), nullable=False),
        sa.Column("not_included_reason", sa.String(length=20), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "not_included_reason IS NULL OR not_included_reason IN ('ineligible', 'not_approached', 'declined', 'other')",
            name=op.f("ck_research_screening_not_included_reason"),
        ),
        sa.CheckConstraint(
            "consented OR NOT included", name=op.f("ck_research_screening_inclusion_needs_consent")
        ),
        sa.CheckConstraint(
            "eligible OR NOT consented", name=op.f("ck_research_screening_consent_needs_eligible")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_screening_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["nutrition_episode.id"],
            name=op.f("fk_research_screening_episode_id_nutrition_episode"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_research_screening_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_research_screening_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_screening_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_screening")),
        sa.UniqueConstraint("study_id", "patient_id", name=op.f("uq_research_screening_study_id")),
    )
    with op.batch_alter_table("research_screening", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_screening_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_screening_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_screening_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_sequence_entry",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("stratum", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("block_size", sa.Integer(), nullable=False),
        sa.Column("arm_id", sa.Uuid(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["arm_id"],
            ["research_study_arm.id"],
            name=op.f("fk_research_sequence_entry_arm_id_research_study_arm"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_sequence_entry_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_research_sequence_entry_place_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_sequence_entry_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_sequence_entry")),
        sa.UniqueConstraint(
            "study_id", "stratum", "position", name=op.f("uq_research_sequence_entry_study_id")
        ),
    )
    with op.batch_alter_table("research_sequence_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_sequence_entry_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_sequence_entry_study_id"), ["study_id"], unique=False
        )

    op.create_table(
        "research_allocation",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("screening_id", sa.Uuid(), nullable=False),
        sa.Column("sequence_entry_id", sa.Uuid(), nullable=False),
        sa.Column("arm_id", sa.Uuid(), nullable=False),
        sa.Column("stratum", sa.String(length=100), nullable=False),
        sa.Column("episode_id", sa.Uuid(), nullable=True),
        sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["arm_id"],
            ["research_study_arm.id"],
            name=op.f("fk_research_allocation_arm_id_research_study_arm"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_research_allocation_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["nutrition_episode.id"],
            name=op.f("fk_research_allocation_episode_id_nutrition_episode"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_research_allocation_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_research_allocation_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["research_screening.id"],
            name=op.f("fk_research_allocation_screening_id_research_screening"),
        ),
        sa.ForeignKeyConstraint(
            ["sequence_entry_id"],
            ["research_sequence_entry.id"],
            name=op.f("fk_research_allocation_sequence_entry_id_research_sequence_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["study_id"],
            ["research_study.id"],
            name=op.f("fk_research_allocation_study_id_research_study"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_research_allocation")),
        sa.UniqueConstraint(
            "sequence_entry_id", name=op.f("uq_research_allocation_sequence_entry_id")
        ),
        sa.UniqueConstraint("study_id", "patient_id", name=op.f("uq_research_allocation_study_id")),
    )
    with op.batch_alter_table("research_allocation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_research_allocation_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_allocation_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_research_allocation_study_id"), ["study_id"], unique=False
        )



def downgrade() -> None:
    with op.batch_alter_table("research_allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_allocation_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_allocation_place_id"))
        batch_op.drop_index(batch_op.f("ix_research_allocation_patient_id"))

    op.drop_table("research_allocation")
    with op.batch_alter_table("research_sequence_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_sequence_entry_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_sequence_entry_place_id"))

    op.drop_table("research_sequence_entry")
    with op.batch_alter_table("research_screening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_screening_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_screening_place_id"))
        batch_op.drop_index(batch_op.f("ix_research_screening_patient_id"))

    op.drop_table("research_screening")
    with op.batch_alter_table("research_consent", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_research_consent_active",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_research_consent_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_consent_place_id"))
        batch_op.drop_index(batch_op.f("ix_research_consent_patient_id"))

    op.drop_table("research_consent")
    with op.batch_alter_table("research_study_site", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_study_site_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_study_site_place_id"))

    op.drop_table("research_study_site")
    with op.batch_alter_table("research_study_partner", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_study_partner_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_study_partner_place_id"))

    op.drop_table("research_study_partner")
    with op.batch_alter_table("research_study_arm", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_study_arm_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_study_arm_place_id"))

    op.drop_table("research_study_arm")
    with op.batch_alter_table("research_protocol_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_protocol_version_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_protocol_version_place_id"))

    op.drop_table("research_protocol_version")
    with op.batch_alter_table("research_ethics_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_ethics_approval_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_ethics_approval_place_id"))

    op.drop_table("research_ethics_approval")
    with op.batch_alter_table("research_consent_form", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_consent_form_study_id"))
        batch_op.drop_index(batch_op.f("ix_research_consent_form_place_id"))

    op.drop_table("research_consent_form")
    with op.batch_alter_table("research_study", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_research_study_place_id"))

    op.drop_table("research_study")
