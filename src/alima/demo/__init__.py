"""Deterministic demo data: Mali with four regions, a co-managed project, one user per role.

The same seed gives the same places, people and identifiers on every load, so a screenshot,
a test and a training session all see the same clinic. ``load_all`` loads the core, then each
domain's demo (one transaction each); a domain adds its loader to ``DOMAIN_LOADERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from alima.demo import alliance, core, nutrition, outbreaks, research, smc, stock, treat
from alima.interop.dhis2 import demo as dhis2_demo

#: Each domain's demo loader: ``loader(session, today=...)`` runs its own transaction and
#: finds the core demo records by code (places "ML-...", users, project "ML-NUT-2026").
DomainLoader = Callable[..., None]
#: Co-management comes last: it approves past months, which then refuse every dated write.
DOMAIN_LOADERS: list[DomainLoader] = [
    treat.load,
    stock.load,
    outbreaks.load,
    smc.load,
    research.load,
    dhis2_demo.load,
    alliance.load,
]


def load_all(
    session: Session,
    *,
    today: date,
    patient_count: int = core.PATIENT_COUNT,
    nutrition_children: int | None = None,
) -> list[core.DemoLogin]:
    """Load the core demo, the nutrition year, then every domain's demo; return the logins.

    ``nutrition_children`` scales the nutrition demo down (browser tests); by default it has
    the seeds' 14,442 children treated last year.
    """
    logins = core.load(session, today=today, patient_count=patient_count)
    nutrition.load(session, today=today, children=nutrition_children)
    for loader in DOMAIN_LOADERS:
        loader(session, today=today)
    return logins
