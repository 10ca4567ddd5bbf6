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

from alima.migrations.helpers import (
    Table,
    at_least,
    create_tables,
    drop_tables,
    in_range,
    one_of,
    ref,
    table,
)

revision, down_revision = "4ea65fc5cf12", "6edad2afb44f"
branch_labels = depends_on = None


def _patient_record() -> list[sa.Column[Any]]:
    """The columns of the care models' ``PatientRecordMixin``: the patient, the place, a note."""
    return [
        ref("patient_id", "core_patient", index=True),
        ref("place_id", "core_place", index=True),
        sa.Column("note", sa.Text(), nullable=True),
    ]


def _tables() -> list[Table]:
    return [
        table(
            "care_displaced_population",
            ref("place_id", "core_place", index=True),
            sa.Column("counted_on", sa.Date(), nullable=False),
            sa.Column("individuals", sa.Integer(), nullable=False),
            sa.Column("households", sa.Integer(), nullable=True),
            sa.Column("source", sa.String(length=200), nullable=True),
            checks={
                "households_positive": at_least("households", nullable=True),
                "individuals_positive": at_least("individuals"),
            },
            named_unique={"place_date": ("place_id", "counted_on")},
        ),
        table(
            "care_mobile_session",
            ref("place_id", "core_place", index=True),
            ref("mobile_clinic_id", "core_place", nullable=True, index=True),
            sa.Column("held_on", sa.Date(), nullable=False),
            sa.Column("team", sa.String(length=200), nullable=False),
            sa.Column("people_reached", sa.Integer(), nullable=False),
            sa.Column("consultations", sa.Integer(), nullable=True),
            sa.Column("children_screened", sa.Integer(), nullable=True),
            sa.Column("services", sa.JSON(), nullable=False),
            sa.Column("note", sa.Text(), nullable=True),
            record="deleted",
            checks={
                "children_screened": at_least("children_screened", nullable=True),
                "consultations": at_least("consultations", nullable=True),
                "people_reached_positive": at_least("people_reached"),
            },
            indexes=["held_on"],
        ),
        table(
            "community_training",
            ref("place_id", "core_place", index=True),
            sa.Column("held_on", sa.Date(), nullable=False),
            sa.Column("trainer_name", sa.String(length=200), nullable=False),
            sa.Column("trainer_role", sa.String(length=20), nullable=False),
            sa.Column("village", sa.String(length=200), nullable=False),
            sa.Column("mothers_trained", sa.Integer(), nullable=False),
            sa.Column("tapes_given", sa.Integer(), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            record="deleted",
            checks={
                "tapes_positive": at_least("tapes_given", nullable=True),
                "mothers_trained_positive": at_least("mothers_trained"),
            },
            indexes=["held_on"],
        ),
        table(
            "indicators_context_figure",
            ref("place_id", "core_place", index=True),
            sa.Column("kind", sa.String(length=30), nullable=False),
            sa.Column("year", sa.Integer(), nullable=False),
            sa.Column("value", sa.BigInteger(), nullable=False),
            sa.Column("source", sa.String(length=300), nullable=False),
            checks={
                "value_positive": at_least("value"),
                "year_range": in_range("year", 1900, 2200),
            },
            named_unique={"place_kind_year": ("place_id", "kind", "year")},
        ),
        table(
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
            *_patient_record(),
            record="deleted",
            checks={"visit_number_positive": at_least("visit_number", 1)},
            indexes=["visited_on"],
        ),
        table(
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
            *_patient_record(),
            record="deleted",
            checks={
                "age_positive": at_least("age_months"),
                "breaths": in_range("breaths_per_minute", 5, 150, nullable=True),
                "muac": in_range("muac_mm", 50, 300, nullable=True),
                "temperature": in_range("temperature_c", 30, 44, nullable=True),
            },
            indexes=["consulted_on"],
        ),
        table(
            "care_delivery",
            sa.Column("delivered_on", sa.Date(), nullable=False),
            sa.Column("setting", sa.String(length=16), nullable=False),
            sa.Column("attendant", sa.String(length=24), nullable=False),
            sa.Column("mode", sa.String(length=24), nullable=False),
            sa.Column("mother_outcome", sa.String(length=20), nullable=False),
            *_patient_record(),
            record="deleted",
            indexes=["delivered_on"],
        ),
        table(
            "care_surgery",
            sa.Column("operated_on", sa.Date(), nullable=False),
            sa.Column("procedure", sa.String(length=40), nullable=False),
            sa.Column("indication", sa.String(length=20), nullable=False),
            sa.Column("indication_detail", sa.String(length=200), nullable=True),
            sa.Column("emergency", sa.Boolean(), nullable=False),
            sa.Column("anaesthesia", sa.String(length=24), nullable=False),
            sa.Column("outcome", sa.String(length=20), nullable=False),
            sa.Column("surgeon", sa.String(length=200), nullable=True),
            *_patient_record(),
            record="deleted",
            indexes=["operated_on"],
        ),
        table(
            "community_screening",
            ref("place_id", "core_place", index=True),
            sa.Column("screened_on", sa.Date(), nullable=False),
            sa.Column("screener_type", sa.String(length=20), nullable=False),
            sa.Column("screener_name", sa.String(length=200), nullable=True),
            sa.Column("child_given_name", sa.String(length=100), nullable=False),
            sa.Column("child_family_name", sa.String(length=100), nullable=True),
            sa.Column("child_sex", sa.String(length=1), nullable=True),
            sa.Column("child_age_months", sa.Integer(), nullable=False),
            sa.Column("caregiver_name", sa.String(length=200), nullable=True),
            sa.Column("village", sa.String(length=200), nullable=False),
            ref("patient_id", "core_patient", nullable=True, index=True),
            sa.Column("muac_mm", sa.Integer(), nullable=False),
            sa.Column("oedema", sa.String(length=10), nullable=False),
            sa.Column("muac_band", sa.String(length=10), nullable=False),
            record="deleted",
            checks={
                "sex": one_of("child_sex", "M", "F", nullable=True),
                "age_range": "child_age_months >= 0 AND child_age_months < 60",
                "muac_range": in_range("muac_mm", 50, 300),
            },
            indexes=["screened_on"],
        ),
        table(
            "care_consultation_diagnosis",
            ref("consultation_id", "care_consultation", index=True),
            sa.Column("rank", sa.Integer(), nullable=False),
            sa.Column("icd10", sa.String(length=10), nullable=False),
            record="id",
            named_unique={"code": ("consultation_id", "icd10")},
            indexes=["icd10"],
        ),
        table(
            "care_newborn",
            ref("delivery_id", "care_delivery", index=True),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("sex", sa.String(length=1), nullable=True),
            sa.Column("outcome", sa.String(length=24), nullable=False),
            sa.Column("birth_weight_g", sa.Integer(), nullable=True),
            record="id",
            checks={"birth_weight": in_range("birth_weight_g", 300, 7000, nullable=True)},
            named_unique={"position": ("delivery_id", "position")},
        ),
        table(
            "care_postnatal_visit",
            sa.Column("visited_on", sa.Date(), nullable=False),
            ref("delivery_id", "care_delivery", nullable=True, index=True),
            sa.Column("day_after_birth", sa.Integer(), nullable=True),
            sa.Column("mother_status", sa.String(length=16), nullable=False),
            sa.Column("newborn_status", sa.String(length=16), nullable=False),
            sa.Column("exclusive_breastfeeding", sa.Boolean(), nullable=False),
            sa.Column("family_planning", sa.Boolean(), nullable=False),
            *_patient_record(),
            record="deleted",
            indexes=["visited_on"],
        ),
        table(
            "community_referral",
            ref("screening_id", "community_screening"),
            ref("place_id", "core_place", index=True),
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
            ref("patient_id", "core_patient", nullable=True, index=True),
            ref("completed_by_id", "core_user", nullable=True),
            record="deleted",
            checks={
                "completed_has_arrival": "status = 'pending' OR arrived_on IS NOT NULL",
                "arrival_muac_range": in_range("arrival_muac_mm", 50, 300, nullable=True),
            },
            unique=["screening_id"],
            indexes=["referred_on", "status"],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
