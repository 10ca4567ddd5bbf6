"""ASGI middleware: request id, language, CSRF cookie and security headers.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so the language set here is visible to the
route and to the templates through a context variable.
"""

from __future__ import annotations

import secrets
import uuid
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alima.core.i18n import DEFAULT_LOCALE, LOCALES, negotiate, set_locale
from alima.core.security import csrf_form_token

LOCALE_COOKIE = "alima_locale"
CSRF_COOKIE = "alima_csrf"
SESSION_COOKIE = "alima_session"
#: Behind TLS the session and CSRF cookies carry this prefix: the browser then accepts them
#: only with ``Secure``, ``Path=/`` and no ``Domain``, so a sibling subdomain cannot plant them.
HOST_PREFIX = "__Host-"


def cookie_name(base: str, *, secure: bool) -> str:
    """The name of a session or CSRF cookie (``__Host-`` prefixed behind TLS)."""
    return HOST_PREFIX + base if secure else base


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}
#: Sent only when cookies are secure (the server is behind TLS): browsers then refuse plain HTTP
#: to this host for a year, so a session cookie never travels unencrypted.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


#: A CSRF token we issued is 43 characters; shorter or longer ones are replaced.
CSRF_LENGTHS = range(20, 101)


def _cookies(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(v for k, v in scope.get("headers", []) if k == b"cookie")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:
        return {}
    return {str(k): str(m.value) for k, m in jar.items()}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class RequestContextMiddleware:
    """Sets request id, locale and CSRF token; adds security headers to every response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret: str,
        default_locale: str = DEFAULT_LOCALE,
        secure: bool = False,
    ) -> None:
        self.app = app
        self.secret = secret
        self.default_locale = default_locale
        self.secure = secure
        self.csrf_cookie = cookie_name(CSRF_COOKIE, secure=secure)
        self.session_cookie = cookie_name(SESSION_COOKIE, secure=secure)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP exchange."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        path: str = scope.get("path", "")
        # Machine clients (the JSON API, FHIR): language from Accept-Language, no CSRF cookie.
        is_api = path.startswith(("/api/", "/fhir/")) or path == "/fhir"
        locale = cookies.get(LOCALE_COOKIE)
        if is_api or locale not in LOCALES:
            locale = negotiate(_header(scope, b"accept-language")) if is_api else None
            locale = locale or (cookies.get(LOCALE_COOKIE) if not is_api else None)
            if locale not in LOCALES:
                locale = self.default_locale
        set_locale(locale or self.default_locale)
        nonce = cookies.get(self.csrf_cookie, "")
        new_csrf = None
        # A static file is kept by caches for a year (alima.web.static): it never sets a cookie.
        is_static = path.startswith("/static/")
        if not is_api and not is_static and len(nonce) not in CSRF_LENGTHS:
            new_csrf = secrets.token_urlsafe(32)
            nonce = new_csrf
        state = scope.setdefault("state", {})
        state["request_id"] = uuid.uuid4().hex[:12]
        state["locale"] = locale
        # What forms carry: bound to this browser's CSRF cookie and to its session.
        state["csrf"] = csrf_form_token(self.secret, nonce, cookies.get(self.session_cookie, ""))
        state["cookies"] = cookies

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
                if self.secure:
                    headers.setdefault("strict-transport-security", STRICT_TRANSPORT_SECURITY)
                headers.setdefault("x-request-id", state["request_id"])
                # Pages and API responses carry patient data: never kept by a browser or proxy
                # (the static files set their own policy).
                headers.setdefault("cache-control", "no-store")
                rotated: str | None = state.get("csrf_rotated")
                cookie_value = rotated or new_csrf
                if cookie_value:
                    secure = "; Secure" if self.secure else ""
                    headers.append(
                        "set-cookie",
                        f"{self.csrf_cookie}={cookie_value}; Path=/; HttpOnly; "
                        f"SameSite=Strict{secure}",
                    )
            await send(message)

        await self.app(scope, receive, send_wrapper)
