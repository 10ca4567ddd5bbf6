"""smc: campaigns, their areas and cycles, teams, SPAQ received, each child's day 1

Seasonal malaria chemoprevention needs a campaign (a country's season, the districts and
health areas it covers with their census targets, 4 or 5 dated cycles), the teams that go
door to door from a site, the blisters a site received, and one row per child and cycle:
given and watched, or excluded with its reason, with the caregiver's days 2 and 3. A partial
unique index refuses a second live dose of a child in one cycle on either database.

Revision c5d169d76e64, after 63fd4831c67d; written 2026-11-29 01:00.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "c5d169d76e64", "63fd4831c67d"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "smc_campaign",
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("season", sa.Integer(), nullable=False),
        sa.Column("cycle_count", sa.Integer(), nullable=False),
        sa.Column("target_source", sa.String(length=10), nullable=False),
        sa.Column("target_share_percent", sa.Double(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "target_source IN ('places', 'census')", name=op.f("ck_smc_campaign_target_source")
        ),
        sa.CheckConstraint("cycle_count IN (4, 5)", name=op.f("ck_smc_campaign_cycle_count")),
        sa.CheckConstraint(
            "season >= 2000 AND season <= 2100", name=op.f("ck_smc_campaign_season")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_smc_campaign_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_smc_campaign_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_smc_campaign_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smc_campaign")),
    )
    with op.batch_alter_table("smc_campaign", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_smc_campaign_place_id"), ["place_id"], unique=False)

    op.create_table(
        "smc_campaign_area",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("census_target", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "census_target IS NULL OR census_target >= 0",
            name=op.f("ck_smc_campaign_area_census_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["smc_campaign.id"],
            name=op.f("fk_smc_campaign_area_campaign_id_smc_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_smc_campaign_area_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_smc_campaign_area_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smc_campaign_area")),
        sa.UniqueConstraint("campaign_id", "place_id", name="campaign_place"),
    )
    with op.batch_alter_table("smc_campaign_area", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_smc_campaign_area_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_smc_campaign_area_place_id"), ["place_id"], unique=False
        )

    op.create_table(
        "smc_cycle",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_smc_cycle_dates")),
        sa.CheckConstraint("number >= 1 AND number <= 5", name=op.f("ck_smc_cycle_number")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["smc_campaign.id"], name=op.f("fk_smc_cycle_campaign_id_smc_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["core_user.id"], name=op.f("fk_smc_cycle_created_by_id_core_user")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_smc_cycle_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smc_cycle")),
        sa.UniqueConstraint("campaign_id", "number", name="campaign_number"),
    )
    with op.batch_alter_table("smc_cycle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_smc_cycle_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_smc_cycle_place_id"), ["place_id"], unique=False)

    op.create_table(
        "smc_team",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("members", sa.String(length=500), nullable=False),
        sa.Column("villages", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["smc_campaign.id"], name=op.f("fk_smc_team_campaign_id_smc_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["core_user.id"], name=op.f("fk_smc_team_created_by_id_core_user")
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"], ["core_user.id"], name=op.f("fk_smc_team_deleted_by_id_core_user")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_smc_team_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smc_team")),
    )
    with op.batch_alter_table("smc_team", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_smc_team_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_smc_team_place_id"), ["place_id"], unique=False)

    op.create_table(
        "smc_administration",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_number", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("village", sa.String(length=200), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("age_days", sa.Integer(), nullable=False),
        sa.Column("age_band", sa.String(length=6), nullable=False),
        sa.Column("exclusion", sa.String(length=20), nullable=True),
        sa.Column("day1_observed", sa.Boolean(), nullable=False),
        sa.Column("vomited", sa.Boolean(), nullable=False),
        sa.Column("redosed", sa.Boolean(), nullable=False),
        sa.Column("blisters", sa.Integer(), nullable=False),
        sa.Column("muac_mm", sa.Integer(), nullable=True),
        sa.Column("screening_id", sa.Uuid(), nullable=True),
        sa.Column("given_by", sa.String(length=200), nullable=True),
        sa.Column("day2_given", sa.Boolean(), nullable=True),
        sa.Column("day3_given", sa.Boolean(), nullable=True),
        sa.Column("adherence_reported_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "age_band IN ('3_11', '12_59')", name=op.f("ck_smc_administration_age_band")
        ),
        sa.CheckConstraint(
            "exclusion IS NULL OR exclusion IN ('sick', 'allergy', 'cotrimoxazole', 'severe_malnutrition', 'already_received')",
            name=op.f("ck_smc_administration_exclusion"),
        ),
        sa.CheckConstraint(
            "(day2_given IS NULL AND day3_given IS NULL) OR adherence_reported_on IS NOT NULL",
            name=op.f("ck_smc_administration_adherence_dated"),
        ),
        sa.CheckConstraint(
            "age_days >= 92 AND age_days <= 1826", name=op.f("ck_smc_administration_age_range")
        ),
        sa.CheckConstraint(
            "blisters >= 0 AND blisters <= 2", name=op.f("ck_smc_administration_blisters_range")
        ),
        sa.CheckConstraint(
            "exclusion IS NULL OR blisters = 0",
            name=op.f("ck_smc_administration_excluded_no_blister"),
        ),
        sa.CheckConstraint(
            "muac_mm IS NULL OR (muac_mm >= 50 AND muac_mm <= 300)",
            name=op.f("ck_smc_administration_muac"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["smc_campaign.id"],
            name=op.f("fk_smc_administration_campaign_id_smc_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_smc_administration_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["smc_cycle.id"], name=op.f("fk_smc_administration_cycle_id_smc_cycle")
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"],
            ["core_user.id"],
            name=op.f("fk_smc_administration_deleted_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["core_patient.id"],
            name=op.f("fk_smc_administration_patient_id_core_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_smc_administration_place_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["community_screening.id"],
            name=op.f("fk_smc_administration_screening_id_community_screening"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["smc_team.id"], name=op.f("fk_smc_administration_team_id_smc_team")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smc_administration")),
    )
    with op.batch_alter_table("smc_administration", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_smc_administration_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_smc_administration_cycle_id"), ["cycle_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_smc_administration_given_on"), ["given_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_smc_administration_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_smc_administration_place_id"), ["place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_smc_administration_team_id"), ["team_id"], unique=False
        )
        batch_op.create_index(
            "uq_smc_administration_given",
            ["patient_id", "cycle_id"],
            unique=True,
            sqlite_where=sa.text("exclusion IS NULL AND deleted_at IS NULL"),
            postgresql_where=sa.text("exclusion IS NULL AND deleted_at IS NULL"),
        )

    op.create_table(
        "smc_supply",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("cycle_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("product", sa.String(length=12), nullable=False),
        sa.Column("blisters", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "product IN ('spaq_3_11', 'spaq_12_59')", name=op.f("ck_smc_supply_product")
        ),
        sa.CheckConstraint("blisters > 0", name=op.f("ck_smc_supply_blisters_positive")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["smc_campaign.id"],
            name=op.f("fk_smc_supply_campaign_id_smc_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["core_user.id"], name=op.f("fk_smc_supply_created_by_id_core_user")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"], ["smc_cycle.id"], name=op.f("fk_smc_supply_cycle_id_smc_cycle")
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by_id"], ["core_user.id"], name=op.f("fk_smc_supply_deleted_by_id_core_user")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_smc_supply_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smc_supply")),
    )
    with op.batch_alter_table("smc_supply", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_smc_supply_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_smc_supply_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_smc_supply_place_id"), ["place_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("smc_supply", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_smc_supply_place_id"))
        batch_op.drop_index(batch_op.f("ix_smc_supply_cycle_id"))
        batch_op.drop_index(batch_op.f("ix_smc_supply_campaign_id"))

    op.drop_table("smc_supply")
    with op.batch_alter_table("smc_administration", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_smc_administration_given",
            sqlite_where=sa.text("exclusion IS NULL AND deleted_at IS NULL"),
            postgresql_where=sa.text("exclusion IS NULL AND deleted_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_smc_administration_team_id"))
        batch_op.drop_index(batch_op.f("ix_smc_administration_place_id"))
        batch_op.drop_index(batch_op.f("ix_smc_administration_patient_id"))
        batch_op.drop_index(batch_op.f("ix_smc_administration_given_on"))
        batch_op.drop_index(batch_op.f("ix_smc_administration_cycle_id"))
        batch_op.drop_index(batch_op.f("ix_smc_administration_campaign_id"))

    op.drop_table("smc_administration")
    with op.batch_alter_table("smc_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_smc_team_place_id"))
        batch_op.drop_index(batch_op.f("ix_smc_team_campaign_id"))

    op.drop_table("smc_team")
    with op.batch_alter_table("smc_cycle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_smc_cycle_place_id"))
        batch_op.drop_index(batch_op.f("ix_smc_cycle_campaign_id"))

    op.drop_table("smc_cycle")
    with op.batch_alter_table("smc_campaign_area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_smc_campaign_area_place_id"))
        batch_op.drop_index(batch_op.f("ix_smc_campaign_area_campaign_id"))

    op.drop_table("smc_campaign_area")
    with op.batch_alter_table("smc_campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_smc_campaign_place_id"))

    op.drop_table("smc_campaign")
