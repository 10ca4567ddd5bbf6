"""Version 1 of the JSON API."""

from fastapi import APIRouter

from alima.api.v1 import alliance, nutrition, patients, places

router = APIRouter(prefix="/api/v1")
router.include_router(places.router)
router.include_router(patients.router)
router.include_router(nutrition.router)
router.include_router(alliance.router)
