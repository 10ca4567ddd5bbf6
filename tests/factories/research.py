"""Builders for research tests: a study recruiting at facility A, its sequence drawn."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core.access import Actor
from alima.core.enums import OrganisationKind, PartnerRole
from alima.core.models import Place
from alima.core.time import today, utcnow
from alima.research import service
from alima.research.enums import FormKind
from alima.research.models import (
    AdverseEvent,
    Allocation,
    Consent,
    ConsentForm,
    Screening,
    SdvQuery,
    SequenceEntry,
    SequenceSeal,
    Study,
)
from alima.research.schemas import ArmIn, ConsentFormIn, StudyCreate, StudyEventIn
from tests.factories.alliance import make_organisation, make_project
from tests.factories.core import World, make_patient

SEED = 918_273
SIZE = 24


def make_study(
    session: Session,
    world: World,
    *,
    blinded: bool = False,
    schedule: list[StudyEventIn] | None = None,
) -> str:
    """OptiMA against the standard protocol at facility A (MUAC below 120 mm); its code."""
    code = f"OPT-{uuid.uuid4().hex[:5].upper()}"
    with session.begin():
        alima = make_organisation(session, f"A{code}", OrganisationKind.INTERNATIONAL_NGO)
        make_organisation(session, f"I{code}", OrganisationKind.RESEARCH_INSTITUTE)
        project = make_project(
            session, world.country, [world.facility_a], [(alima, PartnerRole.LEAD)]
        )
        project_code = project.code
    service.create_study(
        session,
        StudyCreate(
            code=code,
            title="OptiMA versus standard",
            project_code=project_code,
            sponsor_code=f"A{code}",
            partner_codes=[f"I{code}"],
            registry_number="NCT00000000",
            starts_on=today() - timedelta(days=30),
            target_size=200,
            blinded=blinded,
            stratify_muac_mm=115,
            site_codes=[world.facility_a.code],
            arms=[
                ArmIn(code="optima", label="OptiMA", protocol_code="optima"),
                ArmIn(code="standard", label="Standard", protocol_code="standard-who-2013"),
            ],
            muac_below_mm=120,  # stricter than the OptiMA admission (125 mm)
            forms=[
                ConsentFormIn(
                    kind=FormKind.CONSENT, version="1.0", language="fr", approved_on=today()
                ),
            ],
            schedule=schedule or [],
        ),
        actor=world.actors["administrator"],
    )
    service.generate_sequence(session, code, seed=SEED, size=SIZE, actor=None)
    return code


def research_targets(
    session: Session,
    setup: Actor,
    *,
    project_code: str,
    sponsor_code: str,
    site: Place,
    patient_id: uuid.UUID,
    episode_id: str,
) -> dict[str, str]:
    """A study recruiting at ``site`` with ``patient_id`` screened eligible and consented (for
    the permission matrix: every route of a child in a study has something to act on)."""
    code = f"MX-{uuid.uuid4().hex[:5].upper()}"
    service.create_study(
        session,
        StudyCreate(
            code=code,
            title="Étude matrice",
            project_code=project_code,
            sponsor_code=sponsor_code,
            starts_on=today() - timedelta(days=30),
            target_size=10,
            site_codes=[site.code],
            arms=[ArmIn(code="arm-a", label="A"), ArmIn(code="arm-b", label="B")],
            forms=[
                ConsentFormIn(
                    kind=FormKind.CONSENT, version="1", language="fr", approved_on=today()
                )
            ],
            schedule=MATRIX_SCHEDULE,
        ),
        actor=setup,
    )
    service.generate_sequence(session, code, seed=1, size=4, actor=None)
    with session.begin():
        study = session.scalars(select(Study).where(Study.code == code)).one()
        form = session.scalars(select(ConsentForm).where(ConsentForm.study_id == study.id)).one()
        screening = Screening(
            study_id=study.id,
            patient_id=patient_id,
            place_id=site.id,
            episode_id=uuid.UUID(episode_id),
            screened_on=today(),
            eligible=True,
            reasons=[],
            muac_mm=112,
            approached=True,
            consented=True,
        )
        session.add(screening)
        session.add(
            Consent(
                study_id=study.id,
                patient_id=patient_id,
                place_id=site.id,
                form_id=form.id,
                consented_on=today(),
                caregiver_name="Awa Matrice",
                caregiver_relation="mère",
                method="signed",
            )
        )
        form_id = str(form.id)
        followed = _included_child(session, study, site, form)
    monitored = monitored_targets(
        session, setup, project_code=project_code, sponsor_code=sponsor_code, site=site
    )
    return {"study_code": code, "consent_form_id": form_id} | followed | monitored


#: Day 7 (no window: missed 13 days after a 20-day-old inclusion) and month 1 (due today).
MATRIX_SCHEDULE = [
    StudyEventIn(
        code="D7",
        label_fr="Jour 7",
        label_en="Day 7",
        day_offset=7,
        window_before_days=0,
        window_after_days=0,
    ),
    StudyEventIn(
        code="M1",
        label_fr="Mois 1",
        label_en="Month 1",
        day_offset=30,
        window_before_days=14,
        window_after_days=14,
    ),
]


def _included_child(
    session: Session, study: Study, site: Place, form: ConsentForm
) -> dict[str, str]:
    """A child randomised 20 days ago with no routine visit since, and an SAE not yet reported:
    the follow-up routes' targets (``followup_patient_id``, ``sae_id``)."""
    child = make_patient(session, site, given="Kadiatou", family="Suivie")
    included = today() - timedelta(days=20)
    screening = Screening(
        study_id=study.id,
        patient_id=child.id,
        place_id=site.id,
        screened_on=included,
        eligible=True,
        reasons=[],
        muac_mm=112,
        approached=True,
        consented=True,
        included=True,
    )
    session.add(screening)
    session.add(
        Consent(
            study_id=study.id,
            patient_id=child.id,
            place_id=site.id,
            form_id=form.id,
            consented_on=included,
            caregiver_name="Awa Suivie",
            caregiver_relation="mère",
            method="signed",
        )
    )
    session.flush()
    entry, seal = session.execute(
        select(SequenceEntry, SequenceSeal)
        .join(SequenceSeal, SequenceSeal.entry_id == SequenceEntry.id)
        .where(SequenceEntry.study_id == study.id, SequenceEntry.used_at.is_(None))
        .order_by(SequenceEntry.position.desc())
        .limit(1)
    ).one()
    revealed = datetime.combine(included, time(9), tzinfo=UTC)
    entry.used_at = revealed
    entry.arm_id = seal.arm_id  # opened, as the hub's randomisation does
    session.add(
        Allocation(
            study_id=study.id,
            patient_id=child.id,
            place_id=site.id,
            screening_id=screening.id,
            sequence_entry_id=entry.id,
            arm_id=entry.arm_id,
            stratum=entry.stratum,
            revealed_at=revealed,
        )
    )
    sae = AdverseEvent(
        study_id=study.id,
        patient_id=child.id,
        place_id=site.id,
        onset_on=today() - timedelta(days=3),
        aware_on=today() - timedelta(days=2),
        category="hospitalisation",
        outcome="recovering",
        relatedness="not_related",
        report_due_on=today() - timedelta(days=1),
    )
    session.add(sae)
    session.flush()
    return {"followup_patient_id": str(child.id), "sae_id": str(sae.id)}


def monitored_targets(
    session: Session, setup: Actor, *, project_code: str, sponsor_code: str, site: Place
) -> dict[str, str]:
    """A study with one child included at ``site`` and an answered query on it (the monitor's
    routes of the permission matrix)."""
    code = f"MN-{uuid.uuid4().hex[:5].upper()}"
    service.create_study(
        session,
        StudyCreate(
            code=code,
            title="Étude surveillée",
            project_code=project_code,
            sponsor_code=sponsor_code,
            starts_on=today() - timedelta(days=30),
            target_size=10,
            site_codes=[site.code],
            arms=[ArmIn(code="arm-a", label="A"), ArmIn(code="arm-b", label="B")],
            forms=[
                ConsentFormIn(
                    kind=FormKind.CONSENT, version="1", language="fr", approved_on=today()
                )
            ],
        ),
        actor=setup,
    )
    service.generate_sequence(session, code, seed=2, size=4, actor=None)
    with session.begin():
        study = session.scalars(select(Study).where(Study.code == code)).one()
        form = session.scalars(select(ConsentForm).where(ConsentForm.study_id == study.id)).one()
        child = make_patient(session, site, given="Inclus")
        screening = Screening(
            study_id=study.id,
            patient_id=child.id,
            place_id=site.id,
            screened_on=today(),
            eligible=True,
            reasons=[],
            approached=True,
            consented=True,
            included=True,
        )
        session.add(screening)
        session.add(
            Consent(
                study_id=study.id,
                patient_id=child.id,
                place_id=site.id,
                form_id=form.id,
                consented_on=today(),
                caregiver_name="Awa Inclus",
                caregiver_relation="mère",
                method="signed",
            )
        )
        entry, seal = session.execute(
            select(SequenceEntry, SequenceSeal)
            .join(SequenceSeal, SequenceSeal.entry_id == SequenceEntry.id)
            .where(SequenceEntry.study_id == study.id)
            .order_by(SequenceEntry.position)
            .limit(1)
        ).one()
        entry.used_at = utcnow()
        entry.arm_id = seal.arm_id
        session.flush()
        session.add(
            Allocation(
                study_id=study.id,
                patient_id=child.id,
                place_id=site.id,
                screening_id=screening.id,
                sequence_entry_id=entry.id,
                arm_id=seal.arm_id,
                stratum=entry.stratum,
                revealed_at=utcnow(),
            )
        )
        query = SdvQuery(
            study_id=study.id,
            patient_id=child.id,
            place_id=site.id,
            reference="admission : poids",
            text="Le registre indique 6,2 kg.",
            status="answered",
            answer="Corrigé.",
        )
        session.add(query)
        session.flush()
        return {
            "monitored_study_code": code,
            "included_patient_id": str(child.id),
            "query_id": str(query.id),
        }
