"""A study's exports for analysis and its researchers' list of children (pseudonymised).

Who: the right to export a study's pseudonymised data (``STUDY_EXPORT``: researchers,
coordinators, administrators) at the study's sites; a partner agreement that does not allow
patient-level exports withholds it (``alima.alliance.rules``), so an aggregates-only partner is
refused (``RES_030``). What: the children included (randomised) at the sites where the reader
holds the right, and nothing else: no child merely screened, no other site, no other study,
no name or identifier (``alima.research.rules.export``). Every export and every list is
audited: one event for the study (format, sites, counts) and one per child exported, so a
child's read audit shows that their data left, under the research id only.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from alima.core.access import Actor, Permission
from alima.core.audit import record, record_many
from alima.core.enums import AuditAction
from alima.core.errors import Forbidden, RuleViolation
from alima.core.time import utcnow
from alima.growth.engine import DAYS_PER_MONTH
from alima.nutrition.models import Episode, Visit
from alima.research import repository
from alima.research.enums import ConsentStatus
from alima.research.errors import ResearchError
from alima.research.models import Allocation, Consent, Study, StudySite
from alima.research.rules import export as rules
from alima.research.schemas import Participant, Participants
from alima.research.service.common import visible_study

EXPORT_PERMISSION = Permission.STUDY_EXPORT
EXPORT = "research_export"
#: The export formats: CSV files (data and dictionary) in a zip, or one CDISC ODM document.
FORMATS = ("csv", "odm")


@dataclass(frozen=True)
class ExportFile:
    """A file to download."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class _Gathered:
    study: Study
    sites: list[StudySite]
    arms: dict[str, rules.Arm]
    children: list[tuple[Allocation, rules.ChildData]]


def export_sites(actor: Actor, study: Study) -> list[StudySite]:
    """The study's sites whose data the actor may export."""
    return sorted(
        (s for s in study.sites if actor.can_at(EXPORT_PERMISSION, s.place.path)),
        key=lambda s: s.place.code,
    )


def may_export(actor: Actor, study: Study) -> bool:
    """Whether the actor may export some of the study's data (the page's download links)."""
    return bool(export_sites(actor, study))


def arms_as_exported(study: Study, secret: str) -> dict[str, rules.Arm]:
    """Arms by code as the export names them: coded in a blinded study until it is closed."""
    if study.blinded and study.status != "closed":
        return rules.coded_arms(secret, study.code, [a.code for a in study.arms])
    return {a.code: rules.Arm(a.code, a.label) for a in study.arms}


def _inclusion(episode: Episode | None, sex: str) -> dict[str, rules.Value]:
    first = next((v for v in episode.visits if v.is_admission), None) if episode else None
    if first is None:
        return {"sex": sex}
    return {
        "age_months": round(first.age_days / DAYS_PER_MONTH, 1),
        "sex": sex,
        "weight_kg": first.weight_kg,
        "height_cm": first.height_cm,
        "muac_mm": first.muac_mm,
        "whz": first.zwfl,
        "oedema": first.oedema,
    }


def _visit(v: Visit) -> rules.VisitData:
    return rules.VisitData(
        on=v.visit_on,
        admission=v.is_admission,
        values={
            "weight_kg": v.weight_kg,
            "height_cm": v.height_cm,
            "muac_mm": v.muac_mm,
            "oedema": v.oedema,
            "whz": v.zwfl,
            "waz": v.zwei,
            "haz": v.zlen,
            "band": v.band,
            "product": v.product,
            "sachets_per_day": v.sachets_per_day,
            "ration_days": v.ration_days,
            "sachets_given": v.sachets_given,
        },
    )


def _child(
    allocation: Allocation,
    *,
    day_zero: date,
    research_id: str,
    sex: str,
    episode: Episode | None,
    consent: Consent | None,
) -> rules.ChildData:
    withdrawn = consent is not None and consent.status == ConsentStatus.WITHDRAWN.value
    inclusion = _inclusion(episode, sex)
    inclusion |= {"site": allocation.place.code, "stratum": allocation.stratum}
    visits = [_visit(v) for v in episode.visits if v.deleted_at is None] if episode else []
    closed = episode is not None and episode.status == "closed" and episode.deleted_at is None
    return rules.ChildData(
        research_id=research_id,
        included_on=day_zero,
        inclusion=inclusion,
        visits=visits,
        withdrawn_on=consent.withdrawn_on if withdrawn and consent else None,
        withdrawal_use=consent.withdrawal_use if withdrawn and consent else None,
        outcome=episode.outcome if closed and episode else None,
        outcome_on=episode.closed_on if closed and episode else None,
    )


def _gather(session: Session, actor: Actor, study_code: str, secret: str) -> _Gathered:
    study = visible_study(session, actor, study_code)
    sites = export_sites(actor, study)
    if not sites:
        raise Forbidden(ResearchError.RES_030, study=study.code)
    allocations = repository.allocations_at(session, study.id, [s.place_id for s in sites])
    patients = repository.patients_by_id(session, [a.patient_id for a in allocations])
    screenings = {s.patient_id: s for s in repository.screenings_of_study(session, study.id)}
    episode_of = {
        a.id: a.episode_id or getattr(screenings.get(a.patient_id), "episode_id", None)
        for a in allocations
    }
    episodes = repository.episodes_with_visits(session, [e for e in episode_of.values() if e])
    consents = repository.latest_consents(session, study.id)
    arms = arms_as_exported(study, secret)
    children = []
    for a in allocations:
        patient = patients.get(a.patient_id)
        if patient is None or patient.deleted_at is not None:
            continue  # a record deleted as entered in error is no child of the study
        episode_id = episode_of[a.id]
        screening = screenings.get(a.patient_id)
        child = _child(
            a,
            day_zero=screening.screened_on if screening else a.revealed_at.date(),
            research_id=rules.research_id(secret, study.id, a.patient_id),
            sex=patient.sex,
            episode=episodes.get(episode_id) if episode_id else None,
            consent=consents.get(a.patient_id),
        )
        children.append((a, child))
    return _Gathered(study, sites, arms, children)


def _subjects(gathered: _Gathered) -> list[tuple[Allocation, rules.Subject]]:
    out = []
    for allocation, child in gathered.children:
        subject = rules.subject_of(child, gathered.arms[allocation.arm.code])
        if subject is not None:
            out.append((allocation, subject))
    return out


def _audit(
    session: Session,
    actor: Actor,
    gathered: _Gathered,
    exported: list[tuple[Allocation, rules.Subject]],
    *,
    action: AuditAction,
    what: str,
) -> None:
    study = gathered.study
    sites = [s.place.code for s in gathered.sites]
    visits = sum(len(s.visits) for _a, s in exported)
    record(
        session,
        actor,
        action,
        entity_type=EXPORT,
        entity_id=study.id,
        place_id=study.place_id,
        after={"study": study.code, "what": what, "sites": sites, "children": len(exported)},
        detail=f"{study.code} {what} sites={','.join(sites)} children={len(exported)} "
        f"visits={visits}"[:500],
    )
    record_many(
        session,
        actor,
        action,
        entity_type=EXPORT,
        events=[
            {
                "entity_id": study.id,
                "patient_id": a.patient_id,
                "place_id": a.place_id,
                "detail": f"{study.code} {what} {s.research_id}",
            }
            for a, s in exported
        ],
    )


def export_study(
    session: Session, study_code: str, what: str, *, actor: Actor, secret: str
) -> ExportFile:
    """A study's export for analysis: ``csv`` (a zip of data and dictionary) or ``odm``.

    Read only, except its audit events (one transaction).
    """
    if what not in FORMATS:
        raise RuleViolation(ResearchError.RES_031, field="format")
    with session.begin():
        gathered = _gather(session, actor, study_code, secret)
        exported = _subjects(gathered)
        subjects = [s for _a, s in exported]
        study = gathered.study
        arms = list(gathered.arms.values())
        now = utcnow()
        stamp = f"{now:%Y%m%d}"
        if what == "csv":
            content = _zip(
                {
                    "subjects.csv": rules.subjects_csv(subjects),
                    "visits.csv": rules.visits_csv(subjects),
                    "dictionary.csv": rules.dictionary_csv(arms),
                },
                now.date(),
            )
            file = ExportFile(f"{study.code}-{stamp}.zip", "application/zip", content)
        else:
            info = rules.StudyInfo(study.code, study.title, study.registry_number, arms)
            content = rules.odm_bytes(info, subjects, created_at=now)
            file = ExportFile(f"{study.code}-{stamp}.odm.xml", "application/xml", content)
        _audit(session, actor, gathered, exported, action=AuditAction.EXPORT, what=what)
        return file


def _zip(files: dict[str, bytes], on: date) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(on.year, on.month, on.day, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def participants(session: Session, study_code: str, *, actor: Actor, secret: str) -> Participants:
    """The study's included children as its researchers see them: research ids, never a name.

    The same children as the export (a withdrawal with no use leaves the list too); the arm
    only when the export shows it. Audited like an export (``READ``).
    """
    with session.begin():
        gathered = _gather(session, actor, study_code, secret)
        exported = _subjects(gathered)
        blinded = gathered.study.blinded and gathered.study.status != "closed"
        items = [
            Participant(
                research_id=s.research_id,
                site=a.place.code,
                arm=None if blinded else a.arm.label,
                included_on=a.revealed_at.date(),
                withdrawn=s.values.get("withdrawn") == "Y",
                visits=len(s.visits),
                outcome=str(s.values["outcome"]) if s.values.get("outcome") else None,
            )
            for a, s in exported
        ]
        _audit(session, actor, gathered, exported, action=AuditAction.READ, what="participants")
        return Participants(
            study_code=gathered.study.code,
            blinded=blinded,
            sites=[s.place.code for s in gathered.sites],
            items=items,
            left_out=len(gathered.children) - len(exported),
        )


def export_allowed(session: Session, study_code: str, *, actor: Actor) -> bool:
    """Whether the study's page offers its exports to the actor (nothing is read or written)."""
    with session.begin():
        study = repository.find_study(session, study_code)
        return study is not None and may_export(actor, study)


__all__ = [
    "FORMATS",
    "ExportFile",
    "export_allowed",
    "export_study",
    "may_export",
    "participants",
]
