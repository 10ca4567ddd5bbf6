"""nutrition: the day an open episode defaults (read-time default)

Default was written by whoever opened the caseload page first, so the monthly report counted
absent children as in treatment until then. An episode now carries the day its child defaults
if not seen again (``defaults_on``, from the protocol's missed-visit rule and the schedule), and
every reader decides "defaulted" by comparing it with its own today. Open episodes are
backfilled with the rule of the protocol (and country adaptation) they were admitted under.

Revision 5d1c2b7e9a40, after 872544d9faee; written 2026-11-22 10:00.
"""

from datetime import date, timedelta

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


#: Frozen copy of the protocols' missed-visit rule as of 2026-11-22, so that this revision never
#: depends on application code that changes later (docs/style.md): every packaged protocol then
#: (optima 1.0, compas 1.0, standard-who-2013 1.0) defaulted a child after 2 missed visits
#: (``exit.default_after_missed_visits``), which a country override could change. The live rule
#: is ``alima.nutrition.rules.follow_up.default_on``.
PACKAGED_MISSED_VISITS = 2


def _missed_visits(overrides: object) -> int:
    """Missed visits that make a default, under the episode's stored country overrides."""
    exit_rules = overrides.get("exit") if isinstance(overrides, dict) else None
    value = exit_rules.get("default_after_missed_visits") if isinstance(exit_rules, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return PACKAGED_MISSED_VISITS


def _default_on(next_visit_on: date, interval_days: int, missed: int) -> date:
    """The day after the last missed scheduled visit (frozen copy of ``default_on``)."""
    return next_visit_on + timedelta(days=(missed - 1) * interval_days + 1)


def _backfill() -> None:
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
    updates = [
        {
            "episode_id": row.id,
            "day": _default_on(
                row.next_visit_on,
                max(row.visit_interval_days or 7, 1),
                _missed_visits(row.protocol_overrides),
            ),
        }
        for row in rows
    ]
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
