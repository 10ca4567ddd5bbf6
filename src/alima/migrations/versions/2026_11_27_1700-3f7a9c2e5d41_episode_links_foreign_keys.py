"""community, care: the nutrition episode a referral or a consultation links is a real one

A referral's arrival (and a consultation) could point at any UUID as "the nutrition episode
the child was admitted to": another site's episode, or none at all. Both columns now have a
foreign key to ``nutrition_episode``; links to no episode are cleared first (the service also
checks that the episode is the same child's, in the user's scope).

Revision 3f7a9c2e5d41, after 5b1c0d7e2a90; written 2026-11-27 17:00.
"""

from alembic import op

revision, down_revision = "3f7a9c2e5d41", "5b1c0d7e2a90"
branch_labels = depends_on = None

LINKS = ("community_referral", "care_consultation")


def upgrade() -> None:
    for table in LINKS:
        op.execute(
            f"UPDATE {table} SET nutrition_episode_id = NULL "  # noqa: S608 - fixed names
            "WHERE nutrition_episode_id IS NOT NULL AND nutrition_episode_id NOT IN "
            "(SELECT id FROM nutrition_episode)"
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_nutrition_episode_id_nutrition_episode"),
                "nutrition_episode",
                ["nutrition_episode_id"],
                ["id"],
            )


def downgrade() -> None:
    for table in LINKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(
                batch_op.f(f"fk_{table}_nutrition_episode_id_nutrition_episode"),
                type_="foreignkey",
            )
