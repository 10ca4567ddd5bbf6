"""The FHIR API over HTTP: errors as OperationOutcomes, access, read audit, paging, export."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.models import AuditEvent
from alima.core.time import utcnow
from tests.factories.core import World, bearer
from tests.interop.fhir.conftest import Caseload, validate
from tests.security.hostile import SAMPLES

FHIR_JSON = "application/fhir+json"


def _get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(f"/fhir/{path}", headers=headers, params=params)
    assert response.headers["content-type"].startswith(FHIR_JSON), response.text
    return response


def _outcome(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    validate(body)
    assert body["issue"][0]["diagnostics"] == code


def test_metadata_is_a_capability_statement(client: TestClient) -> None:
    response = _get(client, "metadata", {})
    assert response.status_code == 200
    statement = validate(response.json())
    served = {r.type for r in statement.rest[0].resource}
    assert served == {
        "Patient",
        "EpisodeOfCare",
        "Condition",
        "Encounter",
        "Observation",
        "MedicationDispense",
        "Location",
        "Organization",
    }
    assert statement.fhirVersion == "4.0.1"


def test_errors_are_operation_outcomes(
    client: TestClient, session: Session, world: World, caseload: Caseload
) -> None:
    _outcome(_get(client, "Patient", {}), 401, "CORE_003")
    assert client.get("/fhir/Patient").headers["www-authenticate"] == "Bearer"
    headers = bearer(session, world.users["clinician_a"].username)
    _outcome(_get(client, "Patient", headers, name="x"), 400, "FHIR_001")
    _outcome(_get(client, "Observation", headers, date="ge2024-13-01"), 400, "FHIR_002")
    _outcome(_get(client, "Observation", headers, date="ap2024"), 400, "FHIR_002")
    _outcome(_get(client, "Observation", headers, _count="100000"), 400, "FHIR_002")
    _outcome(_get(client, "Encounter", headers, patient="not-an-id"), 400, "FHIR_002")
    _outcome(_get(client, "Medication", headers), 404, "FHIR_003")
    _outcome(_get(client, "Patient/not-an-id", headers), 404, "CORE_001")
    _outcome(_get(client, f"Patient/{caseload.b_patient}", headers), 404, "CORE_001")
    _outcome(_get(client, f"Observation/{caseload.a.visit.id}-nothing", headers), 404, "CORE_001")
    _outcome(_get(client, "Patient/x/y/z", headers), 404, "HTTP_404")
    partner = bearer(session, world.users["partner_viewer"].username)
    _outcome(_get(client, "Observation", partner), 403, "FHIR_005")
    _outcome(_get(client, f"Patient/{caseload.a_patient}", partner), 404, "CORE_001")
    # French first: the reader's language.
    french = _get(client, "Patient", {**headers, "Accept-Language": "fr"}, name="x")
    assert "paramètre" in french.json()["issue"][0]["details"]["text"]


def test_reads_are_audited_per_patient(
    client: TestClient, session: Session, world: World, caseload: Caseload
) -> None:
    headers = bearer(session, world.users["data_manager"].username)
    started = utcnow()
    response = _get(client, "Observation", headers, code="29463-7")
    assert response.status_code == 200
    bundle = response.json()
    validate(bundle)
    assert {e["resource"]["subject"]["reference"] for e in bundle["entry"]} == {
        f"Patient/{caseload.a_patient}",
        f"Patient/{caseload.b_patient}",
    }
    assert _get(client, f"Patient/{caseload.a_patient}", headers).status_code == 200
    clinician = bearer(session, world.users["clinician_a"].username)
    assert _get(client, f"Patient/{caseload.b_patient}", clinician).status_code == 404
    with session.begin():
        events = session.scalars(select(AuditEvent).where(AuditEvent.at >= started)).all()
        reads = sorted(
            (e.action, str(e.patient_id), e.detail or "")
            for e in events
            if e.entity_type.startswith("fhir")
        )
    assert reads == sorted(
        [
            ("read", caseload.a_patient, "list: FHIR Observation search"),
            ("read", caseload.b_patient, "list: FHIR Observation search"),
            ("read", caseload.a_patient, ""),
            ("read_denied", caseload.b_patient, ""),  # as the patient pages audit it
        ]
    )


def test_search_pages_add_up_to_everything(
    client: TestClient, session: Session, world: World, caseload: Caseload
) -> None:
    headers = bearer(session, world.users["clinician_a"].username)
    everything = _get(client, f"Patient/{caseload.a_patient}/$everything", headers).json()
    expected = {
        (e["resource"]["resourceType"], e["resource"]["id"])
        for e in everything["entry"]
        if e["resource"]["resourceType"] in {"Observation", "Encounter", "MedicationDispense"}
    }
    seen: set[tuple[str, str]] = set()
    for resource_type in ("Observation", "Encounter", "MedicationDispense"):
        url: str | None = f"/fhir/{resource_type}?patient={caseload.a_patient}&_count=3"
        total = None
        while url:
            bundle = client.get(url, headers=headers).json()
            validate(bundle)
            total = bundle["total"]
            seen |= {(resource_type, e["resource"]["id"]) for e in bundle["entry"]}
            assert len(bundle["entry"]) <= 3
            nxt = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
            url = nxt[0].removeprefix("http://testserver") if nxt else None
        assert total == len({s for s in seen if s[0] == resource_type})
    assert seen == expected
    # Reading each by id gives the same resource as the search.
    for resource_type, resource_id in sorted(expected)[:6]:
        assert _get(client, f"{resource_type}/{resource_id}", headers).json()["id"] == resource_id


def test_searches_filter_as_asked(
    client: TestClient, session: Session, world: World, caseload: Caseload
) -> None:
    headers = bearer(session, world.users["data_manager"].username)

    def ids(path: str, **params: Any) -> set[str]:
        bundle = _get(client, path, headers, **params).json()
        return {e["resource"]["id"] for e in bundle["entry"]}

    admitted = caseload.a.visit.visit_on
    assert ids("EpisodeOfCare", patient=caseload.a_patient) == {str(caseload.a.episode_id)}
    assert ids("EpisodeOfCare", date=f"gt{admitted}") == set()
    assert ids("EpisodeOfCare", date=f"le{admitted}") >= {
        str(caseload.a.episode_id),
        str(caseload.b.episode_id),
    }
    assert ids("Condition", code="http://hl7.org/fhir/sid/icd-10|E43") >= {
        str(caseload.a.episode_id)
    }
    assert ids("Condition", code="E44.0", patient=caseload.a_patient) == set()
    assert ids("Encounter", patient=caseload.a_patient, date=f"lt{admitted}") == set()
    assert len(ids("Encounter", patient=caseload.a_patient, date=admitted.isoformat())) == 1
    assert ids("Encounter", patient=caseload.a_patient, date=admitted.strftime("%Y")) >= {
        str(caseload.a.visit.id)
    }
    future = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids("Patient", _lastUpdated=f"ge{future}") == set()
    assert ids("Patient", _id=caseload.a_patient) == {caseload.a_patient}
    assert ids("Observation", _id=f"{caseload.a.visit.id}-muac") == {f"{caseload.a.visit.id}-muac"}
    assert _get(client, "Patient", headers, _count="0").json()["total"] >= 2
    locations = ids("Location", identifier=world.facility_a.code)
    assert locations == {str(world.facility_a.id)}


def test_bulk_export_of_a_site(
    client: TestClient, session: Session, world: World, caseload: Caseload
) -> None:
    coordinator = bearer(session, world.users["coordinator"].username)
    started = utcnow()
    response = client.get(
        "/fhir/$export", headers=coordinator, params={"site": world.district.code}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/fhir+ndjson")
    lines = [json.loads(line) for line in response.text.splitlines()]
    for resource in lines:
        validate(resource)
    subjects = {r.get("subject", {}).get("reference") for r in lines}
    assert {f"Patient/{caseload.a_patient}", f"Patient/{caseload.b_patient}"} <= subjects
    kinds = {r["resourceType"] for r in lines}
    assert kinds >= {"Patient", "EpisodeOfCare", "Observation", "MedicationDispense", "Location"}
    with session.begin():
        audited = [
            str(e.patient_id)
            for e in session.scalars(select(AuditEvent).where(AuditEvent.at >= started))
            if e.detail == f"list: FHIR export {world.district.code}"
        ]
    # One read per child exported, whatever the number of its resources.
    assert {caseload.a_patient, caseload.b_patient} <= set(audited)
    assert len(audited) == len(set(audited))

    only = client.get(
        "/fhir/$export",
        headers=coordinator,
        params={"site": world.facility_a.code, "_type": "Patient"},
    )
    patients = {json.loads(line)["id"] for line in only.text.splitlines()}
    assert caseload.a_patient in patients
    assert caseload.b_patient not in patients
    future = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = client.get(
        "/fhir/$export",
        headers=coordinator,
        params={"site": world.district.code, "_since": future, "_type": "Patient,Observation"},
    )
    assert later.status_code == 200
    assert later.text == ""

    _outcome(client.get("/fhir/$export", headers=coordinator), 400, "FHIR_004")
    _outcome(
        client.get("/fhir/$export", headers=coordinator, params={"site": "X", "_type": "Drug"}),
        400,
        "FHIR_002",
    )
    clinician = bearer(session, world.users["clinician_a"].username)
    _outcome(
        client.get("/fhir/$export", headers=clinician, params={"site": world.facility_a.code}),
        404,
        "CORE_011",
    )


def test_hostile_queries_get_a_clear_answer(
    client: TestClient, session: Session, world: World, caseload: Caseload
) -> None:
    headers = bearer(session, world.users["data_manager"].username)
    for value in (*SAMPLES, "\x00", "ge" + "9" * 40, "Patient/" + "x" * 500, "|", "a|b|c"):
        for resource_type in ("Observation", "Location"):
            for name in ("_id", "patient", "date", "code", "identifier", "_lastUpdated"):
                response = client.get(
                    f"/fhir/{resource_type}", headers=headers, params={name: value}
                )
                assert response.status_code in {200, 400}, (resource_type, name, value)
                validate(response.json())
        response = client.get(f"/fhir/Observation/{quote(value, safe='')}", headers=headers)
        assert response.status_code in {400, 404}, value
