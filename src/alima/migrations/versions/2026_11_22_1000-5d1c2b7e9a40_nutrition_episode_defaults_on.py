"""nutrition: the day an open episode defaults (read-time default)

Default was written by whoever opened the caseload page first, so the monthly report counted
absent children as in treatment until then. An episode now carries the day its child defaults
if not seen again (``defaults_on``, from the protocol's missed-visit rule and the schedule), and
every reader decides "defaulted" by comparing it with its own today. Open episodes are
backfilled with the rule of the protocol (and country adaptation) they were admitted under.

Revision 5d1c2b7e9a40, after 872544d9faee; written 2026-11-22 10:00.
"""

import sqlalchemy as sa
from alembic import op

revision, down_revision = "5d1c2b7e9a40", "872544d9faee"
branch_labels = depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nutrition_episode", schema=None) as batch_op:
        batch_op.add_column(sa.Column("defaults_on", sa.Date(), nullable=True))
        batch_op.create_index(
            "ix_nutrition_episode_place_defaults", ["place_id", "defaults_on"], unique=False
        )
    _backfill()


def _backfill() -> None:
    from alima.nutrition.protocol import apply_overrides, load_protocol
    from alima.nutrition.rules.follow_up import default_on

    episode = sa.table(
        "nutrition_episode",
        sa.column("id", sa.Uuid()),
        sa.column("status", sa.String()),
        sa.column("protocol_code", sa.String()),
        sa.column("protocol_version", sa.String()),
        sa.column("protocol_overrides", sa.JSON()),
        sa.column("next_visit_on", sa.Date()),
        sa.column("visit_interval_days", sa.Integer()),
        sa.column("defaults_on", sa.Date()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            episode.c.id,
            episode.c.protocol_code,
            episode.c.protocol_version,
            episode.c.protocol_overrides,
            episode.c.next_visit_on,
            episode.c.visit_interval_days,
        ).where(episode.c.status == "open", episode.c.next_visit_on.is_not(None))
    ).all()
    protocols: dict[tuple[str, str, str], object] = {}
    updates = []
    for row in rows:
        key = (row.protocol_code, row.protocol_version, repr(row.protocol_overrides))
        if key not in protocols:
            base = load_protocol(row.protocol_code, row.protocol_version)
            protocols[key] = (
                apply_overrides(base, row.protocol_overrides) if row.protocol_overrides else base
            )
        updates.append(
            {
                "episode_id": row.id,
                "day": default_on(
                    next_visit_due_on=row.next_visit_on,
                    interval_days=max(row.visit_interval_days or 7, 1),
                    p=protocols[key],  # type: ignore[arg-type]
                ),
            }
        )
    if updates:
        bind.execute(
            episode.update()
            .where(episode.c.id == sa.bindparam("episode_id"))
            .values(defaults_on=sa.bindparam("day")),
            updates,
        )


def downgrade() -> None:
    with op.batch_alter_table("nutrition_episode", schema=None) as batch_op:
        batch_op.drop_index("ix_nutrition_episode_place_defaults")
        batch_op.drop_column("defaults_on")
