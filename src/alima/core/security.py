"""Passwords (argon2id), random tokens and their hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id, library defaults (RFC 9106 low-memory profile)

#: A hash of a random password, used so that an unknown user name costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password in constant time; an unknown user still pays for one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: Characters stripped from the end before the common-password check ("motdepasse2026!").
_DECORATION = "0123456789!?.,;:-_@#$%&*+=/ "


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = files("alima.core").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def is_common_password(password: str) -> bool:
    """True for a very common password, even with digits or signs appended or spaces removed."""
    folded = password.casefold()
    candidates = {folded, folded.replace(" ", ""), folded.rstrip(_DECORATION)}
    return any(c in _common_passwords() for c in candidates if c)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash parameters are older than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


def new_token(prefix: str = "") -> str:
    """A random URL-safe token (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 of a token, as stored in the database."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_equal(a: str, b: str) -> bool:
    """Constant-time comparison."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def csrf_form_token(secret: str, nonce: str, session_token: str) -> str:
    """The CSRF token a form must carry: an HMAC of the browser's CSRF cookie and its session.

    Bound to the session (a token from another session, or a CSRF cookie the attacker chose,
    does not match) and unforgeable without the server's secret.
    """
    message = f"csrf|{nonce}|{session_token}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def pseudonym(secret: str, value: str, length: int = 12) -> str:
    """A stable pseudonymous identifier derived from ``value`` (research exports)."""
    digest = hmac.new(secret.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:length].upper()
