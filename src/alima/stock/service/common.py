"""What the stock use cases share: who may read or write a site, the ledger of sites, DTOs.

Stock is aggregate data of a site: readers of its patients or of its aggregates read it
(nurses, data managers, coordinators, partners), writers of its patients write it (nurses and
data managers of the site). Notes are free text and reach only readers of the site's
patients (``sees_free_text``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Permission, sees_free_text
from alima.core.enums import SERVICE_POINTS
from alima.core.errors import CoreError, NotFound, RuleViolation
from alima.core.models import Place
from alima.core.service.common import dto, place_in_scope
from alima.nutrition import repository as nutrition_repository
from alima.stock import repository, rules
from alima.stock.enums import MovementKind
from alima.stock.errors import StockError
from alima.stock.models import StockMovement
from alima.stock.schemas import MovementRead

#: Readers of a site's stock: readers of its patients, or of its aggregates.
READ_PERMISSIONS = (Permission.PATIENT_READ, Permission.AGGREGATE_READ)
WRITE_PERMISSION = Permission.PATIENT_WRITE
ENTITY = "stock_movement"
FIELDS = (
    "kind",
    "product",
    "moved_on",
    "sachets",
    "cartons",
    "sachets_per_carton",
    "batch",
    "expires_on",
    "reason",
    "corrects_id",
)
SERVICE_POINT_KINDS = [k.value for k in SERVICE_POINTS]


def read_paths(actor: Actor) -> tuple[str, ...]:
    """Subtrees whose stock the actor may read."""
    return tuple(p for perm in READ_PERMISSIONS for p in actor.paths_for(perm))


def can_read(actor: Actor, path: str) -> bool:
    """Whether the actor may read the stock of the place at ``path``."""
    return any(actor.can_at(p, path) for p in READ_PERMISSIONS)


def readable_place(session: Session, actor: Actor, code: str) -> Place | None:
    """The place called ``code`` if the actor may read its stock."""
    place = core_repository.find_place_by_code(session, code)
    return place if place is not None and can_read(actor, place.path) else None


def sites_in(session: Session, paths: Sequence[str]) -> list[Place]:
    """The service points inside the subtrees, by path."""
    return core_repository.list_places(session, paths, kinds=SERVICE_POINT_KINDS)


def writable_site(session: Session, actor: Actor, place_code: str | None) -> Place:
    """The site named by ``place_code`` if the actor may write there, else their only one."""
    field = "place_code"
    if place_code:
        place = place_in_scope(session, actor, place_code, WRITE_PERMISSION, field=field)
    else:
        candidates = sites_in(session, actor.paths_for(WRITE_PERMISSION))
        if len(candidates) != 1:
            raise RuleViolation(StockError.STOCK_002, field=field)
        place = candidates[0]
    if place.kind not in SERVICE_POINT_KINDS:
        raise RuleViolation(StockError.STOCK_002, field=field)
    return place


def not_a_place(code: str) -> NotFound:
    """The refusal of a place that is absent or outside the reader's scope."""
    return NotFound(CoreError.CORE_011, code=code)


def events_of(movements: Sequence[StockMovement]) -> list[rules.Event]:
    """Ledger events of stored movements (in the order given)."""
    events = []
    for seq, m in enumerate(movements):
        kind = MovementKind(m.kind)
        events.append(
            rules.Event(
                on=m.moved_on,
                step=rules.STEP_OF_KIND[kind],
                sachets=m.sachets,
                batch=m.batch,
                expires_on=m.expires_on,
                movement_id=m.id,
                seq=seq,
            )
        )
    return events


def ledgers(
    session: Session,
    places: Sequence[Place],
    *,
    product: str,
    until: date,
    leave_out: uuid.UUID | None = None,
) -> dict[uuid.UUID, rules.Ledger]:
    """The ledger of each site up to ``until``: its movements and what its visits dispensed.

    ``leave_out`` is a movement a correction is about to replace.
    """
    ids = [p.id for p in places]
    events: dict[uuid.UUID, list[rules.Event]] = {i: [] for i in ids}
    movements = repository.counting_movements(session, ids, product=product, until=until)
    by_place: dict[uuid.UUID, list[StockMovement]] = {i: [] for i in ids}
    for m in movements:
        if m.id != leave_out:
            by_place[m.place_id].append(m)
    for place_id, rows in by_place.items():
        events[place_id] = events_of(rows)
    given = nutrition_repository.sachets_given_by_day(session, ids, product=product, until=until)
    for place_id, day, sachets in given:
        events[place_id].append(rules.Event(on=day, step=rules.Step.DISPENSED, sachets=sachets))
    return {i: rules.play(e) for i, e in events.items()}


def daily_need(session: Session, place: Place, *, on: date, today: date, product: str) -> float:
    """The daily sachets of ``product`` of the children in treatment at the site on ``on``.

    The rations recorded at each child's latest visit (``alima.nutrition``), so the dose
    rule of the child's protocol and band is never computed twice.
    """
    return nutrition_repository.daily_sachets_of_caseload(
        session, [place.path], on=on, today=today, product=product
    )


def daily_needs(
    session: Session, places: Sequence[Place], *, on: date, today: date, product: str
) -> dict[uuid.UUID, float]:
    """:func:`daily_need` of each site, in one query (the overview of a district's sites)."""
    by_path = nutrition_repository.daily_sachets_by_place(
        session, [p.path for p in places], on=on, today=today, product=product
    )
    return {
        place.id: sum(total for path, total in by_path.items() if path.startswith(place.path))
        for place in places
    }


def movement_read(
    m: StockMovement,
    actor: Actor,
    *,
    place: Place,
    corrected: bool = False,
    change: int | None = None,
) -> MovementRead:
    """The DTO of a movement (its note only for readers of the site's patients)."""
    return dto(
        MovementRead,
        m,
        place_code=place.code,
        reason=m.reason or None,
        note=m.note if sees_free_text(actor, place.path) else None,
        corrected=corrected,
        deleted=m.deleted_at is not None,
        change=change,
    )
