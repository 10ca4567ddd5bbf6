"""A month of a country sent to DHIS2: the export, the push, and the record of each push.

The values are the monthly report's (``alima.nutrition.service.monthly_report``, one report per
organisation unit, over its place's subtree) and the registered indicators' counts over the
month: nothing is counted here. A push sends the ``dataValueSets`` document with
``importStrategy=CREATE_AND_UPDATE``, so a month sent again updates DHIS2's values, and keeps
what DHIS2 answered.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.orm import Session

from alima.core import repository as core_repository
from alima.core.access import Actor, Grant, Permission
from alima.core.config import Settings
from alima.core.enums import Role
from alima.core.errors import BadRequest, CoreError, Forbidden, NotFound, RuleViolation
from alima.core.repository import roll_up
from alima.core.service.common import add_created
from alima.core.time import today
from alima.indicators.registry import get as get_indicator
from alima.indicators.registry import load_indicators
from alima.interop.dhis2 import client, repository
from alima.interop.dhis2.errors import Dhis2Error
from alima.interop.dhis2.figures import REPORT_FIGURE_CODES, TOTAL
from alima.interop.dhis2.formats import (
    DataValue,
    adx_message,
    canonical_json,
    data_value_set,
    payload_hash,
)
from alima.interop.dhis2.models import Dhis2Mapping, Dhis2Push
from alima.interop.dhis2.schemas import (
    ConflictRead,
    Dhis2Export,
    Dhis2Overview,
    MappingSummary,
    PushRead,
    ValueRead,
)
from alima.interop.dhis2.service.common import country, mapping_file, push_read, sees_pushes
from alima.interop.dhis2.summary import UNREACHABLE, Conflict, ImportSummary, parse_import_summary
from alima.nutrition.rules.report import month_bounds
from alima.nutrition.service import monthly_reports

Format = Literal["json", "adx"]


@dataclass(frozen=True)
class _Plan:
    """What a mapping asks for, read in one transaction (plain values)."""

    country_code: str
    country_path: str
    data_set: str
    attribute_option_combo: str
    elements: list[tuple[str, str, str, str]]  # figure, option, data element, combo
    org_units: list[tuple[str, str, str]]  # place code, place path, org unit


def _command_line(country_path: str) -> Actor:
    """Who reads the report for the command line: the server's operator, over the country.

    Reads only (the monthly report writes nothing); a push itself is recorded without an
    author, as every command-line change is.
    """
    return Actor(
        id=uuid.UUID(int=0),
        username="command-line",
        full_name="command line",
        channel="cli",
        grants=(Grant(Role.ADMINISTRATOR, (country_path,)),),
    )


def _the_mapping(session: Session, code: str | None, actor: Actor | None) -> Dhis2Mapping:
    if code is not None:
        land = country(session, code, actor, Permission.AGGREGATE_EXPORT)
        mapping = repository.find_mapping(session, land.id)
        if mapping is None:
            raise NotFound(Dhis2Error.DHIS_001, code=land.code)
        return mapping
    mappings = [
        m
        for m in repository.list_mappings(session)
        if actor is None or actor.can_at(Permission.AGGREGATE_EXPORT, m.country.path)
    ]
    if len(mappings) != 1:
        codes = ", ".join(sorted(m.country.code for m in mappings)) or "-"
        raise BadRequest(Dhis2Error.DHIS_002, codes=codes)
    return mappings[0]


def _plan(session: Session, code: str | None, actor: Actor | None) -> _Plan:
    with session.begin():
        mapping = _the_mapping(session, code, actor)
        plan = _Plan(
            country_code=mapping.country.code,
            country_path=mapping.country.path,
            data_set=mapping.data_set,
            attribute_option_combo=mapping.aoc,
            elements=sorted(
                (e.figure, e.option, e.data_element, e.category_option_combo)
                for e in mapping.data_elements
            ),
            org_units=sorted((o.place.code, o.place.path, o.org_unit) for o in mapping.org_units),
        )
    if not plan.elements or not plan.org_units:
        raise RuleViolation(Dhis2Error.DHIS_009, code=plan.country_code)
    return plan


def build_export(
    session: Session,
    *,
    month: str,
    country_code: str | None = None,
    actor: Actor | None = None,
    include_medical_transfers: bool = True,
) -> Dhis2Export:
    """The values of a month for a country's mapping, and its ``dataValueSets`` document.

    ``country_code`` may be left out when a single country has a mapping. ``actor`` is the
    reader (``None`` on the command line), who needs aggregate exports over the country.
    """
    start, end = month_bounds(month)
    if start > today():
        raise RuleViolation(Dhis2Error.DHIS_010, month=f"{start:%Y-%m}")
    plan = _plan(session, country_code, actor)
    reader = actor or _command_line(plan.country_path)
    figures = {e[0] for e in plan.elements}
    indicators = {i.code for i in load_indicators()}
    unknown = figures - set(REPORT_FIGURE_CODES) - indicators
    if unknown:
        raise RuleViolation(Dhis2Error.DHIS_003, figure=min(unknown), option="")
    by_place: dict[str, dict[str, dict[str, int]]] = {code: {} for code, _, _ in plan.org_units}
    if figures & set(REPORT_FIGURE_CODES):
        reports = monthly_reports(
            session,
            month=month,
            place_codes=[code for code, _, _ in plan.org_units],
            actor=reader,
            include_medical_transfers=include_medical_transfers,
        )
        for code, report in reports.items():
            for figure in figures & set(REPORT_FIGURE_CODES):
                by_place[code][figure] = REPORT_FIGURE_CODES[figure].read(report)
    counted = sorted(figures & indicators - set(REPORT_FIGURE_CODES))
    if counted:
        unit_paths = [path for _, path, _ in plan.org_units]
        with session.begin():
            for figure in counted:
                indicator = get_indicator(figure)
                if indicator.by_path is not None and indicator.additive:
                    # One query for every unit: the counts by place, added into each unit.
                    counts = indicator.by_path(
                        session, paths=(plan.country_path,), start=start, end=end
                    )
                    rolled = roll_up(counts, unit_paths)
                    for code, path, _unit in plan.org_units:
                        by_place[code][figure] = {TOTAL: rolled[path]}
                    continue
                for code, path, _unit in plan.org_units:
                    count = indicator.count(session, paths=(path,), start=start, end=end)
                    by_place[code][figure] = {TOTAL: count}
    values = [
        ValueRead(
            figure=figure,
            option=option,
            place_code=code,
            data_element=element,
            category_option_combo=combo,
            org_unit=unit,
            value=by_place[code][figure].get(option, 0),
        )
        for code, _path, unit in plan.org_units
        for figure, option, element, combo in plan.elements
    ]
    document = data_value_set(
        [_value(v) for v in values],
        data_set=plan.data_set,
        start=start,
        attribute_option_combo=plan.attribute_option_combo,
    )
    return Dhis2Export(
        country_code=plan.country_code,
        month=f"{start:%Y-%m}",
        data_set=plan.data_set,
        attribute_option_combo=plan.attribute_option_combo,
        values=values,
        document=document,
    )


def _value(v: ValueRead) -> DataValue:
    return DataValue(v.data_element, v.category_option_combo, v.org_unit, v.value)


def render(export: Dhis2Export, fmt: Format, *, exported: datetime) -> bytes:
    """The export as DHIS2 imports it: ``dataValueSets`` JSON or an ADX message."""
    if fmt == "json":
        return canonical_json(export.document)
    start, _end = month_bounds(export.month)
    return adx_message(
        [_value(v) for v in export.values],
        data_set=export.data_set,
        start=start,
        attribute_option_combo=export.attribute_option_combo,
        exported=exported,
    )


def _named(conflict: Conflict, values: list[ValueRead]) -> list[ConflictRead]:
    """A conflict in alima's terms: the values it refers to, by figure and place."""
    base = ConflictRead(
        object=conflict.object, reason=conflict.value, error_code=conflict.error_code
    )
    hits = [values[i] for i in conflict.indexes if 0 <= i < len(values)]
    if hits:
        return [
            base.model_copy(
                update={
                    "figure": v.figure,
                    "option": v.option,
                    "data_element": v.data_element,
                    "place_code": v.place_code,
                    "org_unit": v.org_unit,
                }
            )
            for v in hits
        ]
    update: dict[str, str] = {}
    element = next((v for v in values if v.data_element == conflict.object), None)
    if element is not None:
        update |= {"figure": element.figure, "data_element": element.data_element}
    unit = next((v for v in values if v.org_unit == conflict.object), None)
    if unit is not None:
        update |= {"place_code": unit.place_code, "org_unit": unit.org_unit}
    return [base.model_copy(update=update)]


def push(
    session: Session,
    *,
    month: str,
    settings: Settings,
    country_code: str | None = None,
    dry_run: bool = False,
    actor: Actor | None = None,
) -> PushRead:
    """Send a month to the configured DHIS2 (or a dry run) and record what it answered."""
    if not settings.dhis2_url or not settings.dhis2_username:
        raise BadRequest(Dhis2Error.DHIS_007)
    export = build_export(
        session,
        month=month,
        country_code=country_code,
        actor=actor,
        include_medical_transfers=settings.nutrition_rates_include_medical_transfers,
    )
    answer = client.post_data_value_set(
        settings.dhis2_url,
        settings.dhis2_username,
        settings.dhis2_password.get_secret_value(),
        canonical_json(export.document),
        dry_run=dry_run,
        timeout=settings.dhis2_timeout_seconds,
    )
    summary = (
        parse_import_summary(answer.body)
        if answer.http_status is not None
        else ImportSummary(status=UNREACHABLE, description=answer.failure)
    )
    conflicts = [c for raw in summary.conflicts for c in _named(raw, export.values)]
    with session.begin():
        land = core_repository.find_place_by_code(session, export.country_code)
        assert land is not None  # noqa: S101 - the country was just read
        row = Dhis2Push(
            country_id=land.id,
            month=export.month,
            dry_run=dry_run,
            server=settings.dhis2_url[:300],
            payload_hash=payload_hash(export.document),
            values_sent=len(export.values),
            status=summary.status[:20],
            http_status=answer.http_status,
            imported=summary.imported,
            updated=summary.updated,
            ignored=summary.ignored,
            deleted=summary.deleted,
            conflicts=[c.model_dump() for c in conflicts],
            description=summary.description or answer.failure or None,
            created_by_id=actor.id if actor else None,
        )
        add_created(
            session,
            actor,
            row,
            "dhis2_push",
            after={
                "month": row.month,
                "dry_run": dry_run,
                "payload_hash": row.payload_hash,
                "status": row.status,
                "imported": row.imported,
                "updated": row.updated,
                "ignored": row.ignored,
                "conflicts": len(conflicts),
            },
            place_id=land.id,
        )
        return push_read(row)


def _refuse_non_submitters(actor: Actor | None) -> None:
    """Pushes are the business of those who submit a country's data (403 for the others)."""
    if actor is not None and not actor.can(Permission.DATA_SUBMIT):
        raise Forbidden(CoreError.CORE_002)


def list_pushes(
    session: Session, *, actor: Actor | None, country_code: str | None = None
) -> list[PushRead]:
    """The latest pushes the actor may see (data managers and administrators of the country)."""
    _refuse_non_submitters(actor)
    with session.begin():
        lands = [
            m.country
            for m in repository.list_mappings(session)
            if sees_pushes(actor, m.country)
            and (country_code is None or m.country.code == country_code)
        ]
        return [push_read(p) for p in repository.list_pushes(session, [c.id for c in lands])]


def overview(session: Session, *, actor: Actor) -> Dhis2Overview:
    """The DHIS2 page: mappings (administrators) and the latest pushes (and data managers)."""
    _refuse_non_submitters(actor)
    with session.begin():
        mappings = repository.list_mappings(session)
        shown = [m for m in mappings if actor.can_at(Permission.ADMINISTER, m.country.path)]
        lands = [m.country.id for m in mappings if sees_pushes(actor, m.country)]
        summaries = []
        for m in shown:
            file = mapping_file(m)
            summaries.append(
                MappingSummary(
                    country_code=m.country.code,
                    country_name=m.country.name,
                    data_set=m.data_set,
                    attribute_option_combo=m.aoc,
                    period_type=m.period_type,
                    data_elements=file.data_elements,
                    org_units=file.org_units,
                )
            )
        return Dhis2Overview(
            mappings=summaries,
            pushes=[push_read(p) for p in repository.list_pushes(session, lands)],
        )
