"""Care pages: a patient's records, consultation (IMCI), maternal health, surgery, mobile clinics.

Patient-level pages sit under ``/patients/{patient_id}/...`` so the access walk covers them;
a refused form comes back filled in with each error next to its field.
"""

from fastapi import APIRouter

from alima.web.routes.care import pages, patient_forms

router = APIRouter()
router.include_router(pages.router)
router.include_router(patient_forms.router)
