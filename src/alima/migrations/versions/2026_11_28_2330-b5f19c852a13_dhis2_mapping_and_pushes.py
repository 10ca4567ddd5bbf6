"""dhis2: a country's mapping to its national DHIS2, and every push with DHIS2's answer

The mapping is data an administrator edits (and exports or imports as JSON): the data set,
attribute option combo and period type of a country, each figure (and disaggregation) to a
data element and category option combo, each place to an organisation unit. A push keeps the
month, the hash of the payload sent, and the import summary DHIS2 answered (status, counts,
conflicts), so a data manager sees what was sent and what came back.

Revision b5f19c852a13, after f4410361523e; written 2026-11-28 00:00.
"""

import sqlalchemy as sa

from alima.migrations.helpers import (
    Table,
    create_tables,
    drop_tables,
    ref,
    table,
)

revision, down_revision = "b5f19c852a13", "f4410361523e"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "dhis2_mapping",
            ref("country_id", "core_place"),
            sa.Column("data_set", sa.String(length=11), nullable=False),
            sa.Column("aoc", sa.String(length=11), nullable=False),
            sa.Column("period_type", sa.String(length=20), nullable=False),
            unique=["country_id"],
        ),
        table(
            "dhis2_push",
            ref("country_id", "core_place", index=True),
            sa.Column("month", sa.String(length=7), nullable=False),
            sa.Column("dry_run", sa.Boolean(), nullable=False),
            sa.Column("server", sa.String(length=300), nullable=False),
            sa.Column("payload_hash", sa.String(length=64), nullable=False),
            sa.Column("values_sent", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("http_status", sa.Integer(), nullable=True),
            sa.Column("imported", sa.Integer(), nullable=False),
            sa.Column("updated", sa.Integer(), nullable=False),
            sa.Column("ignored", sa.Integer(), nullable=False),
            sa.Column("deleted", sa.Integer(), nullable=False),
            sa.Column("conflicts", sa.JSON(), nullable=False),
            sa.Column("description", sa.Text(), nullable=True),
            checks={"counts": "imported >= 0 AND updated >= 0 AND ignored >= 0 AND deleted >= 0"},
            indexes=["month"],
        ),
        table(
            "dhis2_data_element",
            ref("mapping_id", "dhis2_mapping", index=True),
            sa.Column("figure", sa.String(length=60), nullable=False),
            sa.Column("option", sa.String(length=40), nullable=False),
            sa.Column("data_element", sa.String(length=11), nullable=False),
            sa.Column("category_option_combo", sa.String(length=11), nullable=False),
            named_unique={
                "dhis2_data_element_combo": ("mapping_id", "data_element", "category_option_combo"),
                "dhis2_data_element_figure": ("mapping_id", "figure", "option"),
            },
        ),
        table(
            "dhis2_org_unit",
            ref("mapping_id", "dhis2_mapping", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("org_unit", sa.String(length=11), nullable=False),
            named_unique={
                "dhis2_org_unit_uid": ("mapping_id", "org_unit"),
                "dhis2_org_unit_place": ("mapping_id", "place_id"),
            },
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
