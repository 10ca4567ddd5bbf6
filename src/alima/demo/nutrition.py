"""OptiMA care at the demo sites since January last year, at the scale of the seeds' Mali page.

The last full calendar year (the one the impact page shows) has the 14,442 children the Mali
programme treated in a year; the current year continues at a site's pace (about 2,600 a year),
so the caseload, cards and monthly reports are alive today.

Each child is admitted under the packaged OptiMA protocol and followed week by week by the same
pure rules the services apply (band, ration, next visit, cure), so the demo caseload, cards and
monthly reports are what the platform itself would have produced. The mix follows the OptiMA
Burkina Faso results (docs/clinical-rules.md §3.2): admissions 16.6 % MUAC < 115 mm or oedema, 21.6 %
115-119, 61.8 % 120-124; about 86 % cured, 0.4 % died, 4.7 % defaulted, 3.4 % non-responders;
a few relapses and medical transfers. Z-scores are computed in one vectorised pass at the end.
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from alima.core.audit import record
from alima.core.enums import AuditAction
from alima.core.models import Patient, Place, User
from alima.demo.common import identity, new_id
from alima.demo.places import FAMILY_NAMES, GIVEN_NAMES_F, GIVEN_NAMES_M, VILLAGES
from alima.growth import zscores
from alima.growth.engine import DAYS_PER_MONTH
from alima.nutrition.enums import AdmissionCriterion, AdmissionDecision, Oedema, Outcome
from alima.nutrition.models import Episode, Visit
from alima.nutrition.protocol import ProtocolDefinition, load_protocol
from alima.nutrition.rules import (
    AdmissionAssessment,
    AdmissionFacts,
    Measurement,
    VisitAssessment,
    VisitFacts,
    assess_admission,
    assess_visit,
)
from alima.nutrition.rules.follow_up import default_on

#: A visit as the row inserted (built as a plain dict: the ORM adds nothing to a bulk load).
VisitRow = dict[str, object]

SEED = 4958  # the Burkina Faso pilot's number of children
#: Children treated for acute malnutrition in a year, Mali country page (seeds).
CHILDREN_LAST_YEAR = 14_442
#: Admissions a year in the current year.
CHILDREN_PER_YEAR_NOW = 2_600


def admission_dates(rng: random.Random, today: date, children: int | None) -> list[date]:
    """Admission dates: ``CHILDREN_LAST_YEAR`` over last year, then the current year's pace.

    ``children`` scales both to about that total (tests use a few hundred).
    """
    last_start, last_end = date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    this_start = date(today.year, 1, 1)
    this_span = (today - this_start).days + 1
    last_count = CHILDREN_LAST_YEAR
    this_count = round(CHILDREN_PER_YEAR_NOW * this_span / 365)
    if children is not None:
        factor = children / (last_count + this_count)
        last_count, this_count = round(last_count * factor), round(this_count * factor)
    last_days = (last_end - last_start).days
    dates = [last_start + timedelta(days=rng.randint(0, last_days)) for _ in range(last_count)]
    dates += [this_start + timedelta(days=rng.randint(0, this_span - 1)) for _ in range(this_count)]
    return dates


#: Share of admissions by site: the demo clinician's centre is the busiest.
BUSY_SITE = "ML-SEG-NIO-NC-CS"
#: A scaled-down demo (tests) admits a few hundred children over two years, and some days
#: left none in treatment at the busy centre: its nurse then had no caseload and no stock
#: alert. It also admits a child there on each of these days before today.
CURRENT_CASELOAD_DAYS = (2, 9, 16, 23)

# Median weight (kg) and length/height (cm) by age in months (WHO 2006, both sexes, rounded).
_GROWTH = [
    (6, 7.6, 66.5),
    (12, 9.4, 75.0),
    (24, 12.0, 86.4),
    (36, 14.1, 95.1),
    (48, 16.1, 102.7),
    (60, 18.1, 109.6),
]


def _median(age_months: float) -> tuple[float, float]:
    for (a0, w0, h0), (a1, w1, h1) in pairwise(_GROWTH):
        if age_months <= a1:
            t = (age_months - a0) / (a1 - a0)
            return w0 + t * (w1 - w0), h0 + t * (h1 - h0)
    return _GROWTH[-1][1], _GROWTH[-1][2]


@dataclass
class _Child:
    patient: Patient
    site: Place
    fate: str
    visits: list[VisitRow] = field(default_factory=list)


def _admission_muac(rng: random.Random) -> tuple[int, Oedema]:
    roll = rng.random()
    if roll < 0.03:
        return rng.randint(108, 124), rng.choice([Oedema.PLUS1, Oedema.PLUS2])
    if roll < 0.166:
        return rng.randint(100, 114), Oedema.NONE
    if roll < 0.382:
        return rng.randint(115, 119), Oedema.NONE
    return rng.randint(120, 124), Oedema.NONE


def _fate(rng: random.Random) -> str:
    roll = rng.random()
    for limit, fate in (
        (0.004, "died"),
        (0.051, "default"),
        (0.085, "stagnant"),
        (0.10, "transfer"),
    ):
        if roll < limit:
            return fate
    return "cured"


def _visit(
    episode: Episode,
    facts: VisitFacts,
    assessed: VisitAssessment,
    age_days: int,
    *,
    is_admission: bool,
    author: uuid.UUID,
    rng: random.Random,
) -> VisitRow:
    given = assessed.ration
    created = datetime.combine(facts.visit_on, time(9, rng.randint(0, 59)), tzinfo=UTC)
    m = facts.measurement
    return {
        "id": new_id(rng),
        "episode_id": episode.id,
        "place_id": episode.place_id,
        "is_admission": is_admission,
        "visit_on": facts.visit_on,
        "weight_kg": m.weight_kg,
        "height_cm": m.height_cm,
        "muac_mm": m.muac_mm,
        "oedema": m.oedema.value,
        "temperature_c": facts.temperature_c,
        "appetite_test_passed": True if is_admission else None,
        "danger_signs": facts.danger_signs,
        "age_days": age_days,
        "band": assessed.band.value,
        "product": given.product.value if given else None,
        "kcal_per_kg_day": float(given.kcal_per_kg_day)
        if given and given.kcal_per_kg_day
        else None,
        "sachets_per_day": float(given.sachets_per_day) if given else None,
        "ration_days": given.days if given else 0,
        "sachets_given": given.sachets_for_period if given else 0,
        "next_visit_on": assessed.next_visit_on,
        "alerts": [a.kind.value for a in assessed.alerts],
        "who_flags": [],
        "created_by_id": author,
        "created_at": created,
        "updated_at": created,
        "measure": None,
        "complications": False,
        "confirmed_unusual": False,
        "zwfl": None,
        "zwei": None,
        "zlen": None,
        "zac": None,
        "note": None,
        "deleted_at": None,
        "deleted_reason": None,
        "deleted_by_id": None,
    }


def _follow(
    rng: random.Random,
    child: _Child,
    episode: Episode,
    admission: AdmissionFacts,
    p: ProtocolDefinition,
    today: date,
    author: uuid.UUID,
) -> None:
    weight = admission.measurement.weight_kg or 6.0
    muac = admission.measurement.muac_mm or 115
    height = admission.measurement.height_cm
    oedema = admission.measurement.oedema
    facts: list[VisitFacts] = []
    stop_after = rng.randint(1, 5) if child.fate in {"default", "died", "transfer"} else 99
    gain = 0.4 if child.fate == "stagnant" else rng.uniform(1.6, 3.2)
    on = episode.admitted_on
    birth = child.patient.birth_date
    while True:
        on = on + timedelta(days=7 + (1 if rng.random() < 0.08 else 0))
        if on > today:
            return
        if len(facts) >= stop_after:
            if child.fate == "died":
                episode.status, episode.outcome, episode.closed_on = (
                    "closed",
                    Outcome.DIED.value,
                    on,
                )
            elif child.fate == "transfer":
                episode.status, episode.outcome, episode.closed_on = (
                    "closed",
                    Outcome.MEDICAL_TRANSFER.value,
                    on,
                )
            else:  # default: absent from now on; closed once the protocol's missed visits pass
                closed_on = default_on(
                    next_visit_due_on=episode.next_visit_on or on,
                    interval_days=episode.visit_interval_days,
                    p=p,
                )
                if closed_on <= today:
                    episode.status, episode.outcome, episode.closed_on = (
                        "closed",
                        Outcome.DEFAULTED.value,
                        closed_on,
                    )
            if episode.status == "closed":
                episode.next_visit_on = None
                episode.sachets_per_week = 0
            return
        muac = max(90, muac + round(rng.gauss(gain, 1.2)))
        weight = round(weight * (1 + rng.uniform(0.004, 0.025)), 1)
        if oedema.present and rng.random() < 0.6:
            oedema = Oedema.NONE
        current = VisitFacts(
            visit_on=on,
            measurement=Measurement(
                muac_mm=muac, weight_kg=weight, height_cm=height, oedema=oedema
            ),
            temperature_c=round(rng.uniform(36.2, 37.4), 1),
        )
        facts.append(current)
        assessed = assess_visit(admission=admission, visits=facts, p=p)
        visit = _visit(
            episode,
            current,
            assessed,
            (on - birth).days,
            is_admission=False,
            author=author,
            rng=rng,
        )
        child.visits.append(visit)
        episode.band = assessed.band.value
        episode.last_visit_on = on
        episode.visits_count += 1
        episode.sachets_total += int(str(visit["sachets_given"]))
        outcome = assessed.exit.outcome
        if outcome in {Outcome.CURED, Outcome.NON_RESPONDER}:
            episode.status, episode.outcome, episode.closed_on = (
                "closed",
                outcome.value if outcome else None,
                on,
            )
            episode.next_visit_on = None
            episode.sachets_per_week = 0
            return
        episode.next_visit_on = assessed.next_visit_on
        episode.sachets_per_week = assessed.ration.sachets_per_week if assessed.ration else 0


def _schedule_default(episode: Episode, p: ProtocolDefinition) -> None:
    """The day an open episode defaults if the child is not seen again (as the service does)."""
    if episode.status == "open" and episode.next_visit_on is not None:
        episode.defaults_on = default_on(
            next_visit_due_on=episode.next_visit_on,
            interval_days=episode.visit_interval_days,
            p=p,
        )


def _outpatient_admission(
    m: Measurement, *, birth: date, admitted_on: date, p: ProtocolDefinition
) -> AdmissionAssessment | None:
    """The admission decision, or ``None`` when the rules would not admit as an outpatient."""
    decision = assess_admission(
        age_months=(admitted_on - birth).days / DAYS_PER_MONTH,
        m=m,
        appetite_test_passed=True,
        complications=False,
        danger_signs=False,
        p=p,
    )
    if decision.decision is not AdmissionDecision.ADMIT_OUTPATIENT or decision.severity is None:
        return None
    return decision


def _open_episode(
    rng: random.Random,
    child: _Child,
    facts: AdmissionFacts,
    decision: AdmissionAssessment,
    p: ProtocolDefinition,
    *,
    today: date,
    author: uuid.UUID,
    admission_type: str,
    main_criterion: AdmissionCriterion,
    previous_episode_id: uuid.UUID | None = None,
    created: datetime | None = None,
) -> Episode:
    """Admit ``child`` as the service does, then follow it week by week until ``today``.

    ``created`` stamps the episode; without it the model's default applies.
    """
    assert decision.severity is not None  # noqa: S101 - an outpatient admission has a severity
    admitted_on = facts.admitted_on
    age_days = (admitted_on - child.patient.birth_date).days
    assessed = assess_visit(admission=facts, visits=[], p=p)
    ration = assessed.ration
    stamps = {} if created is None else {"created_at": created, "updated_at": created}
    episode = Episode(
        id=new_id(rng),
        patient_id=child.patient.id,
        place_id=child.site.id,
        protocol_code=p.code,
        protocol_version=p.version,
        protocol_fingerprint=p.fingerprint(),
        admitted_on=admitted_on,
        admission_type=admission_type,
        admission_criteria=sorted(c.value for c in decision.criteria),
        main_criterion=main_criterion.value,
        severity=decision.severity.value,
        age_months_at_admission=round(age_days / DAYS_PER_MONTH, 2),
        appetite_test_passed=True,
        amoxicillin_given=decision.amoxicillin,
        previous_episode_id=previous_episode_id,
        status="open",
        band=assessed.band.value,
        last_visit_on=admitted_on,
        next_visit_on=assessed.next_visit_on,
        visit_interval_days=7,
        visits_count=1,
        sachets_total=ration.sachets_for_period if ration else 0,
        sachets_per_week=ration.sachets_per_week if ration else 0,
        created_by_id=author,
        **stamps,
    )
    child.visits.append(
        _visit(
            episode,
            facts.as_visit(),
            assessed,
            age_days,
            is_admission=True,
            author=author,
            rng=rng,
        )
    )
    _follow(rng, child, episode, facts, p, today, author)
    _schedule_default(episode, p)
    return episode


def load(session: Session, *, today: date, children: int | None = None) -> None:
    """Insert a year of OptiMA care at the demo sites (one transaction)."""
    rng = random.Random(SEED)
    p = load_protocol("optima")
    with session.begin():
        sites = list(
            session.scalars(
                select(Place)
                .where(Place.code.startswith("ML-"), Place.kind.in_(["facility", "mobile_clinic"]))
                .order_by(Place.code)
            )
        )
        if not sites:
            return
        author = session.scalars(select(User.id).where(User.username == "clinicien")).one()
        areas = dict(VILLAGES)
        weights = [8 if s.code == BUSY_SITE else 1 for s in sites]
        episodes: list[Episode] = []
        all_children: list[_Child] = []
        cured_on: dict[uuid.UUID, date] = {}
        counters: dict[str, int] = {}
        busy = next((s for s in sites if s.code == BUSY_SITE), None)
        current = (
            []
            if children is None or busy is None
            else [(today - timedelta(days=back), busy) for back in CURRENT_CASELOAD_DAYS]
        )
        admissions = [(day, None) for day in admission_dates(rng, today, children)]
        for admitted_on, at in [*admissions, *current]:
            site = at or rng.choices(sites, weights=weights)[0]
            age_months = rng.triangular(6.0, 59.0, 11.0)
            sex = rng.choice(["F", "M"])
            given_name = rng.choice(GIVEN_NAMES_F if sex == "F" else GIVEN_NAMES_M)
            family_name = rng.choice(FAMILY_NAMES)
            area = next((c for c in areas if site.code.startswith(c)), None) or next(
                (c for c in areas if site.code.startswith(c.rsplit("-", 1)[0])), next(iter(areas))
            )
            village = rng.choice(areas[area])
            counters[site.code] = counters.get(site.code, 0) + 1
            birth = admitted_on - timedelta(days=round(age_months * DAYS_PER_MONTH))
            created = datetime.combine(admitted_on, time(8, rng.randint(0, 59)), tzinfo=UTC)
            patient = Patient(
                id=new_id(rng),
                identifier=f"{site.code}-N{counters[site.code]:05d}",
                **identity(given_name, family_name, village),
                sex=sex,
                birth_date=birth,
                birth_date_estimated=rng.random() < 0.25,
                caregiver_name=f"{rng.choice(GIVEN_NAMES_F)} {family_name}",
                place_id=site.id,
                created_at=created,
                updated_at=created,
                created_by_id=author,
            )
            session.add(patient)
            child = _Child(patient, site, _fate(rng))
            muac, oedema = _admission_muac(rng)
            median_weight, median_height = _median(age_months)
            weight = round(median_weight * rng.uniform(0.72, 0.86), 1)
            height = round(median_height * rng.uniform(0.93, 1.0), 1)
            m = Measurement(muac_mm=muac, weight_kg=weight, height_cm=height, oedema=oedema)
            decision = _outpatient_admission(m, birth=birth, admitted_on=admitted_on, p=p)
            if decision is None:
                continue
            relapse = rng.random() < 0.03 and bool(cured_on)
            facts = AdmissionFacts(
                admitted_on=admitted_on,
                criteria=decision.criteria,
                measurement=m,
                temperature_c=36.8,
            )
            main = (
                AdmissionCriterion.OEDEMA
                if AdmissionCriterion.OEDEMA in decision.criteria
                else AdmissionCriterion.MUAC
            )
            episode = _open_episode(
                rng,
                child,
                facts,
                decision,
                p,
                today=today,
                author=author,
                admission_type="new",
                main_criterion=main,
                created=created,
            )
            episodes.append(episode)
            all_children.append(child)
            if relapse:
                _relapse(rng, child, episode, p, today, author, episodes, all_children)
            if episode.outcome == Outcome.CURED.value and episode.closed_on:
                cured_on[patient.id] = episode.closed_on
        session.flush()
        session.add_all(episodes)
        session.flush()
        visits = [v for c in all_children for v in c.visits]
        _zscores(
            visits,
            {c.patient.id: c.patient for c in all_children},
            {e.id: e.patient_id for e in episodes},
        )
        # Core executemany: the visits are plain rows here, the unit of work adds nothing.
        session.execute(insert(Visit), visits)
        for e in episodes:
            event = record(
                session,
                None,
                AuditAction.CREATE,
                entity_type="nutrition_episode",
                entity_id=e.id,
                patient_id=e.patient_id,
                place_id=e.place_id,
                detail="demo",
            )
            event.id = new_id(rng)
            event.at = datetime.combine(e.admitted_on, time(9), tzinfo=UTC)
        session.flush()


def _relapse(
    rng: random.Random,
    child: _Child,
    first: Episode,
    p: ProtocolDefinition,
    today: date,
    author: uuid.UUID,
    episodes: list[Episode],
    children: list[_Child],
) -> None:
    """A child cured in the first episode comes back within the relapse window."""
    if first.outcome != Outcome.CURED.value or first.closed_on is None:
        return
    admitted_on = first.closed_on + timedelta(days=rng.randint(20, p.exit.relapse_window_days - 1))
    if admitted_on > today:
        return
    patient = child.patient
    m = Measurement(
        muac_mm=rng.randint(112, 123),
        weight_kg=round(float(str(child.visits[-1]["weight_kg"] or 7.0)) * 0.95, 1),
        height_cm=_float(child.visits[-1]["height_cm"]),
    )
    decision = _outpatient_admission(m, birth=patient.birth_date, admitted_on=admitted_on, p=p)
    if decision is None:
        return
    facts = AdmissionFacts(
        admitted_on=admitted_on, criteria=decision.criteria, measurement=m, temperature_c=36.9
    )
    second = _Child(patient, child.site, "cured")
    episode = _open_episode(
        rng,
        second,
        facts,
        decision,
        p,
        today=today,
        author=author,
        admission_type="relapse",
        main_criterion=AdmissionCriterion.MUAC,
        previous_episode_id=first.id,
    )
    episodes.append(episode)
    children.append(second)


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def _zscores(
    visits: list[VisitRow],
    patients: dict[uuid.UUID, Patient],
    episode_patient: dict[uuid.UUID, uuid.UUID],
) -> None:
    """WHO z-scores of every demo visit in one vectorised call."""

    def sex(v: VisitRow) -> int:
        episode_id = v["episode_id"]
        assert isinstance(episode_id, uuid.UUID)  # noqa: S101 - rows built above
        return 1 if patients[episode_patient[episode_id]].sex == "M" else 2

    frame = pd.DataFrame(
        {
            "sex": [sex(v) for v in visits],
            "age_days": [v["age_days"] for v in visits],
            "weight": [v["weight_kg"] for v in visits],
            "lenhei": [v["height_cm"] for v in visits],
            "measure": ["" for _ in visits],
            "muac": [int(str(v["muac_mm"])) / 10 if v["muac_mm"] else None for v in visits],
            "oedema": ["y" if v["oedema"] != "none" else "n" for v in visits],
        }
    )
    result = zscores(frame)
    names = ("zwfl", "zwei", "zlen", "zac")
    columns = {name: result[name].to_numpy(dtype=float) for name in names}
    for index, v in enumerate(visits):
        for name in names:
            value = columns[name][index]
            v[name] = None if math.isnan(value) else float(value)
