"""Human labels of stored codes (roles, place kinds, audit actions), marked for translation.

Templates show codes through the ``label`` filter, so every code a person reads is in the
catalogs and none is translated from a string computed at run time.
"""

from alima.core.i18n import N_

LABELS: dict[str, str] = {
    # roles
    "clinician": N_("Clinician"),
    "data_manager": N_("Data manager"),
    "coordinator": N_("Coordinator"),
    "researcher": N_("Researcher"),
    "partner_viewer": N_("Partner (aggregates)"),
    "administrator": N_("Administrator"),
    # place kinds
    "country": N_("Country"),
    "region": N_("Region"),
    "district": N_("Health district"),
    "health_area": N_("Health area"),
    "facility": N_("Health facility"),
    "mobile_clinic": N_("Mobile clinic"),
    "displacement_site": N_("Displacement site"),
    # audit actions
    "read": N_("Opened"),
    "read_denied": N_("Refused access"),
    "create": N_("Created"),
    "update": N_("Changed"),
    "delete": N_("Deleted"),
    "write_denied": N_("Refused change"),
    "sign_in": N_("Signed in"),
    "sign_in_failed": N_("Failed sign-in"),
    "sign_out": N_("Signed out"),
    "token_created": N_("API token created"),
    # audited records
    "patient": N_("Patient"),
    "patient_audit": N_("Audit trail"),
    "user": N_("User"),
    "api_token": N_("API token"),
}
