"""A real FHIR client (fhirpy) against a live alima: reads, searches, paging, $everything."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fhirpy import SyncFHIRClient
from fhirpy.base.exceptions import ForbiddenError, ResourceNotFound
from sqlalchemy.orm import Session

from alima.core.time import utcnow
from tests.factories.core import World, bearer
from tests.interop.fhir.conftest import Caseload, validate


def plain(resource: Any) -> dict[str, Any]:
    """A resource fhirpy returned, as plain JSON."""
    serialized: dict[str, Any] = resource.serialize()
    return serialized


def _client(fhir_base: str, session: Session, username: str) -> SyncFHIRClient:
    token = bearer(session, username)["Authorization"]
    return SyncFHIRClient(fhir_base, authorization=token)


def test_fhirpy_reads_and_searches_in_scope(
    fhir_base: str, session: Session, world: World, caseload: Caseload
) -> None:
    client = _client(fhir_base, session, world.users["clinician_a"].username)
    child = caseload.a_patient

    patients = client.resources("Patient").fetch_all()
    ids = {p.id for p in patients}
    assert {child, str(world.patient_a.id)} <= ids
    assert str(world.patient_b.id) not in ids  # facility B: out of the clinician's scope
    for p in patients:
        validate(plain(p))

    patient = client.reference("Patient", child).to_resource()
    assert validate(plain(patient)).birthDate is not None

    muacs = (
        client.resources("Observation")
        .search(patient=f"Patient/{child}", code="http://loinc.org|56072-2")
        .fetch_all()
    )
    assert sorted(o["valueQuantity"]["value"] for o in muacs) == [113, 116]
    later = (
        client.resources("Observation")
        .search(patient=child, code="56072-2", date=f"ge{caseload.a_visit.visit.visit_on}")
        .fetch_all()
    )
    assert [o["valueQuantity"]["value"] for o in later] == [116]

    # Paging: two per page, every page followed through the next links.
    every = client.resources("Observation").search(patient=child).limit(2).fetch_all()
    assert client.resources("Observation").search(patient=child).count() == len(every) > 4
    assert len({o.id for o in every}) == len(every)
    for o in every:
        validate(plain(o))

    since = utcnow() - timedelta(hours=1)
    changed = client.resources("Encounter").search(_lastUpdated=f"ge{since.isoformat()}")
    assert {e["subject"]["reference"] for e in changed.fetch_all()} == {f"Patient/{child}"}
    assert client.resources("Encounter").search(_lastUpdated=f"lt{since.isoformat()}").count() == 0

    bundle = client.execute(f"Patient/{child}/$everything", method="get")
    types = [e["resource"]["resourceType"] for e in bundle["entry"]]
    for t in ("Patient", "EpisodeOfCare", "Condition", "Encounter", "Observation"):
        assert t in types
    assert types.count("MedicationDispense") == 2
    assert validate(bundle).total == len(bundle["entry"])


def test_fhirpy_never_sees_another_facility(
    fhir_base: str, session: Session, world: World, caseload: Caseload
) -> None:
    client = _client(fhir_base, session, world.users["clinician_a"].username)
    other = caseload.b_patient
    with pytest.raises(ResourceNotFound):
        client.reference("Patient", other).to_resource()
    with pytest.raises(ResourceNotFound):
        client.reference("EpisodeOfCare", str(caseload.b.episode_id)).to_resource()
    with pytest.raises(ResourceNotFound):
        client.execute(f"Patient/{other}/$everything", method="get")
    assert client.resources("Observation").search(patient=other).fetch_all() == []
    assert client.resources("Condition").search(patient=other).count() == 0
    seen = {o["subject"]["reference"] for o in client.resources("Observation").fetch_all()}
    assert f"Patient/{other}" not in seen

    # The district's data manager sees both children.
    manager = _client(fhir_base, session, world.users["data_manager"].username)
    assert manager.reference("Patient", other).to_resource().id == other
    # An aggregates-only reader gets nothing patient-level.
    partner = _client(fhir_base, session, world.users["partner_viewer"].username)
    with pytest.raises(ForbiddenError):
        partner.resources("Patient").fetch_all()
