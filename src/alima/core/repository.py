"""Queries of the core. ``get_*`` raises ``NotFound``; ``find_*`` returns ``None``; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from alima.core.audit import LIST_READ
from alima.core.db import IdMixin
from alima.core.errors import CoreError, NotFound
from alima.core.models import (
    ApiToken,
    AuditEvent,
    LoginThrottle,
    Patient,
    Place,
    Project,
    ProjectPlace,
    RoleAssignment,
    User,
    UserSession,
)

RecordT = TypeVar("RecordT", bound=IdMixin)
LiveT = TypeVar("LiveT", UserSession, ApiToken)


def find_by_id(
    session: Session, model: type[RecordT], record_id: uuid.UUID, *options: ORMOption
) -> RecordT | None:
    """The ``model`` row with ``record_id`` (deleted ones included), loaded with ``options``."""
    return session.scalars(
        select(model).where(model.id == record_id).options(*options)
    ).one_or_none()


def list_of_patient(
    session: Session,
    model: Any,
    patient_id: uuid.UUID,
    day: InstrumentedAttribute[date],
    *options: ORMOption,
) -> list[Any]:
    """A patient's live ``model`` records, newest ``day`` first, loaded with ``options``.

    Records of one day come newest written first.
    """
    return list(
        session.scalars(
            select(model)
            .where(model.patient_id == patient_id, model.deleted_at.is_(None))
            .options(*options)
            .order_by(day.desc(), model.created_at.desc())
        )
    )


def in_paths(
    column: ColumnElement[str] | InstrumentedAttribute[str], paths: Sequence[str]
) -> ColumnElement[bool]:
    """``column`` (a place path) lies in one of the subtrees ``paths`` (false when none)."""
    if not paths:
        return false()
    return or_(*(column.startswith(p, autoescape=True) for p in paths))


def patient_not_deleted(
    column: ColumnElement[uuid.UUID | None]
    | InstrumentedAttribute[uuid.UUID | None]
    | InstrumentedAttribute[uuid.UUID],
) -> ColumnElement[bool]:
    """The record's child (``column``, a patient id, possibly empty) is not soft-deleted.

    A deleted patient counts nowhere and is listed nowhere: every list, count and report of
    records linked to a patient adds this condition.
    """
    deleted = select(Patient.id).where(Patient.deleted_at.is_not(None))
    return or_(column.is_(None), column.not_in(deleted))


def month_start(year: int | float, month: int | float) -> date:
    """First day of a month given as SQL ``extract`` numbers (floats on PostgreSQL)."""
    return date(int(year), int(month), 1)


def live_at(model: Any, paths: Sequence[str]) -> tuple[ColumnElement[bool], ...]:
    """``model``'s rows are live and at places in the subtrees (``Place`` joined on its place).

    For a record linked to a patient (a ``patient_id`` column), the patient is not deleted
    either; a record about no patient (``AboutNoPatient``) has no such column.
    """
    patient = getattr(model, "patient_id", None)
    return (
        in_paths(Place.path, paths),
        model.deleted_at.is_(None),
        *((patient_not_deleted(patient),) if isinstance(patient, InstrumentedAttribute) else ()),
    )


def select_live_at(model: Any, paths: Sequence[str], *where: ColumnElement[bool]) -> Select[Any]:
    """Live ``model`` rows at places in the subtrees (see :func:`live_at`) where ``where`` holds."""
    return (
        select(model).join(Place, Place.id == model.place_id).where(*live_at(model, paths), *where)
    )


@dataclass(frozen=True, eq=False)
class Tally:
    """A figure of live dated records at places: how many (or the sum of ``value``).

    Rows of ``model`` count when they are not soft-deleted, their place lies in the subtrees,
    ``day`` is in the period (both ends included), every ``where`` holds and, for a record
    linked to a patient, the patient is not deleted.
    """

    model: Any
    day: InstrumentedAttribute[date]
    where: tuple[ColumnElement[bool], ...] = ()
    value: ColumnElement[Any] | InstrumentedAttribute[Any] | None = None

    def _conditions(
        self, paths: Sequence[str], start: date, end: date
    ) -> tuple[ColumnElement[bool], ...]:
        return (*live_at(self.model, paths), self.day.between(start, end), *self.where)

    def total(self, session: Session, paths: Sequence[str], start: date, end: date) -> int:
        """The figure over the subtrees and period."""
        measure = func.count() if self.value is None else func.coalesce(func.sum(self.value), 0)
        stmt = (
            select(measure)
            .select_from(self.model)
            .join(Place, Place.id == self.model.place_id)
            .where(*self._conditions(paths, start, end))
        )
        return int(session.scalar(stmt) or 0)

    def monthly(
        self, session: Session, paths: Sequence[str], start: date, end: date
    ) -> dict[date, int]:
        """The figure by month (first day of the month -> value; months without rows absent)."""
        year, month = func.extract("year", self.day), func.extract("month", self.day)
        measure = func.count() if self.value is None else func.sum(self.value)
        stmt = (
            select(year, month, measure)
            .select_from(self.model)
            .join(Place, Place.id == self.model.place_id)
            .where(*self._conditions(paths, start, end))
            .group_by(year, month)
        )
        return {month_start(y, m): int(n or 0) for y, m, n in session.execute(stmt)}

    def by_path(
        self, session: Session, paths: Sequence[str], start: date, end: date
    ) -> dict[str, int]:
        """The figure by place path of the records (places without rows absent)."""
        measure = func.count() if self.value is None else func.sum(self.value)
        stmt = (
            select(Place.path, measure)
            .select_from(self.model)
            .join(Place, Place.id == self.model.place_id)
            .where(*self._conditions(paths, start, end))
            .group_by(Place.path)
        )
        return {path: int(n or 0) for path, n in session.execute(stmt)}


def roll_up(by_path: dict[str, int], paths: Sequence[str]) -> dict[str, int]:
    """Figures by place path added up into each subtree of ``paths`` that holds the place."""
    wanted = set(paths)
    totals = dict.fromkeys(paths, 0)
    for path, value in by_path.items():
        for end, char in enumerate(path):
            if char == "/" and path[: end + 1] in wanted:
                totals[path[: end + 1]] += value
    return totals


# --- places -------------------------------------------------------------------------------


def find_place_by_code(session: Session, code: str) -> Place | None:
    """The place with ``code``, if any."""
    return session.scalars(select(Place).where(Place.code == code)).one_or_none()


def find_places_by_codes(session: Session, codes: Sequence[str]) -> list[Place]:
    """The places with these codes (the missing ones are left out)."""
    found: list[Place] = []
    codes = list(dict.fromkeys(codes))
    for start in range(0, len(codes), 500):
        found += session.scalars(select(Place).where(Place.code.in_(codes[start : start + 500])))
    return found


def get_place_by_code(session: Session, code: str) -> Place:
    """The place with ``code``; ``NotFound`` otherwise."""
    place = find_place_by_code(session, code)
    if place is None:
        raise NotFound(CoreError.CORE_011, code=code)
    return place


def find_place(session: Session, place_id: uuid.UUID) -> Place | None:
    """The place with ``place_id``, if any."""
    return session.get(Place, place_id)


def list_places(
    session: Session, paths: Sequence[str], *, kinds: Sequence[str] | None = None
) -> list[Place]:
    """Places inside the given subtrees, ordered by path (so a tree reads top-down)."""
    stmt = (
        select(Place)
        .where(in_paths(Place.path, paths))
        .options(selectinload(Place.populations), selectinload(Place.parent))
        .order_by(Place.path)
    )
    if kinds:
        stmt = stmt.where(Place.kind.in_(kinds))
    return list(session.scalars(stmt))


def project_place_paths(
    session: Session, project_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """Paths of the places each project serves."""
    if not project_ids:
        return {}
    rows = session.execute(
        select(ProjectPlace.project_id, Place.path)
        .join(Place, Place.id == ProjectPlace.place_id)
        .where(ProjectPlace.project_id.in_(project_ids))
    )
    result: dict[uuid.UUID, list[str]] = {}
    for project_id, path in rows:
        result.setdefault(project_id, []).append(path)
    return result


def list_projects(session: Session) -> list[Project]:
    """Every project, by code."""
    return list(session.scalars(select(Project).order_by(Project.code)))


def find_project_by_code(session: Session, code: str) -> Project | None:
    """The project with ``code``, if any."""
    return session.scalars(select(Project).where(Project.code == code)).one_or_none()


# --- users, sessions, tokens ------------------------------------------------------------------


def find_user_by_username(session: Session, username: str) -> User | None:
    """The user with ``username`` (case-insensitive), if any."""
    return session.scalars(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).one_or_none()


def active_assignments(session: Session, user_id: uuid.UUID) -> list[RoleAssignment]:
    """The user's active role assignments with their place loaded."""
    return list(
        session.scalars(
            select(RoleAssignment)
            .where(RoleAssignment.user_id == user_id, RoleAssignment.active.is_(True))
            .options(selectinload(RoleAssignment.place))
        )
    )


def _is_live(model: type[UserSession] | type[ApiToken]) -> tuple[ColumnElement[bool], ...]:
    """A sign-in session's or token's liveness: its hash, not revoked, not expired (bound)."""
    return (
        model.token_hash == bindparam("token_hash"),
        model.revoked_at.is_(None),
        model.expires_at > bindparam("now"),
    )


#: Built once each: a sign-in session is read at every page, a token at every API request.
_LIVE: Final = {model: select(model).where(*_is_live(model)) for model in (UserSession, ApiToken)}


def _find_live(
    session: Session, model: type[LiveT], token_hash: str, now: datetime
) -> LiveT | None:
    statement = cast("Select[LiveT]", _LIVE[model])
    return session.scalars(statement, {"token_hash": token_hash, "now": now}).one_or_none()


def find_live_session(session: Session, token_hash: str, now: datetime) -> UserSession | None:
    """A sign-in session that is neither expired nor revoked."""
    return _find_live(session, UserSession, token_hash, now)


def find_live_token(session: Session, token_hash: str, now: datetime) -> ApiToken | None:
    """An API token that is neither expired nor revoked."""
    return _find_live(session, ApiToken, token_hash, now)


#: Built once: the token check runs on every API request, and building the statement (and
#: its cache key) again each time cost more than the query.
_LIVE_TOKEN: Final = (
    select(ApiToken.id)
    .join(User, User.id == ApiToken.user_id)
    .where(*_is_live(ApiToken), User.active.is_(True))
)


def api_token_is_live(session: Session, token_hash: str, now: datetime) -> bool:
    """Whether the token is neither expired nor revoked and its user is active (one Core query)."""
    found = session.connection().scalar(_LIVE_TOKEN, {"token_hash": token_hash, "now": now})
    return found is not None


def claim_sign_in_attempt(
    session: Session, *, username: str, client: str, now: datetime, forget_before: datetime
) -> int | None:
    """Count one more attempt of ``username`` from ``client`` unless it must wait.

    Returns the number of failures so far including this attempt, or ``None`` when the client
    is still blocked. One ``UPDATE ... RETURNING`` on a row that the statement locks, so two
    parallel attempts can never both see the same count (PostgreSQL re-checks the ``WHERE`` on
    the row a concurrent transaction committed; SQLite serialises writers). Failures older than
    ``forget_before`` start the count again.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(LoginThrottle)
        .values(username=username, client=client, failures=0, last_attempt_at=now)
        .on_conflict_do_nothing()
    )
    claimed = session.execute(
        update(LoginThrottle)
        .where(
            LoginThrottle.username == username,
            LoginThrottle.client == client,
            or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now),
        )
        .values(
            failures=case(
                (LoginThrottle.last_attempt_at < forget_before, 1),
                else_=LoginThrottle.failures + 1,
            ),
            last_attempt_at=now,
        )
        .returning(LoginThrottle.failures)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    return int(claimed) if claimed is not None else None


def block_sign_in(session: Session, *, username: str, client: str, until: datetime) -> None:
    """Make ``client`` wait until ``until`` before its next attempt for ``username``."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username == username, LoginThrottle.client == client)
        .values(blocked_until=until)
        .execution_options(synchronize_session=False)
    )


def sign_in_blocked_until(session: Session, *, username: str, client: str) -> datetime | None:
    """Until when ``client`` must wait before trying ``username`` again."""
    return session.scalar(
        select(LoginThrottle.blocked_until).where(
            LoginThrottle.username == username, LoginThrottle.client == client
        )
    )


def clear_sign_in_failures(session: Session, *, username: str, client: str) -> None:
    """Forget the failures of ``client`` for ``username`` (after a successful sign-in)."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.username == username, LoginThrottle.client == client)
        .values(failures=0, blocked_until=None)
        .execution_options(synchronize_session=False)
    )


def end_sessions(
    session: Session, user_id: uuid.UUID, now: datetime, *, keep: str | None = None
) -> None:
    """Revoke the user's live sign-in sessions, all but the one whose token hash is ``keep``."""
    live = [UserSession.user_id == user_id, UserSession.revoked_at.is_(None)]
    if keep is not None:
        live.append(UserSession.token_hash != keep)
    session.execute(
        update(UserSession)
        .where(*live)
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


# --- patients ---------------------------------------------------------------------------------


def _patients_in_scope(paths: Sequence[str]) -> Select[Patient]:
    return (
        select(Patient)
        .join(Place, Place.id == Patient.place_id)
        .where(in_paths(Place.path, paths))
        .options(selectinload(Patient.place))
    )


def find_patient(session: Session, patient_id: uuid.UUID) -> Patient | None:
    """The patient with ``patient_id`` (deleted ones included), place loaded."""
    return find_by_id(session, Patient, patient_id, selectinload(Patient.place))


def find_patient_by_identifier(session: Session, identifier: str) -> Patient | None:
    """The live patient with this identifier (case-insensitive), place loaded."""
    return session.scalars(
        select(Patient)
        .where(
            func.upper(Patient.identifier) == identifier.strip().upper(),
            Patient.deleted_at.is_(None),
        )
        .options(selectinload(Patient.place))
    ).one_or_none()


def search_patients(
    session: Session,
    paths: Sequence[str],
    *,
    tokens: Sequence[str],
    identifier: str,
    phone: str = "",
    place_path: str | None,
    limit: int,
    offset: int,
) -> tuple[list[Patient], int]:
    """Live patients in scope matching the query, and how many match in all.

    A match: the folded name, or the caregiver's name, contains every token; the identifier
    starts or ends with ``identifier`` (case-insensitive); the phone contains ``phone``.
    """
    stmt = _patients_in_scope(paths).where(Patient.deleted_at.is_(None))
    if place_path:
        stmt = stmt.where(Place.path.startswith(place_path, autoescape=True))
    conditions = []
    if tokens:
        conditions.append(and_(*(Patient.search_name.contains(t, autoescape=True) for t in tokens)))
        caregiver = func.lower(func.coalesce(Patient.caregiver_name, ""))
        conditions.append(and_(*(caregiver.contains(t, autoescape=True) for t in tokens)))
    if identifier:
        upper = func.upper(Patient.identifier)
        conditions.append(upper.startswith(identifier.upper(), autoescape=True))
        conditions.append(upper.endswith(identifier.upper(), autoescape=True))
    if phone:
        digits = func.replace(func.replace(func.coalesce(Patient.phone, ""), " ", ""), "-", "")
        conditions.append(digits.contains(phone, autoescape=True))
    if conditions:
        stmt = stmt.where(or_(*conditions))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Patient.search_name, Patient.identifier).limit(limit).offset(offset)
    )
    return list(rows), total


def find_duplicates(
    session: Session,
    paths: Sequence[str],
    *,
    search_name: str,
    sex: str,
    search_village: str,
    birth_date: date,
    tolerance_days: int,
) -> list[Patient]:
    """Likely duplicates: same folded names, sex and village, birth dates within a tolerance."""
    stmt = _patients_in_scope(paths).where(
        Patient.deleted_at.is_(None),
        Patient.search_name == search_name,
        Patient.sex == sex,
        Patient.search_village == search_village,
        Patient.birth_date >= birth_date - timedelta(days=tolerance_days),
        Patient.birth_date <= birth_date + timedelta(days=tolerance_days),
    )
    return list(session.scalars(stmt.limit(20)))


def count_patients_at(session: Session, place_id: uuid.UUID) -> int:
    """How many patients were ever registered at a place (identifier sequence)."""
    return (
        session.scalar(
            select(func.count()).select_from(Patient).where(Patient.place_id == place_id)
        )
        or 0
    )


def identifier_exists(session: Session, identifier: str) -> bool:
    """Whether a patient already has this identifier."""
    return session.scalar(select(Patient.id).where(Patient.identifier == identifier)) is not None


def recent_patients_read_by(
    session: Session, actor_id: uuid.UUID, paths: Sequence[str], limit: int = 10
) -> list[Patient]:
    """Patients the user last opened or registered (from the audit log), newest first."""
    last_seen = (
        select(AuditEvent.patient_id, func.max(AuditEvent.at).label("seen_at"))
        .where(
            AuditEvent.actor_id == actor_id,
            AuditEvent.patient_id.is_not(None),
            AuditEvent.action.in_(["read", "create", "update"]),
            or_(AuditEvent.detail.is_(None), ~AuditEvent.detail.startswith(LIST_READ)),
        )
        .group_by(AuditEvent.patient_id)
        .subquery()
    )
    stmt = (
        _patients_in_scope(paths)
        .join(last_seen, last_seen.c.patient_id == Patient.id)
        .where(Patient.deleted_at.is_(None))
        .order_by(last_seen.c.seen_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


# --- audit ------------------------------------------------------------------------------------


def list_patient_audit(
    session: Session, patient_id: uuid.UUID
) -> list[tuple[AuditEvent, str | None]]:
    """A patient's audit trail, newest first, with each actor's user name."""
    rows = session.execute(
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.patient_id == patient_id)
        .order_by(AuditEvent.at.desc())
    )
    return [(event, username) for event, username in rows]
