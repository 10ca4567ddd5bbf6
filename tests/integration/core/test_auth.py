"""Sign-in, throttling, sessions and API tokens on both databases."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from alima.core.config import Settings
from alima.core.db import make_engine, make_sessionmaker
from alima.core.errors import Throttled, Unauthenticated
from alima.core.models import ApiToken, LoginAttempt, LoginThrottle, User, UserSession
from alima.core.service import auth
from alima.core.time import utcnow
from tests.factories.core import PASSWORD, World


def test_sign_in_and_resolve_session(session: Session, world: World, settings: Settings) -> None:
    user = world.users["clinician_a"]
    signed = auth.sign_in(
        session, username=user.username.upper(), password=PASSWORD, ip=None, settings=settings
    )
    assert signed.actor.id == user.id
    actor = auth.actor_from_session(session, signed.token, ip=None, settings=settings)
    assert actor is not None and actor.username == user.username


def test_each_sign_in_makes_a_new_token(session: Session, world: World, settings: Settings) -> None:
    name = world.users["clinician_a"].username
    first = auth.sign_in(session, username=name, password=PASSWORD, ip=None, settings=settings)
    second = auth.sign_in(session, username=name, password=PASSWORD, ip=None, settings=settings)
    assert first.token != second.token


def test_wrong_password_and_unknown_user(
    session: Session, world: World, settings: Settings
) -> None:
    with pytest.raises(Unauthenticated):
        auth.sign_in(
            session,
            username=world.users["clinician_a"].username,
            password="nope",
            ip=None,
            settings=settings,
        )
    with pytest.raises(Unauthenticated):
        auth.sign_in(session, username="nobody-here", password=PASSWORD, ip=None, settings=settings)


def test_failed_sign_ins_are_throttled(session: Session, world: World, settings: Settings) -> None:
    name = world.users["clinician_b"].username
    for _ in range(settings.login_max_failures):
        with pytest.raises(Unauthenticated):
            auth.sign_in(session, username=name, password="wrong", ip=None, settings=settings)
    with pytest.raises(Throttled) as caught:
        auth.sign_in(session, username=name, password=PASSWORD, ip=None, settings=settings)
    assert caught.value.status == 429
    assert 1 <= caught.value.context["seconds"] <= settings.login_backoff_seconds + 1


def test_an_attacker_cannot_lock_a_nurse_out(
    session: Session, world: World, settings: Settings
) -> None:
    """Guessing from one address makes that address wait; the nurse's device is not affected."""
    name = world.users["clinician_b"].username
    for _ in range(settings.login_max_failures * 3):
        with pytest.raises((Unauthenticated, Throttled)):
            auth.sign_in(session, username=name, password="wrong", ip="10.6.6.6", settings=settings)
    signed = auth.sign_in(
        session, username=name, password=PASSWORD, ip="10.0.0.7", settings=settings
    )
    assert signed.actor.username == name
    # From the guessing address even the right password waits, but only a short while.
    with pytest.raises(Throttled) as caught:
        auth.sign_in(session, username=name, password=PASSWORD, ip="10.6.6.6", settings=settings)
    assert caught.value.context["seconds"] <= settings.login_backoff_seconds + 1


def _expire_block(session: Session) -> None:
    with session.begin():
        for row in session.scalars(select(LoginThrottle)):
            if row.blocked_until is not None:
                row.blocked_until = utcnow() - timedelta(seconds=1)


def test_the_wait_doubles_then_a_success_clears_it(
    session: Session, world: World, settings: Settings
) -> None:
    name = world.users["clinician_b"].username
    for _ in range(settings.login_max_failures):
        with pytest.raises(Unauthenticated):
            auth.sign_in(session, username=name, password="wrong", ip="10.1.1.1", settings=settings)
    waits = []
    for _ in range(3):
        _expire_block(session)
        with pytest.raises(Unauthenticated):
            auth.sign_in(session, username=name, password="wrong", ip="10.1.1.1", settings=settings)
        with pytest.raises(Throttled) as caught:
            auth.sign_in(session, username=name, password="wrong", ip="10.1.1.1", settings=settings)
        waits.append(caught.value.context["seconds"])
    base = settings.login_backoff_seconds
    assert [round(w / base) for w in waits] == [2, 4, 8]
    _expire_block(session)
    auth.sign_in(session, username=name, password=PASSWORD, ip="10.1.1.1", settings=settings)
    with pytest.raises(Unauthenticated):
        auth.sign_in(session, username=name, password="wrong", ip="10.1.1.1", settings=settings)


def test_parallel_wrong_passwords_count_exactly(database_url: str, settings: Settings) -> None:
    """30 guesses at once, each in its own connection: exactly the allowed number is checked."""
    engine = make_engine(database_url, **({} if "sqlite" in database_url else {"pool_size": 30}))
    factory = make_sessionmaker(engine)
    name = f"parallel-{uuid.uuid4().hex[:12]}"
    barrier = threading.Barrier(30)

    def guess(_: int) -> str:
        session = factory()
        try:
            barrier.wait(timeout=120)
            auth.sign_in(session, username=name, password="wrong", ip="10.9.9.9", settings=settings)
        except Unauthenticated:
            return "checked"
        except Throttled:
            return "throttled"
        finally:
            session.close()
        return "signed in"

    try:
        with ThreadPoolExecutor(max_workers=30) as pool:
            outcomes = list(pool.map(guess, range(30)))
        assert outcomes.count("checked") == settings.login_max_failures
        assert outcomes.count("throttled") == 30 - settings.login_max_failures
    finally:
        with engine.begin() as conn:
            conn.execute(delete(LoginThrottle).where(LoginThrottle.username == name))
            conn.execute(delete(LoginAttempt).where(LoginAttempt.username == name))
        engine.dispose()


def test_expired_session_is_refused(session: Session, world: World, settings: Settings) -> None:
    signed = auth.sign_in(
        session,
        username=world.users["clinician_a"].username,
        password=PASSWORD,
        ip=None,
        settings=settings,
    )
    with session.begin():
        for live in session.scalars(select(UserSession)):
            live.expires_at = utcnow() - timedelta(minutes=1)
    assert auth.actor_from_session(session, signed.token, ip=None, settings=settings) is None


def test_sign_out_revokes(session: Session, world: World, settings: Settings) -> None:
    signed = auth.sign_in(
        session,
        username=world.users["clinician_a"].username,
        password=PASSWORD,
        ip=None,
        settings=settings,
    )
    auth.sign_out(session, signed.token, signed.actor)
    assert auth.actor_from_session(session, signed.token, ip=None, settings=settings) is None


def test_api_token_lifecycle(session: Session, world: World) -> None:
    user = world.users["data_manager"]
    created = auth.create_api_token(session, username=user.username, name="dhis2", days=1)
    assert created.token.startswith("alima_")
    assert auth.actor_from_api_token(session, created.token, ip=None).id == user.id
    with pytest.raises(Unauthenticated):
        auth.actor_from_api_token(session, created.token + "x", ip=None)
    expired = auth.create_api_token(
        session, username=user.username, name="old", days=1, now=utcnow() - timedelta(days=2)
    )
    with pytest.raises(Unauthenticated):
        auth.actor_from_api_token(session, expired.token, ip=None)


def test_api_actor_cache_never_outlives_revocation(session: Session, world: World) -> None:
    """The cache spares the scopes, not the check: a revoked token is refused at once."""
    user = world.users["data_manager"]
    created = auth.create_api_token(session, username=user.username, name="cache", days=1)
    auth.forget_api_actors()
    first = auth.actor_from_api_token(session, created.token, ip="10.0.0.1", cache_seconds=10)
    cached = auth.actor_from_api_token(session, created.token, ip="10.0.0.2", cache_seconds=10)
    assert (cached.id, cached.ip) == (first.id, "10.0.0.2")
    with session.begin():
        for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            token.revoked_at = utcnow()
    with pytest.raises(Unauthenticated):
        auth.actor_from_api_token(session, created.token, ip=None, cache_seconds=10)


def test_api_actor_cache_never_outlives_deactivation_or_expiry(
    session: Session, world: World
) -> None:
    user = world.users["data_manager"]
    created = auth.create_api_token(session, username=user.username, name="cache", days=1)
    auth.forget_api_actors()
    auth.actor_from_api_token(session, created.token, ip=None, cache_seconds=10)
    with session.begin():
        session.get_one(User, user.id).active = False
    with pytest.raises(Unauthenticated):
        auth.actor_from_api_token(session, created.token, ip=None, cache_seconds=10)
    with session.begin():
        session.get_one(User, user.id).active = True
    auth.actor_from_api_token(session, created.token, ip=None, cache_seconds=10)
    with session.begin():
        for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            token.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Unauthenticated):
        auth.actor_from_api_token(session, created.token, ip=None, cache_seconds=10)
