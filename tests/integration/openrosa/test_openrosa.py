"""OpenRosa server: a Collect-like device lists, downloads, preflights and submits forms.

Submissions go through the services of the web forms: the screening and the visit appear where
the web would show them, with the dose the protocol gives; replays are idempotent; another XML
under the same instance ID is refused (409); unreadable XML is refused (400) and kept; what the
rules refuse is kept and listed for the data manager (on SQLite and PostgreSQL).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from defusedxml.ElementTree import fromstring
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.alliance.models import DataPeriod
from alima.alliance.rules import months_before
from alima.care.enums import Classification
from alima.care.service.consultations import get_consultation
from alima.community.models import Screening
from alima.core.time import today, utcnow
from alima.interop.openrosa import service
from alima.interop.openrosa.catalogue import CONSULTATION, SCREENING, VISIT, find_form
from alima.interop.openrosa.enums import SubmissionStatus
from alima.interop.openrosa.models import Submission
from alima.interop.openrosa.schemas import SubmissionReapply, SubmissionReject
from alima.nutrition import service as nutrition
from alima.nutrition.schemas import VisitCreate
from tests.factories.alliance import build_alliance
from tests.factories.core import PASSWORD, World, csrf, sign_in
from tests.factories.nutrition import admit_sam_child
from tests.factories.openrosa import screening_xml

NS = {"x": "http://openrosa.org/xforms/xformsList", "r": "http://openrosa.org/http/response"}


def basic(username: str, password: str = PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-OpenRosa-Version": "1.0"}


@pytest.fixture
def device(app: FastAPI) -> Iterator[TestClient]:
    """A device talking to the server over HTTPS (as behind the reverse proxy)."""
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c


def visit_xml(
    instance_id: str, identifier: str, *, weight: str = "6.3", on: date | None = None
) -> bytes:
    form = find_form(VISIT)
    assert form is not None
    return f"""<data id="{VISIT}" version="{form.version}">
  <patient_identifier>{identifier}</patient_identifier><visit_on>{(on or today()).isoformat()}</visit_on>
  <weight_kg>{weight}</weight_kg><height_cm/><measure/><muac_mm>114</muac_mm>
  <oedema>none</oedema><temperature_c/><appetite_test_passed>yes</appetite_test_passed>
  <danger_signs>no</danger_signs><complications>no</complications>
  <confirm_unusual>no</confirm_unusual><note/>
  <orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>{instance_id}</orx:instanceID></orx:meta>
</data>""".encode()


def post(
    device: TestClient, username: str, xml: bytes, *extra: tuple[str, bytes]
) -> tuple[int, str]:
    files = [("xml_submission_file", ("submission.xml", xml, "text/xml"))]
    files += [(name, (name, content, "image/jpeg")) for name, content in extra]
    response = device.post("/openrosa/submission", files=files, headers=basic(username))
    assert response.headers["X-OpenRosa-Version"] == "1.0"
    envelope = fromstring(response.content)
    assert envelope.tag == "{http://openrosa.org/http/response}OpenRosaResponse"
    message = envelope.find("r:message", NS)
    assert message is not None
    return response.status_code, message.text or ""


def rows(session: Session, instance_id: str | None = None) -> list[Submission]:
    with session.begin():
        query = select(Submission).order_by(Submission.created_at)
        if instance_id is not None:
            query = query.where(Submission.instance_id == instance_id)
        found = list(session.scalars(query))
        session.expunge_all()
        return found


def test_collect_lists_downloads_and_preflights(device: TestClient, world: World) -> None:
    user = world.users["clinician_a"].username
    assert device.get("/openrosa/formList").status_code == 401
    listed = device.get("/openrosa/formList", headers=basic(user))
    assert listed.status_code == 200
    assert listed.headers["X-OpenRosa-Version"] == "1.0"
    assert listed.headers["content-type"] == "text/xml; charset=utf-8"
    forms = fromstring(listed.content).findall("x:xform", NS)
    assert {f.findtext("x:formID", namespaces=NS) for f in forms} >= {SCREENING, VISIT}
    for entry in forms:
        download = device.get(
            entry.findtext("x:downloadUrl", namespaces=NS) or "", headers=basic(user)
        )
        assert download.status_code == 200
        digest = __import__("hashlib").md5(download.content).hexdigest()
        assert entry.findtext("x:hash", namespaces=NS) == f"md5:{digest}"
        manifest = device.get(
            entry.findtext("x:manifestUrl", namespaces=NS) or "", headers=basic(user)
        )
        assert manifest.status_code == 200
    head = device.head("/openrosa/submission", headers=basic(user))
    assert head.status_code == 204
    assert head.headers["X-OpenRosa-Version"] == "1.0"
    assert int(head.headers["X-OpenRosa-Accept-Content-Length"]) > 1_000_000
    wrong = device.head("/openrosa/submission", headers=basic(user, "wrong password"))
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")


def test_basic_password_is_refused_in_clear(app: FastAPI, world: World) -> None:
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as plain:
        response = plain.get(
            "/openrosa/formList", headers=basic(world.users["clinician_a"].username)
        )
    assert response.status_code == 403
    assert "HTTPS" in response.text


def test_aggregate_readers_get_no_forms(device: TestClient, world: World) -> None:
    response = device.get("/openrosa/formList", headers=basic(world.users["researcher"].username))
    assert response.status_code == 403


def test_screening_submitted_is_recorded_once(
    device: TestClient, session: Session, world: World
) -> None:
    user = world.users["clinician_a"].username
    instance = f"uuid:{uuid.uuid4()}"
    xml = screening_xml(instance, patient=world.patient_a.identifier)
    status, message = post(device, user, xml, ("photo.jpg", b"\xff\xd8jpeg"))
    assert status == 201, message
    assert message == "Formulaire reçu et enregistré."
    [row] = rows(session, instance)
    assert row.status == SubmissionStatus.APPLIED
    assert row.entity_type == "community_screening"
    assert row.patient_id == world.patient_a.id
    # The same XML again (the device did not hear the answer): acknowledged, nothing new.
    again, _ = post(device, user, xml)
    assert again == 202
    assert len(rows(session, instance)) == 1
    with session.begin():
        screenings = session.scalars(
            select(Screening).where(Screening.patient_id == world.patient_a.id)
        ).all()
        assert [s.id for s in screenings] == [row.entity_id]
        assert screenings[0].muac_band == "red"
        assert screenings[0].referral is not None
    sign_in(device, user)
    page = device.get(f"/community/screenings/{row.entity_id}")
    assert page.status_code == 200
    assert "Fanta" in page.text


def test_another_xml_under_the_same_instance_id_is_a_conflict(
    device: TestClient, session: Session, world: World
) -> None:
    user = world.users["clinician_a"].username
    instance = f"uuid:{uuid.uuid4()}"
    assert post(device, user, screening_xml(instance, muac=130))[0] == 201
    status, message = post(device, user, screening_xml(instance, muac=131))
    assert status == 409
    assert instance in message
    kept = rows(session, instance)
    assert [r.status for r in kept] == [SubmissionStatus.APPLIED, SubmissionStatus.CONFLICT]
    with session.begin():
        count = session.scalar(
            select(func.count()).select_from(Screening).where(Screening.muac_mm.in_([130, 131]))
        )
    assert count == 1


@pytest.mark.parametrize(
    "xml",
    [
        b"<data id='alima_community_screening'><muac_mm>12",
        b"<data id='alima_unknown'><meta><instanceID>uuid:x</instanceID></meta></data>",
        b"<data id='alima_community_screening'><muac_mm>120</muac_mm></data>",
        b'<!DOCTYPE d [<!ENTITY e "x">]><data id="alima_community_screening">&e;</data>',
    ],
)
def test_malformed_is_refused_and_kept(
    device: TestClient, session: Session, world: World, xml: bytes
) -> None:
    status, message = post(device, world.users["clinician_a"].username, xml)
    assert status == 400
    assert message
    [row] = [r for r in rows(session) if r.xml_md5 == __import__("hashlib").md5(xml).hexdigest()]
    assert row.status == SubmissionStatus.MALFORMED
    assert row.place_id == world.facility_a.id


def test_no_submission_part_is_a_bad_request(device: TestClient, world: World) -> None:
    response = device.post(
        "/openrosa/submission",
        files=[("other", ("a.xml", b"<data/>", "text/xml"))],
        headers=basic(world.users["clinician_a"].username),
    )
    assert response.status_code == 400
    assert "xml_submission_file" in response.text


def test_refused_by_the_protocol_is_listed_then_fixed_or_rejected(
    device: TestClient, session: Session, world: World
) -> None:
    user = world.users["clinician_a"].username
    first, second = f"uuid:{uuid.uuid4()}", f"uuid:{uuid.uuid4()}"
    sent = screening_xml(first, age=3)
    status, message = post(device, user, sent)
    assert status == 202
    assert "6 à 59 mois" in message
    assert post(device, user, screening_xml(second, age=2))[0] == 202
    manager = world.actors["data_manager"]
    waiting = {r.instance_id: r for r in service.to_review(session, actor=manager)}
    assert waiting[first].status == SubmissionStatus.REFUSED
    assert "59" in (waiting[first].reason or "")
    # Out of the clinician of facility B's scope, and not a data manager's tool for clinicians.
    with pytest.raises(Exception, match="CORE_002"):
        service.to_review(session, actor=world.actors["clinician_b"])
    # The data manager corrects the age (the nurse typed months as years) and re-applies.
    fixed = screening_xml(first, age=30).decode()
    result = service.reapply(
        session, waiting[first].id, SubmissionReapply(corrected_xml=fixed), actor=manager
    )
    assert result.status == SubmissionStatus.APPLIED
    assert result.entity_type == "community_screening"
    rejected = service.reject(
        session, waiting[second].id, SubmissionReject(reason="Doublon papier"), actor=manager
    )
    assert rejected.status == SubmissionStatus.REJECTED
    assert {r.instance_id for r in service.to_review(session, actor=manager)}.isdisjoint(
        {first, second}
    )
    [kept] = rows(session, first)
    assert kept.xml == sent.decode()  # what the device sent stays


def test_visit_submitted_appears_on_the_card_with_the_protocol_dose(
    device: TestClient, session: Session, world: World
) -> None:
    """Two identical children: one visit sent from a device, the same visit from the web form."""
    clinician = world.actors["clinician_a"]
    day = today()  # both visits on one day, even when the test runs across midnight
    week_ago = day - timedelta(days=7)
    by_device = admit_sam_child(session, world, admitted_on=week_ago)
    by_web = admit_sam_child(session, world, admitted_on=week_ago)
    episode = nutrition.get_episode(session, by_device.episode_id, actor=clinician)
    instance = f"uuid:{uuid.uuid4()}"
    status, message = post(
        device,
        world.users["clinician_a"].username,
        visit_xml(instance, episode.patient_identifier, on=day),
    )
    assert status == 201, message
    [row] = rows(session, instance)
    web = nutrition.record_visit(
        session,
        by_web.episode_id,
        VisitCreate(visit_on=day, weight_kg=6.3, muac_mm=114, appetite_test_passed=True),
        actor=clinician,
    )
    card = nutrition.get_episode(session, by_device.episode_id, actor=clinician)
    visit = next(v for v in card.visits if v.id == row.entity_id)
    assert visit.weight_kg == pytest.approx(6.3)
    assert visit.sachets_given > 0
    assert (visit.band, visit.sachets_given, visit.next_visit_on, visit.alerts) == (
        web.visit.band,
        web.visit.sachets_given,
        web.visit.next_visit_on,
        web.visit.alerts,
    )
    assert card.sachets_per_week == web.rutf_sachets_per_week
    sign_in(device, world.users["clinician_a"].username)
    page = device.get(f"/nutrition/episodes/{by_device.episode_id}")
    assert page.status_code == 200
    assert "6,3" in page.text


def test_a_month_approved_and_locked_refuses_the_submission(
    device: TestClient, session: Session, world: World
) -> None:
    alliance = build_alliance(session, world)
    month = months_before(today().replace(day=1), 12)
    with session.begin():
        session.add(
            DataPeriod(
                project_id=alliance.period.project_id,
                place_id=world.facility_a.id,
                starts_on=month,
                status="approved",
                round=1,
                submitted_by_id=alliance.period.submitted_by_id,
                approved_at=utcnow(),
            )
        )
    instance = f"uuid:{uuid.uuid4()}"
    xml = screening_xml(instance, on=month + timedelta(days=3))
    status, message = post(device, world.users["clinician_a"].username, xml)
    assert status == 202
    [row] = rows(session, instance)
    assert row.status == SubmissionStatus.REFUSED
    assert row.reason_code == "ALLIANCE_005"
    assert message.startswith("Formulaire reçu mais non enregistré")


def test_visit_for_a_child_without_open_episode_is_refused_and_kept(
    device: TestClient, session: Session, world: World
) -> None:
    instance = f"uuid:{uuid.uuid4()}"
    status, message = post(
        device, world.users["clinician_a"].username, visit_xml(instance, world.patient_a.identifier)
    )
    assert status == 202
    assert world.patient_a.identifier in message
    [row] = rows(session, instance)
    assert row.status == SubmissionStatus.REFUSED
    assert row.reason_code == "ODK_007"


def test_data_manager_reviews_on_the_page(
    device: TestClient, session: Session, world: World
) -> None:
    instance = f"uuid:{uuid.uuid4()}"
    assert (
        post(device, world.users["clinician_a"].username, screening_xml(instance, age=4))[0] == 202
    )
    [row] = rows(session, instance)
    sign_in(device, world.users["data_manager"].username)
    listing = device.get("/openrosa/review")
    assert listing.status_code == 200
    assert f"/openrosa/review/{row.id}" in listing.text
    assert "refusée par les règles" in listing.text
    page = device.get(f"/openrosa/review/{row.id}")
    assert page.status_code == 200
    assert "6 à 59 mois" in page.text
    empty = device.post(
        f"/openrosa/review/{row.id}/reject", data={"reason": "", "csrf_token": csrf(device)}
    )
    assert empty.status_code == 422
    done = device.post(
        f"/openrosa/review/{row.id}/reject",
        data={"reason": "Enfant trop jeune, vu au CSCom", "csrf_token": csrf(device)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert f"/openrosa/review/{row.id}" not in device.get("/openrosa/review").text
    assert device.get(f"/openrosa/review/{row.id}").status_code == 200
    # A clinician has no review page.
    sign_in(device, world.users["clinician_a"].username)
    assert device.get("/openrosa/review").status_code == 403


def consultation_xml(instance_id: str, identifier: str, *, muac: str = "128") -> bytes:
    form = find_form(CONSULTATION)
    assert form is not None
    return f"""<data id="{CONSULTATION}" version="{form.version}">
  <patient_identifier>{identifier}</patient_identifier><consulted_on>{today().isoformat()}</consulted_on>
  <weight_kg>8.4</weight_kg><temperature_c>38.6</temperature_c><breaths_per_minute>56</breaths_per_minute>
  <cough>yes</cough><chest_indrawing>no</chest_indrawing><stridor>no</stridor>
  <fever_history>yes</fever_history><stiff_neck>no</stiff_neck>
  <danger_signs/><rdt_result>rdt_positive</rdt_result><malaria_treatment>act</malaria_treatment>
  <muac_mm>{muac}</muac_mm><oedema>none</oedema><diagnoses/><referred>no</referred>
  <referred_to/><note/>
  <meta><instanceID>{instance_id}</instanceID></meta>
</data>""".encode()


def test_consultation_submitted_gets_the_imci_triage(
    device: TestClient, session: Session, world: World
) -> None:
    instance = f"uuid:{uuid.uuid4()}"
    xml = consultation_xml(instance, world.patient_a.identifier)
    status, message = post(device, world.users["clinician_a"].username, xml)
    assert status == 201, message
    [row] = rows(session, instance)
    assert row.entity_type == "care_consultation"
    assert row.entity_id is not None
    read = get_consultation(session, row.entity_id, actor=world.actors["clinician_a"])
    assert read.patient_id == world.patient_a.id
    assert {Classification.PNEUMONIA, Classification.MALARIA} <= set(read.classifications)
    # A child of 13 months without MUAC: the consultation service refuses it, kept for review.
    missing = f"uuid:{uuid.uuid4()}"
    status, _ = post(
        device,
        world.users["clinician_a"].username,
        consultation_xml(missing, world.patient_a.identifier, muac=""),
    )
    assert status == 202
    assert rows(session, missing)[0].status == SubmissionStatus.REFUSED


def test_behind_the_tls_proxy_devices_get_https_addresses(app: FastAPI, world: World) -> None:
    app.state.settings = app.state.settings.model_copy(update={"secure_cookies": True})
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as proxy:
        listed = proxy.get("/openrosa/formList", headers=basic(world.users["clinician_a"].username))
    assert listed.status_code == 200
    urls = [u.text or "" for u in fromstring(listed.content).iter(f"{{{NS['x']}}}downloadUrl")]
    assert urls
    assert all(u.startswith("https://testserver/openrosa/forms/") for u in urls)


def test_a_large_submission_split_over_posts_keeps_every_file(
    device: TestClient, session: Session, world: World
) -> None:
    user = world.users["clinician_a"].username
    instance = f"uuid:{uuid.uuid4()}"
    xml = screening_xml(instance)
    assert post(device, user, xml, ("arm.jpg", b"\xff\xd8one"))[0] == 201
    assert (
        post(device, user, xml, ("arm.jpg", b"\xff\xd8one"), ("tape.jpg", b"\xff\xd8two"))[0] == 202
    )
    detail = service.get_submission(
        session, rows(session, instance)[0].id, actor=world.actors["data_manager"]
    )
    assert [(f.filename, f.size) for f in detail.files] == [("arm.jpg", 5), ("tape.jpg", 5)]
    assert device.head("/openrosa/submission").status_code == 401


def test_a_post_without_the_openrosa_header_is_refused(device: TestClient, world: World) -> None:
    """A form on another site can post multipart, but cannot add this header."""
    headers = basic(world.users["clinician_a"].username)
    del headers["X-OpenRosa-Version"]
    xml = screening_xml(f"uuid:{uuid.uuid4()}")
    response = device.post(
        "/openrosa/submission",
        files=[("xml_submission_file", ("s.xml", xml, "text/xml"))],
        headers=headers,
    )
    assert response.status_code == 403
    assert "X-OpenRosa-Version" in response.text
