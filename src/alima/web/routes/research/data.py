"""Research pages: a study's pseudonymised data for analysis and the researchers' list."""

from collections.abc import Callable

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


def _export(what: str, summary: str) -> Callable[..., Response]:
    def export(
        study_code: str, session: SessionDep, settings: SettingsDep, actor: WebActor
    ) -> Response:
        secret = settings.secret_key.get_secret_value()
        return _download(
            service.export_study(session, study_code, what, actor=actor, secret=secret)
        )

    export.__doc__ = summary
    return export


router.add_api_route(
    "/studies/{study_code}/export.zip",
    _export("csv", "The study's data for analysis as CSV files with their dictionary (audited)."),
    name="research:export_csv",
)
router.add_api_route(
    "/studies/{study_code}/export.xml",
    _export("odm", "The study's data for analysis as one CDISC ODM 1.3.2 document (audited)."),
    name="research:export_odm",
)


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
