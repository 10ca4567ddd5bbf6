"""research: studies, their set-up, the screening log, consent and allocation (issue 15)

Research runs inside routine care: a study's eligibility is read from the admission, the
screening log keeps the CONSORT flow, consent records name the approved form version and its
withdrawal, and the allocation sequence is drawn in advance (its seed never stored) and used
once per child. One allocation per child and study, one active consent per child and study.

Revision e6fced60ec95, after dc30777d7013; written 2026-11-28 04:18.
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

revision, down_revision = "e6fced60ec95", "dc30777d7013"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "research_study",
            sa.Column("code", sa.String(length=40), nullable=False),
            sa.Column("title", sa.String(length=300), nullable=False),
            ref("place_id", "core_place", index=True),
            ref("project_id", "core_project"),
            ref("sponsor_id", "core_organisation"),
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
            unique=["code"],
        ),
        table(
            "research_consent_form",
            ref("study_id", "research_study", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("kind", sa.String(length=12), nullable=False),
            sa.Column("version", sa.String(length=20), nullable=False),
            sa.Column("language", sa.String(length=10), nullable=False),
            sa.Column("approved_on", sa.Date(), nullable=False),
            sa.Column("current", sa.Boolean(), nullable=False),
            checks={"kind": one_of("kind", "information", "consent")},
            unique=[("study_id", "kind", "version", "language")],
        ),
        table(
            "research_ethics_approval",
            ref("study_id", "research_study", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("committee", sa.String(length=200), nullable=False),
            sa.Column("reference", sa.String(length=100), nullable=False),
            sa.Column("protocol_version", sa.String(length=20), nullable=False),
            sa.Column("approved_on", sa.Date(), nullable=False),
            sa.Column("expires_on", sa.Date(), nullable=True),
        ),
        table(
            "research_protocol_version",
            ref("study_id", "research_study", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("version", sa.String(length=20), nullable=False),
            sa.Column("dated_on", sa.Date(), nullable=False),
            sa.Column("summary", sa.Text(), nullable=True),
            unique=[("study_id", "version")],
        ),
        table(
            "research_study_arm",
            ref("study_id", "research_study", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("code", sa.String(length=40), nullable=False),
            sa.Column("label", sa.String(length=200), nullable=False),
            sa.Column("ratio", sa.Integer(), nullable=False),
            sa.Column("protocol_code", sa.String(length=60), nullable=True),
            checks={"ratio_positive": at_least("ratio", 1)},
            unique=[("study_id", "code")],
        ),
        table(
            "research_study_partner",
            ref("study_id", "research_study", index=True),
            ref("place_id", "core_place", index=True),
            ref("organisation_id", "core_organisation"),
            sa.Column("role", sa.String(length=40), nullable=False),
            unique=[("study_id", "organisation_id")],
        ),
        table(
            "research_study_site",
            ref("study_id", "research_study", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("target_size", sa.Integer(), nullable=True),
            unique=[("study_id", "place_id")],
        ),
        table(
            "research_consent",
            ref("study_id", "research_study", index=True),
            ref("patient_id", "core_patient", index=True),
            ref("place_id", "core_place", index=True),
            ref("form_id", "research_consent_form"),
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
            indexes=[
                index(
                    "uq_research_consent_active",
                    "study_id",
                    "patient_id",
                    unique=True,
                    where="status = 'active'",
                )
            ],
        ),
        table(
            "research_screening",
            ref("study_id", "research_study", index=True),
            ref("patient_id", "core_patient", index=True),
            ref("place_id", "core_place", index=True),
            ref("episode_id", "nutrition_episode", nullable=True),
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
            unique=[("study_id", "patient_id")],
        ),
        table(
            "research_sequence_entry",
            ref("study_id", "research_study", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("stratum", sa.String(length=100), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("block", sa.Integer(), nullable=False),
            sa.Column("block_size", sa.Integer(), nullable=False),
            ref("arm_id", "research_study_arm"),
            sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
            unique=[("study_id", "stratum", "position")],
        ),
        table(
            "research_allocation",
            ref("study_id", "research_study", index=True),
            ref("patient_id", "core_patient", index=True),
            ref("place_id", "core_place", index=True),
            ref("screening_id", "research_screening"),
            ref("sequence_entry_id", "research_sequence_entry"),
            ref("arm_id", "research_study_arm"),
            sa.Column("stratum", sa.String(length=100), nullable=False),
            ref("episode_id", "nutrition_episode", nullable=True),
            sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=False),
            unique=["sequence_entry_id", ("study_id", "patient_id")],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
