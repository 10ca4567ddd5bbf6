"""The monthly reports' month in the API: a future month or a malformed one is a 422 with a
translated message, never a report of zeros nor a 500."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.core.time import today
from tests.factories.core import World, bearer
from tests.web.test_report_month import next_month

REPORTS = ("/api/v1/nutrition/reports/monthly", "/api/v1/stock/reports/monthly")


@pytest.mark.parametrize("path", REPORTS)
def test_a_future_month_is_refused_with_a_translated_message(
    client: TestClient, session: Session, world: World, path: str
) -> None:
    headers = bearer(session, world.users["data_manager"].username)
    place = world.facility_a.code
    current = f"{today():%Y-%m}"
    assert client.get(path, params={"place": place, "month": current}, headers=headers).is_success
    french = client.get(
        path,
        params={"place": place, "month": next_month()},
        headers=headers | {"Accept-Language": "fr"},
    )
    assert french.status_code == 422
    body = french.json()
    assert body["code"] == "NUT_034"
    assert "futur" in body["message"] and current in body["message"]
    english = client.get(
        path,
        params={"place": place, "month": next_month()},
        headers=headers | {"Accept-Language": "en"},
    )
    assert english.status_code == 422
    assert "future" in english.json()["message"]
    malformed = client.get(path, params={"place": place, "month": "2026-13"}, headers=headers)
    assert malformed.status_code == 422
    assert "message" in malformed.json()
