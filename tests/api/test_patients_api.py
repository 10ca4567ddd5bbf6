"""The JSON API: bearer tokens, patients CRUD, errors in the caller's language."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.core.time import today
from tests.factories.core import World, bearer


def child(world: World, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "given_name": "Hawa",
        "family_name": "Diallo",
        "sex": "F",
        "birth_date": (today() - timedelta(days=500)).isoformat(),
        "village": "Pogo",
        "place_code": world.facility_a.code,
    }
    body.update(overrides)
    return body


def test_requires_a_token(client: TestClient, world: World) -> None:
    response = client.get("/api/v1/patients?q=hawa")
    assert response.status_code == 401
    assert response.json()["code"] == "CORE_003"
    assert response.json()["message"] == "Veuillez vous connecter."
    bad = client.get("/api/v1/patients", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json()["code"] == "CORE_010"


def test_patient_lifecycle(client: TestClient, session: Session, world: World) -> None:
    clinician = bearer(session, world.users["clinician_a"].username)
    manager = bearer(session, world.users["data_manager"].username)
    created = client.post("/api/v1/patients", json=child(world), headers=clinician)
    assert created.status_code == 201, created.text
    patient = created.json()
    assert patient["identifier"].startswith(world.facility_a.code)

    duplicate = client.post(
        "/api/v1/patients", json=child(world, given_name="HAWA"), headers=clinician
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "CORE_DUPLICATE"
    assert duplicate.json()["context"]["candidates"][0]["id"] == patient["id"]
    confirmed = client.post(
        "/api/v1/patients", json=child(world, confirm_not_duplicate=True), headers=clinician
    )
    assert confirmed.status_code == 201

    found = client.get("/api/v1/patients", params={"q": "hawa diallo"}, headers=clinician).json()
    assert found["total"] == 2

    read = client.get(f"/api/v1/patients/{patient['id']}", headers=clinician)
    assert read.status_code == 200 and read.json()["village"] == "Pogo"

    patched = client.patch(
        f"/api/v1/patients/{patient['id']}", json={"village": "Kala"}, headers=clinician
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2

    no_reason = client.delete(f"/api/v1/patients/{patient['id']}", headers=manager)
    assert no_reason.status_code == 422
    deleted = client.delete(
        f"/api/v1/patients/{patient['id']}", params={"reason": "doublon"}, headers=manager
    )
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    again = client.delete(
        f"/api/v1/patients/{patient['id']}", params={"reason": "doublon"}, headers=manager
    )
    assert again.status_code == 404


def test_validation_errors_speak_the_callers_language(
    client: TestClient, session: Session, world: World
) -> None:
    headers = bearer(session, world.users["clinician_a"].username)
    body = child(world, given_name="", birth_date="demain")
    french = client.post("/api/v1/patients", json=body, headers=headers)
    assert french.status_code == 422
    payload = french.json()
    assert payload["code"] == "CORE_004"
    assert set(payload["context"]["fields"]) == {"given_name", "birth_date"}
    assert payload["context"]["fields"]["given_name"] == "Ce champ est trop court."
    english = client.post(
        "/api/v1/patients", json=body, headers={**headers, "Accept-Language": "en"}
    )
    assert english.json()["context"]["fields"]["given_name"] == "This field is too short."


def test_nul_bytes_and_huge_values_are_refused_not_500(
    client: TestClient, session: Session, world: World
) -> None:
    headers = bearer(session, world.users["clinician_a"].username)
    for body in (
        child(world, given_name="A\x00B"),
        child(world, given_name="x" * 5000),
        child(world, estimated_age_months=10**20, birth_date=None),
        child(world, birth_date="0000-01-01"),
    ):
        response = client.post("/api/v1/patients", json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)


def test_places_are_scoped(client: TestClient, session: Session, world: World) -> None:
    clinician = bearer(session, world.users["clinician_a"].username)
    codes = [p["code"] for p in client.get("/api/v1/places", headers=clinician).json()["items"]]
    assert codes == [world.facility_a.code]
    assert (
        client.get(f"/api/v1/places/{world.facility_b.code}", headers=clinician).status_code == 404
    )
    admin = bearer(session, world.users["administrator"].username)
    assert (
        client.get(f"/api/v1/places/{world.facility_b.code}", headers=admin).json()["kind"]
        == "facility"
    )


def test_openapi_schema_is_served(client: TestClient) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/patients" in schema["paths"]
    assert "/api/v1/places" in schema["paths"]
