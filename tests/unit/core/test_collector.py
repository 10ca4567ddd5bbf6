"""The cycle collector is held off during bulk transfers and always switched back on."""

from __future__ import annotations

import gc
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
