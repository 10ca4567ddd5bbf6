"""Duplicates across sites: the same child registered at two sites, found and merged on the hub.

The hub runs the registration duplicate check country-wide (``register_patient``'s rule:
the same folded names, sex and village, birth dates equal, or within
``ESTIMATED_AGE_TOLERANCE_DAYS`` when either is an estimate), between patients of two
different places: when patients arrive from a laptop (``queue_arrivals``, in the push's
transaction) and when a data manager asks (``scan``, within the places of their scope). Each
pair is proposed once (``SyncDuplicate``), whatever was decided.

A data manager reviews a pair side by side and either marks it "not the same child" (with a
reason, audited) or merges it, choosing the patient to keep. A merge, in one transaction and
through the ORM (so the change log sends every row it touches):

1. shares the kept patient with every site that held either patient (``SyncShare``), and sends
   it there first, so that a laptop has the kept patient before the records that point to it;
2. moves every record of the other patient to the kept one: every mapped column that
   references a patient (found through the models, ``patient_columns``), except those listed
   in ``NOT_MOVED`` with their reason;
3. leaves the other patient as a tombstone (soft-deleted with the reason, ``merged_into_id``
   pointing to the kept one; reading its card leads to the kept patient);
4. sends the kept patient with all its records to each of those sites.

A record a laptop pushes later for the merged patient lands on the kept one
(``redirect_merged`` in the hub's push), and the laptop receives the hub's version. Open
CMAM episodes at both sites are both kept; the pair records how many the kept patient holds
and the page flags more than one (``docs/sync.md``).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

import alima.all_models  # noqa: F401 - every model with a patient must be mapped
from alima.core import audit
from alima.core.access import Actor
from alima.core.changelog import ORIGIN, publish
from alima.core.db import among
from alima.core.enums import AuditAction
from alima.core.errors import BadRequest, Conflict
from alima.core.models import Patient, Place
from alima.core.repository import in_paths
from alima.core.service.common import audit_read, or_404
from alima.core.service.patients import ESTIMATED_AGE_TOLERANCE_DAYS
from alima.core.time import utcnow
from alima.nutrition.models import Episode, Visit
from alima.sync import repository
from alima.sync.decisions import LIST_LIMIT, REVIEW, close, reason_given, refuse_twice, require
from alima.sync.errors import SyncError
from alima.sync.merged import patient_columns
from alima.sync.models import SyncDuplicate, SyncPeer, SyncShare

_R = TypeVar("_R")

# -- finding pairs ---------------------------------------------------------------------------


class _Born(Protocol):
    birth_date: date
    birth_date_estimated: bool


def same_birth(a: _Born, b: _Born) -> bool:
    """Birth dates equal, or close when either is an estimate (``register_patient``'s rule)."""
    either = a.birth_date_estimated or b.birth_date_estimated
    tolerance = ESTIMATED_AGE_TOLERANCE_DAYS if either else 0
    return abs((a.birth_date - b.birth_date).days) <= tolerance


def _ordered(a: uuid.UUID, b: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    return (a, b) if a < b else (b, a)


#: What the rule compares of a patient (read as plain rows, not ORM objects).
_COMPARED = (
    Patient.id,
    Patient.place_id,
    Patient.search_name,
    Patient.sex,
    Patient.search_village,
    Patient.birth_date,
    Patient.birth_date_estimated,
)


def _pairs(
    session: Session, paths: Sequence[str], ids: set[uuid.UUID] | None
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Live patients of two places in ``paths`` that look like the same child.

    With ``ids``, only pairs holding one of them (patients that just arrived); ``paths`` of
    ``[""]`` is the whole country. The candidates are read by their folded names (an indexed
    column), as one array parameter on PostgreSQL: a push of thousands of children costs a
    lookup per name, not a scan of the country's patients.
    """
    live = select(*_COMPARED).where(Patient.deleted_at.is_(None))
    if list(paths) != [""]:
        live = live.join(Place, Place.id == Patient.place_id).where(in_paths(Place.path, paths))
    if ids is not None:
        names = set(
            session.scalars(select(Patient.search_name).where(among(session, Patient.id, ids)))
        )
        if not names:
            return []
        live = live.where(among(session, Patient.search_name, names))
    else:
        live = live.where(
            Patient.search_name.in_(
                select(Patient.search_name)
                .where(Patient.deleted_at.is_(None))
                .group_by(Patient.search_name, Patient.sex, Patient.search_village)
                .having(func.count(func.distinct(Patient.place_id)) > 1)
            )
        )
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for patient in session.execute(live):
        groups[(patient.search_name, patient.sex, patient.search_village)].append(patient)
    pairs: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for group in groups.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.place_id == b.place_id or not same_birth(a, b):
                    continue
                if ids is None or a.id in ids or b.id in ids:
                    pairs.add(_ordered(a.id, b.id))
    return sorted(pairs)


def _queue(session: Session, pairs: list[tuple[uuid.UUID, uuid.UUID]], found_by: str) -> int:
    """Add the pairs never proposed before; returns how many."""
    if not pairs:
        return 0
    lows = {low for low, _high in pairs}
    rows = session.execute(
        select(SyncDuplicate.low_id, SyncDuplicate.high_id).where(SyncDuplicate.low_id.in_(lows))
    )
    known = {(row[0], row[1]) for row in rows}
    new = [pair for pair in pairs if pair not in known]
    session.add_all(SyncDuplicate(low_id=lo, high_id=hi, found_by=found_by) for lo, hi in new)
    session.flush()
    return len(new)


def queue_arrivals(session: Session, patient_ids: Iterable[uuid.UUID]) -> int:
    """Queue the country-wide candidates of patients that just arrived.

    In the caller's transaction: the hub's push. Two pushes do not miss each other's child:
    a push has written its changes, so it holds the change log's numbering lock, taken after
    the previous push committed (``alima.core.changelog.serialise``; SQLite has one writer).
    """
    ids = set(patient_ids)
    return _queue(session, _pairs(session, [""], ids), "sync") if ids else 0


def scan(session: Session, *, actor: Actor) -> int:
    """Look for pairs among every patient of the actor's places; returns how many are new."""
    require(actor)
    with session.begin():
        _on_the_hub(session)
        found = _queue(session, _pairs(session, actor.paths_for(REVIEW), None), "demand")
        audit.record(
            session,
            actor,
            AuditAction.CREATE,
            entity_type="sync_duplicate",
            detail=f"duplicate check: {found} new pairs",
        )
        return found


# -- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Side:
    """One patient of a pair, as the review shows it."""

    id: uuid.UUID
    identifier: str
    given_name: str
    family_name: str
    sex: str
    birth_date: date
    birth_date_estimated: bool
    village: str | None
    caregiver_name: str | None
    phone: str | None
    site_code: str
    site_name: str
    episodes: int
    open_episodes: int
    visits: int
    records: int
    deleted: bool
    merged_into_id: uuid.UUID | None


@dataclass(frozen=True)
class DuplicateRow:
    """A pair in the list."""

    id: uuid.UUID
    status: str
    found_by: str
    created_at: datetime
    names: tuple[str, str]
    sites: tuple[str, str]


@dataclass(frozen=True)
class DuplicateView:
    """A pair side by side."""

    id: uuid.UUID
    status: str
    found_by: str
    created_at: datetime
    resolved_at: datetime | None
    kept_id: uuid.UUID | None
    note: str | None
    open_episodes: int | None
    sides: tuple[Side, Side]


def on_a_laptop(session: Session) -> bool:
    """Whether this database is a laptop's (enrolled on a hub): pairs are decided on the hub."""
    with session.begin():
        return session.scalar(select(SyncPeer.id).limit(1)) is not None


def _on_the_hub(session: Session) -> None:
    """Refuse a decision on a laptop: it holds one site, and the hub decides for both."""
    if session.scalar(select(SyncPeer.id).limit(1)) is not None:
        raise Conflict(SyncError.SYNC_019)


def _both(session: Session, item: SyncDuplicate) -> tuple[Patient, Patient]:
    found = {
        p.id: p
        for p in session.scalars(
            select(Patient)
            .where(Patient.id.in_((item.low_id, item.high_id)))
            .options(selectinload(Patient.place))
        )
    }
    return found[item.low_id], found[item.high_id]


def _visible(actor: Actor, pair: tuple[Patient, Patient]) -> bool:
    return all(actor.can_at(REVIEW, p.place.path) for p in pair)


def _name(patient: Patient) -> str:
    return f"{patient.given_name} {patient.family_name}"


def list_duplicates(session: Session, *, actor: Actor) -> list[DuplicateRow]:
    """Pairs whose two patients are in the actor's places, open first (names: reads, audited)."""
    require(actor)
    with session.begin():
        query = select(SyncDuplicate).order_by(
            SyncDuplicate.status != "open", SyncDuplicate.created_at.desc()
        )
        rows: list[DuplicateRow] = []
        read: list[Patient] = []
        for item in session.scalars(query.limit(LIST_LIMIT)):
            pair = _both(session, item)
            if not _visible(actor, pair):
                continue
            read.extend(pair)
            rows.append(
                DuplicateRow(
                    id=item.id,
                    status=item.status,
                    found_by=item.found_by,
                    created_at=item.created_at,
                    names=(_name(pair[0]), _name(pair[1])),
                    sites=(pair[0].place.name, pair[1].place.name),
                )
            )
        audit.record_list(
            session,
            actor,
            entity_type="patient",
            rows=[(p.id, p.id, p.place_id) for p in read],
            detail="duplicate pairs",
        )
        return rows


def _counts(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[int, int, int]]:
    """Episodes, open episodes and visits of each patient."""
    counts: dict[uuid.UUID, tuple[int, int, int]] = {}
    for patient_id in ids:
        live = Episode.deleted_at.is_(None)
        episodes = session.scalar(
            select(func.count()).where(Episode.patient_id == patient_id, live)
        )
        open_ = session.scalar(
            select(func.count()).where(
                Episode.patient_id == patient_id, live, Episode.status == "open"
            )
        )
        visits = session.scalar(
            select(func.count())
            .select_from(Visit)
            .join(Episode, Episode.id == Visit.episode_id)
            .where(Episode.patient_id == patient_id, Visit.deleted_at.is_(None))
        )
        counts[patient_id] = (int(episodes or 0), int(open_ or 0), int(visits or 0))
    return counts


def _side(session: Session, patient: Patient, counts: tuple[int, int, int]) -> Side:
    records = len(repository.patient_rows(session, patient.id)) - 1
    return Side(
        id=patient.id,
        identifier=patient.identifier,
        given_name=patient.given_name,
        family_name=patient.family_name,
        sex=patient.sex,
        birth_date=patient.birth_date,
        birth_date_estimated=patient.birth_date_estimated,
        village=patient.village,
        caregiver_name=patient.caregiver_name,
        phone=patient.phone,
        site_code=patient.place.code,
        site_name=patient.place.name,
        episodes=counts[0],
        open_episodes=counts[1],
        visits=counts[2],
        records=records,
        deleted=patient.deleted_at is not None,
        merged_into_id=patient.merged_into_id,
    )


def _in_scope(
    session: Session, duplicate_id: uuid.UUID, actor: Actor, *, lock: bool = False
) -> tuple[SyncDuplicate, tuple[Patient, Patient]] | None:
    """The pair and its two patients, or ``None``.

    A refusal is audited; the caller raises ``NotFound`` once its transaction has committed.
    """
    require(actor)
    item = session.get(SyncDuplicate, duplicate_id, with_for_update=lock)
    pair = _both(session, item) if item is not None else None
    if item is None or pair is None or not _visible(actor, pair):
        audit_read(
            session,
            actor,
            allowed=False,
            entity_type="sync_duplicate",
            entity_id=duplicate_id,
            patient_id=None,
            place_id=None,
        )
        return None
    return item, pair


def _with_pair(
    session: Session,
    duplicate_id: uuid.UUID,
    actor: Actor,
    use: Callable[[Session, Actor, SyncDuplicate, tuple[Patient, Patient]], _R],
    *,
    decide: bool = False,
) -> _R:
    """What ``use`` makes of the pair, in one transaction; ``NotFound`` once it has committed.

    A decision is taken on the hub only, on the pair locked and still open.
    """
    result: _R | None = None
    with session.begin():
        if decide:
            _on_the_hub(session)
        found = _in_scope(session, duplicate_id, actor, lock=decide)
        if found is not None:
            if decide:
                refuse_twice(found[0])
            result = use(session, actor, *found)
    return or_404(result)


def _audit_patients(
    session: Session,
    actor: Actor,
    action: AuditAction,
    patients: Iterable[Patient],
    detail: str,
    *,
    about: SyncDuplicate | None = None,
) -> None:
    """One event for each patient, about the patient (or the pair ``about``), at its place."""
    for patient in patients:
        audit.record(
            session,
            actor,
            action,
            entity_type="patient" if about is None else "sync_duplicate",
            entity_id=patient.id if about is None else about.id,
            patient_id=patient.id,
            place_id=patient.place_id,
            detail=detail,
        )


def get_duplicate(session: Session, duplicate_id: uuid.UUID, *, actor: Actor) -> DuplicateView:
    """A pair side by side (a read of both patients, audited)."""
    return _with_pair(session, duplicate_id, actor, _view)


def _view(
    session: Session, actor: Actor, item: SyncDuplicate, pair: tuple[Patient, Patient]
) -> DuplicateView:
    counts = _counts(session, [p.id for p in pair])
    _audit_patients(session, actor, AuditAction.READ, pair, "duplicate review")
    return DuplicateView(
        id=item.id,
        status=item.status,
        found_by=item.found_by,
        created_at=item.created_at,
        resolved_at=item.resolved_at,
        kept_id=item.kept_id,
        note=item.note,
        open_episodes=item.open_episodes,
        sides=(
            _side(session, pair[0], counts[pair[0].id]),
            _side(session, pair[1], counts[pair[1].id]),
        ),
    )


# -- deciding ----------------------------------------------------------------------------------


def mark_distinct(
    session: Session, duplicate_id: uuid.UUID, reason: str, *, actor: Actor
) -> uuid.UUID:
    """Not the same child: the pair is closed with the reason and never proposed again."""
    reason = reason_given(reason)

    def distinct(
        session: Session, actor: Actor, item: SyncDuplicate, pair: tuple[Patient, Patient]
    ) -> uuid.UUID:
        item.note = reason[:500]
        close(item, "distinct", actor)
        detail = f"not the same child: {reason[:200]}"
        _audit_patients(session, actor, AuditAction.UPDATE, pair, detail, about=item)
        return item.id

    return _with_pair(session, duplicate_id, actor, distinct, decide=True)


@dataclass(frozen=True)
class Merged:
    """What a merge did."""

    kept_id: uuid.UUID
    merged_id: uuid.UUID
    moved: dict[str, int]
    open_episodes: int


def _share_kept(session: Session, kept: Patient, other: Patient) -> list[Place]:
    """Share the kept patient with every site that held either patient; send it there now."""
    places = {kept.place_id: kept.place, other.place_id: other.place}
    shared = session.scalars(select(SyncShare).where(SyncShare.patient_id.in_((kept.id, other.id))))
    for share in shared:
        places.setdefault(share.place_id, session.get_one(Place, share.place_id))
    for place in places.values():
        if not repository.share_exists(session, kept.id, place.id):
            session.add(SyncShare(patient_id=kept.id, place_id=place.id, reason="merge"))
        if not kept.place.path.startswith(place.path):
            publish(session, [kept], audience_path=place.path)
    session.flush()
    return sorted(places.values(), key=lambda p: p.path)


def move_records(session: Session, from_id: uuid.UUID, to_id: uuid.UUID) -> dict[str, int]:
    """Point every record of ``from_id`` at ``to_id`` through the ORM; counts per table.

    A row whose unique key would then repeat one of ``to_id`` (the same share twice) stays.
    """
    moved: dict[str, int] = {}
    for model, key in patient_columns():
        column = getattr(model, key)
        uniques = [
            [c.key for c in constraint.columns if c.key != key]
            for constraint in model.__table__.constraints
            if getattr(constraint, "columns", None) is not None
            and key in constraint.columns
            and type(constraint).__name__ == "UniqueConstraint"
        ]
        count = 0
        for row in session.scalars(select(model).where(column == from_id)):
            if any(
                session.scalar(
                    select(func.count())
                    .select_from(model)
                    .where(column == to_id, *(getattr(model, c) == getattr(row, c) for c in rest))
                )
                for rest in uniques
            ):
                continue
            setattr(row, key, to_id)
            count += 1
        if count:
            name = f"{model.__tablename__}.{key}"
            moved[name] = moved.get(name, 0) + count
    session.flush()
    return moved


def merge(session: Session, duplicate_id: uuid.UUID, kept_id: uuid.UUID, *, actor: Actor) -> Merged:
    """Merge a pair into ``kept_id`` (see the module docstring); audited, synced."""

    def merge_into_kept(
        session: Session, actor: Actor, item: SyncDuplicate, pair: tuple[Patient, Patient]
    ) -> Merged:
        return _merge(session, actor, kept_id, item, pair)

    return _with_pair(session, duplicate_id, actor, merge_into_kept, decide=True)


def _merge(
    session: Session,
    actor: Actor,
    kept_id: uuid.UUID,
    item: SyncDuplicate,
    pair: tuple[Patient, Patient],
) -> Merged:
    if kept_id not in (item.low_id, item.high_id):
        raise BadRequest(SyncError.SYNC_017)
    kept, other = pair if pair[0].id == kept_id else (pair[1], pair[0])
    for patient in pair:
        if patient.deleted_at is not None:
            raise Conflict(SyncError.SYNC_018, patient=patient.identifier)
    session.info.pop(ORIGIN, None)  # a person's decision goes to every laptop
    places = _share_kept(session, kept, other)
    moved = move_records(session, other.id, kept.id)
    other.merged_into_id = kept.id
    other.deleted_at = utcnow()
    other.deleted_by_id = actor.id
    other.deleted_reason = f"merged into {kept.identifier} (duplicate across sites)"
    other.version += 1
    session.flush()
    rows = repository.patient_rows(session, kept.id)
    for place in places:
        publish(session, rows, audience_path=place.path)
    open_episodes = _counts(session, [kept.id])[kept.id][1]
    item.kept_id = kept.id
    item.open_episodes = open_episodes
    close(item, "merged", actor)
    _supersede(session, other.id, actor)
    detail = f"merged {other.identifier} into {kept.identifier}: " + ", ".join(
        f"{name} {count}" for name, count in sorted(moved.items())
    )
    for patient, action in ((kept, AuditAction.UPDATE), (other, AuditAction.DELETE)):
        _audit_patients(session, actor, action, [patient], detail[:1000])
    _queue(session, _pairs(session, [""], {kept.id}), "merge")
    return Merged(kept.id, other.id, moved, open_episodes)


def _supersede(session: Session, merged_id: uuid.UUID, actor: Actor) -> None:
    """Open pairs of the merged patient are closed (the check runs again for the kept one)."""
    stale = session.scalars(
        select(SyncDuplicate).where(
            SyncDuplicate.status == "open",
            or_(SyncDuplicate.low_id == merged_id, SyncDuplicate.high_id == merged_id),
        )
    )
    for item in stale:
        close(item, "superseded", actor)
