"""Study set-up, the allocation sequence, the study list and dashboard (one transaction each)."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.enums import AuditAction
from alima.core.errors import CoreError, Forbidden, NotFound, RuleViolation
from alima.core.models import Place
from alima.core.service.common import dto, new_row
from alima.core.time import utcnow
from alima.research import repository, rules
from alima.research.errors import ResearchError
from alima.research.models import (
    ConsentForm,
    EthicsApproval,
    ProtocolVersion,
    SequenceEntry,
    SequenceSeal,
    Study,
    StudyArm,
    StudyEvent,
    StudyPartner,
    StudySite,
)
from alima.research.schemas import (
    ConsortCounts,
    SequenceSummary,
    SiteRecruitment,
    StudyCreate,
    StudyDashboard,
    StudyListItem,
    StudyRead,
)
from alima.research.service.common import (
    SETUP_PERMISSION,
    study_read,
    study_visible,
    visible_study,
)

#: Largest sequence a stratum may be given at once.
MAX_PER_STRATUM = 100_000


def create_study(session: Session, data: StudyCreate, *, actor: Actor | None) -> StudyRead:
    """Set up a study: its arms, sites, partners, approvals and forms (administrators)."""
    if actor is not None and not actor.can(SETUP_PERMISSION):
        raise Forbidden(CoreError.CORE_002)
    codes = [e.code for e in data.schedule]
    if len(set(codes)) != len(codes) or any(
        e.window_before_days >= e.day_offset for e in data.schedule
    ):
        raise RuleViolation(ResearchError.RES_057, field="schedule")
    with session.begin():
        if repository.code_taken(session, data.code):
            raise RuleViolation(ResearchError.RES_077, field="code")
        project = core_repository.find_project_by_code(session, data.project_code)
        sponsor = repository.find_organisation(session, data.sponsor_code)
        if project is None or sponsor is None:
            raise NotFound(CoreError.CORE_001)
        sites = [core_repository.find_place_by_code(session, c) for c in data.site_codes]
        if any(
            s is None or (actor is not None and not actor.can_at(SETUP_PERMISSION, s.path))
            for s in sites
        ):
            raise NotFound(CoreError.CORE_001)
        country_id = project.country_id
        author = actor.id if actor else None
        study = new_row(
            Study,
            data,
            place_id=country_id,
            project_id=project.id,
            sponsor_id=sponsor.id,
            status="recruiting" if data.recruiting else "setup",
            block_multipliers=list(rules.DEFAULT_MULTIPLIERS),
            created_by_id=author,
        )
        session.add(study)
        session.flush()
        _add_set_up_rows(session, study, data, [s for s in sites if s is not None], author)
        session.flush()
        session.refresh(study)
        record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="research_study",
            entity_id=study.id,
            place_id=country_id,
            after={"code": study.code, "arms": [a.code for a in data.arms]},
        )
        return study_read(study)


def _add_set_up_rows(
    session: Session,
    study: Study,
    data: StudyCreate,
    sites: list[Place],
    author: uuid.UUID | None,
) -> None:
    """A new study's arms, sites, partners, approvals, protocol versions, forms and schedule."""
    common = {"study_id": study.id, "place_id": study.place_id, "created_by_id": author}
    for arm in data.arms:
        session.add(StudyArm(**common, **arm.model_dump()))
    for place in sites:
        session.add(StudySite(study_id=study.id, place_id=place.id, created_by_id=author))
    for code in data.partner_codes:
        org = repository.find_organisation(session, code)
        if org is None:
            raise NotFound(CoreError.CORE_001)
        session.add(StudyPartner(**common, organisation_id=org.id, role="partner"))
    for approval in data.ethics:
        session.add(EthicsApproval(**common, **approval.model_dump()))
    for version in data.protocol_versions:
        session.add(ProtocolVersion(**common, **version.model_dump()))
    for form in data.forms:
        session.add(ConsentForm(**common, **form.model_dump(), current=True))
    for event in data.schedule:
        session.add(StudyEvent(**common, **event.model_dump()))


def generate_sequence(
    session: Session, study_code: str, *, seed: int, size: int, actor: Actor | None
) -> SequenceSummary:
    """Draw a study's whole allocation sequence from the statistician's seed, once.

    Strata are the study's sites crossed with the declared factor's levels. The seed is used
    here and forgotten; the study keeps the sequence's fingerprint, so the statistician can
    show later (``sequence_matches``) that the sequence in use is the one the seed gives.
    """
    if actor is not None and not actor.can(SETUP_PERMISSION):
        raise Forbidden(CoreError.CORE_002)
    if not 1 <= size <= MAX_PER_STRATUM:
        raise RuleViolation(ResearchError.RES_015, field="size")
    with session.begin():
        study = repository.find_study(session, study_code)
        if study is None or not administers_every_site(actor, study):
            raise NotFound(CoreError.CORE_001)
        if study.sequence_fingerprint or repository.has_sequence(session, study.id):
            raise RuleViolation(ResearchError.RES_009, study=study.code)
        ratios, strata, site_of = _design(study)
        entries = rules.generate(seed, strata, ratios, size, study.block_multipliers)
        arm_ids = {a.code: a.id for a in study.arms}
        author = actor.id if actor else None
        rows = [
            SequenceEntry(
                id=uuid.uuid4(),
                study_id=study.id,
                place_id=site_of[e.stratum],
                stratum=e.stratum,
                position=e.position,
                block=e.block,
                block_size=e.block_size,
                arm_id=None,  # concealed: the arm stays in the hub's seal until used
                created_by_id=author,
            )
            for e in entries
        ]
        session.add_all(rows)
        session.flush()
        session.add_all(
            SequenceSeal(entry_id=row.id, arm_id=arm_ids[e.arm])
            for row, e in zip(rows, entries, strict=True)
        )
        study.sequence_fingerprint = rules.fingerprint(entries)
        study.sequence_generated_at = utcnow()
        session.flush()
        record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="research_sequence",
            entity_id=study.id,
            place_id=study.place_id,
            after={"fingerprint": study.sequence_fingerprint, "entries": len(entries)},
        )
        return SequenceSummary(
            study_code=study.code,
            fingerprint=study.sequence_fingerprint,
            strata=list(strata),
            entries=len(entries),
        )


def administers_every_site(actor: Actor | None, study: Study) -> bool:
    """Whether the actor administers every site of the study (the command line: always)."""
    return actor is None or (
        bool(study.sites) and all(actor.can_at(SETUP_PERMISSION, s.place.path) for s in study.sites)
    )


def sequence_matches(session: Session, study_code: str, *, seed: int, size: int) -> bool:
    """Whether ``seed`` re-draws the study's stored sequence (the statistician's check)."""
    with session.begin():
        study = repository.find_study(session, study_code)
        if study is None or study.sequence_fingerprint is None:
            raise NotFound(CoreError.CORE_001)
        ratios, strata, _ = _design(study)
        entries = rules.generate(seed, strata, ratios, size, study.block_multipliers)
        return rules.fingerprint(entries) == study.sequence_fingerprint


def _design(study: Study) -> tuple[dict[str, int], list[str], dict[str, object]]:
    if len(study.arms) < rules.MIN_ARMS:
        raise RuleViolation(ResearchError.RES_010)
    ratios = {a.code: a.ratio for a in study.arms}
    levels = rules.factor_levels(study.stratify_muac_mm)
    site_of: dict[str, object] = {}
    strata: list[str] = []
    for site in sorted(study.sites, key=lambda s: s.place.code):
        for level in levels:
            name = rules.stratum_of(site.place.code, level)
            strata.append(name)
            site_of[name] = site.place_id
    return ratios, strata, site_of


def list_studies(session: Session, *, actor: Actor) -> list[StudyListItem]:
    """The studies with a site in the actor's scope, with their inclusions."""
    with session.begin():
        out = []
        for study in repository.list_studies(session):
            if not study_visible(actor, study):
                continue
            included = sum(repository.allocations_per_arm(session, study.id).values())
            out.append(dto(StudyListItem, study, included=included))
        return out


def consort(rows: list[object], withdrawn: set[object]) -> ConsortCounts:
    """The CONSORT flow of screening log lines."""
    reasons: Counter[str] = Counter()
    counts = ConsortCounts()
    for r in rows:
        counts.screened += 1
        counts.eligible += bool(getattr(r, "eligible", False))
        counts.approached += bool(getattr(r, "approached", False))
        counts.consented += bool(getattr(r, "consented", False))
        counts.included += bool(getattr(r, "included", False))
        counts.withdrawn += getattr(r, "patient_id", None) in withdrawn
        reason = getattr(r, "not_included_reason", None)
        if reason:
            reasons[reason] += 1
    counts.not_included = dict(sorted(reasons.items()))
    return counts


def study_dashboard(session: Session, study_code: str, *, actor: Actor) -> StudyDashboard:
    """Recruitment against target and the CONSORT flow, overall and per site (aggregates)."""
    with session.begin():
        study = visible_study(session, actor, study_code)
        log = list(repository.screenings_of_study(session, study.id))
        withdrawn: set[object] = set(repository.withdrawn_patients(session, study.id))
        per_arm = repository.allocations_per_arm(session, study.id)
        sites = [
            SiteRecruitment(
                place_code=s.place.code,
                place_name=s.place.name,
                target_size=s.target_size,
                counts=consort([r for r in log if r.place_id == s.place_id], withdrawn),
            )
            for s in sorted(study.sites, key=lambda s: s.place.code)
        ]
        counts = consort(list(log), withdrawn)
        return StudyDashboard(
            study=study_read(study),
            counts=counts,
            sites=sites,
            included_per_arm={a.code: per_arm.get(a.id, 0) for a in study.arms},
            percent_of_target=round(100 * counts.included / study.target_size, 1),
            unblinded=repository.unblinded_children(session, study.id),
            may_monitor=any(
                actor.can_at(Permission.STUDY_MONITOR, s.place.path) for s in study.sites
            ),
        )
