"""Use cases of the OpenRosa server: receive a submission, review the refused ones.

A submission is first stored as received (its own transaction: whatever happens next, it is
never lost), then applied through the service the web form calls (its transactions: same rules,
same dose, same audit, same period lock, same scope), then marked applied or refused with the
reason. The instance ID makes it idempotent: the same XML again is acknowledged and not applied
twice; another XML under the same ID is kept apart and refused (409).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission
from alima.core.enums import AuditAction
from alima.core.errors import AlimaError, BadRequest, Conflict, CoreError, Forbidden, RuleViolation
from alima.core.i18n import N_, gettext
from alima.core.models import User
from alima.core.service.common import (
    add_created,
    audit_denied,
    audit_event,
    dto,
    get_or_404,
    not_found,
    or_404,
)
from alima.core.types import is_storable
from alima.interop.openrosa import repository
from alima.interop.openrosa.catalogue import find_form
from alima.interop.openrosa.enums import STATUS_LABELS, TO_REVIEW, SubmissionStatus
from alima.interop.openrosa.errors import OpenRosaError
from alima.interop.openrosa.instance import Instance, peek
from alima.interop.openrosa.mapping import Applied, apply
from alima.interop.openrosa.models import Submission, SubmissionAttachment
from alima.interop.openrosa.schemas import (
    FileRead,
    Receipt,
    SubmissionDetail,
    SubmissionRead,
    SubmissionReapply,
    SubmissionReject,
    Upload,
)

log = logging.getLogger(__name__)

ENTITY = "interop_submission"
CREATED, ACCEPTED = 201, 202

RECORDED = N_("Form received and recorded.")
REFUSED = N_("Form received but not recorded: {reason} A data manager will review it.")
ALREADY = N_("This form was already received.")


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _text(xml: bytes) -> str:
    """The XML as text a database can store (undecodable bytes and NUL replaced)."""
    return xml.decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _params(exc: AlimaError) -> dict[str, Any]:
    return {k: v if isinstance(v, int | float) else str(v) for k, v in exc.context.items()}


def _refusal(row: Submission, status: SubmissionStatus, exc: AlimaError) -> None:
    row.status = status.value
    row.reason = exc.code.detail.message
    row.reason_code = exc.code.name
    row.reason_params = _params(exc)


def reason_of(row: Submission) -> str | None:
    """Why the submission was refused, in the reader's language."""
    if row.reason is None:
        return None
    try:
        return gettext(row.reason, **(row.reason_params or {}))
    except (KeyError, IndexError, ValueError):
        return gettext(row.reason)


def _read(session: Session, row: Submission) -> SubmissionRead:
    form = find_form(row.form_id or "")
    user = session.get(User, row.created_by_id) if row.created_by_id else None
    return dto(
        SubmissionRead,
        row,
        form_title=form.title if form else None,
        place_name=row.place.name,
        submitted_by=user.full_name if user else None,
        received_at=row.created_at,
        reason=reason_of(row),
    )


def _detail(session: Session, row: Submission) -> SubmissionDetail:
    return SubmissionDetail(
        **_read(session, row).model_dump(),
        xml=row.xml,
        corrected_xml=row.corrected_xml,
        files=[
            FileRead(filename=f.filename, content_type=f.content_type, size=f.size)
            for f in row.attachments
        ],
    )


def _owning_place(session: Session, actor: Actor, instance: Instance | None) -> uuid.UUID:
    """Where the submission belongs (its place decides who reviews it).

    The place or the child it names, in the actor's scope; else the actor's first place.
    """
    fields = instance.fields if instance else {}
    code = fields.get("place_code")
    if code:
        place = core_repository.find_place_by_code(session, code)
        if place is not None and actor.can_at(Permission.PATIENT_WRITE, place.path):
            return place.id
    identifier = fields.get("patient_identifier")
    if identifier:
        patient = core_repository.find_patient_by_identifier(session, identifier)
        if patient is not None and actor.can_at(Permission.PATIENT_WRITE, patient.place.path):
            return patient.place_id
    # ``receive`` refuses an actor who may write nowhere: there is a first place.
    path = actor.paths_for(Permission.PATIENT_WRITE)[0]
    return uuid.UUID(hex=path.rstrip("/").rsplit("/", 1)[-1])


def _patient_of(session: Session, actor: Actor, instance: Instance | None) -> uuid.UUID | None:
    identifier = instance.fields.get("patient_identifier") if instance else None
    if not identifier:
        return None
    patient = core_repository.find_patient_by_identifier(session, identifier)
    if patient is None or not actor.can_at(Permission.PATIENT_WRITE, patient.place.path):
        return None
    return patient.id


def _files(row: Submission, files: list[Upload], actor: Actor) -> None:
    """Keep the files not yet kept (a large submission comes in several posts)."""
    kept = {f.filename for f in row.attachments}
    for f in files:
        if f.filename in kept:
            continue
        row.attachments.append(
            SubmissionAttachment(
                place_id=row.place_id,
                filename=f.filename[:255],
                content_type=f.content_type[:100],
                size=len(f.content),
                md5=_md5(f.content),
                content=f.content,
                created_by_id=actor.id,
            )
        )
        kept.add(f.filename)


def _store(
    session: Session,
    actor: Actor,
    xml: bytes,
    instance: Instance | None,
    *,
    status: SubmissionStatus,
    refusal: AlimaError | None = None,
    owns_id: bool = False,
    files: list[Upload] | None = None,
) -> Submission:
    """Add the submission row with its audit event (inside the caller's transaction)."""
    row = Submission(
        id=uuid.uuid4(),
        place_id=_owning_place(session, actor, instance),
        patient_id=_patient_of(session, actor, instance),
        instance_id=instance.instance_id if instance else None,
        instance_key=instance.instance_id if instance and owns_id else None,
        form_id=(instance.form_id or "")[:100] or None if instance else None,
        form_version=(instance.version or "")[:40] or None if instance else None,
        xml=_text(xml),
        xml_md5=_md5(xml),
        status=status.value,
        attempts=0,
        created_by_id=actor.id,
        attachments=[],
    )
    if refusal is not None:
        _refusal(row, status, refusal)
    _files(row, files or [], actor)
    add_created(
        session,
        actor,
        row,
        ENTITY,
        after={"status": row.status, "form_id": row.form_id, "instance_id": row.instance_id},
        place_id=row.place_id,
        patient_id=row.patient_id,
    )
    return row


def _malformed(
    session: Session, actor: Actor, xml: bytes, instance: Instance | None, exc: AlimaError
) -> Receipt:
    with session.begin():
        row = _store(session, actor, xml, instance, status=SubmissionStatus.MALFORMED, refusal=exc)
        row_id = row.id
    return Receipt(400, SubmissionStatus.MALFORMED, exc.message, row_id)


def _well_formed(xml: bytes) -> Instance:
    """The instance, if the XML is one of our forms with an instance ID (else ``BadRequest``)."""
    instance = peek(xml)
    if find_form(instance.form_id or "") is None:
        raise BadRequest(OpenRosaError.ODK_003, form_id=(instance.form_id or "?")[:100])
    if instance.instance_id is None:
        raise BadRequest(OpenRosaError.ODK_004)
    return instance


def receive(session: Session, xml: bytes, files: list[Upload], *, actor: Actor) -> Receipt:
    """Keep a submission, apply it through its form's service, and say what became of it."""
    if not actor.can(Permission.PATIENT_WRITE):
        raise Forbidden(CoreError.CORE_002)
    try:
        instance = _well_formed(xml)
    except BadRequest as exc:
        return _malformed(session, actor, xml, None, exc)
    instance_id = instance.instance_id or ""
    for _ in range(2):  # a parallel post of the same ID wins the unique key: look again
        try:
            with session.begin():
                existing = repository.find_by_instance(session, instance_id)
                if existing is None:
                    row = _store(
                        session,
                        actor,
                        xml,
                        instance,
                        status=SubmissionStatus.RECEIVED,
                        owns_id=True,
                        files=files,
                    )
                    row.attempts = 1
                    row_id = row.id
                    break
                if existing.xml_md5 == _md5(xml):
                    _files(existing, files, actor)
                    return Receipt(
                        ACCEPTED, SubmissionStatus(existing.status), gettext(ALREADY), existing.id
                    )
                conflict = Conflict(OpenRosaError.ODK_005, instance_id=instance_id)
                row = _store(
                    session,
                    actor,
                    xml,
                    instance,
                    status=SubmissionStatus.CONFLICT,
                    refusal=conflict,
                    files=files,
                )
                return Receipt(409, SubmissionStatus.CONFLICT, conflict.message, row.id)
        except IntegrityError:
            continue
    else:  # pragma: no cover - the key was taken twice in a row
        raise Conflict(OpenRosaError.ODK_005, instance_id=instance_id)
    return _apply(session, row_id, instance, actor)


def _audit_change(
    session: Session,
    actor: Actor,
    row: Submission,
    *,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
    detail: str | None = None,
) -> None:
    """Audit a change of a submission (``UPDATE``): its status, what it was applied as."""
    audit_event(
        session, actor, AuditAction.UPDATE, ENTITY, row, before=before, after=after, detail=detail
    )


def _apply(
    session: Session,
    row_id: uuid.UUID,
    instance: Instance,
    actor: Actor,
    place_code: str | None = None,
) -> Receipt:
    """Apply through the form's service, then mark the row applied or refused."""
    applied: Applied | None = None
    refusal: AlimaError | None = None
    try:
        applied = apply(session, instance, actor, place_code=place_code)
    except AlimaError as exc:
        refusal = exc
    with session.begin():
        row = or_404(repository.find_submission(session, row_id))
        before = {"status": row.status}
        if applied is not None:
            row.status = SubmissionStatus.APPLIED.value
            row.reason = row.reason_code = row.reason_params = None
            row.entity_type, row.entity_id = applied.entity_type, applied.entity_id
            place = core_repository.find_place_by_code(session, applied.place_code)
            row.place_id = place.id if place else row.place_id
        elif refusal is not None:
            _refusal(row, SubmissionStatus.REFUSED, refusal)
        after = {"status": row.status, "reason": row.reason_code, "entity": row.entity_type}
        _audit_change(session, actor, row, before=before, after=after)
    if refusal is not None:
        message = gettext(REFUSED, reason=refusal.message)
        return Receipt(ACCEPTED, SubmissionStatus.REFUSED, message, row_id)
    return Receipt(CREATED, SubmissionStatus.APPLIED, gettext(RECORDED), row_id)


def _reviewable(actor: Actor) -> tuple[str, ...]:
    return actor.paths_for(Permission.DATA_SUBMIT)


def to_review(session: Session, *, actor: Actor) -> list[SubmissionRead]:
    """Submissions waiting for a data manager in the actor's places, oldest first."""
    if not actor.can(Permission.DATA_SUBMIT):
        raise Forbidden(CoreError.CORE_002)
    with session.begin():
        rows = repository.submissions_at(session, _reviewable(actor), TO_REVIEW)
        return [_read(session, r) for r in rows]


def _visible(actor: Actor, row: Submission) -> bool:
    return actor.can_at(Permission.DATA_SUBMIT, row.place.path)


def get_submission(session: Session, submission_id: uuid.UUID, *, actor: Actor) -> SubmissionDetail:
    """A submission with its XML (names a child: the read is audited)."""
    return get_or_404(
        session,
        actor,
        submission_id,
        find=repository.find_submission,
        read=lambda row: _detail(session, row),
        entity_type=ENTITY,
        visible=lambda row: _visible(actor, row),
    )


def _under_review(session: Session, submission_id: uuid.UUID, actor: Actor) -> Submission | None:
    """The submission if the actor may decide on it (else ``None``, the attempt audited)."""
    row = repository.find_submission(session, submission_id)
    if row is None or not _visible(actor, row):
        audit_denied(session, actor, entity_type=ENTITY, entity_id=submission_id, patient_id=None)
        return None
    status = SubmissionStatus(row.status)
    if status not in TO_REVIEW:
        raise Conflict(OpenRosaError.ODK_009, status=gettext(STATUS_LABELS[status]))
    return row


def _reapplied_xml(
    session: Session, row: Submission, xml_text: str | None, actor: Actor
) -> tuple[bytes, str]:
    """Keep the correction (the XML received stays as it was) and audit the new attempt."""
    if xml_text:
        row.corrected_xml = xml_text
    row.attempts += 1
    row.decided_by_id = actor.id
    _audit_change(session, actor, row, after={"reapplied": True, "corrected": bool(xml_text)})
    return (row.corrected_xml or row.xml).encode("utf-8"), row.place.code


def reapply(
    session: Session, submission_id: uuid.UUID, data: SubmissionReapply, *, actor: Actor
) -> SubmissionRead:
    """Apply a waiting submission again (as received, or corrected), as the data manager."""
    xml_text = data.corrected_xml
    if xml_text is not None and not is_storable(xml_text):
        raise BadRequest(CoreError.CORE_021)
    with session.begin():
        row = _under_review(session, submission_id, actor)
        found = None if row is None else _reapplied_xml(session, row, xml_text, actor)
    if found is None:
        raise not_found()
    xml, place_code = found
    try:
        instance = _well_formed(xml)
    except BadRequest as exc:
        with session.begin():
            row = or_404(repository.find_submission(session, submission_id))
            _refusal(row, SubmissionStatus(row.status), exc)
        raise RuleViolation(exc.code, **exc.context, field="corrected_xml") from exc
    _apply(session, submission_id, instance, actor, place_code)
    with session.begin():
        return _read(session, or_404(repository.find_submission(session, submission_id)))


def _rejected(
    session: Session, row: Submission, data: SubmissionReject, actor: Actor
) -> SubmissionRead:
    before = {"status": row.status}
    row.status = SubmissionStatus.REJECTED.value
    row.decision_note = data.reason
    row.decided_by_id = actor.id
    after = {"status": row.status}
    _audit_change(session, actor, row, before=before, after=after, detail=data.reason[:200])
    return _read(session, row)


def reject(
    session: Session, submission_id: uuid.UUID, data: SubmissionReject, *, actor: Actor
) -> SubmissionRead:
    """Close a waiting submission without applying it, with the reason (audited)."""
    with session.begin():
        row = _under_review(session, submission_id, actor)
        result = _rejected(session, row, data, actor) if row is not None else None
    return or_404(result)
