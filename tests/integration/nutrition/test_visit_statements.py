"""The visit path issues a fixed, small number of SQL statements (issue 10, speed).

Eight statements a visit, whatever the number of earlier visits: the episode with its child and
place, the earlier visits' facts, the approved-month check, the visit, the episode's running
figures, the audit event and the changes for sync (one insert for the three rows), the monthly
summary's dirty marks (one upsert); on
PostgreSQL one more, the lock that numbers changes in commit order (``alima.core.changelog``). A new query in the path (or one per earlier visit) fails here.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from alima.core.time import today
from alima.nutrition import service
from alima.nutrition.schemas import VisitCreate
from tests.factories.core import World
from tests.factories.nutrition import admit_sam_child

# Plus one upsert: the monthly summary's dirty marks of the visit's site and months
# (``alima.nutrition.freshness``), in the visit's transaction.
EXPECTED = Counter({"SELECT": 3, "INSERT": 4, "UPDATE": 1})


@contextmanager
def statements(session: Session) -> Iterator[Counter[str]]:
    """Data statements run on the session's connection (savepoints and BEGIN left out)."""
    seen: Counter[str] = Counter()
    engine = session.get_bind()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in {"SELECT", "INSERT", "UPDATE", "DELETE"}:
            seen[verb] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_visit_issues_eight_statements_however_long_the_episode(
    session: Session, world: World
) -> None:
    actor = world.actors["clinician_a"]
    start = today() - timedelta(days=60)
    admitted = admit_sam_child(session, world, admitted_on=start)
    per_visit = []
    for week in range(1, 7):
        with statements(session) as seen:
            service.record_visit(
                session,
                admitted.episode_id,
                VisitCreate(visit_on=start + timedelta(days=7 * week), weight_kg=6.1, muac_mm=114),
                actor=actor,
            )
        per_visit.append(seen)
    expected = EXPECTED.copy()
    if session.get_bind().dialect.name == "postgresql":
        expected["SELECT"] += 1  # pg_advisory_xact_lock
    assert per_visit == [expected] * 6
