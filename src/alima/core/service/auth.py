"""Sign-in, sessions, API tokens and user accounts."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from alima.core import repository
from alima.core.access import Actor, Grant
from alima.core.audit import record
from alima.core.config import Settings
from alima.core.enums import AuditAction, Role
from alima.core.errors import (
    BadRequest,
    Conflict,
    CoreError,
    NotFound,
    Throttled,
    Unauthenticated,
)
from alima.core.models import ApiToken, LoginAttempt, RoleAssignment, User, UserSession
from alima.core.policy import apply_actor_policies
from alima.core.schemas import PasswordChange, TokenCreated
from alima.core.security import (
    hash_password,
    is_common_password,
    needs_rehash,
    new_token,
    token_hash,
    verify_password,
)
from alima.core.time import utcnow


@dataclass(frozen=True)
class SignedIn:
    """A new session: the cookie token (shown once) and who signed in."""

    token: str
    actor: Actor


def actor_for(session: Session, user: User, *, channel: str, ip: str | None) -> Actor:
    """The access profile of ``user``: each role with the place paths it covers.

    Registered actor policies then apply (``alima.core.policy``): partner agreements narrow
    the grants, break-the-glass adds time-limited patients.
    """
    assignments = repository.active_assignments(session, user.id)
    project_paths = repository.project_place_paths(
        session, [a.project_id for a in assignments if a.project_id]
    )
    grants: list[Grant] = []
    for a in assignments:
        if a.place is not None:
            paths: tuple[str, ...] = (a.place.path,)
        else:
            paths = tuple(project_paths.get(a.project_id, [])) if a.project_id else ()
        grants.append(Grant(role=Role(a.role), paths=paths, project_id=a.project_id))
    actor = Actor(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        locale=user.locale,
        grants=tuple(grants),
        channel=channel,
        ip=ip,
    )
    return apply_actor_policies(session, user, actor)


#: The client key used when the caller's address is unknown (tests, a local socket).
UNKNOWN_CLIENT = "-"


def sign_in_wait(failures: int, settings: Settings) -> timedelta:
    """How long a client waits after its ``failures``-th failure.

    Nothing until the allowed number, then ``login_backoff_seconds`` doubled at each further
    failure, at most ``login_throttle_minutes``.
    """
    if failures < settings.login_max_failures:
        return timedelta(0)
    doublings = min(failures - settings.login_max_failures, 20)
    seconds = settings.login_backoff_seconds * 2**doublings
    return min(timedelta(seconds=seconds), timedelta(minutes=settings.login_throttle_minutes))


def sign_in(
    session: Session, *, username: str, password: str, ip: str | None, settings: Settings
) -> SignedIn:
    """Check credentials (throttled), open a new session and return its token.

    Failures are counted per (user name, client address): guessing from one client makes that
    client wait, with a wait that doubles at each further failure, while the nurse signs in
    from her own device as usual. The attempt is counted atomically *before* the password is
    checked, so parallel guesses get exactly ``login_max_failures`` tries.

    A new random token is made at every sign-in, so a session id planted before sign-in is
    useless afterwards (session fixation).
    """
    now = utcnow()
    name = username.strip().lower()[:80]
    client = _claim_attempt(session, name, ip, now, settings)
    with session.begin():
        user = _checked_user(session, name, password, ip)
        if user is None:
            result: SignedIn | None = None
        else:
            repository.clear_sign_in_failures(session, username=name, client=client)
            user.last_sign_in_at = now
            token = new_token()
            session.add(
                UserSession(
                    user_id=user.id,
                    token_hash=token_hash(token),
                    created_at=now,
                    expires_at=now + timedelta(hours=settings.session_hours),
                    ip=ip,
                )
            )
            actor = actor_for(session, user, channel="web", ip=ip)
            record(session, actor, AuditAction.SIGN_IN, entity_type="user", entity_id=user.id)
            result = SignedIn(token=token, actor=actor)
    if result is None:
        raise Unauthenticated(CoreError.CORE_005)
    return result


def _claim_attempt(
    session: Session, name: str, ip: str | None, now: datetime, settings: Settings
) -> str:
    """Count an attempt of ``name`` from ``ip`` (throttled), in a transaction of its own.

    Returns the client key; raises ``Throttled`` while that client must wait.
    """
    client = (ip or UNKNOWN_CLIENT)[:64]
    forget_before = now - timedelta(minutes=settings.login_throttle_minutes)
    with session.begin():
        failures = repository.claim_sign_in_attempt(
            session, username=name, client=client, now=now, forget_before=forget_before
        )
        if failures is None:
            until = repository.sign_in_blocked_until(session, username=name, client=client)
        elif failures >= settings.login_max_failures:
            # Block before checking: parallel attempts wait while this one is checked.
            until = now + sign_in_wait(failures, settings)
            repository.block_sign_in(session, username=name, client=client, until=until)
    if failures is None:
        seconds = max(1, int(((until or now) - now).total_seconds()) + 1)
        raise Throttled(CoreError.CORE_006, seconds=seconds)
    return client


def _checked_user(session: Session, name: str, password: str, ip: str | None) -> User | None:
    """The active user ``name`` if ``password`` is theirs (inside the caller's transaction).

    The attempt is kept and a failure audited; a hash made with older parameters is renewed.
    """
    user = repository.find_user_by_username(session, name)
    ok = verify_password(user.password_hash if user and user.active else None, password)
    session.add(LoginAttempt(username=name, succeeded=ok, ip=ip))
    if not ok or user is None:
        record(
            session,
            None,
            AuditAction.SIGN_IN_FAILED,
            entity_type="user",
            entity_id=user.id if user else None,
            detail=name,
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def actor_from_password(
    session: Session,
    *,
    username: str,
    password: str,
    ip: str | None,
    settings: Settings,
    channel: str,
) -> Actor:
    """The actor of a device that sends a user name and password with each request.

    Throttled and audited on failure like a sign-in, but no session is opened: the device
    (ODK Collect) authenticates every request itself.
    """
    name = username.strip().lower()[:80]
    client = _claim_attempt(session, name, ip, utcnow(), settings)
    with session.begin():
        user = _checked_user(session, name, password, ip)
        if user is not None:
            repository.clear_sign_in_failures(session, username=name, client=client)
            actor: Actor | None = actor_for(session, user, channel=channel, ip=ip)
        else:
            actor = None
    if actor is None:
        raise Unauthenticated(CoreError.CORE_005)
    return actor


def actor_from_session(
    session: Session, token: str, *, ip: str | None, settings: Settings
) -> Actor | None:
    """The actor of a live sign-in session, sliding its expiry; ``None`` if not signed in.

    The idle expiry slides with use, but never past the absolute limit counted from sign-in
    (``session_absolute_hours``): a stolen cookie kept busy still dies.
    """
    now = utcnow()
    with session.begin():
        live = repository.find_live_session(session, token_hash(token), now)
        if live is None:
            return None
        absolute = live.created_at + timedelta(hours=settings.session_absolute_hours)
        if now >= absolute:
            live.revoked_at = now
            return None
        user = session.get(User, live.user_id)
        if user is None or not user.active:
            return None
        new_expiry = min(now + timedelta(hours=settings.session_hours), absolute)
        if new_expiry - live.expires_at > timedelta(minutes=5) or new_expiry < live.expires_at:
            live.expires_at = new_expiry
        return actor_for(session, user, channel="web", ip=ip)


def sign_out(session: Session, token: str, actor: Actor) -> None:
    """Revoke the current session."""
    with session.begin():
        live = repository.find_live_session(session, token_hash(token), utcnow())
        if live is not None:
            live.revoked_at = utcnow()
        record(session, actor, AuditAction.SIGN_OUT, entity_type="user", entity_id=actor.id)


def change_own_password(
    session: Session,
    data: PasswordChange,
    *,
    actor: Actor,
    token: str,
    ip: str | None,
    settings: Settings,
) -> None:
    """The signed-in user sets a new password, proving the current one first.

    A wrong current password counts as a failed sign-in (throttled and audited like one), so a
    session left open on a shared laptop cannot be used to guess it. The new password meets the
    same policy as any other; the user's other sessions end, the one in use stays open.
    The password itself is never recorded.
    """
    with session.begin():
        user = session.get(User, actor.id)
        name = user.username if user is not None and user.active else None
    if name is None:
        raise Unauthenticated(CoreError.CORE_005)
    check_password_policy(data.password, settings, username=name)
    if data.password == data.current_password:
        raise BadRequest(CoreError.CORE_026, field="password")
    client = _claim_attempt(session, name, ip, utcnow(), settings)
    with session.begin():
        checked = _checked_user(session, name, data.current_password, ip)
        if checked is not None:
            repository.clear_sign_in_failures(session, username=name, client=client)
            checked.password_hash = hash_password(data.password)
            repository.end_sessions(session, checked.id, utcnow(), keep=token_hash(token))
            record(
                session,
                actor,
                AuditAction.UPDATE,
                entity_type="user",
                entity_id=checked.id,
                detail="own password changed",
            )
    if checked is None:
        raise BadRequest(CoreError.CORE_025, field="current_password")


def set_locale(session: Session, actor: Actor, locale: str) -> None:
    """Remember the user's language."""
    with session.begin():
        user = session.get(User, actor.id)
        if user is not None and locale in {"fr", "en"}:
            user.locale = locale


#: Recently resolved API tokens: hash -> (monotonic expiry, actor). An API client sends many
#: requests in a row (a tablet synchronising, DHIS2 pulling); resolving the user's scopes and
#: agreements once per few seconds instead of per request halves the work of a visit post.
#: Whether the token is still live and its user still active is read at every request.
_API_ACTORS: dict[str, tuple[float, Actor]] = {}
_API_ACTORS_LOCK = threading.Lock()
_API_ACTORS_MAX = 1000


def forget_api_actors() -> None:
    """Drop every cached API actor (after a role, scope or token change)."""
    with _API_ACTORS_LOCK:
        _API_ACTORS.clear()


def actor_from_api_token(
    session: Session, token: str, *, ip: str | None, cache_seconds: float = 0.0
) -> Actor:
    """The actor behind a bearer token; ``Unauthenticated`` if unknown, expired or revoked.

    With ``cache_seconds`` the actor's roles and scopes are reused for that long
    (``ALIMA_API_ACTOR_CACHE_SECONDS``), but revocation, expiry and deactivation are checked
    at every request (one indexed query), so they take effect at once.
    """
    hashed = token_hash(token)
    if cache_seconds > 0:
        with _API_ACTORS_LOCK:
            cached = _API_ACTORS.get(hashed)
        if cached is not None and cached[0] > time.monotonic():
            with session.begin():
                live = repository.api_token_is_live(session, hashed, utcnow())
            if live:
                return replace(cached[1], ip=ip)
            with _API_ACTORS_LOCK:
                _API_ACTORS.pop(hashed, None)
            raise Unauthenticated(CoreError.CORE_010)
    actor = _resolve_api_token(session, hashed, ip=ip)
    if cache_seconds > 0:
        with _API_ACTORS_LOCK:
            if len(_API_ACTORS) >= _API_ACTORS_MAX:
                _API_ACTORS.clear()
            _API_ACTORS[hashed] = (time.monotonic() + cache_seconds, actor)
    return actor


def _resolve_api_token(session: Session, hashed: str, *, ip: str | None) -> Actor:
    now = utcnow()
    with session.begin():
        live = repository.find_live_token(session, hashed, now)
        user = session.get(User, live.user_id) if live else None
        if live is None or user is None or not user.active:
            actor = None
        else:
            if live.last_used_at is None or now - live.last_used_at > timedelta(minutes=5):
                live.last_used_at = now
            actor = actor_for(session, user, channel="api", ip=ip)
    if actor is None:
        raise Unauthenticated(CoreError.CORE_010)
    return actor


def create_api_token(
    session: Session, *, username: str, name: str, days: int, now: datetime | None = None
) -> TokenCreated:
    """Create an API token for a user; the clear token is returned once, only its hash kept."""
    with session.begin():
        user = repository.find_user_by_username(session, username)
        if user is None:
            raise NotFound(CoreError.CORE_001)
        return issue_api_token(session, user, name=name, days=days, now=now, actor=None)


def issue_api_token(
    session: Session,
    user: User,
    *,
    name: str,
    days: int,
    actor: Actor | None,
    now: datetime | None = None,
) -> TokenCreated:
    """Add an API token of ``user``, audited, inside the caller's transaction."""
    now = now or utcnow()
    token = new_token("alima_")
    expires = now + timedelta(days=days)
    api_token = ApiToken(
        user_id=user.id, name=name[:100], token_hash=token_hash(token), expires_at=expires
    )
    session.add(api_token)
    session.flush()
    record(
        session,
        actor,
        AuditAction.TOKEN_CREATED,
        entity_type="api_token",
        entity_id=api_token.id,
        detail=f"{user.username}: {name[:100]}",
    )
    return TokenCreated(token=token, expires_at=expires, username=user.username)


#: A password with fewer different characters than this is refused ("aaaaaaaaaa", "ababab...").
MIN_DISTINCT_CHARACTERS = 5
#: User names shorter than this are not searched for inside the password.
MIN_NAME_IN_PASSWORD = 3
#: The refusals of :func:`check_password_policy` (forms show them at the password field).
PASSWORD_POLICY_CODES = frozenset({CoreError.CORE_015, CoreError.CORE_018, CoreError.CORE_019})


def check_password_policy(password: str, settings: Settings, *, username: str = "") -> None:
    """Refuse short passwords, very common ones, and those containing the user name.

    Length beats composition rules (NIST SP 800-63B §5.1.1.2): no forced symbols, but a
    list of commonly used passwords and the account's own name are refused.
    """
    if len(password) < settings.password_min_length:
        raise BadRequest(CoreError.CORE_015, min_length=settings.password_min_length)
    name = username.strip().casefold()
    if len(name) >= MIN_NAME_IN_PASSWORD and name in password.casefold():
        raise BadRequest(CoreError.CORE_018)
    if len(set(password.casefold())) < MIN_DISTINCT_CHARACTERS or is_common_password(password):
        raise BadRequest(CoreError.CORE_019)


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    password: str,
    role: Role,
    place_code: str | None,
    project_code: str | None,
    organisation_code: str | None,
    settings: Settings,
) -> uuid.UUID:
    """Create a user with one role assignment, scoped to a place subtree or a project."""
    check_password_policy(password, settings, username=username)
    with session.begin():
        organisation_id = None
        if organisation_code:
            from sqlalchemy import select

            from alima.core.models import Organisation

            org = session.scalars(
                select(Organisation).where(Organisation.code == organisation_code)
            ).one_or_none()
            organisation_id = org.id if org else None
        assignment = RoleAssignment(role=role.value)
        if project_code:
            project = repository.find_project_by_code(session, project_code)
            if project is None:
                raise NotFound(CoreError.CORE_001)
            assignment.project_id = project.id
        else:
            assignment.place_id = repository.get_place_by_code(session, place_code or "").id
        return add_user(
            session,
            username=username,
            full_name=full_name,
            password=password,
            assignment=assignment,
            organisation_id=organisation_id,
            actor=None,
        ).id


def add_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    password: str,
    assignment: RoleAssignment,
    organisation_id: uuid.UUID | None,
    actor: Actor | None,
) -> User:
    """Add a user with its first role, audited, inside the caller's transaction.

    The password policy is checked by the caller, before its transaction.
    """
    if repository.find_user_by_username(session, username) is not None:
        raise Conflict(CoreError.CORE_014, username=username)
    user = User(
        username=username.strip().lower(),
        full_name=full_name,
        password_hash=hash_password(password),
        organisation_id=organisation_id,
    )
    session.add(user)
    session.flush()
    assignment.user_id = user.id
    session.add(assignment)
    record(
        session,
        actor,
        AuditAction.CREATE,
        entity_type="user",
        entity_id=user.id,
        detail=f"{user.username}: {assignment.role}",
    )
    return user
