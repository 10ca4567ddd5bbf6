"""Account administration: users, roles, passwords and API tokens, effective at once.

Administrators create users, give and take back roles, reset passwords, deactivate users,
create and revoke API tokens.

Sessions and tokens are read from the database at every request (the API's actor cache checks
that its token is still live and its user active before reusing anything), so what is done
here takes effect at once. The command line acts as the server's operator (``actor=None``);
an administrator in the web acts only on users whose every role lies inside the places they
administer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alima.core import repository
from alima.core.access import Actor, Permission
from alima.core.audit import record
from alima.core.config import Settings
from alima.core.enums import AuditAction
from alima.core.errors import BadRequest, Conflict, CoreError, Forbidden, NotFound
from alima.core.models import ApiToken, Place, Project, RoleAssignment, User
from alima.core.schemas import (
    AccountCreate,
    ApiTokenCreate,
    PasswordReset,
    RoleGrant,
    RoleWithdrawal,
    TokenCreated,
)
from alima.core.security import hash_password
from alima.core.service.auth import add_user, check_password_policy, issue_api_token
from alima.core.service.common import add_created, place_in_scope
from alima.core.time import utcnow

#: A deactivation says why, like every other destructive act.
MIN_REASON_LENGTH = 3


@dataclass(frozen=True)
class TokenRow:
    """An API token as an administrator sees it (never the token itself)."""

    id: uuid.UUID
    username: str
    name: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def live(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and self.expires_at > utcnow()


def _token_row(user: User, token: ApiToken) -> TokenRow:
    return TokenRow(
        id=token.id,
        username=user.username,
        name=token.name,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


@dataclass(frozen=True)
class AssignmentRow:
    """A role held by a user, and where (a place's subtree, or a project's places)."""

    id: uuid.UUID
    role: str
    scope_code: str
    scope_name: str


@dataclass(frozen=True)
class AccountRow:
    """A user account with its roles and API tokens."""

    id: uuid.UUID
    username: str
    full_name: str
    active: bool
    roles: tuple[str, ...]
    last_sign_in_at: datetime | None
    tokens: tuple[TokenRow, ...] = ()
    assignments: tuple[AssignmentRow, ...] = ()


def _assignment_paths(session: Session, user_id: uuid.UUID) -> list[tuple[str, ...]]:
    assignments = list(
        session.scalars(
            select(RoleAssignment).where(
                RoleAssignment.user_id == user_id, RoleAssignment.active.is_(True)
            )
        )
    )
    project_paths = repository.project_place_paths(
        session, [a.project_id for a in assignments if a.project_id]
    )
    result: list[tuple[str, ...]] = []
    for a in assignments:
        if a.place_id is not None:
            place = session.get(Place, a.place_id)
            result.append((place.path,) if place else ())
        else:
            result.append(tuple(project_paths.get(a.project_id, [])) if a.project_id else ())
    return result


def _in_scope(session: Session, actor: Actor | None, user: User) -> bool:
    """Whether ``actor`` may administer ``user``.

    Every role of the user must lie in the actor's places: an administrator of a facility
    cannot deactivate a national coordinator.
    """
    if actor is None:
        return True
    admin_paths = actor.paths_for(Permission.ADMINISTER)
    if not admin_paths:
        return False
    assignments = _assignment_paths(session, user.id)
    return bool(assignments) and all(
        paths and all(any(p.startswith(a) for a in admin_paths) for p in paths)
        for paths in assignments
    )


def _tokens(session: Session, user: User) -> tuple[TokenRow, ...]:
    tokens = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    )
    return tuple(_token_row(user, t) for t in tokens)


def _assignments(session: Session, user: User) -> tuple[AssignmentRow, ...]:
    rows = []
    for a in session.scalars(
        select(RoleAssignment)
        .where(RoleAssignment.user_id == user.id, RoleAssignment.active.is_(True))
        .order_by(RoleAssignment.created_at)
    ):
        scope = session.get(Place, a.place_id) if a.place_id else None
        project = session.get(Project, a.project_id) if a.project_id else None
        code, name = (
            (scope.code, scope.name)
            if scope
            else (project.code, project.name)
            if project
            else ("", "")
        )
        rows.append(AssignmentRow(id=a.id, role=a.role, scope_code=code, scope_name=name))
    return tuple(rows)


def _row(session: Session, user: User, *, with_tokens: bool = False) -> AccountRow:
    roles = session.scalars(
        select(RoleAssignment.role).where(
            RoleAssignment.user_id == user.id, RoleAssignment.active.is_(True)
        )
    )
    return AccountRow(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        active=user.active,
        roles=tuple(sorted(set(roles))),
        last_sign_in_at=user.last_sign_in_at,
        tokens=_tokens(session, user) if with_tokens else (),
        assignments=_assignments(session, user) if with_tokens else (),
    )


def _require_administrator(actor: Actor | None) -> None:
    if actor is not None and not actor.can(Permission.ADMINISTER):
        raise Forbidden(CoreError.CORE_002)


def _get_user(session: Session, user_id: uuid.UUID, actor: Actor | None) -> User:
    """The user if in scope; otherwise the refusal is audited (committed) and a ``NotFound``."""
    with session.begin():
        user = session.get(User, user_id)
        if user is not None and _in_scope(session, actor, user):
            return user
        record(session, actor, AuditAction.READ_DENIED, entity_type="user", entity_id=user_id)
    raise NotFound(CoreError.CORE_001)


def list_accounts(session: Session, *, actor: Actor) -> list[AccountRow]:
    """Users the administrator may manage, by user name."""
    _require_administrator(actor)
    with session.begin():
        users = session.scalars(select(User).order_by(User.username))
        return [_row(session, u) for u in users if _in_scope(session, actor, u)]


def get_account(session: Session, user_id: uuid.UUID, *, actor: Actor) -> AccountRow:
    """One user account with its API tokens."""
    _require_administrator(actor)
    _get_user(session, user_id, actor)
    with session.begin():
        return _row(session, session.get_one(User, user_id), with_tokens=True)


def user_id_by_name(session: Session, username: str) -> uuid.UUID:
    """The id of the user called ``username`` (the command line names users)."""
    with session.begin():
        user = repository.find_user_by_username(session, username)
        if user is None:
            raise NotFound(CoreError.CORE_001)
        return user.id


def set_active(
    session: Session, user_id: uuid.UUID, *, active: bool, reason: str, actor: Actor | None
) -> AccountRow:
    """Deactivate (or reactivate) a user, audited with the reason.

    Deactivation also ends every sign-in session and revokes every API token of the user, so
    nothing of the account works from the next request on, and a later reactivation does not
    bring old tokens back.
    """
    _require_administrator(actor)
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_LENGTH:
        raise BadRequest(CoreError.CORE_012)
    user = _get_user(session, user_id, actor)
    if actor is not None and user.id == actor.id and not active:
        raise BadRequest(CoreError.CORE_020)
    now = utcnow()
    with session.begin():
        user = session.get_one(User, user_id)
        before = {"active": user.active}
        user.active = active
        if not active:
            repository.end_sessions(session, user.id, now)
            session.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=now)
                .execution_options(synchronize_session=False)
            )
        record(
            session,
            actor,
            AuditAction.UPDATE,
            entity_type="user",
            entity_id=user.id,
            before=before,
            after={"active": active},
            detail=reason[:500],
        )
        return _row(session, user, with_tokens=True)


def list_tokens(session: Session, username: str) -> list[TokenRow]:
    """The API tokens of a user, newest first (the command line)."""
    with session.begin():
        user = repository.find_user_by_username(session, username)
        if user is None:
            raise NotFound(CoreError.CORE_001)
        return list(_tokens(session, user))


def find_token_id(session: Session, prefix: str) -> uuid.UUID:
    """The token whose id starts with ``prefix`` (as ``alima token list`` shows it)."""
    prefix = prefix.strip().lower().replace("-", "")
    with session.begin():
        ids = [i for i in session.scalars(select(ApiToken.id)) if i.hex.startswith(prefix)]
    if len(prefix) < 8 or len(ids) != 1:  # noqa: PLR2004 - at least 8 hex digits
        raise NotFound(CoreError.CORE_001)
    return ids[0]


def revoke_token(session: Session, token_id: uuid.UUID, *, actor: Actor | None) -> TokenRow:
    """Revoke an API token at once (idempotent), audited."""
    _require_administrator(actor)
    with session.begin():
        token = session.get(ApiToken, token_id)
        user_id = token.user_id if token else None
    if user_id is None:
        if actor is not None:
            with session.begin():
                record(
                    session,
                    actor,
                    AuditAction.READ_DENIED,
                    entity_type="api_token",
                    entity_id=token_id,
                )
        raise NotFound(CoreError.CORE_001)
    user = _get_user(session, user_id, actor)
    with session.begin():
        token = session.get(ApiToken, token_id)
        assert token is not None  # noqa: S101 - found just above, tokens are never deleted
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            record(
                session,
                actor,
                AuditAction.TOKEN_REVOKED,
                entity_type="api_token",
                entity_id=token.id,
                detail=f"{user.username}: {token.name}",
            )
        return _token_row(user, token)


def administered_places(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """The places (code, name) where the administrator may give a role, top-down."""
    _require_administrator(actor)
    with session.begin():
        places = repository.list_places(session, actor.paths_for(Permission.ADMINISTER))
        return [(p.code, p.name) for p in places]


def create_account(
    session: Session, data: AccountCreate, *, actor: Actor, settings: Settings
) -> uuid.UUID:
    """Create a user with one role at a place the administrator administers, audited."""
    _require_administrator(actor)
    check_password_policy(data.password, settings, username=data.username)
    with session.begin():
        place = place_in_scope(
            session, actor, data.place_code, Permission.ADMINISTER, field="place_code"
        )
        user = add_user(
            session,
            username=data.username,
            full_name=data.full_name,
            password=data.password,
            assignment=RoleAssignment(role=data.role.value, place_id=place.id),
            organisation_id=None,
            actor=actor,
        )
        return user.id


def grant_role(
    session: Session, user_id: uuid.UUID, data: RoleGrant, *, actor: Actor
) -> AssignmentRow:
    """Give a user a role at a place the administrator administers, audited."""
    _require_administrator(actor)
    _get_user(session, user_id, actor)
    with session.begin():
        place = place_in_scope(
            session, actor, data.place_code, Permission.ADMINISTER, field="place_code"
        )
        held = session.scalars(
            select(RoleAssignment).where(
                RoleAssignment.user_id == user_id,
                RoleAssignment.role == data.role.value,
                RoleAssignment.place_id == place.id,
                RoleAssignment.active.is_(True),
            )
        ).first()
        if held is not None:
            raise Conflict(CoreError.CORE_023, place=place.name, field="place_code")
        assignment = RoleAssignment(user_id=user_id, role=data.role.value, place_id=place.id)
        add_created(
            session,
            actor,
            assignment,
            "core_role_assignment",
            after={"user_id": str(user_id), "role": data.role.value, "place": place.code},
            place_id=None,
        )
        return AssignmentRow(
            id=assignment.id, role=assignment.role, scope_code=place.code, scope_name=place.name
        )


def assignment_user(session: Session, assignment_id: uuid.UUID, *, actor: Actor) -> uuid.UUID:
    """The user holding a live role assignment the administrator manages.

    Otherwise the refusal is audited (committed) and a ``NotFound``.
    """
    _require_administrator(actor)
    with session.begin():
        assignment = session.get(RoleAssignment, assignment_id)
        user_id = assignment.user_id if assignment and assignment.active else None
    if user_id is None:
        with session.begin():
            record(
                session,
                actor,
                AuditAction.READ_DENIED,
                entity_type="core_role_assignment",
                entity_id=assignment_id,
            )
        raise NotFound(CoreError.CORE_001)
    _get_user(session, user_id, actor)
    return user_id


def withdraw_role(
    session: Session, assignment_id: uuid.UUID, data: RoleWithdrawal, *, actor: Actor
) -> uuid.UUID:
    """Take a role back (kept, marked inactive), audited with the reason; the user's id.

    The last role of a user is not taken back: the account is deactivated instead.
    """
    user_id = assignment_user(session, assignment_id, actor=actor)
    with session.begin():
        assignment = session.get_one(RoleAssignment, assignment_id)
        live = session.scalars(
            select(RoleAssignment.id).where(
                RoleAssignment.user_id == user_id, RoleAssignment.active.is_(True)
            )
        ).all()
        if len(live) <= 1:
            raise BadRequest(CoreError.CORE_022)
        assignment.active = False
        record(
            session,
            actor,
            AuditAction.UPDATE,
            entity_type="core_role_assignment",
            entity_id=assignment.id,
            before={"active": True},
            after={"active": False},
            detail=" ".join(data.reason.split())[:500],
        )
        return user_id


def reset_password(
    session: Session,
    user_id: uuid.UUID,
    data: PasswordReset,
    *,
    actor: Actor,
    settings: Settings,
) -> None:
    """Set a new password for a user, audited (never the password); their sessions end."""
    _require_administrator(actor)
    user = _get_user(session, user_id, actor)
    check_password_policy(data.password, settings, username=user.username)
    with session.begin():
        user = session.get_one(User, user_id)
        user.password_hash = hash_password(data.password)
        repository.end_sessions(session, user.id, utcnow())
        record(
            session,
            actor,
            AuditAction.UPDATE,
            entity_type="user",
            entity_id=user.id,
            detail="password reset",
        )


def create_token(
    session: Session, user_id: uuid.UUID, data: ApiTokenCreate, *, actor: Actor
) -> TokenCreated:
    """Create an API token of a user the administrator manages (shown once), audited."""
    _require_administrator(actor)
    _get_user(session, user_id, actor)
    with session.begin():
        user = session.get_one(User, user_id)
        if not user.active:
            raise BadRequest(CoreError.CORE_024)
        return issue_api_token(session, user, name=data.name, days=data.days, actor=actor)
