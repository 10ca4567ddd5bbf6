"""research: the sequence's arms sealed on the hub, emergency unblinding, monitors' queries

The allocation sequence travelled to the laptops with its arms, so a site could read the arms
to come. The arm of each position now lives in ``research_sequence_seal``, a table that never
leaves the hub, and the synced position carries its arm only once used. On the hub the
existing arms move into the seal; on a laptop (a ``sync_peer`` row) they are simply erased.
The change log's copies of unused positions lose their arm too, so a laptop pulling later
never receives one. ``research_unblinding`` records each emergency unblinding (who, when,
why), ``research_query`` a monitor's source data verification queries.

Revision 2620665c5627, after e6fced60ec95; written 2026-11-28 06:42.
"""

import json

import sqlalchemy as sa
from alembic import op

from alima.migrations.helpers import (
    Table,
    create_tables,
    drop_tables,
    one_of,
    ref,
    table,
)

revision, down_revision = "2620665c5627", "e6fced60ec95"
branch_labels = depends_on = None


def _tables() -> list[Table]:
    return [
        table(
            "research_query",
            ref("study_id", "research_study", index=True),
            ref("patient_id", "core_patient", index=True),
            ref("place_id", "core_place", index=True),
            sa.Column("reference", sa.String(length=200), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("answer", sa.Text(), nullable=True),
            ref("answered_by_id", "core_user", nullable=True),
            sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
            ref("closed_by_id", "core_user", nullable=True),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
            checks={
                "answered": "status = 'open' OR answer IS NOT NULL",
                "status": one_of("status", "open", "answered", "closed"),
            },
        ),
        table(
            "research_sequence_seal",
            ref("entry_id", "research_sequence_entry"),
            ref("arm_id", "research_study_arm"),
            record="none",
            primary_key=("entry_id",),
        ),
        table(
            "research_unblinding",
            ref("study_id", "research_study", index=True),
            ref("patient_id", "core_patient", index=True),
            ref("place_id", "core_place", index=True),
            ref("allocation_id", "research_allocation"),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("unblinded_at", sa.DateTime(timezone=True), nullable=False),
            unique=[("study_id", "patient_id", "created_by_id")],
        ),
    ]


def upgrade() -> None:
    create_tables(*_tables())
    with op.batch_alter_table("research_sequence_entry", schema=None) as batch_op:
        batch_op.alter_column("arm_id", existing_type=sa.Uuid(), nullable=True)
    _seal()


_ENTRY = sa.table(
    "research_sequence_entry",
    sa.column("id", sa.Uuid()),
    sa.column("arm_id", sa.Uuid()),
    sa.column("used_at", sa.DateTime(timezone=True)),
)
_SEAL = sa.table(
    "research_sequence_seal", sa.column("entry_id", sa.Uuid()), sa.column("arm_id", sa.Uuid())
)
_CHANGE = sa.table(
    "sync_change",
    sa.column("seq", sa.Integer()),
    sa.column("entity", sa.String()),
    sa.column("row_id", sa.Uuid()),
    sa.column("row", sa.JSON()),
    sa.column("base", sa.JSON()),
)


def _seal() -> None:
    bind = op.get_bind()
    laptop = bool(bind.scalar(sa.text("SELECT count(*) FROM sync_peer")))
    if not laptop:
        bind.execute(
            _SEAL.insert().from_select(
                ["entry_id", "arm_id"],
                sa.select(_ENTRY.c.id, _ENTRY.c.arm_id).where(_ENTRY.c.arm_id.is_not(None)),
            )
        )
    bind.execute(_ENTRY.update().where(_ENTRY.c.used_at.is_(None)).values(arm_id=None))
    unused = {
        str(i) for i in bind.scalars(sa.select(_ENTRY.c.id).where(_ENTRY.c.used_at.is_(None)))
    }
    changes = bind.execute(
        sa.select(_CHANGE.c.seq, _CHANGE.c.row_id, _CHANGE.c.row, _CHANGE.c.base).where(
            _CHANGE.c.entity == "research_sequence_entry"
        )
    ).all()
    for seq, row_id, raw_row, raw_base in changes:
        if str(row_id) not in unused:
            continue
        row = json.loads(raw_row) if isinstance(raw_row, str) else dict(raw_row)
        row["arm_id"] = None
        values: dict[str, object] = {"row": row}
        if raw_base:
            base = json.loads(raw_base) if isinstance(raw_base, str) else dict(raw_base)
            base.pop("arm_id", None)
            values["base"] = base
        bind.execute(_CHANGE.update().where(_CHANGE.c.seq == seq).values(**values))


def downgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        _ENTRY.update()
        .where(_ENTRY.c.arm_id.is_(None))
        .values(
            arm_id=sa.select(_SEAL.c.arm_id)
            .where(_SEAL.c.entry_id == _ENTRY.c.id)
            .scalar_subquery()
        )
    )
    bind.execute(_ENTRY.delete().where(_ENTRY.c.arm_id.is_(None)))
    with op.batch_alter_table("research_sequence_entry", schema=None) as batch_op:
        batch_op.alter_column("arm_id", existing_type=sa.Uuid(), nullable=False)
    drop_tables(*_tables())
