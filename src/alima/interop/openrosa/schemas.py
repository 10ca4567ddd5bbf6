"""What the OpenRosa server receives and what its review pages show."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from alima.core.schemas import Input
from alima.core.types import Note
from alima.interop.openrosa.enums import SubmissionStatus


@dataclass(frozen=True)
class Upload:
    """A file part of a submission, as received."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Receipt:
    """What the device is answered: the HTTP status and a message in the reader's language."""

    http_status: int
    status: SubmissionStatus
    message: str
    submission_id: uuid.UUID | None


class FileRead(BaseModel):
    """A file received with a submission."""

    filename: str
    content_type: str
    size: int


class SubmissionRead(BaseModel):
    """A received submission as the review page lists it."""

    id: uuid.UUID
    status: SubmissionStatus
    form_id: str | None
    form_title: str | None
    instance_id: str | None
    place_name: str | None
    submitted_by: str | None
    received_at: datetime
    reason: str | None
    entity_type: str | None
    entity_id: uuid.UUID | None
    attempts: int
    decision_note: str | None


class SubmissionDetail(SubmissionRead):
    """A submission with what the device sent and any correction."""

    xml: str
    corrected_xml: str | None
    files: list[FileRead]


class SubmissionReapply(Input):
    """Apply a submission again, after a correction of its XML or of what it needs."""

    corrected_xml: str | None = Field(
        None, max_length=200_000, description="The XML to apply; default: the one received."
    )


class SubmissionReject(Input):
    """Close a submission without applying it."""

    reason: Annotated[Note, Field(min_length=1)]
