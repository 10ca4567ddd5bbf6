"""CMAM pages: caseload, admission, the child's card with the visit form, exit, monthly report.

The visit form is built for speed: keyboard only, large inputs, and right after saving the
card shows the band colour, the ration with its arithmetic and the next visit date.
"""

from fastapi import APIRouter

from alima.web.routes.nutrition import card, reports, tracing

router = APIRouter()
router.include_router(card.router)
router.include_router(reports.router)
router.include_router(tracing.router)
