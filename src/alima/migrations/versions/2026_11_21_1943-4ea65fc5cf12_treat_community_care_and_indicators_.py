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

import sqlalchemy as sa
from alembic import op

revision, down_revision = "4ea65fc5cf12", "6edad2afb44f"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_displaced_population",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("counted_on", sa.Date(), nullable=False),
        sa.Column("individuals", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "households IS NULL OR households >= 0",
            name=op.f("ck_care_displaced_population_households_positive"),
        ),
        sa.CheckConstraint(
            "individuals >= 0", name=op.f("ck_care_displaced_population_individuals_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_displaced_population_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_care_displaced_population_place_id_core_place"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_displaced_population")),
        sa.UniqueConstraint("place_id", "counted_on", name="place_date"),
    )
    with op.batch_alter_table("care_displaced_population", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_displaced_population_place_id"), ["place_id"], unique=False
        )

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_mobile_session_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_mobile_session_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["mobile_clinic_id"],
            ["core_place.id"],
            name=op.f("fk_care_mobile_session_mobile_clinic_id_core_place"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_care_mobile_session_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_mobile_session")),
    )
    with op.batch_alter_table("care_mobile_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_mobile_session_held_on"), ["held_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_mobile_session_mobile_clinic_id"),
            ["mobile_clinic_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_care_mobile_session_place_id"), ["place_id"], unique=False
        )

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "tapes_given IS NULL OR tapes_given >= 0",
            name=op.f("ck_community_training_tapes_positive"),
        ),
        sa.CheckConstraint(
            "mothers_trained >= 0", name=op.f("ck_community_training_mothers_trained_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_community_training_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_community_training_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_community_training_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_training")),
    )
    with op.batch_alter_table("community_training", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_training_held_on"), ["held_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_training_place_id"), ["place_id"], unique=False
        )

    op.create_table(
        "indicators_context_figure",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("value >= 0", name=op.f("ck_indicators_context_figure_value_positive")),
        sa.CheckConstraint(
            "year >= 1900 AND year <= 2200", name=op.f("ck_indicators_context_figure_year_range")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_indicators_context_figure_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_indicators_context_figure_place_id_core_place"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators_context_figure")),
        sa.UniqueConstraint("place_id", "kind", "year", name="place_kind_year"),
    )
    with op.batch_alter_table("indicators_context_figure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicators_context_figure_place_id"), ["place_id"], unique=False
        )

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "visit_number >= 1", name=op.f("ck_care_antenatal_visit_visit_number_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_antenatal_visit_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_antenatal_visit_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_care_antenatal_visit_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_care_antenatal_visit_place_id_core_place"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_antenatal_visit")),
    )
    with op.batch_alter_table("care_antenatal_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_antenatal_visit_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_antenatal_visit_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_antenatal_visit_visited_on"), ["visited_on"], unique=False
        )

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_consultation_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_consultation_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_care_consultation_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_care_consultation_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_consultation")),
    )
    with op.batch_alter_table("care_consultation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_consultation_consulted_on"), ["consulted_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_consultation_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_consultation_place_id"), ["place_id"], unique=False
        )

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_delivery_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_delivery_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_care_delivery_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_care_delivery_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_delivery")),
    )
    with op.batch_alter_table("care_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_delivery_delivered_on"), ["delivered_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_delivery_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_care_delivery_place_id"), ["place_id"], unique=False)

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_surgery_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_surgery_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_care_surgery_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_care_surgery_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_surgery")),
    )
    with op.batch_alter_table("care_surgery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_surgery_operated_on"), ["operated_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_surgery_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_care_surgery_place_id"), ["place_id"], unique=False)

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_community_screening_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_community_screening_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_community_screening_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_community_screening_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_screening")),
    )
    with op.batch_alter_table("community_screening", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_screening_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_screening_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_screening_screened_on"), ["screened_on"], unique=False
        )

    op.create_table(
        "care_consultation_diagnosis",
        sa.Column("consultation_id", sa.Uuid(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("icd10", sa.String(length=10), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["care_consultation.id"],
            name=op.f("fk_care_consultation_diagnosis_consultation_id_care_consultation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_consultation_diagnosis")),
        sa.UniqueConstraint("consultation_id", "icd10", name="code"),
    )
    with op.batch_alter_table("care_consultation_diagnosis", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_consultation_diagnosis_consultation_id"),
            ["consultation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_care_consultation_diagnosis_icd10"), ["icd10"], unique=False
        )

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
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["care_delivery.id"],
            name=op.f("fk_care_newborn_delivery_id_care_delivery"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_newborn")),
        sa.UniqueConstraint("delivery_id", "position", name="position"),
    )
    with op.batch_alter_table("care_newborn", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_newborn_delivery_id"), ["delivery_id"], unique=False
        )

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_postnatal_visit_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_care_postnatal_visit_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["care_delivery.id"],
            name=op.f("fk_care_postnatal_visit_delivery_id_care_delivery"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_care_postnatal_visit_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"],
            ["core_place.id"],
            name=op.f("fk_care_postnatal_visit_place_id_core_place"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_postnatal_visit")),
    )
    with op.batch_alter_table("care_postnatal_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_postnatal_visit_delivery_id"), ["delivery_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_postnatal_visit_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_postnatal_visit_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_care_postnatal_visit_visited_on"), ["visited_on"], unique=False
        )

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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "status = 'pending' OR arrived_on IS NOT NULL",
            name=op.f("ck_community_referral_completed_has_arrival"),
        ),
        sa.CheckConstraint(
            "arrival_muac_mm IS NULL OR (arrival_muac_mm >= 50 AND arrival_muac_mm <= 300)",
            name=op.f("ck_community_referral_arrival_muac_range"),
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["core_user.id"],
            name=op.f("fk_community_referral_completed_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_community_referral_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_community_referral_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_community_referral_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_community_referral_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["community_screening.id"],
            name=op.f("fk_community_referral_screening_id_community_screening"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_referral")),
        sa.UniqueConstraint("screening_id", name=op.f("uq_community_referral_screening_id")),
    )
    with op.batch_alter_table("community_referral", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_community_referral_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_referral_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_community_referral_referred_on"), ["referred_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_community_referral_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("community_referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_referral_status"))
        batch_op.drop_index(batch_op.f("ix_community_referral_referred_on"))
        batch_op.drop_index(batch_op.f("ix_community_referral_place_id"))
        batch_op.drop_index(batch_op.f("ix_community_referral_patient_id"))

    op.drop_table("community_referral")
    with op.batch_alter_table("care_postnatal_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_postnatal_visit_visited_on"))
        batch_op.drop_index(batch_op.f("ix_care_postnatal_visit_place_id"))
        batch_op.drop_index(batch_op.f("ix_care_postnatal_visit_patient_id"))
        batch_op.drop_index(batch_op.f("ix_care_postnatal_visit_delivery_id"))

    op.drop_table("care_postnatal_visit")
    with op.batch_alter_table("care_newborn", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_newborn_delivery_id"))

    op.drop_table("care_newborn")
    with op.batch_alter_table("care_consultation_diagnosis", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_consultation_diagnosis_icd10"))
        batch_op.drop_index(batch_op.f("ix_care_consultation_diagnosis_consultation_id"))

    op.drop_table("care_consultation_diagnosis")
    with op.batch_alter_table("community_screening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_screening_screened_on"))
        batch_op.drop_index(batch_op.f("ix_community_screening_place_id"))
        batch_op.drop_index(batch_op.f("ix_community_screening_patient_id"))

    op.drop_table("community_screening")
    with op.batch_alter_table("care_surgery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_surgery_place_id"))
        batch_op.drop_index(batch_op.f("ix_care_surgery_patient_id"))
        batch_op.drop_index(batch_op.f("ix_care_surgery_operated_on"))

    op.drop_table("care_surgery")
    with op.batch_alter_table("care_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_delivery_place_id"))
        batch_op.drop_index(batch_op.f("ix_care_delivery_patient_id"))
        batch_op.drop_index(batch_op.f("ix_care_delivery_delivered_on"))

    op.drop_table("care_delivery")
    with op.batch_alter_table("care_consultation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_consultation_place_id"))
        batch_op.drop_index(batch_op.f("ix_care_consultation_patient_id"))
        batch_op.drop_index(batch_op.f("ix_care_consultation_consulted_on"))

    op.drop_table("care_consultation")
    with op.batch_alter_table("care_antenatal_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_antenatal_visit_visited_on"))
        batch_op.drop_index(batch_op.f("ix_care_antenatal_visit_place_id"))
        batch_op.drop_index(batch_op.f("ix_care_antenatal_visit_patient_id"))

    op.drop_table("care_antenatal_visit")
    with op.batch_alter_table("indicators_context_figure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicators_context_figure_place_id"))

    op.drop_table("indicators_context_figure")
    with op.batch_alter_table("community_training", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_training_place_id"))
        batch_op.drop_index(batch_op.f("ix_community_training_held_on"))

    op.drop_table("community_training")
    with op.batch_alter_table("care_mobile_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_mobile_session_place_id"))
        batch_op.drop_index(batch_op.f("ix_care_mobile_session_mobile_clinic_id"))
        batch_op.drop_index(batch_op.f("ix_care_mobile_session_held_on"))

    op.drop_table("care_mobile_session")
    with op.batch_alter_table("care_displaced_population", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_displaced_population_place_id"))

    op.drop_table("care_displaced_population")
