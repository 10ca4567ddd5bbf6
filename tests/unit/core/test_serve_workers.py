"""``alima serve`` picks its number of worker processes by itself (docs/deploy.md)."""

from __future__ import annotations

import pytest

from alima.cli.commands import MAX_AUTO_WORKERS, default_workers


@pytest.mark.parametrize("cpus", [None, 1, 2, 4, 64])
def test_sqlite_always_one_worker(cpus: int | None) -> None:
    assert default_workers(sqlite=True, cpus=cpus) == 1


@pytest.mark.parametrize(
    ("cpus", "workers"), [(None, 3), (1, 3), (2, 5), (3, 7), (4, MAX_AUTO_WORKERS), (64, 8)]
)
def test_postgresql_two_per_cpu_plus_one_capped(cpus: int | None, workers: int) -> None:
    assert MAX_AUTO_WORKERS == 8
    assert default_workers(sqlite=False, cpus=cpus) == workers
