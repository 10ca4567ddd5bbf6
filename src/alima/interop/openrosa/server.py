"""The OpenRosa server ODK Collect and Enketo talk to: form list, forms, submissions.

Every response carries ``X-OpenRosa-Version: 1.0``; errors and receipts are OpenRosa response
envelopes in the reader's language (``Accept-Language``, French by default). Devices send the
user name and password of an alima user with every request (HTTP Basic), which is accepted only
over HTTPS or from this machine (the reverse proxy that terminates TLS): a password must never
cross a network in clear.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from email.utils import formatdate
from typing import Annotated
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from alima.api.deps import SessionDep, SettingsDep, client_ip
from alima.core.access import Actor, Permission
from alima.core.config import Settings
from alima.core.errors import (
    AlimaError,
    BadRequest,
    CoreError,
    Forbidden,
    NotFound,
    Unauthenticated,
)
from alima.core.i18n import LOCALES, negotiate, set_locale
from alima.core.service import auth
from alima.interop.openrosa import service
from alima.interop.openrosa.catalogue import XForm, find_form, forms
from alima.interop.openrosa.errors import OpenRosaError
from alima.interop.openrosa.schemas import Receipt, Upload

router = APIRouter(prefix="/openrosa", include_in_schema=False)

VERSION = "1.0"
BAD_REQUEST = 400
XML = "text/xml; charset=utf-8"
#: The largest submission accepted in one post (devices split larger ones).
MAX_BYTES = 10 * 1024 * 1024
REALM = "alima"
#: Longest Authorization value read (base64 of a user name and a password).
MAX_CREDENTIALS = 1000
SUBMISSION_PART = "xml_submission_file"
RESPONSE_NS = "http://openrosa.org/http/response"
XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"


def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"X-OpenRosa-Version": VERSION, "Date": formatdate(usegmt=True), **(extra or {})}


def _xml(root: Element, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, status_code=status, media_type=XML, headers=_headers(headers))


def envelope(
    message: str, *, status: int, nature: str = "", headers: dict[str, str] | None = None
) -> Response:
    """An OpenRosa response envelope with one message."""
    root = Element("OpenRosaResponse", {"xmlns": RESPONSE_NS, "items": "0"})
    node = SubElement(root, "message", {"nature": nature} if nature else {})
    node.text = message
    return _xml(root, status, headers)


def _error(exc: AlimaError) -> Response:
    extra = (
        {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}
        if isinstance(exc, Unauthenticated)
        else None
    )
    return envelope(exc.message, status=exc.status, nature="error", headers=extra)


def _locale(request: Request) -> None:
    locale = negotiate(request.headers.get("accept-language", ""))
    set_locale(locale if locale in LOCALES else "fr")


def _over_tls_or_local(request: Request, settings: Settings) -> bool:
    if request.url.scheme == "https" or settings.secure_cookies:
        return True
    host = client_ip(request) or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _credentials(request: Request) -> tuple[str, str]:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not value.strip() or len(value) > MAX_CREDENTIALS:
        raise Unauthenticated(CoreError.CORE_003)
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Unauthenticated(CoreError.CORE_005) from exc
    username, sep, password = decoded.partition(":")
    if not sep or "\x00" in decoded:
        raise Unauthenticated(CoreError.CORE_005)
    return username, password


def device_actor(request: Request, session: Session, settings: Settings) -> Actor:
    """The alima user behind the device's credentials (who may record care somewhere)."""
    _locale(request)
    username, password = _credentials(request)
    if not _over_tls_or_local(request, settings):
        raise Forbidden(OpenRosaError.ODK_012)
    actor = auth.actor_from_password(
        session,
        username=username,
        password=password,
        ip=client_ip(request),
        settings=settings,
        channel="openrosa",
    )
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    return actor


def _url(request: Request, name: str, settings: Settings, **params: str) -> str:
    """An absolute URL for devices: ``https`` behind the TLS proxy (which speaks HTTP to us)."""
    url = str(request.url_for(name, **params))
    if settings.secure_cookies and url.startswith("http://"):
        url = "https://" + url.removeprefix("http://")
    return url


def _form_entry(parent: Element, form: XForm, request: Request, settings: Settings) -> None:
    node = SubElement(parent, "xform")
    for tag, text in (
        ("formID", form.form_id),
        ("name", form.title),
        ("version", form.version),
        ("hash", f"md5:{form.md5}"),
        ("downloadUrl", _url(request, "openrosa:form", settings, form_id=form.form_id)),
        ("manifestUrl", _url(request, "openrosa:manifest", settings, form_id=form.form_id)),
    ):
        SubElement(node, tag).text = text


@router.get("/formList", name="openrosa:form_list")
def form_list(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form_id: Annotated[str | None, Query(alias="formID")] = None,
) -> Response:
    """The forms this user may fill (OpenRosa form list)."""
    try:
        device_actor(request, session, settings)
    except AlimaError as exc:
        return _error(exc)
    root = Element("xforms", {"xmlns": XFORMS_LIST_NS})
    for form in forms().values():
        if form_id is None or form_id == form.form_id:
            _form_entry(root, form, request, settings)
    return _xml(root)


def _form_or_404(form_id: str) -> XForm:
    form = find_form(form_id)
    if form is None:
        raise NotFound(OpenRosaError.ODK_003, form_id=form_id[:100])
    return form


@router.get("/forms/{form_id}/form.xml", name="openrosa:form")
def form_download(
    request: Request, form_id: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """One form as an XForm."""
    try:
        device_actor(request, session, settings)
        form = _form_or_404(form_id)
    except AlimaError as exc:
        return _error(exc)
    return Response(form.xml, media_type=XML, headers=_headers())


@router.get("/forms/{form_id}/manifest", name="openrosa:manifest")
def manifest(
    request: Request, form_id: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """The media files of a form (none yet: the manifest is empty)."""
    try:
        device_actor(request, session, settings)
        _form_or_404(form_id)
    except AlimaError as exc:
        return _error(exc)
    return _xml(Element("manifest", {"xmlns": MANIFEST_NS}))


def _preflight_headers() -> dict[str, str]:
    return _headers({"X-OpenRosa-Accept-Content-Length": str(MAX_BYTES)})


@router.head("/submission", name="openrosa:submission_head")
def submission_head(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The preflight devices make before posting: 204 with the largest size accepted."""
    try:
        device_actor(request, session, settings)
    except AlimaError as exc:
        return _error(exc)
    return Response(status_code=204, headers=_preflight_headers())


async def _parts(request: Request) -> tuple[bytes, list[Upload]]:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BYTES:
        raise TooLarge(OpenRosaError.ODK_010, limit=MAX_BYTES)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadRequest(OpenRosaError.ODK_001)
    form = await request.form(max_files=100, max_fields=100)
    xml: bytes | None = None
    files: list[Upload] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            content = await value.read()
            if name == SUBMISSION_PART and xml is None:
                xml = content
            else:
                files.append(Upload(value.filename or name, value.content_type or "", content))
        elif name == SUBMISSION_PART and xml is None:
            xml = value.encode("utf-8")
    if xml is None:
        raise BadRequest(OpenRosaError.ODK_001)
    return xml, files


class TooLarge(AlimaError):
    """The body is larger than the server accepts."""

    status = 413


def _receipt(receipt: Receipt) -> Response:
    nature = "error" if receipt.http_status >= BAD_REQUEST else "submit_success"
    extra = {"X-OpenRosa-Accept-Content-Length": str(MAX_BYTES)}
    return envelope(receipt.message, status=receipt.http_status, nature=nature, headers=extra)


@router.post("/submission", name="openrosa:submission")
async def submission(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Receive a filled form (multipart, ``xml_submission_file`` and its attachments)."""
    _locale(request)
    # A page elsewhere cannot set this header on a post without a CORS preflight, which alima
    # never grants: a browser that keeps a user's Basic credentials cannot be made to submit.
    if request.headers.get("x-openrosa-version") != VERSION:
        return _error(Forbidden(OpenRosaError.ODK_013))
    try:
        actor = await run_in_threadpool(device_actor, request, session, settings)
        xml, files = await _parts(request)
        receipt = await run_in_threadpool(service.receive, session, xml, files, actor=actor)
    except AlimaError as exc:
        return _error(exc)
    return _receipt(receipt)
