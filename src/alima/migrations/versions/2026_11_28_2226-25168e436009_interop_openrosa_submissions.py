"""interop: OpenRosa submissions and their files

Every form instance received from ODK Collect or Enketo is kept, whatever became of it: applied
through the same service as the web form, refused by a rule (waiting for a data manager), not
XML of one of our forms, or sent again under an instance ID already taken. ``instance_key`` is
unique and held by the one row that owns an instance ID, so a replay is found and never applied
twice. Attachments are kept as received in ``interop_submission_file``.

Revision 25168e436009, after c80d61f0159b; written 2026-11-28 22:26.
"""

import sqlalchemy as sa

from alima.migrations.helpers import (
    Table,
    create_tables,
    drop_tables,
    ref,
    table,
)

revision, down_revision = "25168e436009", "c80d61f0159b"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "interop_submission",
            ref("place_id", "core_place", index=True),
            ref("patient_id", "core_patient", nullable=True, index=True),
            sa.Column("instance_id", sa.String(length=249), nullable=True),
            sa.Column("instance_key", sa.String(length=249), nullable=True),
            sa.Column("form_id", sa.String(length=100), nullable=True),
            sa.Column("form_version", sa.String(length=40), nullable=True),
            sa.Column("xml", sa.Text(), nullable=False),
            sa.Column("xml_md5", sa.String(length=32), nullable=False),
            sa.Column("corrected_xml", sa.Text(), nullable=True),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("reason", sa.Text(), nullable=True),
            sa.Column("reason_code", sa.String(length=20), nullable=True),
            sa.Column("reason_params", sa.JSON(), nullable=True),
            sa.Column("entity_type", sa.String(length=60), nullable=True),
            sa.Column("entity_id", sa.Uuid(), nullable=True),
            ref("decided_by_id", "core_user", nullable=True),
            sa.Column("decision_note", sa.Text(), nullable=True),
            sa.Column("attempts", sa.Integer(), nullable=False),
            unique=["instance_key"],
            indexes=["status"],
        ),
        table(
            "interop_submission_file",
            ref("submission_id", "interop_submission", index=True),
            ref("place_id", "core_place"),
            sa.Column("filename", sa.String(length=255), nullable=False),
            sa.Column("content_type", sa.String(length=100), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("md5", sa.String(length=32), nullable=False),
            sa.Column("content", sa.LargeBinary(), nullable=False),
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())


def downgrade() -> None:
    drop_tables(*_tables())
