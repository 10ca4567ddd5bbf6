"""ORM models of the OpenRosa server: every submission received, with its attachments."""

import uuid

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from alima.core.changelog import Sync
from alima.core.db import Base
from alima.core.models import Place, PlaceRef, RecordMixin
from alima.interop.openrosa.instance import INSTANCE_ID_LENGTH


class Submission(RecordMixin, Base):
    """A form instance received from a device, kept whatever became of it (never lost).

    ``instance_id`` is what the device sent; ``instance_key`` holds it only on the row that
    owns the ID (unique), so that a replay finds that row and another XML sent under the same
    ID is kept on a row of its own (``conflict``) without taking the ID. ``xml`` is what the
    device sent, unchanged; a data manager's correction goes to ``corrected_xml``. The place
    is the one the record was written at, else the submitter's place; the record made is
    ``entity_type``/``entity_id``.
    """

    __tablename__ = "interop_submission"
    __sync__ = Sync.local("a device's submission, kept where it was received")

    place_id: Mapped[PlaceRef]
    #: The child the submission names, when it names a registered one.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_patient.id"), nullable=True, index=True
    )
    instance_id: Mapped[str | None] = mapped_column(String(INSTANCE_ID_LENGTH), nullable=True)
    instance_key: Mapped[str | None] = mapped_column(
        String(INSTANCE_ID_LENGTH), nullable=True, unique=True
    )
    form_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    form_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    xml: Mapped[str] = mapped_column(Text)
    xml_md5: Mapped[str] = mapped_column(String(32))
    corrected_xml: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    #: Why it was refused: the English message template and its parameters (shown translated).
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    reason_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason_params: Mapped[dict[str, object] | None] = mapped_column(JSON, nullable=True)
    entity_type: Mapped[str | None] = mapped_column(String(60), nullable=True)
    entity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("core_user.id"), nullable=True
    )
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)

    place: Mapped[Place] = relationship()
    attachments: Mapped[list["SubmissionAttachment"]] = relationship(
        back_populates="submission", order_by="SubmissionAttachment.filename"
    )


class SubmissionAttachment(RecordMixin, Base):
    """A file sent with a submission (a photo, a signature), kept as received."""

    __tablename__ = "interop_submission_file"
    __sync__ = Sync.local("a file of a device's submission, kept where it was received")

    submission_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("interop_submission.id"), index=True
    )
    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("core_place.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    md5: Mapped[str] = mapped_column(String(32))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    submission: Mapped[Submission] = relationship(back_populates="attachments")
