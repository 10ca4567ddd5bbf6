"""The stock API: movements in, the site's stock and the monthly report out; bad input gets a
clear message in French (never a 500); a movement is soft-deleted with its reason."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.core.time import today
from tests.factories.core import World, bearer


def test_movements_stock_report_and_deletion(
    client: TestClient, session: Session, world: World
) -> None:
    headers = bearer(session, world.users["clinician_a"].username)
    code = world.facility_a.code
    expiry = (today() + timedelta(days=200)).isoformat()
    received = client.post(
        "/api/v1/stock/receipts",
        json={"quantity": 3, "unit": "carton", "batch": "API-1", "expires_on": expiry},
        headers=headers,
    )
    assert received.status_code == 201, received.text
    assert (received.json()["sachets"], received.json()["cartons"]) == (450, 3)
    lost = client.post(
        "/api/v1/stock/losses",
        json={"quantity": 20, "reason": "damaged", "batch": "API-1", "place_code": code},
        headers=headers,
    )
    assert lost.status_code == 201, lost.text
    stock = client.get(f"/api/v1/stock/sites/{code}", headers=headers).json()
    assert stock["balance"] == 430
    assert stock["batches"] == [
        {"batch": "API-1", "expires_on": expiry, "sachets": 430, "expired": False}
    ]
    assert stock["level"] == "no_need"

    report = client.get(
        "/api/v1/stock/reports/monthly",
        params={"place": code, "month": f"{today():%Y-%m}"},
        headers=headers,
    ).json()
    assert report["closing"] == 430
    assert report["losses"] == 20

    # Bad input: a clear message in the reader's language, nothing saved.
    future = client.post(
        "/api/v1/stock/counts",
        json={"quantity": 5, "moved_on": (today() + timedelta(days=2)).isoformat()},
        headers=headers,
    )
    assert future.status_code == 422
    assert future.json()["message"] == "La date ne peut pas être dans le futur."
    other_expiry = client.post(
        "/api/v1/stock/receipts",
        json={"quantity": 1, "batch": "API-1", "expires_on": today().isoformat()},
        headers=headers,
    )
    assert other_expiry.status_code == 422
    assert other_expiry.json()["code"] == "STOCK_003"

    deleted = client.delete(
        f"/api/v1/stock/movements/{lost.json()['id']}",
        params={"reason": "saisie en double"},
        headers=headers,
    )
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["deleted"] is True
    again = client.delete(
        f"/api/v1/stock/movements/{lost.json()['id']}",
        params={"reason": "saisie en double"},
        headers=headers,
    )
    assert again.status_code == 409
    assert client.get(f"/api/v1/stock/sites/{code}", headers=headers).json()["balance"] == 450
