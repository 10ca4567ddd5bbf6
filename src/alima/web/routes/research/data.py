"""Research pages: a study's pseudonymised data for analysis and the researchers' list."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep, SettingsDep
from alima.research import service
from alima.web.contexts_research import (
    ParticipantsContext,
)
from alima.web.deps import WebActor
from alima.web.rendering import render

router = APIRouter(prefix="/research", default_response_class=HTMLResponse)


# --- exports for analysis and the researchers' list (pseudonymised) -------------------------


def _download(file: service.ExportFile) -> Response:
    return Response(
        file.content,
        media_type=file.media_type,
        headers={"content-disposition": f'attachment; filename="{file.filename}"'},
    )


@router.get("/studies/{study_code}/export.zip", name="research:export_csv")
def export_csv(
    study_code: str, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> Response:
    """The study's data for analysis as CSV files with their dictionary (audited)."""
    secret = settings.secret_key.get_secret_value()
    return _download(service.export_study(session, study_code, "csv", actor=actor, secret=secret))


@router.get("/studies/{study_code}/export.xml", name="research:export_odm")
def export_odm(
    study_code: str, session: SessionDep, settings: SettingsDep, actor: WebActor
) -> Response:
    """The study's data for analysis as one CDISC ODM 1.3.2 document (audited)."""
    secret = settings.secret_key.get_secret_value()
    return _download(service.export_study(session, study_code, "odm", actor=actor, secret=secret))


@router.get("/studies/{study_code}/participants", name="research:participants")
def participants(
    request: Request,
    study_code: str,
    session: SessionDep,
    settings: SettingsDep,
    actor: WebActor,
) -> HTMLResponse:
    """The study's included children under their research ids (never a name)."""
    secret = settings.secret_key.get_secret_value()
    listed = service.participants(session, study_code, actor=actor, secret=secret)
    return render(
        request, "research/participants.html", ParticipantsContext(actor, participants=listed)
    )
