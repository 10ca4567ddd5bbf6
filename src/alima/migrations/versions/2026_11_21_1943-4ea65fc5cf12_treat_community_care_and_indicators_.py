"""treat: community, care and indicators tables

The tables behind "Treat" and the impact page: MUAC-for-mothers trainings, community
screenings and their referrals (with the staff's re-measured MUAC that gives the agreement
figure); consultations with their IMCI triage and ICD-10 diagnoses; antenatal visits,
deliveries with one row per newborn, postnatal visits; the emergency surgery log; mobile-clinic
sessions at displacement sites and the displaced population counted there; and the context
figures (population, food insecurity, children with SAM) an administrator enters with their
source for the public impact page. Patient-level tables reference ``core_patient`` and a place
and carry the soft-delete columns. Links to nutrition episodes are plain nullable UUIDs, so this
revision does not depend on the order in which the nutrition tables are migrated.

Revision 4ea65fc5cf12, after 6edad2afb44f; written 2026-11-21 19:43.
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision, down_revision = "4ea65fc5cf12", "6edad2afb44f"
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
        "care_displaced_population",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("individuals", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        *_record_columns(),
        sa.CheckConstraint(
            "households IS NULL OR households >= 0",
            name=op.f("ck_care_displaced_population_households_positive"),
        ),
        sa.CheckConstraint(
            "individuals >= 0", name=op.f("ck_care_displaced_population_individuals_positive")
        ),
        _fk("care_displaced_population", "created_by_id", "core_user"),
        _fk("care_displaced_population", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_displaced_population")),
        sa.UniqueConstraint("place_id", "counted_on", name="place_date"),
    )
    _create_indexes("care_displaced_population", "place_id")

    op.create_table(
        "care_mobile_session",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("mobile_clinic_id", sa.Uuid(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=False),
        sa.Column("people_reached", sa.Integer(), nullable=False),
        sa.Column("consultations", sa.Integer(), nullable=True),
        sa.Column("children_screened", sa.Integer(), nullable=True),
        sa.Column("services", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_record_columns(deleted=True),
        sa.CheckConstraint(
            "children_screened IS NULL OR children_screened >= 0",
            name=op.f("ck_care_mobile_session_children_screened"),
        ),
        sa.CheckConstraint(
            "consultations IS NULL OR consultations >= 0",
            name=op.f("ck_care_mobile_session_consultations"),
        ),
        sa.CheckConstraint(
            "people_reached >= 0", name=op.f("ck_care_mobile_session_people_reached_positive")
        ),
        _fk("care_mobile_session", "created_by_id", "core_user"),
        _fk("care_mobile_session", "deleted_by_id", "core_user"),
        _fk("care_mobile_session", "mobile_clinic_id", "core_place"),
        _fk("care_mobile_session", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_mobile_session")),
    )
    _create_indexes("care_mobile_session", "held_on", "mobile_clinic_id", "place_id")

    op.create_table(
        "community_training",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("trainer_name", sa.String(length=200), nullable=False),
        sa.Column("trainer_role", sa.String(length=20), nullable=False),
        sa.Column("village", sa.String(length=200), nullable=False),
        sa.Column("mothers_trained", sa.Integer(), nullable=False),
        sa.Column("tapes_given", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        *_record_columns(deleted=True),
        sa.CheckConstraint(
            "tapes_given IS NULL OR tapes_given >= 0",
            name=op.f("ck_community_training_tapes_positive"),
        ),
        sa.CheckConstraint(
            "mothers_trained >= 0", name=op.f("ck_community_training_mothers_trained_positive")
        ),
        _fk("community_training", "created_by_id", "core_user"),
        _fk("community_training", "deleted_by_id", "core_user"),
        _fk("community_training", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_training")),
    )
    _create_indexes("community_training", "held_on", "place_id")

    op.create_table(
        "indicators_context_figure",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        *_record_columns(),
        sa.CheckConstraint("value >= 0", name=op.f("ck_indicators_context_figure_value_positive")),
        sa.CheckConstraint(
            "year >= 1900 AND year <= 2200", name=op.f("ck_indicators_context_figure_year_range")
        ),
        _fk("indicators_context_figure", "created_by_id", "core_user"),
        _fk("indicators_context_figure", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators_context_figure")),
        sa.UniqueConstraint("place_id", "kind", "year", name="place_kind_year"),
    )
    _create_indexes("indicators_context_figure", "place_id")

    op.create_table(
        "care_antenatal_visit",
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visit_number", sa.Integer(), nullable=False),
        sa.Column("gestational_age_weeks", sa.Integer(), nullable=True),
        sa.Column("systolic_mmhg", sa.Integer(), nullable=True),
        sa.Column("diastolic_mmhg", sa.Integer(), nullable=True),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("muac_mm", sa.Integer(), nullable=True),
        sa.Column("iptp_dose", sa.Integer(), nullable=True),
        sa.Column("iron_folic_acid", sa.Boolean(), nullable=False),
        sa.Column("bednet_given", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("referred", sa.Boolean(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_record_columns(deleted=True),
        sa.CheckConstraint(
            "visit_number >= 1", name=op.f("ck_care_antenatal_visit_visit_number_positive")
        ),
        _fk("care_antenatal_visit", "created_by_id", "core_user"),
        _fk("care_antenatal_visit", "deleted_by_id", "core_user"),
        _fk("care_antenatal_visit", "patient_id", "core_patient"),
        _fk("care_antenatal_visit", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_antenatal_visit")),
    )
    _create_indexes("care_antenatal_visit", "patient_id", "place_id", "visited_on")

    op.create_table(
        "care_consultation",
        sa.Column("consulted_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("age_months", sa.Integer(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("temperature_c", sa.Float(), nullable=True),
        sa.Column("breaths_per_minute", sa.Integer(), nullable=True),
        sa.Column("cough", sa.Boolean(), nullable=False),
        sa.Column("chest_indrawing", sa.Boolean(), nullable=False),
        sa.Column("stridor", sa.Boolean(), nullable=False),
        sa.Column("fever_history", sa.Boolean(), nullable=False),
        sa.Column("stiff_neck", sa.Boolean(), nullable=False),
        sa.Column("unable_to_drink", sa.Boolean(), nullable=False),
        sa.Column("vomits_everything", sa.Boolean(), nullable=False),
        sa.Column("convulsions", sa.Boolean(), nullable=False),
        sa.Column("lethargic", sa.Boolean(), nullable=False),
        sa.Column("convulsing_now", sa.Boolean(), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("classifications", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("fast_breathing", sa.Boolean(), nullable=True),
        sa.Column("fever", sa.Boolean(), nullable=False),
        sa.Column("rdt_result", sa.String(length=16), nullable=False),
        sa.Column("malaria_treatment", sa.String(length=20), nullable=False),
        sa.Column("muac_mm", sa.Integer(), nullable=True),
        sa.Column("oedema", sa.String(length=10), nullable=False),
        sa.Column("muac_band", sa.String(length=10), nullable=True),
        sa.Column("nutrition_episode_id", sa.Uuid(), nullable=True),
        sa.Column("referred", sa.Boolean(), nullable=False),
        sa.Column("referred_to", sa.String(length=200), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_record_columns(deleted=True),
        sa.CheckConstraint("age_months >= 0", name=op.f("ck_care_consultation_age_positive")),
        sa.CheckConstraint(
            "breaths_per_minute IS NULL OR (breaths_per_minute >= 5 AND breaths_per_minute <= 150)",
            name=op.f("ck_care_consultation_breaths"),
        ),
        sa.CheckConstraint(
            "muac_mm IS NULL OR (muac_mm >= 50 AND muac_mm <= 300)",
            name=op.f("ck_care_consultation_muac"),
        ),
        sa.CheckConstraint(
            "temperature_c IS NULL OR (temperature_c >= 30 AND temperature_c <= 44)",
            name=op.f("ck_care_consultation_temperature"),
        ),
        _fk("care_consultation", "created_by_id", "core_user"),
        _fk("care_consultation", "deleted_by_id", "core_user"),
        _fk("care_consultation", "patient_id", "core_patient"),
        _fk("care_consultation", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_consultation")),
    )
    _create_indexes("care_consultation", "consulted_on", "patient_id", "place_id")

    op.create_table(
        "care_delivery",
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("setting", sa.String(length=16), nullable=False),
        sa.Column("attendant", sa.String(length=24), nullable=False),
        sa.Column("mode", sa.String(length=24), nullable=False),
        sa.Column("mother_outcome", sa.String(length=20), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_record_columns(deleted=True),
        _fk("care_delivery", "created_by_id", "core_user"),
        _fk("care_delivery", "deleted_by_id", "core_user"),
        _fk("care_delivery", "patient_id", "core_patient"),
        _fk("care_delivery", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_delivery")),
    )
    _create_indexes("care_delivery", "delivered_on", "patient_id", "place_id")

    op.create_table(
        "care_surgery",
        sa.Column("operated_on", sa.Date(), nullable=False),
        sa.Column("procedure", sa.String(length=40), nullable=False),
        sa.Column("indication", sa.String(length=20), nullable=False),
        sa.Column("indication_detail", sa.String(length=200), nullable=True),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("anaesthesia", sa.String(length=24), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("surgeon", sa.String(length=200), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_record_columns(deleted=True),
        _fk("care_surgery", "created_by_id", "core_user"),
        _fk("care_surgery", "deleted_by_id", "core_user"),
        _fk("care_surgery", "patient_id", "core_patient"),
        _fk("care_surgery", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_surgery")),
    )
    _create_indexes("care_surgery", "operated_on", "patient_id", "place_id")

    op.create_table(
        "community_screening",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("screened_on", sa.Date(), nullable=False),
        sa.Column("screener_type", sa.String(length=20), nullable=False),
        sa.Column("screener_name", sa.String(length=200), nullable=True),
        sa.Column("child_given_name", sa.String(length=100), nullable=False),
        sa.Column("child_family_name", sa.String(length=100), nullable=True),
        sa.Column("child_sex", sa.String(length=1), nullable=True),
        sa.Column("child_age_months", sa.Integer(), nullable=False),
        sa.Column("caregiver_name", sa.String(length=200), nullable=True),
        sa.Column("village", sa.String(length=200), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("muac_mm", sa.Integer(), nullable=False),
        sa.Column("oedema", sa.String(length=10), nullable=False),
        sa.Column("muac_band", sa.String(length=10), nullable=False),
        *_record_columns(deleted=True),
        sa.CheckConstraint(
            "child_sex IS NULL OR child_sex IN ('M', 'F')", name=op.f("ck_community_screening_sex")
        ),
        sa.CheckConstraint(
            "child_age_months >= 0 AND child_age_months < 60",
            name=op.f("ck_community_screening_age_range"),
        ),
        sa.CheckConstraint(
            "muac_mm >= 50 AND muac_mm <= 300", name=op.f("ck_community_screening_muac_range")
        ),
        _fk("community_screening", "created_by_id", "core_user"),
        _fk("community_screening", "deleted_by_id", "core_user"),
        _fk("community_screening", "patient_id", "core_patient"),
        _fk("community_screening", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_screening")),
    )
    _create_indexes("community_screening", "patient_id", "place_id", "screened_on")

    op.create_table(
        "care_consultation_diagnosis",
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("icd10", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        _fk("care_consultation_diagnosis", "consultation_id", "care_consultation"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_consultation_diagnosis")),
        sa.UniqueConstraint("consultation_id", "icd10", name="code"),
    )
    _create_indexes("care_consultation_diagnosis", "consultation_id", "icd10")

    op.create_table(
        "care_newborn",
        sa.Column("delivery_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("birth_weight_g", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "birth_weight_g IS NULL OR (birth_weight_g >= 300 AND birth_weight_g <= 7000)",
            name=op.f("ck_care_newborn_birth_weight"),
        ),
        _fk("care_newborn", "delivery_id", "care_delivery"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_newborn")),
        sa.UniqueConstraint("delivery_id", "position", name="position"),
    )
    _create_indexes("care_newborn", "delivery_id")

    op.create_table(
        "care_postnatal_visit",
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("delivery_id", sa.Uuid(), nullable=True),
        sa.Column("day_after_birth", sa.Integer(), nullable=True),
        sa.Column("mother_status", sa.String(length=16), nullable=False),
        sa.Column("newborn_status", sa.String(length=16), nullable=False),
        sa.Column("exclusive_breastfeeding", sa.Boolean(), nullable=False),
        sa.Column("family_planning", sa.Boolean(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        *_record_columns(deleted=True),
        _fk("care_postnatal_visit", "created_by_id", "core_user"),
        _fk("care_postnatal_visit", "deleted_by_id", "core_user"),
        _fk("care_postnatal_visit", "delivery_id", "care_delivery"),
        _fk("care_postnatal_visit", "patient_id", "core_patient"),
        _fk("care_postnatal_visit", "place_id", "core_place"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_postnatal_visit")),
    )
    _create_indexes("care_postnatal_visit", "delivery_id", "patient_id", "place_id", "visited_on")

    op.create_table(
        "community_referral",
        sa.Column("screening_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("arrived_on", sa.Date(), nullable=True),
        sa.Column("arrival_muac_mm", sa.Integer(), nullable=True),
        sa.Column("arrival_oedema", sa.String(length=10), nullable=True),
        sa.Column("arrival_band", sa.String(length=10), nullable=True),
        sa.Column("bands_agree", sa.Boolean(), nullable=True),
        sa.Column("admitted", sa.Boolean(), nullable=True),
        sa.Column("nutrition_episode_id", sa.Uuid(), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("completed_by_id", sa.Uuid(), nullable=True),
        *_record_columns(deleted=True),
        sa.CheckConstraint(
            "status = 'pending' OR arrived_on IS NOT NULL",
            name=op.f("ck_community_referral_completed_has_arrival"),
        ),
        sa.CheckConstraint(
            "arrival_muac_mm IS NULL OR (arrival_muac_mm >= 50 AND arrival_muac_mm <= 300)",
            name=op.f("ck_community_referral_arrival_muac_range"),
        ),
        _fk("community_referral", "completed_by_id", "core_user"),
        _fk("community_referral", "created_by_id", "core_user"),
        _fk("community_referral", "deleted_by_id", "core_user"),
        _fk("community_referral", "patient_id", "core_patient"),
        _fk("community_referral", "place_id", "core_place"),
        _fk("community_referral", "screening_id", "community_screening"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_referral")),
        sa.UniqueConstraint("screening_id", name=op.f("uq_community_referral_screening_id")),
    )
    _create_indexes("community_referral", "patient_id", "place_id", "referred_on", "status")


def downgrade() -> None:
    _drop_indexes("community_referral", "status", "referred_on", "place_id", "patient_id")

    op.drop_table("community_referral")
    _drop_indexes("care_postnatal_visit", "visited_on", "place_id", "patient_id", "delivery_id")

    op.drop_table("care_postnatal_visit")
    _drop_indexes("care_newborn", "delivery_id")

    op.drop_table("care_newborn")
    _drop_indexes("care_consultation_diagnosis", "icd10", "consultation_id")

    op.drop_table("care_consultation_diagnosis")
    _drop_indexes("community_screening", "screened_on", "place_id", "patient_id")

    op.drop_table("community_screening")
    _drop_indexes("care_surgery", "place_id", "patient_id", "operated_on")

    op.drop_table("care_surgery")
    _drop_indexes("care_delivery", "place_id", "patient_id", "delivered_on")

    op.drop_table("care_delivery")
    _drop_indexes("care_consultation", "place_id", "patient_id", "consulted_on")

    op.drop_table("care_consultation")
    _drop_indexes("care_antenatal_visit", "visited_on", "place_id", "patient_id")

    op.drop_table("care_antenatal_visit")
    _drop_indexes("indicators_context_figure", "place_id")

    op.drop_table("indicators_context_figure")
    _drop_indexes("community_training", "place_id", "held_on")

    op.drop_table("community_training")
    _drop_indexes("care_mobile_session", "place_id", "mobile_clinic_id", "held_on")

    op.drop_table("care_mobile_session")
    _drop_indexes("care_displaced_population", "place_id")

    op.drop_table("care_displaced_population")
