"""``push`` against a local DHIS2 stand-in: conflicts shown by figure and place, idempotent.

The stand-in (``tests/factories/dhis2_server.py``) is a real HTTP server that stores values
by (data element, period, organisation unit, combos) and answers DHIS2's import summaries.
Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.config import Settings
from alima.interop.dhis2 import service
from alima.interop.dhis2.schemas import DataElementMap, OrgUnitMap
from tests.factories.dhis2_server import PASSWORD, USERNAME, Dhis2Stub, running_dhis2
from tests.integration.interop.conftest import last_month


def _settings(url: str, password: str = PASSWORD) -> Settings:
    return Settings(
        env="test",
        dhis2_url=url,
        dhis2_username=USERNAME,
        dhis2_password=password,  # type: ignore[arg-type]  # pydantic makes it a SecretStr
        dhis2_timeout_seconds=10,
    )


def _stub_knowing(session: Session, actor: Actor) -> Dhis2Stub:
    mapping = service.export_mapping(session, "ML", actor=actor)
    return Dhis2Stub(
        data_elements={e.data_element for e in mapping.data_elements},
        org_units={o.org_unit for o in mapping.org_units},
        combos={e.category_option_combo for e in mapping.data_elements}
        | {mapping.attribute_option_combo},
    )


def test_a_month_sent_again_updates_never_duplicates(session: Session, demo_admin: Actor) -> None:
    month = last_month()
    with running_dhis2(_stub_knowing(session, demo_admin)) as dhis2:
        settings = _settings(dhis2.url)
        dry = service.push(session, month=month, settings=settings, dry_run=True, actor=demo_admin)
        assert dhis2.requests[-1]["query"] == {
            "importStrategy": "CREATE_AND_UPDATE",
            "dryRun": "true",
        }
        assert dry.dry_run and dry.status == "SUCCESS"
        assert dry.imported == dry.values_sent > 0
        assert dhis2.values == {}  # a dry run stores nothing

        first = service.push(session, month=month, settings=settings, actor=demo_admin)
        assert dhis2.requests[-1]["query"] == {"importStrategy": "CREATE_AND_UPDATE"}
        assert (first.status, first.imported, first.updated, first.ignored) == (
            "SUCCESS",
            first.values_sent,
            0,
            0,
        )
        stored = dict(dhis2.values)
        assert len(stored) == first.values_sent

        second = service.push(session, month=month, settings=settings, actor=demo_admin)
        assert second.imported == 0
        assert second.updated + second.ignored == second.values_sent
        assert dhis2.values == stored  # the same values, not twice
        assert second.payload_hash == first.payload_hash == dry.payload_hash

    pushes = service.list_pushes(session, actor=demo_admin)
    # Newest first; each push recorded with its answer and the fingerprint of what was sent.
    assert [(p.id, p.dry_run, p.imported, p.payload_hash) for p in pushes] == [
        (second.id, False, 0, first.payload_hash),
        (first.id, False, first.values_sent, first.payload_hash),
        (dry.id, True, first.values_sent, first.payload_hash),
    ]
    assert {p.month for p in pushes} == {month}


def test_conflicts_are_listed_by_figure_and_place(session: Session, demo_admin: Actor) -> None:
    month = last_month()
    mapping = service.export_mapping(session, "ML", actor=demo_admin)
    stub = _stub_knowing(session, demo_admin)
    unknown_element, unknown_unit = "zZ9unknown1", "zZ9unknown2"
    mapping.data_elements.append(
        DataElementMap(
            figure="TREAT-CONSULTATIONS",
            option="",
            data_element=unknown_element,
            category_option_combo="HllvX50cXC0",
        )
    )
    mapping.data_elements = [
        e
        for e in mapping.data_elements
        if not (e.figure == "TREAT-CONSULTATIONS" and e.data_element != unknown_element)
    ]
    place = mapping.org_units[0].place
    mapping.org_units[0] = OrgUnitMap(place=place, org_unit=unknown_unit)
    service.import_mapping(session, mapping, actor=demo_admin)
    units = len(mapping.org_units)

    with running_dhis2(stub) as dhis2:
        result = service.push(session, month=month, settings=_settings(dhis2.url), actor=demo_admin)
    assert result.status == "WARNING"
    assert result.http_status == 409
    by_element = [
        c
        for c in result.conflicts
        if c.data_element == unknown_element and c.reason.startswith("Data element")
    ]
    assert {c.place_code for c in by_element} == {o.place for o in mapping.org_units}
    assert all(c.figure == "TREAT-CONSULTATIONS" and c.error_code == "E7610" for c in by_element)
    by_unit = [
        c
        for c in result.conflicts
        if c.org_unit == unknown_unit and c.reason.startswith("Organisation unit")
    ]
    assert by_unit and {c.place_code for c in by_unit} == {place}
    elements = len(mapping.data_elements)
    refused = elements + units - 1  # a column and a row of the table, sharing one value
    assert result.ignored == refused
    assert result.imported == elements * units - refused

    stored = service.list_pushes(session, actor=demo_admin)[0]
    assert stored.conflicts == result.conflicts


def test_wrong_password_and_no_server_are_recorded(session: Session, demo_admin: Actor) -> None:
    month = last_month()
    with running_dhis2(_stub_knowing(session, demo_admin)) as dhis2:
        refused = service.push(
            session, month=month, settings=_settings(dhis2.url, "wrong"), actor=demo_admin
        )
        url = dhis2.url
    assert refused.http_status == 401 and refused.status == "UNREADABLE"
    gone = service.push(session, month=month, settings=_settings(url), actor=demo_admin)
    assert gone.http_status is None and gone.status == "UNREACHABLE"
    assert gone.description
    recorded = service.list_pushes(session, actor=demo_admin)
    assert [(p.id, p.status, p.http_status) for p in recorded] == [
        (gone.id, "UNREACHABLE", None),
        (refused.id, "UNREADABLE", 401),
    ]
