"""Queries of the OpenRosa server (never commits)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from alima.core.models import Place
from alima.core.repository import in_paths
from alima.interop.openrosa.enums import SubmissionStatus
from alima.interop.openrosa.models import Submission


def find_submission(session: Session, submission_id: uuid.UUID) -> Submission | None:
    """The submission with its place and files, or ``None``."""
    return session.scalars(
        select(Submission)
        .where(Submission.id == submission_id)
        .options(selectinload(Submission.place), selectinload(Submission.attachments))
    ).one_or_none()


def find_by_instance(session: Session, instance_id: str) -> Submission | None:
    """The submission that owns ``instance_id`` (files loaded), or ``None``."""
    return session.scalars(
        select(Submission)
        .where(Submission.instance_key == instance_id)
        .options(selectinload(Submission.attachments))
    ).one_or_none()


def submissions_at(
    session: Session, paths: Sequence[str], statuses: Sequence[SubmissionStatus], limit: int = 200
) -> list[Submission]:
    """Submissions in these states at places in the subtrees, oldest first."""
    return list(
        session.scalars(
            select(Submission)
            .join(Place, Place.id == Submission.place_id)
            .where(in_paths(Place.path, paths), Submission.status.in_([s.value for s in statuses]))
            .options(selectinload(Submission.place))
            .order_by(Submission.created_at)
            .limit(limit)
        )
    )
