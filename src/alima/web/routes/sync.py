"""Sync pages: a laptop's sync (any user), the hub's laptops and what waits for a person.

Conflicts, quarantined records and duplicates across sites, on the hub.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from alima.api.deps import SessionDep
from alima.core.access import Actor
from alima.core.errors import AlimaError, BadRequest
from alima.sync import duplicates, review
from alima.sync import node as node_service
from alima.sync.errors import SyncError
from alima.sync.hub import NodeView
from alima.web.deps import WebActor, get_web_actor
from alima.web.forms import act
from alima.web.rendering import redirect, render

router = APIRouter(default_response_class=HTMLResponse)

#: The outcomes a sync's redirect names (anything else shows nothing).
RESULTS = frozenset({"ok", "error", "not_enrolled"})


@dataclass
class NodeStatusContext:
    """A laptop's sync page: its link to the hub and the last sync's outcome."""

    actor: Actor
    status: node_service.Status
    result: str = ""
    pushed: int = 0
    pulled: int = 0
    #: Laptops enrolled on this server (a hub).
    laptops: int = 0


@dataclass
class NodesContext:
    """The hub's laptops."""

    actor: Actor
    nodes: list[NodeView]


@dataclass
class ConflictsContext:
    """Conflicts waiting for a decision, and automatic merges to acknowledge."""

    actor: Actor
    conflicts: list[review.ConflictRow]


@dataclass
class ConflictContext:
    """One conflict side by side, with the form to decide it."""

    actor: Actor
    view: review.ConflictView
    error: str | None = None
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class QuarantineContext:
    """Records the hub refused, with retry and reject."""

    actor: Actor
    items: list[review.QuarantineRow]
    message: str | None = None
    error: str | None = None


@dataclass
class DuplicatesContext:
    """Pairs of patients of two sites that may be the same child."""

    actor: Actor
    pairs: list[duplicates.DuplicateRow]
    #: New pairs the check just found (after "look for duplicates now").
    found: int | None = None
    #: On a laptop the pairs are decided on the hub: no check here.
    laptop: bool = False


@dataclass
class DuplicateContext:
    """One pair side by side, with merge and "not the same child"."""

    actor: Actor
    view: duplicates.DuplicateView
    error: str | None = None
    reason: str = ""


@router.get("/sync", name="sync:status")
def status(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    result: Annotated[str, Query(max_length=20)] = "",
    pushed: Annotated[int, Query(ge=0, le=10**9)] = 0,
    pulled: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> HTMLResponse:
    """This laptop's link to its hub: last sync, pending changes, what the hub reported."""
    context = NodeStatusContext(
        actor=actor,
        status=node_service.status(session),
        result=result if result in RESULTS else "",
        pushed=pushed,
        pulled=pulled,
        laptops=review.laptops_enrolled(session),
    )
    return render(request, "sync/status.html", context)


@router.post("/sync", name="sync:run", dependencies=[Depends(get_web_actor)])
def run(request: Request, session: SessionDep) -> Response:
    """Sync now: push what this laptop wrote, pull what the hub has (errors are kept)."""
    current = node_service.status(session)
    if not current.enrolled or current.hub_url is None:
        return redirect("/sync?result=not_enrolled")
    transport = request.app.state.sync_transport(current.hub_url)
    summary = node_service.sync(request.app.state.sessionmaker, transport)
    if summary.error is not None:
        return redirect("/sync?result=error")
    return redirect(f"/sync?result=ok&pushed={summary.pushed}&pulled={summary.pulled}")


@router.get("/sync/nodes", name="sync:nodes")
def nodes(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """The laptops enrolled for the sites of the actor's places."""
    context = NodesContext(actor=actor, nodes=review.nodes(session, actor=actor))
    return render(request, "sync/nodes.html", context)


@router.get("/sync/conflicts", name="sync:conflicts")
def conflicts(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Conflicts of the actor's places: to decide first, then automatic merges."""
    context = ConflictsContext(actor=actor, conflicts=review.list_conflicts(session, actor=actor))
    return render(request, "sync/conflicts.html", context)


def _conflict_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    conflict_id: uuid.UUID,
    *,
    error: AlimaError | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    view = review.get_conflict(session, conflict_id, actor=actor)
    context = ConflictContext(
        actor=actor, view=view, error=error.message if error else None, values=values or {}
    )
    return render(
        request, "sync/conflict.html", context, status_code=error.status if error else 200
    )


@router.get("/sync/conflicts/{conflict_id}", name="sync:conflict")
def conflict(
    request: Request, session: SessionDep, actor: WebActor, conflict_id: uuid.UUID
) -> HTMLResponse:
    """One conflict: base, hub and laptop values of each field, and what the record holds."""
    return _conflict_page(request, session, actor, conflict_id)


@router.post("/sync/conflicts/{conflict_id}/decide", name="sync:decide")
def decide(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    conflict_id: uuid.UUID,
    name: Annotated[list[str] | None, Form(max_length=60)] = None,
    choice: Annotated[list[str] | None, Form(max_length=10)] = None,
    merged: Annotated[list[str] | None, Form(max_length=500)] = None,
    decision: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Decide each field (hub's value, laptop's value or a merged value), or a deletion."""
    names, picked, typed = name or [], choice or [], merged or []
    choices = dict(zip(names, picked, strict=False))
    if decision:
        choices[""] = decision
    merged_values = dict(zip(names, typed, strict=False))
    values = {f"choice:{k}": v for k, v in choices.items()}
    values |= {f"merged:{k}": v for k, v in merged_values.items()}
    return act(
        lambda: review.decide(
            session, conflict_id, choices=choices, merged=merged_values, actor=actor
        ),
        lambda error: _conflict_page(
            request, session, actor, conflict_id, error=error, values=values
        ),
        f"/sync/conflicts/{conflict_id}",
    )


@router.post("/sync/conflicts/{conflict_id}/acknowledge", name="sync:acknowledge")
def acknowledge(
    request: Request, session: SessionDep, actor: WebActor, conflict_id: uuid.UUID
) -> Response:
    """Mark an automatic merge as seen."""
    return act(
        lambda: review.acknowledge(session, conflict_id, actor=actor),
        lambda error: _conflict_page(request, session, actor, conflict_id, error=error),
        "/sync/conflicts",
    )


def _quarantine_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    message: str | None = None,
    error: AlimaError | None = None,
) -> HTMLResponse:
    items = review.list_quarantine(session, actor=actor)
    context = QuarantineContext(
        actor=actor, items=items, message=message, error=error.message if error else None
    )
    return render(
        request, "sync/quarantine.html", context, status_code=error.status if error else 200
    )


def _on_quarantine(
    request: Request, session: SessionDep, actor: Actor, do: Callable[[], object]
) -> Response:
    """Retry or reject a quarantined record, or show the quarantine with the refusal."""
    return act(
        do,
        lambda error: _quarantine_page(request, session, actor, error=error),
        "/sync/quarantine",
    )


@router.get("/sync/quarantine", name="sync:quarantine")
def quarantine(request: Request, session: SessionDep, actor: WebActor) -> HTMLResponse:
    """Records the hub refused from the laptops of the actor's sites."""
    return _quarantine_page(request, session, actor)


@router.post("/sync/quarantine/{item_id}/retry", name="sync:retry")
def retry(request: Request, session: SessionDep, actor: WebActor, item_id: uuid.UUID) -> Response:
    """Apply the record again; if it is refused again, its new reason is kept."""
    return _on_quarantine(
        request, session, actor, lambda: review.retry(session, item_id, actor=actor)
    )


@router.post("/sync/quarantine/{item_id}/reject", name="sync:reject")
def reject(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    item_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Close the record without applying it, with the reason."""
    return _on_quarantine(
        request, session, actor, lambda: review.reject(session, item_id, reason, actor=actor)
    )


@router.get("/sync/duplicates", name="sync:duplicates")
def duplicate_pairs(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    found: Annotated[int | None, Query(ge=0, le=10**9)] = None,
) -> HTMLResponse:
    """Pairs of patients of two sites in the actor's places that may be the same child."""
    context = DuplicatesContext(
        actor=actor,
        pairs=duplicates.list_duplicates(session, actor=actor),
        found=found,
        laptop=duplicates.on_a_laptop(session),
    )
    return render(request, "sync/duplicates.html", context)


@router.post("/sync/duplicates/scan", name="sync:scan")
def scan(session: SessionDep, actor: WebActor) -> Response:
    """Run the duplicate check over every patient of the actor's places."""
    found = duplicates.scan(session, actor=actor)
    return redirect(f"/sync/duplicates?found={found}")


def _duplicate_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    duplicate_id: uuid.UUID,
    *,
    error: AlimaError | None = None,
    reason: str = "",
) -> HTMLResponse:
    view = duplicates.get_duplicate(session, duplicate_id, actor=actor)
    context = DuplicateContext(
        actor=actor, view=view, error=error.message if error else None, reason=reason
    )
    return render(
        request, "sync/duplicate.html", context, status_code=error.status if error else 200
    )


@router.get("/sync/duplicates/{duplicate_id}", name="sync:duplicate")
def duplicate(
    request: Request, session: SessionDep, actor: WebActor, duplicate_id: uuid.UUID
) -> HTMLResponse:
    """A pair side by side: names, sex, birth date, village, caregiver, site, episodes, visits."""
    return _duplicate_page(request, session, actor, duplicate_id)


@router.post("/sync/duplicates/{duplicate_id}/merge", name="sync:merge")
def merge(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    duplicate_id: uuid.UUID,
    kept: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """The same child: every record moves to the kept patient, the other becomes a pointer."""
    try:
        kept_id = uuid.UUID(kept)
    except ValueError:
        kept_id = None

    def do() -> None:
        if kept_id is None:
            raise BadRequest(SyncError.SYNC_017)
        duplicates.merge(session, duplicate_id, kept_id, actor=actor)

    return act(
        do,
        lambda error: _duplicate_page(request, session, actor, duplicate_id, error=error),
        f"/sync/duplicates/{duplicate_id}",
    )


@router.post("/sync/duplicates/{duplicate_id}/distinct", name="sync:distinct")
def distinct(
    request: Request,
    session: SessionDep,
    actor: WebActor,
    duplicate_id: uuid.UUID,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Not the same child (with the reason): the pair is never proposed again."""
    return act(
        lambda: duplicates.mark_distinct(session, duplicate_id, reason, actor=actor),
        lambda error: _duplicate_page(
            request, session, actor, duplicate_id, error=error, reason=reason
        ),
        f"/sync/duplicates/{duplicate_id}",
    )
