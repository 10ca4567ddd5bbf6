"""research: studies, their set-up, the screening log, consent and allocation (issue 15)

Research runs inside routine care: a study's eligibility is read from the admission, the
screening log keeps the CONSORT flow, consent records name the approved form version and its
withdrawal, and the allocation sequence is drawn in advance (its seed never stored) and used
once per child. One allocation per child and study, one active consent per child and study.

Revision e6fced60ec95, after dc30777d7013; written 2026-11-28 04:18.
"""

import sqlalchemy as sa

from alima.migrations.helpers import above, at_least, create_table, drop_table, index, one_of

revision, down_revision = "e6fced60ec95", "dc30777d7013"
branch_labels = depends_on = None


def upgrade() -> None:
    create_table(
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
        record="deleted",
        checks={
            "status": one_of("status", "setup", "recruiting", "closed"),
            "age_range": at_least("age_max_months", "age_min_months"),
            "dates": at_least("ends_on", "starts_on", nullable=True),
            "target_positive": above("target_size"),
        },
        refs={
            "place_id": "core_place",
            "project_id": "core_project",
            "sponsor_id": "core_organisation",
        },
        unique=["code"],
        indexes=["place_id"],
    )
    create_table(
        "research_consent_form",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        checks={"kind": one_of("kind", "information", "consent")},
        refs={"place_id": "core_place", "study_id": "research_study"},
        unique=[("study_id", "kind", "version", "language")],
        indexes=["place_id", "study_id"],
    )
    create_table(
        "research_ethics_approval",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("committee", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("protocol_version", sa.String(length=20), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        refs={"place_id": "core_place", "study_id": "research_study"},
        indexes=["place_id", "study_id"],
    )
    create_table(
        "research_protocol_version",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        refs={"place_id": "core_place", "study_id": "research_study"},
        unique=[("study_id", "version")],
        indexes=["place_id", "study_id"],
    )
    create_table(
        "research_study_arm",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("ratio", sa.Integer(), nullable=False),
        sa.Column("protocol_code", sa.String(length=60), nullable=True),
        checks={"ratio_positive": at_least("ratio", 1)},
        refs={"place_id": "core_place", "study_id": "research_study"},
        unique=[("study_id", "code")],
        indexes=["place_id", "study_id"],
    )
    create_table(
        "research_study_partner",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        refs={
            "organisation_id": "core_organisation",
            "place_id": "core_place",
            "study_id": "research_study",
        },
        unique=[("study_id", "organisation_id")],
        indexes=["place_id", "study_id"],
    )
    create_table(
        "research_study_site",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("target_size", sa.Integer(), nullable=True),
        refs={"place_id": "core_place", "study_id": "research_study"},
        unique=[("study_id", "place_id")],
        indexes=["place_id", "study_id"],
    )
    create_table(
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
        checks={
            "withdrawal": "(status = 'withdrawn') = (withdrawn_on IS NOT NULL AND withdrawal_use IS NOT NULL)",
            "witness": "method = 'signed' OR witness_name IS NOT NULL",
            "method": one_of("method", "signed", "thumbprint"),
            "status": one_of("status", "active", "withdrawn", "superseded"),
            "withdrawal_use": one_of("withdrawal_use", "collected", "none", nullable=True),
        },
        refs={
            "form_id": "research_consent_form",
            "patient_id": "core_patient",
            "place_id": "core_place",
            "study_id": "research_study",
        },
        indexes=[
            "patient_id",
            "place_id",
            "study_id",
            index(
                "uq_research_consent_active",
                "study_id",
                "patient_id",
                unique=True,
                sqlite_where=sa.text("status = 'active'"),
                postgresql_where=sa.text("status = 'active'"),
            ),
        ],
    )
    create_table(
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
        checks={
            "not_included_reason": one_of(
                "not_included_reason",
                "ineligible",
                "not_approached",
                "declined",
                "other",
                nullable=True,
            ),
            "inclusion_needs_consent": "consented OR NOT included",
            "consent_needs_eligible": "eligible OR NOT consented",
        },
        refs={
            "episode_id": "nutrition_episode",
            "patient_id": "core_patient",
            "place_id": "core_place",
            "study_id": "research_study",
        },
        unique=[("study_id", "patient_id")],
        indexes=["patient_id", "place_id", "study_id"],
    )
    create_table(
        "research_sequence_entry",
        sa.Column("study_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("stratum", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("block_size", sa.Integer(), nullable=False),
        sa.Column("arm_id", sa.Uuid(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        refs={
            "arm_id": "research_study_arm",
            "place_id": "core_place",
            "study_id": "research_study",
        },
        unique=[("study_id", "stratum", "position")],
        indexes=["place_id", "study_id"],
    )
    create_table(
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
        refs={
            "arm_id": "research_study_arm",
            "episode_id": "nutrition_episode",
            "patient_id": "core_patient",
            "place_id": "core_place",
            "screening_id": "research_screening",
            "sequence_entry_id": "research_sequence_entry",
            "study_id": "research_study",
        },
        unique=["sequence_entry_id", ("study_id", "patient_id")],
        indexes=["patient_id", "place_id", "study_id"],
    )


def downgrade() -> None:
    drop_table("research_allocation", "patient_id", "place_id", "study_id")
    drop_table("research_sequence_entry", "place_id", "study_id")
    drop_table("research_screening", "patient_id", "place_id", "study_id")
    drop_table(
        "research_consent",
        "patient_id",
        "place_id",
        "study_id",
        index("uq_research_consent_active"),
    )
    drop_table("research_study_site", "place_id", "study_id")
    drop_table("research_study_partner", "place_id", "study_id")
    drop_table("research_study_arm", "place_id", "study_id")
    drop_table("research_protocol_version", "place_id", "study_id")
    drop_table("research_ethics_approval", "place_id", "study_id")
    drop_table("research_consent_form", "place_id", "study_id")
    drop_table("research_study", "place_id")
