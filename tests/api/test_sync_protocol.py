"""A laptop speaking another sync protocol is told so, in its language, before anything is read."""

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.sync import hub, versions, wire
from alima.sync.node import schema
from tests.factories.core import World


@pytest.mark.parametrize(
    ("sent", "status", "says"),
    [
        (str(versions.PROTOCOL - 1), 409, "older version"),
        (str(versions.PROTOCOL + 1), 409, "newer version"),
        ("un", 400, ""),
    ],
)
def test_another_protocol_is_refused_before_the_body(
    client: TestClient, sent: str, status: int, says: str
) -> None:
    answer = client.post(
        "/api/sync/v1/push",
        content=b"not even json",
        headers={
            wire.PROTOCOL_HEADER: sent,
            "Authorization": "Bearer whatever",
            "Accept-Language": "en",
        },
    )
    assert answer.status_code == status, answer.text
    assert says in answer.text


def test_the_french_laptop_reads_it_in_french(client: TestClient) -> None:
    answer = client.post(
        "/api/sync/v1/pull",
        content=b"{}",
        headers={wire.PROTOCOL_HEADER: str(versions.PROTOCOL + 1), "Accept-Language": "fr"},
    )
    assert answer.status_code == 409
    assert "plus récente" in answer.text


def test_this_protocol_goes_on_to_the_credential(client: TestClient) -> None:
    answer = client.post(
        "/api/sync/v1/pull",
        content=b"{}",
        headers={wire.PROTOCOL_HEADER: str(versions.PROTOCOL), "Authorization": "Bearer x"},
    )
    assert answer.status_code == 401


def test_a_body_is_decoded_and_the_answer_encoded_off_the_event_loop(
    client: TestClient, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch or a page is megabytes of JSON: parsing or compressing it on the event loop
    would hold up every other request of the process."""
    on_loop: list[bool] = []
    decode, encode = wire.decode, wire.encode

    def running_loop() -> bool:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return False
        return True

    def decoding(body: bytes) -> dict[str, Any]:
        on_loop.append(running_loop())
        return decode(body)

    def encoding(payload: dict[str, Any]) -> bytes:
        on_loop.append(running_loop())
        return encode(payload)

    monkeypatch.setattr(wire, "decode", decoding)
    monkeypatch.setattr(wire, "encode", encoding)
    code = hub.invite(session, world.facility_a.code).code
    answer = client.post(
        "/api/sync/v1/enrol",
        content=encode({"code": code, "name": "laptop"}),
        headers={wire.PROTOCOL_HEADER: str(versions.PROTOCOL), wire.SCHEMA_HEADER: schema()},
    )
    assert answer.status_code == 200, answer.text
    assert on_loop == [False, False]  # decoded, then the answer encoded, in a worker thread
