"""smc: campaigns, their areas and cycles, teams, SPAQ received, each child's day 1

Seasonal malaria chemoprevention needs a campaign (a country's season, the districts and
health areas it covers with their census targets, 4 or 5 dated cycles), the teams that go
door to door from a site, the blisters a site received, and one row per child and cycle:
given and watched, or excluded with its reason, with the caregiver's days 2 and 3. A partial
unique index refuses a second live dose of a child in one cycle on either database.

Revision c5d169d76e64, after 63fd4831c67d; written 2026-11-29 01:00.
"""

import sqlalchemy as sa

from alima.migrations.helpers import (
    Table,
    above,
    at_least,
    create_tables,
    drop_tables,
    in_range,
    index,
    one_of,
    ref,
    table,
)

revision, down_revision = "c5d169d76e64", "63fd4831c67d"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "smc_campaign",
            ref("place_id", "core_place", index=True),
            sa.Column("name", sa.String(length=200), nullable=False),
            sa.Column("season", sa.Integer(), nullable=False),
            sa.Column("cycle_count", sa.Integer(), nullable=False),
            sa.Column("target_source", sa.String(length=10), nullable=False),
            sa.Column("target_share_percent", sa.Double(), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            record="deleted",
            checks={
                "target_source": one_of("target_source", "places", "census"),
                "cycle_count": one_of("cycle_count", 4, 5),
                "season": in_range("season", 2000, 2100),
            },
        ),
        table(
            "smc_campaign_area",
            ref("campaign_id", "smc_campaign", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("census_target", sa.Integer(), nullable=True),
            checks={"census_positive": at_least("census_target", nullable=True)},
            named_unique={"campaign_place": ("campaign_id", "place_id")},
        ),
        table(
            "smc_cycle",
            ref("campaign_id", "smc_campaign", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("number", sa.Integer(), nullable=False),
            sa.Column("starts_on", sa.Date(), nullable=False),
            sa.Column("ends_on", sa.Date(), nullable=False),
            checks={"dates": at_least("ends_on", "starts_on"), "number": in_range("number", 1, 5)},
            named_unique={"campaign_number": ("campaign_id", "number")},
        ),
        table(
            "smc_team",
            ref("campaign_id", "smc_campaign", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("name", sa.String(length=100), nullable=False),
            sa.Column("members", sa.String(length=500), nullable=False),
            sa.Column("villages", sa.JSON(), nullable=False),
            record="deleted",
        ),
        table(
            "smc_administration",
            ref("campaign_id", "smc_campaign", index=True),
            ref("cycle_id", "smc_cycle", index=True),
            sa.Column("cycle_number", sa.Integer(), nullable=False),
            ref("patient_id", "core_patient", index=True),
            ref("place_id", "core_place", index=True),
            ref("team_id", "smc_team", nullable=True, index=True),
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
            ref("screening_id", "community_screening", nullable=True),
            sa.Column("given_by", sa.String(length=200), nullable=True),
            sa.Column("day2_given", sa.Boolean(), nullable=True),
            sa.Column("day3_given", sa.Boolean(), nullable=True),
            sa.Column("adherence_reported_on", sa.Date(), nullable=True),
            record="deleted",
            checks={
                "age_band": one_of("age_band", "3_11", "12_59"),
                "exclusion": one_of(
                    "exclusion",
                    "sick",
                    "allergy",
                    "cotrimoxazole",
                    "severe_malnutrition",
                    "already_received",
                    nullable=True,
                ),
                "adherence_dated": "(day2_given IS NULL AND day3_given IS NULL) OR adherence_reported_on IS NOT NULL",
                "age_range": in_range("age_days", 92, 1826),
                "blisters_range": in_range("blisters", 0, 2),
                "excluded_no_blister": "exclusion IS NULL OR blisters = 0",
                "muac": in_range("muac_mm", 50, 300, nullable=True),
            },
            indexes=[
                "given_on",
                index(
                    "uq_smc_administration_given",
                    "patient_id",
                    "cycle_id",
                    unique=True,
                    where="exclusion IS NULL AND deleted_at IS NULL",
                ),
            ],
        ),
        table(
            "smc_supply",
            ref("campaign_id", "smc_campaign", index=True),
            ref("cycle_id", "smc_cycle", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("product", sa.String(length=12), nullable=False),
            sa.Column("blisters", sa.Integer(), nullable=False),
            sa.Column("received_on", sa.Date(), nullable=False),
            record="deleted",
            checks={
                "product": one_of("product", "spaq_3_11", "spaq_12_59"),
                "blisters_positive": above("blisters"),
            },
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
