"""Builders for the core model (places, users with roles, patients) used by DB tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from alima.core.access import Actor, child_path
from alima.core.enums import Role
from alima.core.models import Patient, Place, RoleAssignment, User
from alima.core.security import hash_password
from alima.core.service.auth import actor_for
from alima.core.text import fold
from alima.core.time import today

PASSWORD = "correct-horse-battery"
_HASH = hash_password(PASSWORD)


@dataclass
class World:
    """A small health district: facilities A and B, and one user per role."""

    country: Place
    district: Place
    area_a: Place
    area_b: Place
    facility_a: Place
    facility_b: Place
    users: dict[str, User]
    actors: dict[str, Actor]
    patient_a: Patient
    patient_b: Patient


def make_place(session: Session, code: str, kind: str, parent: Place | None) -> Place:
    place_id = uuid.uuid4()
    place = Place(
        id=place_id,
        code=code,
        name=f"Place {code}",
        kind=kind,
        parent_id=parent.id if parent else None,
        path=child_path(parent.path if parent else None, place_id),
        depth=parent.depth + 1 if parent else 0,
    )
    session.add(place)
    session.flush()
    return place


def make_user(session: Session, username: str, role: Role, place: Place) -> User:
    user = User(username=username, full_name=username.title(), password_hash=_HASH)
    session.add(user)
    session.flush()
    session.add(RoleAssignment(user_id=user.id, role=role.value, place_id=place.id))
    session.flush()
    return user


def make_patient(
    session: Session,
    place: Place,
    *,
    given: str = "Aïssata",
    family: str = "Traoré",
    sex: str = "F",
    birth: date | None = None,
    village: str = "Molodo",
    identifier: str | None = None,
) -> Patient:
    patient = Patient(
        identifier=identifier or f"{place.code}-{uuid.uuid4().hex[:6]}",
        given_name=given,
        family_name=family,
        sex=sex,
        birth_date=birth or today() - timedelta(days=400),
        place_id=place.id,
        search_name=fold(f"{given} {family}"),
        search_village=fold(village),
        village=village,
    )
    session.add(patient)
    session.flush()
    return patient


def build_world(session: Session) -> World:
    with session.begin():
        suffix = uuid.uuid4().hex[:4].upper()
        country = make_place(session, f"T{suffix}", "country", None)
        district = make_place(session, f"T{suffix}-D", "district", country)
        area_a = make_place(session, f"T{suffix}-D-A", "health_area", district)
        area_b = make_place(session, f"T{suffix}-D-B", "health_area", district)
        facility_a = make_place(session, f"T{suffix}-D-A-CS", "facility", area_a)
        facility_b = make_place(session, f"T{suffix}-D-B-CS", "facility", area_b)
        users = {
            "clinician_a": make_user(
                session, f"clin_a_{suffix}".lower(), Role.CLINICIAN, facility_a
            ),
            "clinician_b": make_user(
                session, f"clin_b_{suffix}".lower(), Role.CLINICIAN, facility_b
            ),
            "data_manager": make_user(session, f"dm_{suffix}".lower(), Role.DATA_MANAGER, district),
            "coordinator": make_user(session, f"coord_{suffix}".lower(), Role.COORDINATOR, country),
            "researcher": make_user(session, f"res_{suffix}".lower(), Role.RESEARCHER, country),
            "partner_viewer": make_user(
                session, f"pv_{suffix}".lower(), Role.PARTNER_VIEWER, country
            ),
            "administrator": make_user(
                session, f"admin_{suffix}".lower(), Role.ADMINISTRATOR, country
            ),
            "monitor": make_user(session, f"mon_{suffix}".lower(), Role.MONITOR, district),
        }
        patient_a = make_patient(session, facility_a, given="Aïssata", family="Coulibaly")
        patient_b = make_patient(session, facility_b, given="Moussa", family="Keïta", sex="M")
        actors = {
            key: actor_for(session, user, channel="web", ip=None) for key, user in users.items()
        }
    # Detached, fully loaded objects: a later rolled-back use case cannot expire them.
    session.expunge_all()
    return World(
        country,
        district,
        area_a,
        area_b,
        facility_a,
        facility_b,
        users,
        actors,
        patient_a,
        patient_b,
    )


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a browser would (CSRF cookie + hidden field)."""
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf(client), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf(client: TestClient) -> str:
    """The CSRF token a page would put in its forms, for the client's cookies and session."""
    from alima.core.security import csrf_form_token

    nonce = client.cookies.get("alima_csrf")
    assert isinstance(nonce, str)
    secret = client.app.state.settings.secret_key.get_secret_value()  # type: ignore[attr-defined]
    return csrf_form_token(secret, nonce, client.cookies.get("alima_session") or "")


def bearer(session: Session, username: str) -> dict[str, str]:
    """``Authorization`` header of a new API token of ``username`` (valid one day)."""
    from alima.core.service import auth

    token = auth.create_api_token(session, username=username, name="test", days=1).token
    return {"Authorization": f"Bearer {token}"}
