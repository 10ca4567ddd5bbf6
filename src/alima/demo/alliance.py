"""Demo co-management of ML-NUT-2026: agreements, funding, approved months, trainings.

ALIMA leads with AMCP-SP as co-lead (both see patient-level data, capture, approve); Inserm
sees aggregates and exports them; ECHO sees aggregates only. An ECHO grant in euros and a
UNICEF grant in CFA francs fund the project, about a third going directly to AMCP-SP. The
months two and three months back are approved and locked at the two Niono health centres; last
month awaits AMCP-SP's approval. IPC, MUAC and CMAM trainings have participants, some trained
twice (counted once). Deterministic for a given ``today``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.alliance import rules
from alima.alliance.enums import DataAccess, ExportLevel, PeriodStatus
from alima.alliance.models import (
    Agreement,
    DataPeriod,
    FundingAllocation,
    FundingGrant,
    PeriodApproval,
    Training,
    TrainingParticipant,
)
from alima.core.audit import record
from alima.core.enums import AuditAction, OrganisationKind, Role
from alima.core.models import Organisation, Place, Project, User
from alima.core.security import hash_password
from alima.demo.common import add_user, new_id
from alima.demo.core import DEMO_PASSWORD, PROJECT_CODE
from alima.demo.places import FAMILY_NAMES, GIVEN_NAMES_F, GIVEN_NAMES_M

SEED = 20261122

#: The ALIMA coordinator who approves for the lead (the core demo's coordinator is AMCP-SP's).
LEAD_COORDINATOR = ("coordinateur-alima", "Ibrahim Maïga")
#: Sites whose past months are approved in the demo.
APPROVED_SITES = ("ML-SEG-NIO-NC-CS", "ML-SEG-NIO-CSREF")

AGREEMENTS: list[tuple[str, DataAccess, bool, bool, ExportLevel, str]] = [
    # organisation, access, capture, approve, export, reference
    ("ALIMA", DataAccess.PATIENT_LEVEL, True, True, ExportLevel.PATIENT_LEVEL, "Accord-cadre 2025"),
    (
        "AMCP-SP",
        DataAccess.PATIENT_LEVEL,
        True,
        True,
        ExportLevel.PATIENT_LEVEL,
        "Accord-cadre 2025",
    ),
    ("INSERM", DataAccess.AGGREGATES, False, False, ExportLevel.AGGREGATES, "Convention OptiMA"),
    ("ECHO", DataAccess.AGGREGATES, False, False, ExportLevel.NONE, "Contrat de subvention"),
]

CADRES = (
    "Infirmier(ère)",
    "Sage-femme",
    "Matrone",
    "Aide-soignant(e)",
    "Relais communautaire",
    "Médecin",
)

#: (title, topic, place code, days before today it ended, duration in days, participants)
TRAININGS: list[tuple[str, str, str, int, int, int]] = [
    ("Prévention et contrôle des infections au CSRef", "IPC", "ML-SEG-NIO-CSREF", 250, 3, 14),
    ("PCI : hygiène des mains et tri des patients", "IPC", "ML-MOP-MOP-CSREF", 160, 2, 12),
    ("Mesure du périmètre brachial (PB) par les relais", "MUAC", "ML-SEG-NIO-NC-CS", 75, 1, 18),
    ("Prise en charge de la malnutrition aiguë (OptiMA)", "CMAM", "ML-SEG-NIO-CSREF", 40, 4, 10),
    ("PCIMA : admission, dose d'ATPE, sortie", "CMAM", "ML-MOP-MOP-SEV-CS", 20, 3, 9),
    # The year before, which the impact page shows by default.
    ("PCI à l'hôpital de Goundam", "IPC", "ML-TBK-GDM-HOP", 420, 3, 16),
    ("Dépistage par le PB : formation des relais", "MUAC", "ML-KKR-DIO-DC-CS", 480, 2, 15),
    ("PCIMA pour les infirmiers des CSCom", "CMAM", "ML-MOP-BDG-BC-CS", 560, 4, 12),
    ("PCIME : signes généraux de danger et tri", "IMCI", "ML-SEG-NIO-CSREF", 610, 3, 14),
]


@dataclass(frozen=True)
class _Demo:
    """What every part of this loader works with."""

    session: Session
    rng: random.Random
    project: Project
    orgs: dict[str, Organisation]
    places: dict[str, Place]
    users: dict[str, User]
    today: date


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def load(session: Session, *, today: date) -> None:
    """Insert the co-management demo of ML-NUT-2026 in one transaction."""
    rng = random.Random(SEED)
    with session.begin():
        project = session.scalars(select(Project).where(Project.code == PROJECT_CODE)).one()
        orgs = {o.code: o for o in session.scalars(select(Organisation))}
        places = {p.code: p for p in session.scalars(select(Place))}
        users = {u.username: u for u in session.scalars(select(User))}
        unicef = Organisation(
            id=new_id(rng),
            code="UNICEF-ML",
            name="UNICEF Mali",
            kind=OrganisationKind.DONOR.value,
            country_code="MLI",
        )
        session.add(unicef)
        lead_coordinator = add_user(
            session,
            rng,
            LEAD_COORDINATOR,
            orgs["ALIMA"],
            Role.COORDINATOR,
            hash_password(DEMO_PASSWORD),
            project=project,
        )

        for code, access, capture, approve, export, reference in AGREEMENTS:
            session.add(
                Agreement(
                    id=new_id(rng),
                    project_id=project.id,
                    organisation_id=orgs[code].id,
                    role=None,
                    data_access=access.value,
                    may_capture=capture,
                    may_approve=approve,
                    export_level=export.value,
                    effective_from=project.start_on,
                    effective_to=project.end_on,
                    reference=reference,
                )
            )

        demo = _Demo(session, rng, project, orgs, places, users, today)
        _funding(demo, unicef)
        approved = _periods(demo, lead_coordinator)
        _trainings(demo)
        # Months are approved once their data are in: from then on the lock refuses writes
        # dated in them (alima.core.period_lock), the demo's own history included.
        for period, approved_at in approved:
            period.status = PeriodStatus.APPROVED.value
            period.approved_at = approved_at
        session.flush()


def _funding(demo: _Demo, unicef: Organisation) -> None:
    session, rng, project, orgs = demo.session, demo.rng, demo.project, demo.orgs
    year = demo.today.year
    grants = [
        # donor, reference, title, currency, amount, in EUR, allocations
        (
            orgs["ECHO"],
            f"ECHO/-ML/BUD/{year}/91012",
            "Réponse nutritionnelle et santé de l'enfant, Ségou et Mopti",
            "EUR",
            1_200_000,
            1_200_000,
            [("ALIMA", 780_000), ("AMCP-SP", 360_000)],
        ),
        (
            unicef,
            f"UNICEF-MLI-PCA-{year}-014",
            "Dépistage PB communautaire et prise en charge de la MAS",
            "XOF",
            131_191_400,  # 200 000 EUR at the fixed rate of 655.957 XOF
            200_000,
            [("AMCP-SP", 78_714_840), ("ALIMA", 52_476_560)],
        ),
    ]
    for donor, reference, title, currency, amount, in_eur, allocations in grants:
        grant = FundingGrant(
            id=new_id(rng),
            project_id=project.id,
            donor_id=donor.id,
            reference=reference,
            title=title,
            currency=currency,
            amount=amount,
            reporting_amount=in_eur,
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
        )
        session.add(grant)
        session.flush()
        for code, value in allocations:
            session.add(
                FundingAllocation(
                    id=new_id(rng), grant_id=grant.id, organisation_id=orgs[code].id, amount=value
                )
            )


def _periods(demo: _Demo, lead_coordinator: User) -> list[tuple[DataPeriod, datetime]]:
    """Submit the recent months; return those to approve, with their approval time."""
    session, rng, orgs, users, today = demo.session, demo.rng, demo.orgs, demo.users, demo.today
    approved: list[tuple[DataPeriod, datetime]] = []
    manager = users["gestionnaire"]
    colead_coordinator = users["coordinateur"]
    months = rules.recent_months(today, 3)  # last month first
    for site in APPROVED_SITES:
        place = demo.places[site]
        for index, starts_on in enumerate(months):
            submitted = rules.next_month(starts_on) + timedelta(days=4)
            approvals = [(orgs["ALIMA"], lead_coordinator, submitted + timedelta(days=2))]
            if index > 0:
                approvals.append(
                    (orgs["AMCP-SP"], colead_coordinator, submitted + timedelta(days=5))
                )
            status = PeriodStatus.APPROVED if index > 0 else PeriodStatus.SUBMITTED
            period = DataPeriod(
                id=new_id(rng),
                project_id=demo.project.id,
                place_id=place.id,
                starts_on=starts_on,
                status=PeriodStatus.SUBMITTED.value,
                round=1,
                submitted_by_id=manager.id,
                submitted_at=_at(min(submitted, today), 9),
            )
            if status is PeriodStatus.APPROVED:
                approved.append((period, _at(min(approvals[-1][2], today), 11)))
            session.add(period)
            session.flush()
            _event(demo, manager, AuditAction.SUBMIT, period, _at(min(submitted, today), 9))
            for organisation, approver, on in approvals:
                when = _at(min(on, today), 11)
                session.add(
                    PeriodApproval(
                        id=new_id(rng),
                        period_id=period.id,
                        round=1,
                        organisation_id=organisation.id,
                        approved_by_id=approver.id,
                        approved_at=when,
                    )
                )
                _event(demo, approver, AuditAction.APPROVE, period, when)
    return approved


def _event(demo: _Demo, user: User, action: AuditAction, period: DataPeriod, at: datetime) -> None:
    event = record(
        demo.session,
        None,
        action,
        entity_type="data_period",
        entity_id=period.id,
        place_id=period.place_id,
        detail=f"{rules.month_key(period.starts_on)} (demo)",
    )
    event.id = new_id(demo.rng)
    event.at = at
    event.actor_id = user.id
    event.channel = "web"


def _trainings(demo: _Demo) -> None:
    session, rng, orgs, places, today = demo.session, demo.rng, demo.orgs, demo.places, demo.today
    people: list[tuple[str, str, str, str]] = []  # name, sex, cadre, organisation code
    for _ in range(45):
        sex = rng.choice(["F", "M"])
        given = rng.choice(GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M)
        cadre = rng.choice(CADRES)
        org = "AMCP-SP" if rng.random() < 0.6 else "MSDS-ML"
        people.append((f"{given} {rng.choice(FAMILY_NAMES)}", sex, cadre, org))
    for title, topic, place_code, days_ago, duration, count in TRAININGS:
        ended = today - timedelta(days=days_ago)
        training = Training(
            id=new_id(rng),
            title=title,
            topic=topic,
            organisation_id=orgs["ALIMA" if topic == "CMAM" else "AMCP-SP"].id,
            place_id=places[place_code].id,
            project_id=demo.project.id,
            started_on=ended - timedelta(days=duration - 1),
            ended_on=ended,
            trainer="Dr Awa Keïta" if topic == "CMAM" else "Moussa Dembélé (AMCP-SP)",
        )
        session.add(training)
        session.flush()
        # Some health workers attend several trainings: they count once in the totals.
        for name, sex, cadre, org in rng.sample(people, count):
            session.add(
                TrainingParticipant(
                    id=new_id(rng),
                    training_id=training.id,
                    full_name=name,
                    search_name=rules.participant_key(name),
                    cadre=cadre,
                    organisation_id=orgs[org].id,
                    sex=sex,
                )
            )
