"""Version 1 of the JSON API."""

from fastapi import APIRouter

from alima.api.v1 import nutrition, patients, places

router = APIRouter(prefix="/api/v1")
router.include_router(places.router)
router.include_router(patients.router)
router.include_router(nutrition.router)
