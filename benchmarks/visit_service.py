"""The visit use case alone, in one process: CPU per visit without HTTP, threads or clients.

`benchmarks/visits.py` measures the whole server under 20 clients, where a shared 2-core
machine moves the figures by 20-30 %. This one calls ``nutrition.service.record_visit`` in a
loop on a fresh SQLite file (or the PostgreSQL database of ``--database-url``, emptied first)
and reports the CPU time per visit. ``--without`` takes one of the flush listeners away, to
see what it costs (a measurement only: the product never runs without them).

Run under ``valgrind --tool=callgrind`` with two values of ``--weeks`` and subtract, for a
count of instructions per visit that another job on the machine does not change
(benchmarks/README.md, "Visit path").
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session
from tests.factories.core import build_world
from tests.factories.nutrition import admit_sam_child

import alima.all_models  # noqa: F401 - every table, as the server maps them
from alima.core import changelog, period_lock
from alima.core.db import Base, make_engine, make_sessionmaker
from alima.core.time import today
from alima.nutrition import freshness, service
from alima.nutrition.schemas import VisitCreate

LISTENERS = {
    "changelog": [
        ("before_flush", changelog._before_flush),
        ("after_flush", changelog._after_flush),
    ],
    "summary-marks": [("before_flush", freshness._before_flush)],
    "period-lock": [("before_flush", period_lock._guard)],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=60, help="episodes, one visit a week each")
    parser.add_argument("--weeks", type=int, default=8, help="visits per episode")
    parser.add_argument("--database-url", default="", help="PostgreSQL (default: a SQLite file)")
    parser.add_argument("--without", choices=sorted(LISTENERS), action="append", default=[])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{os.path.join(folder, 'visits.db')}"
        engine = make_engine(url)
        Base.metadata.drop_all(engine)
        Base.metadata.create_all(engine)
        sessions = make_sessionmaker(engine)
        setup = sessions()
        world = build_world(setup)
        for name in args.without:
            for kind, listener in LISTENERS[name]:
                event.remove(Session, kind, listener)
        start = today() - timedelta(days=7 * args.weeks + 14)
        episodes = [
            admit_sam_child(setup, world, admitted_on=start).episode_id
            for _ in range(args.children)
        ]
        actor = world.actors["clinician_a"]
        cpu, wall = time.process_time(), time.perf_counter()
        for week in range(1, args.weeks + 1):
            for episode_id in episodes:
                with sessions() as session:
                    service.record_visit(
                        session,
                        episode_id,
                        VisitCreate(
                            visit_on=start + timedelta(days=7 * week),
                            weight_kg=6.1 + 0.05 * week,
                            muac_mm=114,
                        ),
                        actor=actor,
                    )
        visits = args.children * args.weeks
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        without = ", ".join(args.without) or "nothing"
        print(
            f"{visits} visits on {engine.dialect.name}, without {without}: "
            f"{1000 * cpu / visits:.2f} ms CPU and {1000 * wall / visits:.2f} ms a visit"
        )
        setup.close()
        engine.dispose()


if __name__ == "__main__":
    main()
