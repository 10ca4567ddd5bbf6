"""Care pages: a patient's records, consultation (IMCI), maternal health, surgery, mobile clinics.

Patient-level pages sit under ``/patients/{patient_id}/...`` so the access walk covers them;
a refused form comes back filled in with each error next to its field.
"""

from fastapi import APIRouter

from alima.web.routes.care import consultations, maternal, mobile, records, surgery

router = APIRouter()
for _module in (records, consultations, maternal, surgery, mobile):
    router.include_router(_module.router)
