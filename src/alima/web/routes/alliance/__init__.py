"""Co-management pages.

Projects with their agreements and funding, the country dashboard, trainings, monthly
approval, break-the-glass and the read audit.
"""

from fastapi import APIRouter

from alima.web.routes.alliance import oversight, projects

router = APIRouter()
router.include_router(projects.router)
router.include_router(oversight.router)
