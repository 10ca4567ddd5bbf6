"""Co-management pages.

Projects with their agreements and funding, the country dashboard, trainings, monthly
approval, break-the-glass and the read audit.
"""

from fastapi import APIRouter

from alima.web.routes.alliance import approvals, oversight, projects, trainings

router = APIRouter()
for _module in (projects, trainings, approvals, oversight):
    router.include_router(_module.router)
