"""A laptop speaking another sync protocol is told so, in its language, before anything is read."""

import pytest
from fastapi.testclient import TestClient

from alima.sync import versions, wire


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
