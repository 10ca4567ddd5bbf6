"""The application factory: API, pages, static files, error handlers, middleware."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, Final, Protocol

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.telemetry import TelemetryConfig
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from alima.api import errors as api_errors
from alima.api import sync as sync_api
from alima.api.deps import refuse_unstorable_text
from alima.api.v1 import care as care_api
from alima.api.v1 import community as community_api
from alima.api.v1 import dhis2 as dhis2_api
from alima.api.v1 import impact as impact_api
from alima.api.v1 import outbreaks as outbreaks_api
from alima.api.v1 import research as research_api
from alima.api.v1 import router as api_router
from alima.api.v1 import smc as smc_api
from alima.api.v1 import stock as stock_api
from alima.core import collector
from alima.core.audit import record_refusal
from alima.core.config import Settings, get_settings
from alima.core.db import make_engine, make_sessionmaker
from alima.core.errors import AlimaError, CoreError, Forbidden
from alima.core.i18n import gettext
from alima.core.service.patients import DuplicateSuspected
from alima.interop.fhir import routes as fhir
from alima.interop.openrosa import server as openrosa_server
from alima.nutrition.background import refresh_periodically
from alima.sync.background import run_periodically
from alima.sync.http import http_transport
from alima.web import errors as web_errors
from alima.web.deps import LoginRequired, verify_csrf
from alima.web.middleware import RequestContextMiddleware
from alima.web.routes import (
    account,
    admin,
    alliance,
    auth,
    care,
    community,
    dhis2,
    home,
    impact,
    nutrition,
    openrosa,
    outbreaks,
    patients,
    research,
    smc,
    stock,
    sync,
)
from alima.web.static import STATIC_DIR, VersionedStaticFiles
from alima.web.templating import make_templates

log = logging.getLogger("alima")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or fhir.is_fhir(request.url.path)


class _ErrorBodies(Protocol):
    """How an API renders its errors (``alima.api.errors``; FHIR's OperationOutcomes)."""

    def alima_error_response(self, exc: AlimaError) -> Response: ...
    def validation_error_response(self, exc: RequestValidationError) -> Response: ...
    def api_error(
        self, status: int, code: str, message: str, context: dict[str, Any] | None = None
    ) -> Response: ...
    def unexpected_response(self, request: Request, exc: Exception) -> Response: ...


def _errors(request: Request) -> _ErrorBodies:
    """The error bodies of the API ``request`` calls."""
    return fhir if fhir.is_fhir(request.url.path) else api_errors


def _audit_refusal(request: Request) -> None:
    """Every refusal is audited, whichever check refused (in its own committed transaction)."""
    actor = getattr(request.state, "actor", None)
    session = getattr(request.state, "db", None)
    if actor is not None and session is not None and not session.in_transaction():
        record_refusal(session, actor, method=request.method, path=request.url.path)


def _include_routers(app: FastAPI) -> None:
    """The API, the devices' protocols (their own authentication, no cookie) and the pages."""
    app.include_router(api_router)
    for api in (
        community_api,
        care_api,
        impact_api,
        stock_api,
        smc_api,
        dhis2_api,
        outbreaks_api,
        research_api,
    ):
        app.include_router(api.router, prefix="/api/v1")
    app.include_router(sync_api.router)
    app.include_router(fhir.router)
    # Devices authenticate every request themselves and carry no cookie: no CSRF check.
    app.include_router(openrosa_server.router)
    web_dependencies = [Depends(verify_csrf)]
    for page in (
        auth,
        home,
        patients,
        nutrition,
        alliance,
        community,
        care,
        impact,
        admin,
        account,
        openrosa,
        stock,
        smc,
        dhis2,
        outbreaks,
        research,
        sync,
    ):
        app.include_router(page.router, dependencies=web_dependencies, include_in_schema=False)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background sync while the server runs, on an enrolled laptop (docs/sync-pages.md).

    And the monthly summary's refresh (``nutrition.summary``), every
    ``summary_refresh_minutes``.
    """
    collector.freeze_once()
    minutes = app.state.settings.sync_interval_minutes
    tasks = []
    if minutes > 0:
        tasks.append(
            asyncio.create_task(
                run_periodically(app.state.sessionmaker, minutes, lambda: app.state.sync_transport)
            )
        )
    refresh = app.state.settings.summary_refresh_minutes
    if refresh > 0:
        tasks.append(asyncio.create_task(refresh_periodically(app.state.sessionmaker, refresh)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


#: FastAPI's own OpenTelemetry export, off whatever the environment says
#: (``FASTAPI_OTEL_AUTO_CONFIGURE``, a provider set up in the process): its logs carry
#: validation failures and exception messages, which can hold a child's name or identifier.
NO_TELEMETRY: Final[TelemetryConfig] = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI application for ``settings``."""
    settings = settings or get_settings()
    app = FastAPI(
        title="alima",
        version="0.1.0",
        description="Field health platform API. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `alima token create`). Errors are `{code, message, context}` in the "
        "language of `Accept-Language` (French by default).",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; the schema alone is served
        redoc_url=None,
        dependencies=[Depends(refuse_unstorable_text)],
        lifespan=_lifespan,
        telemetry=NO_TELEMETRY,
    )
    engine = make_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.templates = make_templates()
    #: How this laptop reaches its hub (the sync page and the background sync).
    app.state.sync_transport = http_transport

    _include_routers(app)
    app.mount("/static", VersionedStaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.exception_handler(AlimaError)
    def _alima_error(request: Request, exc: AlimaError) -> Response:
        # A 403, or a place code unknown or outside the caller's scope (a probe of places).
        if isinstance(exc, Forbidden) or exc.code is CoreError.CORE_011:
            _audit_refusal(request)
        if _is_api(request):
            return _errors(request).alima_error_response(exc)
        return web_errors.error_page(request, exc.status, exc.message)

    @app.exception_handler(DuplicateSuspected)
    def _duplicate(request: Request, exc: DuplicateSuspected) -> Response:
        if _is_api(request):
            return api_errors.duplicate_response(exc)
        return web_errors.error_page(request, 409, exc.warning.message)

    @app.exception_handler(LoginRequired)
    def _login_required(request: Request, _exc: LoginRequired) -> Response:
        return web_errors.login_redirect(request)

    @app.exception_handler(RequestValidationError)
    def _validation(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return _errors(request).validation_error_response(exc)
        fields = api_errors.field_errors(list(exc.errors()))
        if any(f in {"patient_id", "code"} for f in fields):
            return web_errors.error_page(request, 404)
        return web_errors.error_page(request, 422)

    @app.exception_handler(ValidationError)
    def _schema(request: Request, exc: ValidationError) -> Response:
        # A schema validated inside a route (filters built from query values): the input was
        # wrong, not the server. Logged, since it may also reveal a route that skips checks.
        log.warning("schema validation inside %s: %s", request.url.path, exc.errors()[:3])
        return _validation(request, RequestValidationError(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            message = gettext(
                web_errors.STATUS_MESSAGES.get(exc.status_code, web_errors.STATUS_MESSAGES[400])
            )
            return _errors(request).api_error(exc.status_code, f"HTTP_{exc.status_code}", message)
        return web_errors.error_page(request, exc.status_code)

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> Response:
        response = _errors(request).unexpected_response(request, exc)
        if _is_api(request):
            return response
        request_id = getattr(request.state, "request_id", "-")
        try:
            return web_errors.error_page(
                request, 500, gettext(CoreError.CORE_013.detail.message, request_id=request_id)
            )
        except Exception:
            return response

    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(
        RequestContextMiddleware,
        secret=settings.secret_key.get_secret_value(),
        default_locale=settings.default_locale,
        secure=settings.secure_cookies,
    )
    return app
