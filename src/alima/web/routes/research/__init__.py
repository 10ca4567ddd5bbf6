"""Research pages.

Studies and a child in a study (consent, randomisation, unblinding, follow-up), a study's
pseudonymised data for analysis, the monitor's source data verification and a study's set-up.
"""

from fastapi import APIRouter

from alima.web.routes.research import data, monitoring, pages

router = APIRouter()
router.include_router(pages.router)  # first: ``/studies/new`` before ``/studies/{study_code}``
router.include_router(data.router)
router.include_router(monitoring.router)
