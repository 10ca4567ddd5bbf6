"""One age everywhere: the patient page, the care record, the search list and the API (issue 9).

The age a person reads is in completed calendar months: on the 25th birthday it is 25 years
0 months on every page, not 25 years on one and 24 years 11 months on another.
"""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy.orm import Session

from alima.core.time import age_in_months, birth_date_for_age, today
from tests.factories.core import World, bearer, make_patient, sign_in


def _years_ago(years: int, on: date) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


@pytest.mark.parametrize(
    ("birth", "on", "months"),
    [
        (date(2000, 3, 15), date(2025, 3, 15), 300),
        (date(2000, 3, 15), date(2025, 3, 14), 299),
        (date(2024, 1, 31), date(2024, 2, 29), 1),
        (date(2024, 1, 31), date(2024, 2, 28), 0),
        (date(2024, 1, 31), date(2024, 3, 31), 2),
        (date(2023, 6, 1), date(2023, 6, 1), 0),
    ],
)
def test_age_in_completed_calendar_months(birth: date, on: date, months: int) -> None:
    assert age_in_months(birth, on) == months


def test_estimated_birth_date_gives_back_the_age() -> None:
    for months in (0, 1, 6, 11, 23, 24, 59, 300, 1199):
        for on in (date(2025, 3, 31), date(2024, 2, 29), date(2026, 1, 1)):
            assert age_in_months(birth_date_for_age(months, on), on) == months


def test_the_same_age_on_every_page_and_the_api(
    client: TestClient, session: Session, world: World
) -> None:
    with session.begin():
        patient = make_patient(
            session, world.facility_a, given="Kadiatou", family="Ag", birth=_years_ago(25, today())
        )
        patient_id, identifier = patient.id, patient.identifier
    sign_in(client, world.users["clinician_a"].username)
    detail = HTMLParser(client.get(f"/patients/{patient_id}").text).text()
    care = HTMLParser(client.get(f"/patients/{patient_id}/care").text).text()
    found = HTMLParser(client.get("/patients", params={"q": identifier}).text).text()
    expected = "25 ans"
    assert expected in detail
    assert expected in care
    assert expected in found
    assert "24 ans" not in detail + care + found
    api = client.get(
        f"/api/v1/patients/{patient_id}",
        headers=bearer(session, world.users["clinician_a"].username),
    )
    assert api.json()["age_months"] == 300
