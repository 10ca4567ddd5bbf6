"""dhis2: a country's mapping to its national DHIS2, and every push with DHIS2's answer

The mapping is data an administrator edits (and exports or imports as JSON): the data set,
attribute option combo and period type of a country, each figure (and disaggregation) to a
data element and category option combo, each place to an organisation unit. A push keeps the
month, the hash of the payload sent, and the import summary DHIS2 answered (status, counts,
conflicts), so a data manager sees what was sent and what came back.

Revision b5f19c852a13, after f4410361523e; written 2026-11-28 00:00.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "b5f19c852a13", "f4410361523e"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "dhis2_mapping",
        sa.Column("country_id", sa.Uuid(), nullable=False),
        sa.Column("data_set", sa.String(length=11), nullable=False),
        sa.Column("aoc", sa.String(length=11), nullable=False),
        sa.Column("period_type", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["country_id"], ["core_place.id"], name=op.f("fk_dhis2_mapping_country_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_dhis2_mapping_created_by_id_core_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dhis2_mapping")),
        sa.UniqueConstraint("country_id", name=op.f("uq_dhis2_mapping_country_id")),
    )
    op.create_table(
        "dhis2_push",
        sa.Column("country_id", sa.Uuid(), nullable=False),
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
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "imported >= 0 AND updated >= 0 AND ignored >= 0 AND deleted >= 0",
            name=op.f("ck_dhis2_push_counts"),
        ),
        sa.ForeignKeyConstraint(
            ["country_id"], ["core_place.id"], name=op.f("fk_dhis2_push_country_id_core_place")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["core_user.id"], name=op.f("fk_dhis2_push_created_by_id_core_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dhis2_push")),
    )
    with op.batch_alter_table("dhis2_push", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dhis2_push_country_id"), ["country_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dhis2_push_month"), ["month"], unique=False)

    op.create_table(
        "dhis2_data_element",
        sa.Column("mapping_id", sa.Uuid(), nullable=False),
        sa.Column("figure", sa.String(length=60), nullable=False),
        sa.Column("option", sa.String(length=40), nullable=False),
        sa.Column("data_element", sa.String(length=11), nullable=False),
        sa.Column("category_option_combo", sa.String(length=11), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_dhis2_data_element_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["mapping_id"],
            ["dhis2_mapping.id"],
            name=op.f("fk_dhis2_data_element_mapping_id_dhis2_mapping"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dhis2_data_element")),
        sa.UniqueConstraint(
            "mapping_id", "data_element", "category_option_combo", name="dhis2_data_element_combo"
        ),
        sa.UniqueConstraint("mapping_id", "figure", "option", name="dhis2_data_element_figure"),
    )
    with op.batch_alter_table("dhis2_data_element", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dhis2_data_element_mapping_id"), ["mapping_id"], unique=False
        )

    op.create_table(
        "dhis2_org_unit",
        sa.Column("mapping_id", sa.Uuid(), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("org_unit", sa.String(length=11), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["core_user.id"],
            name=op.f("fk_dhis2_org_unit_created_by_id_core_user"),
        ),
        sa.ForeignKeyConstraint(
            ["mapping_id"],
            ["dhis2_mapping.id"],
            name=op.f("fk_dhis2_org_unit_mapping_id_dhis2_mapping"),
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["core_place.id"], name=op.f("fk_dhis2_org_unit_place_id_core_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dhis2_org_unit")),
        sa.UniqueConstraint("mapping_id", "org_unit", name="dhis2_org_unit_uid"),
        sa.UniqueConstraint("mapping_id", "place_id", name="dhis2_org_unit_place"),
    )
    with op.batch_alter_table("dhis2_org_unit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dhis2_org_unit_mapping_id"), ["mapping_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dhis2_org_unit_place_id"), ["place_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("dhis2_org_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dhis2_org_unit_place_id"))
        batch_op.drop_index(batch_op.f("ix_dhis2_org_unit_mapping_id"))

    op.drop_table("dhis2_org_unit")
    with op.batch_alter_table("dhis2_data_element", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dhis2_data_element_mapping_id"))

    op.drop_table("dhis2_data_element")
    with op.batch_alter_table("dhis2_push", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dhis2_push_month"))
        batch_op.drop_index(batch_op.f("ix_dhis2_push_country_id"))

    op.drop_table("dhis2_push")
    op.drop_table("dhis2_mapping")
