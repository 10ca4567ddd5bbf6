"""A demo study: OPTIMA-ML, OptiMA against the standard protocol at three CSComs of Niono.

Set up as a sponsor would (Inserm and ALIMA, the co-managed project's agreements), with its
ethics approval, a French consent form and one in Bambara, and its allocation sequence drawn
from the demo's seed (a real study's seed stays with its statistician). Children admitted from
now on at these sites are screened when the nurse records the admission.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.demo.core import PROJECT_CODE
from alima.demo.treat.base import BUSY_SITE
from alima.growth.engine import DAYS_PER_MONTH
from alima.nutrition.models import Episode, Visit
from alima.research import repository, rules, service
from alima.research.enums import EventStatus, FormKind
from alima.research.models import (
    AdverseEvent,
    Allocation,
    Consent,
    ConsentForm,
    Screening,
    Study,
    StudyVisit,
)
from alima.research.schemas import (
    ArmIn,
    ConsentFormIn,
    EthicsApprovalIn,
    ProtocolVersionIn,
    StudyCreate,
    StudyEventIn,
)
from alima.research.service.enrolment import criteria_of
from alima.research.service.followup import included_on, window_of

CODE = "OPTIMA-ML"
SITES = (BUSY_SITE, "ML-SEG-NIO-MOL-CS", "ML-SEG-NIO-SIR-CS")
#: The demo's seed; a real sequence's seed never enters the repository or the database.
DEMO_SEED = 15_2026
PER_STRATUM = 60
#: The study started long enough ago for its first children to have passed month 6.
STARTED_DAYS_AGO = 220
#: Children the demo includes, spread over the months since the study started.
INCLUDED = 12
#: Months 1, 3 and 6 after inclusion, 7 days before and 14 after (the demo study's choice).
SCHEDULE = [
    StudyEventIn(
        code=f"M{month}",
        label_fr=f"Mois {month}",
        label_en=f"Month {month}",
        day_offset=day,
        window_before_days=7,
        window_after_days=14,
    )
    for month, day in ((1, 30), (3, 91), (6, 182))
]


def load(session: Session, *, today: date) -> None:
    """Set up OPTIMA-ML and draw its sequence (skipped without the demo's places)."""
    with session.begin():
        present = [c for c in SITES if core_repository.find_place_by_code(session, c)]
    if not present:
        return
    started = today - timedelta(days=STARTED_DAYS_AGO)
    service.create_study(
        session,
        StudyCreate(
            code=CODE,
            title="OptiMA au Mali : protocole simplifié contre protocole national",
            project_code=PROJECT_CODE,
            sponsor_code="INSERM",
            partner_codes=["ALIMA", "AMCP-SP"],
            registry_number="NCT00000000",
            starts_on=started,
            ends_on=started + timedelta(days=540),
            target_size=600,
            stratify_muac_mm=110,  # severe wasting: below 110 mm, or 110-114 mm
            site_codes=present,
            arms=[
                ArmIn(code="optima", label="OptiMA", protocol_code="optima"),
                ArmIn(
                    code="standard",
                    label="Protocole national (OMS 2013)",
                    protocol_code="standard-who-2013",
                ),
            ],
            age_min_months=6,
            age_max_months=59,
            # Below 115 mm: both arms' protocols treat the child as an outpatient (the standard
            # protocol does not take MUAC 115-124 mm into this programme).
            muac_below_mm=115,
            no_complication=True,
            ethics=[
                EthicsApprovalIn(
                    committee="Comité d'éthique de l'INRSP, Bamako",
                    reference="2026/41/CE/INRSP",
                    protocol_version="1.0",
                    approved_on=started - timedelta(days=60),
                )
            ],
            protocol_versions=[
                ProtocolVersionIn(version="1.0", dated_on=started - timedelta(days=90))
            ],
            forms=[
                ConsentFormIn(
                    kind=kind, version="1.0", language=lang, approved_on=started - timedelta(60)
                )
                for kind in (FormKind.INFORMATION, FormKind.CONSENT)
                for lang in ("fr", "bm")
            ],
            schedule=SCHEDULE,
            sae_report_days=1,
        ),
        actor=None,
    )
    service.generate_sequence(session, CODE, seed=DEMO_SEED, size=PER_STRATUM, actor=None)
    with session.begin():
        _follow_up(session, today=today, started=started)


def _candidates(session: Session, study: Study, started: date, today: date) -> list[Episode]:
    """Episodes admitted at the study's sites since it started whose admission was eligible."""
    criteria = criteria_of(study)
    rows = session.execute(
        select(Episode, Visit)
        .join(Visit, (Visit.episode_id == Episode.id) & Visit.is_admission)
        .where(
            Episode.place_id.in_([s.place_id for s in study.sites]),
            Episode.admitted_on >= started,
            Episode.admitted_on <= today - timedelta(days=20),
            Episode.deleted_at.is_(None),
        )
        .order_by(Episode.admitted_on, Episode.id)
    ).all()
    out: list[Episode] = []
    for episode, first in rows:
        result = rules.evaluate(
            criteria,
            rules.Admission(
                age_months=first.age_days / DAYS_PER_MONTH,
                muac_mm=first.muac_mm,
                oedema=first.oedema != "none",
                complicated=first.complications or first.danger_signs,
                site_code=episode.place.code,
            ),
        )
        if result.eligible and episode.patient_id not in {e.patient_id for e in out}:
            out.append(episode)
    step = max(1, len(out) // INCLUDED)
    return out[::step][:INCLUDED]


def _include(session: Session, study: Study, episode: Episode, form: ConsentForm) -> Allocation:
    """Screen, consent and randomise a child on its admission day (the sequence's next arm)."""
    first = next(v for v in episode.visits if v.is_admission)
    on = episode.admitted_on
    screening = Screening(
        study_id=study.id,
        patient_id=episode.patient_id,
        place_id=episode.place_id,
        episode_id=episode.id,
        screened_on=on,
        eligible=True,
        reasons=[],
        muac_mm=first.muac_mm,
        approached=True,
        consented=True,
        included=True,
    )
    session.add(screening)
    session.add(
        Consent(
            study_id=study.id,
            patient_id=episode.patient_id,
            place_id=episode.place_id,
            form_id=form.id,
            consented_on=on,
            caregiver_name=f"Mère de {episode.patient.given_name}",
            caregiver_relation="mère",
            method="thumbprint",
            witness_name="Agent de santé communautaire",
        )
    )
    session.flush()
    stratum = rules.stratum_of(
        episode.place.code, rules.muac_level(first.muac_mm, study.stratify_muac_mm)
    )
    entry = repository.next_entry(session, study.id, stratum)
    if entry is None:
        msg = f"the demo sequence of {stratum} is exhausted"
        raise RuntimeError(msg)
    seal = repository.find_seal(session, entry.id)
    if seal is None:
        msg = f"the demo sequence of {study.code} is not sealed on this database"
        raise RuntimeError(msg)
    revealed = datetime.combine(on, time(10), tzinfo=UTC)
    entry.used_at = revealed
    entry.arm_id = seal.arm_id  # opened as the hub's randomisation opens it
    allocation = Allocation(
        study_id=study.id,
        patient_id=episode.patient_id,
        place_id=episode.place_id,
        screening_id=screening.id,
        sequence_entry_id=entry.id,
        arm_id=seal.arm_id,
        stratum=stratum,
        episode_id=episode.id,
        revealed_at=revealed,
    )
    session.add(allocation)
    session.flush()
    return allocation


def _follow_up(session: Session, *, today: date, started: date) -> None:
    """Include a dozen children, fill one missed month 3 with a study visit, add two SAEs."""
    study = repository.find_study(session, CODE)
    if study is None:
        return
    form = next(
        f for f in repository.forms_of(session, study.id) if f.kind == "consent" and f.current
    )
    allocations = [
        _include(session, study, e, form) for e in _candidates(session, study, started, today)
    ]
    if not allocations:
        return
    month_3 = next(e for e in repository.events_of(session, study.id) if e.code == "M3")
    routine = repository.measured_visit_days(session, [a.patient_id for a in allocations], started)
    for allocation in allocations:
        dates = rules.dates_of(window_of(month_3), included_on(allocation))
        status = rules.event_status(dates, today=today, routine=routine[allocation.patient_id])
        if status.status is EventStatus.MISSED:
            # The first child who missed month 3 in routine care came back for the study.
            session.add(
                StudyVisit(
                    study_id=study.id,
                    patient_id=allocation.patient_id,
                    place_id=allocation.place_id,
                    event_id=month_3.id,
                    visit_on=dates.target + timedelta(days=3),
                    weight_kg=8.9,
                    muac_mm=131,
                )
            )
            break
    common = {"study_id": study.id, "relatedness": "not_related", "outcome": "recovering"}
    latest, earliest = allocations[-1], allocations[0]
    aware = today - timedelta(days=3)
    session.add(
        AdverseEvent(
            **common,
            patient_id=latest.patient_id,
            place_id=latest.place_id,
            onset_on=aware - timedelta(days=1),
            aware_on=aware,
            category="hospitalisation",
            summary="Pneumonie, hospitalisé au CSRéf",
            report_due_on=rules.report_due(aware, study.sae_report_days),
        )
    )
    aware = included_on(earliest) + timedelta(days=40)
    session.add(
        AdverseEvent(
            **common | {"outcome": "recovered"},
            patient_id=earliest.patient_id,
            place_id=earliest.place_id,
            onset_on=aware - timedelta(days=2),
            aware_on=aware,
            category="hospitalisation",
            summary="Paludisme grave",
            report_due_on=rules.report_due(aware, study.sae_report_days),
            reported_at=datetime.combine(aware, time(16), tzinfo=UTC),
        )
    )
    session.flush()
