"""The cycle collector is held off during bulk transfers and always switched back on."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from alima.core import collector
from alima.core.errors import BadRequest
from alima.sync import hub, wire
from alima.sync.errors import SyncError


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_holds_the_collector_off_and_switches_it_back_on() -> None:
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer holder still holds it
    assert gc.isenabled()


def test_paused_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_paused_switches_it_back_on_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("a refused batch")
    assert gc.isenabled()


def test_threads_share_one_pause_until_the_last_one_leaves() -> None:
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with collector.paused():
            inside.set()
            leave.wait(10)

    other = threading.Thread(target=hold)
    other.start()
    assert inside.wait(10)
    with collector.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread is still inside
    leave.set()
    other.join(10)
    assert gc.isenabled()


def test_decoding_a_message_runs_without_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    original = orjson.loads

    def loads(raw: bytes) -> Any:
        seen.append(gc.isenabled())
        return original(raw)

    monkeypatch.setattr(orjson, "loads", loads)
    assert wire.decode(wire.encode({"changes": [{"seq": 1}]})) == {"changes": [{"seq": 1}]}
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.parametrize(("path", "service"), [(wire.PUSH, "receive"), (wire.PULL, "serve")])
def test_the_hub_applies_a_batch_and_makes_a_page_without_the_collector(
    monkeypatch: pytest.MonkeyPatch, path: str, service: str
) -> None:
    seen: list[bool] = []

    def record(*_args: Any) -> Any:
        seen.append(gc.isenabled())
        raise BadRequest(SyncError.SYNC_012, reason="stop here")

    monkeypatch.setattr(hub, service, record)
    with pytest.raises(BadRequest):
        wire.handle(None, path, "credential", "schema", {"changes": []})  # type: ignore[arg-type]
    assert seen == [False]
    assert gc.isenabled()


def test_a_served_process_freezes_what_it_started_with_once() -> None:
    """``alima serve``'s processes keep their start-up objects out of every full collection."""
    script = (
        "import gc\n"
        "from fastapi.testclient import TestClient\n"
        "from alima.core.config import Settings\n"
        "from alima.main import create_app\n"
        "settings = Settings(database_url='sqlite://', sync_interval_minutes=0,"
        " summary_refresh_minutes=0)\n"
        "assert gc.get_freeze_count() == 0\n"
        "with TestClient(create_app(settings)):\n"
        "    first = gc.get_freeze_count()\n"
        "with TestClient(create_app(settings)):\n"
        "    second = gc.get_freeze_count()\n"
        "print(first, second)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    first, second = map(int, done.stdout.split())
    assert first > 10_000  # the modules, classes and mappers of the application
    assert second <= first  # once per process: the second app is not frozen (some frozen die)
