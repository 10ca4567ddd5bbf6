"""Sync in one process, to profile both sides: a laptop's first push, a fresh pull, a day's work.

The hub's code runs in this process on PostgreSQL (``node.local_transport``: the same wire
encoding as over HTTP, without the server), so that ``cProfile`` sees the laptop and the hub
together; the CPU time printed is both. ``--profile DIR`` writes ``push.prof``, ``pull.prof``
and ``day.prof`` there, the laptop's thread, and ``push-hub.prof``, ... the hub's requests,
which the laptop sends from a thread of its own (read them with ``python -m pstats``).

    PYTHONPATH=src:. .venv/bin/python benchmarks/sync_profile.py --cases 2000 --profile /tmp/p
"""

from __future__ import annotations

import argparse
import cProfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.sync import _cases, _hub, _visits
from sqlalchemy.orm import Session, sessionmaker

from alima.core.db import make_engine, make_sessionmaker
from alima.core.migrate import upgrade
from alima.sync import hub as hub_service
from alima.sync import node as node_service


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--day", type=int, default=200)
    parser.add_argument("--profile", type=Path, help="a directory for the .prof files")
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_sync"
    )
    args = parser.parse_args()
    hub, world = _hub(args.database_url)
    directory = Path(tempfile.mkdtemp(prefix="alima-sync-profile-"))
    local = node_service.local_transport(hub)
    hub_profile: list[cProfile.Profile] = []

    def link(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The hub's side, profiled in the thread that carries the request."""
        if not hub_profile:
            return local(path, credential, payload)
        return hub_profile[0].runcall(local, path, credential, payload)  # type: ignore[no-any-return]

    def laptop(name: str) -> sessionmaker[Session]:
        url = f"sqlite:///{directory / name}.db"
        upgrade(url)
        factory = make_sessionmaker(make_engine(url))
        with hub() as session:
            code = hub_service.invite(session, world.facility_a.code).code
        node_service.enrol(factory, link, "http://hub", code, name)
        return factory

    def timed(label: str, action: Callable[[], object]) -> None:
        profile = cProfile.Profile() if args.profile else None
        hub_profile[:] = [cProfile.Profile()] if args.profile else []
        cpu, began = time.process_time(), time.perf_counter()
        if profile is not None:
            profile.runcall(action)
            args.profile.mkdir(parents=True, exist_ok=True)
            profile.dump_stats(args.profile / f"{label}.prof")
            hub_profile[0].dump_stats(args.profile / f"{label}-hub.prof")
            hub_profile.clear()
        else:
            action()
        wall, used = time.perf_counter() - began, time.process_time() - cpu
        print(f"{label}: {wall:.2f} s (CPU {used:.2f} s)", flush=True)

    first = laptop("laptop")
    node_service.pull(first, link, node_service.Summary())
    _cases(first, world, args.cases)
    timed("push", lambda: node_service.push(first, link, node_service.Summary()))
    with hub() as session:
        hub_service.retire(session, world.facility_a.code, "benchmark: a replacement laptop")
    fresh = laptop("fresh")
    timed("pull", lambda: node_service.pull(fresh, link, node_service.Summary()))
    _visits(fresh, world, args.day)
    timed("day", lambda: node_service.sync(fresh, link))


if __name__ == "__main__":
    main()
