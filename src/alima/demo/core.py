"""Load the core demo data: organisations, places, a co-managed project, users, patients."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alima.core.access import child_path
from alima.core.audit import record, snapshot
from alima.core.enums import AuditAction, OrganisationKind, PartnerRole, Role
from alima.core.models import (
    Organisation,
    Patient,
    Place,
    PlacePopulation,
    Project,
    ProjectPartner,
    ProjectPlace,
    User,
)
from alima.core.security import hash_password
from alima.demo.common import add_user, identity, new_id
from alima.demo.places import (
    DISPLACEMENT_SITES,
    FAMILY_NAMES,
    GIVEN_NAMES_F,
    GIVEN_NAMES_M,
    PLACES,
    VILLAGES,
)

SEED = 20261121
DEMO_PASSWORD = "alima-demo-2026"  # noqa: S105 - printed on purpose: demo accounts only
PATIENT_COUNT = 400
PROJECT_CODE = "ML-NUT-2026"


@dataclass(frozen=True)
class DemoLogin:
    """A demo account, printed by ``make run``."""

    username: str
    password: str
    role: str
    scope: str


DEMO_USERS: list[tuple[str, str, Role, str | None, str | None, str]] = [
    # username, full name, role, place code, project code, organisation code
    ("clinicien", "Aminata Coulibaly", Role.CLINICIAN, "ML-SEG-NIO-NC-CS", None, "AMCP-SP"),
    ("gestionnaire", "Oumar Traoré", Role.DATA_MANAGER, "ML-SEG-NIO", None, "ALIMA"),
    ("coordinateur", "Fatoumata Diarra", Role.COORDINATOR, None, PROJECT_CODE, "AMCP-SP"),
    ("chercheur", "Seydou Keïta", Role.RESEARCHER, None, PROJECT_CODE, "INSERM"),
    ("partenaire", "Mariam Sangaré", Role.PARTNER_VIEWER, None, PROJECT_CODE, "AMCP-SP"),
    ("admin", "Boubacar Touré", Role.ADMINISTRATOR, "ML", None, "ALIMA"),
]
#: Accounts added later, drawn from their own generator so that the children stay the same.
LATER_USERS: list[tuple[str, str, Role, str | None, str | None, str]] = [
    ("moniteur", "Awa Dembélé", Role.MONITOR, "ML-SEG-NIO", None, "INSERM"),  # a study's monitor
]


def is_empty(session: Session) -> bool:
    """True when no place exists yet (a fresh database)."""
    with session.begin():
        return (session.scalar(select(func.count()).select_from(Place)) or 0) == 0


def load(session: Session, *, today: date, patient_count: int = PATIENT_COUNT) -> list[DemoLogin]:
    """Insert the demo data in one transaction and return the demo logins."""
    rng = random.Random(SEED)
    password_hash = hash_password(DEMO_PASSWORD)
    with session.begin():
        orgs = {
            code: Organisation(
                id=new_id(rng), code=code, name=name, kind=kind.value, country_code=cc
            )
            for code, name, kind, cc in [
                (
                    "ALIMA",
                    "ALIMA (The Alliance for International Medical Action)",
                    OrganisationKind.INTERNATIONAL_NGO,
                    None,
                ),
                (
                    "AMCP-SP",
                    "AMCP-SP (Alliance Médicale Contre le Paludisme - Santé Pour tous)",
                    OrganisationKind.NATIONAL_NGO,
                    "MLI",
                ),
                (
                    "INSERM",
                    "Inserm (Institut national de la santé et de la recherche médicale)",
                    OrganisationKind.RESEARCH_INSTITUTE,
                    "FRA",
                ),
                (
                    "MSDS-ML",
                    "Ministère de la Santé et du Développement Social du Mali",
                    OrganisationKind.MINISTRY,
                    "MLI",
                ),
                (
                    "ECHO",
                    "Protection civile et aide humanitaire de l'Union européenne (ECHO)",
                    OrganisationKind.DONOR,
                    None,
                ),
            ]
        }
        session.add_all(orgs.values())

        places: dict[str, Place] = {}
        rows = list(PLACES)
        for index, (name, area_code) in enumerate(DISPLACEMENT_SITES, start=1):
            area = next(r for r in PLACES if r[0] == area_code)
            lat_site = (area[4] or 0.0) + rng.uniform(-0.03, 0.03)
            lon_site = (area[5] or 0.0) + rng.uniform(-0.03, 0.03)
            rows.append(
                (
                    f"{area_code}-PDI{index:02d}",
                    name,
                    "displacement_site",
                    area_code,
                    round(lat_site, 4),
                    round(lon_site, 4),
                    rng.randint(400, 3500),
                )
            )
        for code, name, kind, parent_code, lat, lon, population in rows:
            parent = places[parent_code] if parent_code else None
            place_id = new_id(rng)
            place = Place(
                id=place_id,
                code=code,
                name=name,
                kind=kind,
                parent_id=parent.id if parent else None,
                path=child_path(parent.path if parent else None, place_id),
                depth=(parent.depth + 1) if parent else 0,
                latitude=lat,
                longitude=lon,
            )
            places[code] = place
            session.add(place)
            if population:
                for year, factor in ((today.year - 1, 0.969), (today.year, 1.0)):
                    session.add(
                        PlacePopulation(
                            id=new_id(rng),
                            place_id=place_id,
                            year=year,
                            population=round(population * factor),
                            source="Projections INSTAT / DNS (démo)",
                        )
                    )
        session.flush()

        project = Project(
            id=new_id(rng),
            code=PROJECT_CODE,
            name="Nutrition et santé de l'enfant au Mali (co-géré ALIMA / AMCP-SP)",
            country_id=places["ML"].id,
            programme_areas=["nutrition", "consultations", "maternal_health", "mobile_clinics"],
            start_on=date(today.year - 1, 1, 1),
            end_on=date(today.year + 1, 12, 31),
        )
        session.add(project)
        session.flush()
        for org_code, partner_role in [
            ("ALIMA", PartnerRole.LEAD),
            ("AMCP-SP", PartnerRole.CO_LEAD),
            ("INSERM", PartnerRole.RESEARCH),
            ("ECHO", PartnerRole.FUNDER),
        ]:
            session.add(
                ProjectPartner(
                    id=new_id(rng),
                    project_id=project.id,
                    organisation_id=orgs[org_code].id,
                    role=partner_role.value,
                )
            )
        for district in ("ML-SEG-NIO", "ML-MOP-MOP", "ML-MOP-BDG", "ML-TBK-GDM", "ML-KKR-DIO"):
            session.add(
                ProjectPlace(id=new_id(rng), project_id=project.id, place_id=places[district].id)
            )

        logins: list[DemoLogin] = []
        users: dict[str, User] = {}
        # Accounts added later are drawn from their own generator (see ``LATER_USERS``).
        accounts = [(DEMO_USERS, rng), (LATER_USERS, random.Random(SEED + 1))]
        for listed, drawn in accounts:
            for username, full_name, role, place_code, project_code, org_code in listed:
                users[username] = add_user(
                    session,
                    drawn,
                    (username, full_name),
                    orgs[org_code],
                    role,
                    password_hash,
                    place=places[place_code] if place_code else None,
                    project=project if project_code else None,
                )
                scope = places[place_code].name if place_code else project.name
                logins.append(DemoLogin(username, DEMO_PASSWORD, role.value, scope))

        service_points = [
            p
            for p in places.values()
            if p.kind in {"facility", "mobile_clinic", "displacement_site"}
        ]
        # The demo clinician's centre gets a fuller register, so the home page is alive.
        weights = [6 if p.code == "ML-SEG-NIO-NC-CS" else 1 for p in service_points]
        counters: dict[str, int] = {}
        for _ in range(patient_count):
            place = rng.choices(service_points, weights=weights)[0]
            area_code = _health_area_code(place, places)
            villages = VILLAGES.get(area_code, ["Village"])
            sex = rng.choice(["F", "M"])
            given = rng.choice(GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M)
            family = rng.choice(FAMILY_NAMES)
            age_days = (
                int(rng.triangular(30, 1800, 400))
                if rng.random() < 0.85
                else rng.randint(1826, 14000)
            )
            birth = today - timedelta(days=age_days)
            estimated = rng.random() < 0.2
            if estimated:
                birth = date(birth.year, birth.month, 15)
            counters[place.code] = counters.get(place.code, 0) + 1
            created = datetime.combine(
                today - timedelta(days=rng.randint(0, 365)), time(8, rng.randint(0, 59)), tzinfo=UTC
            )
            village = rng.choice(villages)
            caregiver_family = family if rng.random() < 0.6 else rng.choice(FAMILY_NAMES)
            patient = Patient(
                id=new_id(rng),
                identifier=f"{place.code}-{counters[place.code]:05d}",
                **identity(given, family, village),
                sex=sex,
                birth_date=birth,
                birth_date_estimated=estimated,
                caregiver_name=f"{rng.choice(GIVEN_NAMES_F)} {caregiver_family}",
                phone=f"+223 {rng.choice([6, 7, 9])}{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
                if rng.random() < 0.7
                else None,
                place_id=place.id,
                created_at=created,
                updated_at=created,
            )
            session.add(patient)
            session.flush()
            event = record(
                session,
                None,
                AuditAction.CREATE,
                entity_type="patient",
                entity_id=patient.id,
                patient_id=patient.id,
                place_id=place.id,
                after=snapshot(
                    patient, ("given_name", "family_name", "sex", "birth_date", "village")
                ),
                detail="demo",
            )
            event.id = new_id(rng)
            event.at = created
    return logins


def _health_area_code(place: Place, places: dict[str, Place]) -> str:
    by_id = {p.id: p for p in places.values()}
    node: Place | None = place
    while node is not None:
        if node.kind == "health_area":
            return node.code
        node = by_id.get(node.parent_id) if node.parent_id else None
    # Facilities directly under a district draw villages from the district's first area.
    district = place.code.rsplit("-", 1)[0]
    return next((code for code in VILLAGES if code.startswith(district)), "")
