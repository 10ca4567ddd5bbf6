"""Who may call what: the expected access of every route, for every role, in one table.

``tests/security/test_permission_matrix.py`` reads the application's routes
(``alima.web.inventory.iter_routes``) and fails when a route has no entry here, when an entry
names a route that no longer exists, or when any role gets another outcome than the one
written here, in scope and out of scope, on both databases.

How to add a route (CONTRIBUTING.md, "Permission matrix"):

    ("POST", "/things/{thing_id}/close"): Rule(THING_WRITERS, scoped=True, form=lambda t: {...}),

- ``allowed``: the roles that succeed: a GET gives 200, an API write 200/201/204, a form post
  a 303 redirect to a page of the application that then renders for the same user (or what
  ``expect`` declares: another success, or a 409/422 that is the business outcome of the
  call, with its ``code`` and ``because``). Every other role must be refused (401, 403, 404
  or a redirect to the sign-in page). Roles are those of ``ROLES``; use the sets
  below or write your own ``frozenset``.
- ``scoped=True``: the route names a record or a place (in its path, query or body). It is
  then called twice: with targets inside the world's district (``IN``) and with targets in
  another country nobody may see (``OUT``); out of scope, every role must be refused.
- ``form`` / ``json`` / ``query``: the request data, from the targets ``t`` (a dict, see
  ``tests/security/conftest.py``: ``t["patient_id"]``, ``t["place_code"]``...). Give valid
  data: a refusal must come from access control, not from validation.
- A new path parameter needs a value in each scope: add it to the targets fixture.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.factories.core import PASSWORD
from tests.factories.dhis2_server import small_mapping

Targets = dict[str, str]
Payload = Callable[[Targets], dict[str, object]]

ANONYMOUS = "anonymous"
ROLES = (
    ANONYMOUS,
    "clinician",  # clinician of facility A
    "data_manager",  # of the district
    "coordinator",  # of the country
    "researcher",
    "partner_viewer",
    "administrator",
    "partner_coordinator",  # coordinator of a national NGO whose agreement says aggregates only
    "monitor",  # a study's monitor (of the district): included children, read-only, queries
)

EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {ANONYMOUS}
AGGREGATE_READERS = frozenset(
    {
        "monitor",
        "data_manager",
        "coordinator",
        "researcher",
        "partner_viewer",
        "administrator",
        "partner_coordinator",
    }
)
PATIENT_READERS = frozenset({"clinician", "data_manager", "coordinator", "administrator"})
PATIENT_WRITERS = frozenset({"clinician", "data_manager", "administrator"})
PATIENT_DELETERS = frozenset({"data_manager", "administrator"})
AUDITORS = frozenset({"data_manager", "coordinator", "administrator"})
PATIENT_EXPORTERS = frozenset({"coordinator", "administrator"})
SUBMITTERS = frozenset({"data_manager", "administrator"})
APPROVERS = frozenset({"coordinator", "administrator"})
TRAINERS = frozenset({"data_manager", "coordinator", "administrator"})
FUNDERS = frozenset({"coordinator", "administrator"})
AGREEMENT_WRITERS = frozenset({"administrator"})
EMERGENCY_OPENERS = frozenset({"clinician", "administrator"})
ADMINISTRATORS = frozenset({"administrator"})


@dataclass(frozen=True)
class Rule:
    """The expected access of one route (see the module docstring)."""

    allowed: frozenset[str]
    scoped: bool = False
    form: Payload | None = None
    json: Payload | None = None
    query: Payload | None = None
    values: dict[str, str] = field(default_factory=dict)
    #: The status an allowed role gets, when it is not the success of the route's kind
    #: (GET: 200; API write: 200/201/204; form post: 303 to a page that renders). A 409 or 422
    #: must be the expected business outcome of the call, with its error ``code`` and ``because``.
    expect: int | None = None
    code: str = ""
    because: str = ""
    #: The route's success sends to the sign-in page (signing out).
    to_sign_in: bool = False

    def __post_init__(self) -> None:
        if self.expect is not None and self.expect >= 400:
            assert self.code and self.because, "an expected refusal needs its code and reason"


def _new_account(t: Targets) -> dict[str, object]:
    return {
        "username": f"nouveau-{uuid.uuid4().hex[:8]}",
        "full_name": "Nouvel Utilisateur",
        "password": "une phrase de passe longue",
        "role": "clinician",
        "place_code": t["place_code"],
    }


def _register(t: Targets) -> dict[str, object]:
    return {
        "given_name": "Matrice",
        "family_name": "Test",
        "sex": "F",
        "estimated_age_months": "14",
        "village": "Pogo",
        "place_code": t["place_code"],
        "confirm_not_duplicate": "yes",
    }


def _register_json(t: Targets) -> dict[str, object]:
    return {
        "given_name": "Matrice",
        "family_name": "Test",
        "sex": "F",
        "estimated_age_months": 14,
        "place_code": t["place_code"],
        "confirm_not_duplicate": True,
    }


def _measurement(_: Targets) -> dict[str, object]:
    return {"muac_mm": "114", "weight_kg": "7.2", "height_cm": "70", "oedema": "none"}


def _training(t: Targets) -> dict[str, object]:
    return {
        "title": "PCI matrice",
        "topic": "IPC",
        "organisation_code": t["organisation_code"],
        "place_code": t["place_code"],
        "started_on": t["past_day"],
        "ended_on": t["past_day"],
        "trainer": "Dr Matrice",
    }


def _participant(t: Targets) -> dict[str, object]:
    return {"full_name": "Awa Matrice", "cadre": "Infirmière", "sex": "F"}


def _agreement(t: Targets) -> dict[str, object]:
    return {
        "organisation_code": t["organisation_code"],
        "role": "clinician",
        "data_access": "patient_level",
        "may_capture": "yes",
        "export_level": "aggregates",
        "effective_from": t["past_day"],
    }


def _grant(t: Targets) -> dict[str, object]:
    return {
        "donor_code": t["donor_code"],
        "reference": "MATRIX-1",
        "title": "Subvention matrice",
        "currency": "EUR",
        "amount": "1000",
        "reporting_amount": "1000",
        "starts_on": t["past_day"],
        "ends_on": t["future_day"],
    }


def _allocation(t: Targets) -> dict[str, object]:
    return {"organisation_code": t["organisation_code"], "amount": "10"}


def _emergency(t: Targets) -> dict[str, object]:
    return {"identifier": t["emergency_identifier"], "reason": "Urgence vitale, transfert du CSCom"}


def _json(payload: Payload, **numbers: type) -> Payload:
    """The same data as a form, as JSON (with the named fields converted)."""

    def build(t: Targets) -> dict[str, object]:
        data = payload(t)
        for name, kind in numbers.items():
            data[name] = kind(data[name])
        return data

    return build


MATRIX: dict[tuple[str, str], Rule] = {
    # --- sign-in, home, language ----------------------------------------------------------
    ("GET", "/"): Rule(SIGNED_IN),
    ("GET", "/login"): Rule(EVERYONE),
    ("POST", "/login"): Rule(
        EVERYONE, form=lambda t: {"username": t["login"], "password": t["password"]}
    ),
    ("POST", "/logout"): Rule(SIGNED_IN, to_sign_in=True),
    ("GET", "/lang/{code}"): Rule(
        EVERYONE, values={"code": "en"}, query=lambda t: {"next": "/impact"}, expect=303
    ),
    # Not API routes, served all the same: public on purpose (no patient data in them).
    ("GET", "/api/v1/openapi.json"): Rule(EVERYONE),
    ("GET", "/static/{path}"): Rule(EVERYONE, values={"path": "alima.css"}),
    # Laptops (nodes) authenticate with their own credential, never a person's session.
    ("POST", "/api/sync/v1/{action}"): Rule(
        frozenset(), values={"action": "pull"}, json=lambda t: {"cursor": 0}
    ),
    # --- patients (pages) -----------------------------------------------------------------
    ("GET", "/patients"): Rule(SIGNED_IN, query=lambda t: {"q": "a"}),
    ("GET", "/patients/new"): Rule(SIGNED_IN),
    ("POST", "/patients/new"): Rule(PATIENT_WRITERS, scoped=True, form=_register),
    ("GET", "/patients/{patient_id}"): Rule(PATIENT_READERS, scoped=True),
    ("GET", "/patients/{patient_id}/audit"): Rule(AUDITORS, scoped=True),
    # --- patients (API) -------------------------------------------------------------------
    ("GET", "/api/v1/places"): Rule(SIGNED_IN),
    ("GET", "/api/v1/places/{code}"): Rule(SIGNED_IN, scoped=True, values={"code": "place_code"}),
    ("POST", "/api/v1/patients"): Rule(PATIENT_WRITERS, scoped=True, json=_register_json),
    ("GET", "/api/v1/patients"): Rule(SIGNED_IN, query=lambda t: {"q": "a"}),
    ("GET", "/api/v1/patients/{patient_id}"): Rule(PATIENT_READERS, scoped=True),
    ("PATCH", "/api/v1/patients/{patient_id}"): Rule(
        PATIENT_WRITERS, scoped=True, json=lambda t: {"village": "Pogo"}
    ),
    ("DELETE", "/api/v1/patients/{patient_id}"): Rule(
        PATIENT_DELETERS, scoped=True, query=lambda t: {"reason": "doublon vérifié"}
    ),
    # --- nutrition (pages) ----------------------------------------------------------------
    ("GET", "/nutrition"): Rule(
        PATIENT_READERS, scoped=True, query=lambda t: {"site": t["place_code"]}
    ),
    ("GET", "/patients/{patient_id}/nutrition/admit"): Rule(PATIENT_READERS, scoped=True),
    ("POST", "/patients/{patient_id}/nutrition/admit"): Rule(
        PATIENT_WRITERS,
        scoped=True,
        values={"patient_id": "admittable_patient_id"},
        form=lambda t: {**_measurement(t), "appetite_test_passed": "yes"},
    ),
    ("GET", "/nutrition/episodes/{episode_id}"): Rule(PATIENT_READERS, scoped=True),
    ("POST", "/nutrition/episodes/{episode_id}/visits"): Rule(
        PATIENT_WRITERS, scoped=True, form=_measurement
    ),
    ("POST", "/nutrition/episodes/{episode_id}/referral"): Rule(
        PATIENT_WRITERS,
        scoped=True,
        expect=409,
        code="référence en hospitalisation en attente de décision",
        because="the walk's episode has no referral pending: access passes, the decision is refused",
        form=lambda t: {"decision": "keep", "note": "x"},
    ),
    ("GET", "/nutrition/episodes/{episode_id}/exit"): Rule(PATIENT_READERS, scoped=True),
    ("POST", "/nutrition/episodes/{episode_id}/exit"): Rule(
        PATIENT_WRITERS, scoped=True, form=lambda t: {"outcome": "defaulted"}
    ),
    ("GET", "/nutrition/tracing"): Rule(PATIENT_READERS),
    ("GET", "/nutrition/episodes/{episode_id}/tracing"): Rule(PATIENT_READERS, scoped=True),
    ("POST", "/nutrition/episodes/{episode_id}/tracing"): Rule(
        PATIENT_WRITERS, scoped=True, form=lambda t: {"outcome": "found_back"}
    ),
    ("GET", "/nutrition/reports/monthly"): Rule(
        SIGNED_IN, scoped=True, query=lambda t: {"place": t["place_code"], "month": t["month"]}
    ),
    ("GET", "/nutrition/reports/monthly.csv"): Rule(
        SIGNED_IN, scoped=True, query=lambda t: {"place": t["place_code"], "month": t["month"]}
    ),
    ("GET", "/nutrition/reports/monthly.xlsx"): Rule(
        SIGNED_IN, scoped=True, query=lambda t: {"place": t["place_code"], "month": t["month"]}
    ),
    # --- nutrition (API) ------------------------------------------------------------------
    ("POST", "/api/v1/nutrition/admissions"): Rule(
        PATIENT_WRITERS,
        scoped=True,
        json=lambda t: {
            "patient_id": t["admittable_patient_id"],
            "muac_mm": 114,
            "weight_kg": 7.2,
            "height_cm": 70,
            "appetite_test_passed": True,
        },
    ),
    ("GET", "/api/v1/nutrition/episodes/{episode_id}"): Rule(PATIENT_READERS, scoped=True),
    ("POST", "/api/v1/nutrition/episodes/{episode_id}/visits"): Rule(
        PATIENT_WRITERS, scoped=True, json=lambda t: {"muac_mm": 114, "weight_kg": 7.2}
    ),
    ("POST", "/api/v1/nutrition/episodes/{episode_id}/referral"): Rule(
        PATIENT_WRITERS,
        scoped=True,
        expect=409,
        code="NUT_031",
        because="the walk's episode has no referral pending: access passes, the decision is refused",
        json=lambda t: {"decision": "keep", "note": "x"},
    ),
    ("POST", "/api/v1/nutrition/episodes/{episode_id}/exit"): Rule(
        PATIENT_WRITERS, scoped=True, json=lambda t: {"outcome": "defaulted"}
    ),
    ("GET", "/api/v1/nutrition/reports/monthly"): Rule(
        SIGNED_IN, scoped=True, query=lambda t: {"place": t["place_code"], "month": t["month"]}
    ),
    # --- co-management: projects, agreements, funding, country (pages) --------------------
    ("GET", "/projects"): Rule(AGGREGATE_READERS),
    ("GET", "/projects/{project_code}"): Rule(AGGREGATE_READERS, scoped=True),
    ("GET", "/projects/{project_code}/agreements/new"): Rule(AGREEMENT_WRITERS, scoped=True),
    ("POST", "/projects/{project_code}/agreements/new"): Rule(
        AGREEMENT_WRITERS, scoped=True, form=_agreement
    ),
    ("GET", "/projects/{project_code}/grants/new"): Rule(FUNDERS, scoped=True),
    ("POST", "/projects/{project_code}/grants/new"): Rule(FUNDERS, scoped=True, form=_grant),
    ("POST", "/grants/{grant_id}/allocations"): Rule(
        FUNDERS, scoped=True, form=lambda t: {**_allocation(t), "project_code": t["project_code"]}
    ),
    ("GET", "/countries/{country_code}"): Rule(AGGREGATE_READERS, scoped=True),
    # --- co-management: trainings (pages) -------------------------------------------------
    ("GET", "/trainings"): Rule(AGGREGATE_READERS),
    ("GET", "/trainings/new"): Rule(TRAINERS),
    ("POST", "/trainings/new"): Rule(TRAINERS, scoped=True, form=_training),
    ("GET", "/trainings/{training_id}"): Rule(AGGREGATE_READERS, scoped=True),
    ("POST", "/trainings/{training_id}/participants"): Rule(
        TRAINERS, scoped=True, form=_participant
    ),
    # --- co-management: monthly approval (pages) ------------------------------------------
    ("GET", "/approvals"): Rule(AGGREGATE_READERS),
    ("POST", "/approvals"): Rule(
        SUBMITTERS,
        scoped=True,
        form=lambda t: {"place_code": t["place_code"], "month": t["submit_month"]},
    ),
    ("POST", "/approvals/{period_id}/approve"): Rule(APPROVERS, scoped=True),
    ("POST", "/approvals/{period_id}/unlock"): Rule(
        APPROVERS,
        scoped=True,
        values={"period_id": "approved_period_id"},
        form=lambda t: {"reason": "correction d'une saisie"},
    ),
    # --- co-management: emergency access and read audit (pages) ---------------------------
    ("GET", "/break-glass"): Rule(PATIENT_READERS),
    ("POST", "/break-glass"): Rule(EMERGENCY_OPENERS, form=_emergency),
    ("GET", "/audit/reads"): Rule(AUDITORS),
    ("GET", "/audit/reads.csv"): Rule(PATIENT_EXPORTERS),
    # --- account administration (pages) ---------------------------------------------------
    ("GET", "/admin/users"): Rule(ADMINISTRATORS),
    ("GET", "/admin/users/{user_id}"): Rule(ADMINISTRATORS, scoped=True),
    ("POST", "/admin/users/{user_id}/active"): Rule(
        ADMINISTRATORS, scoped=True, form=lambda t: {"active": "false", "reason": "a quitté"}
    ),
    ("POST", "/admin/tokens/{token_id}/revoke"): Rule(ADMINISTRATORS, scoped=True),
    ("GET", "/admin/users/new"): Rule(ADMINISTRATORS),
    ("POST", "/admin/users/new"): Rule(ADMINISTRATORS, scoped=True, form=_new_account),
    ("GET", "/admin/users/{user_id}/roles/new"): Rule(ADMINISTRATORS, scoped=True),
    ("POST", "/admin/users/{user_id}/roles/new"): Rule(
        ADMINISTRATORS,
        scoped=True,
        form=lambda t: {"role": "researcher", "place_code": t["place_code"]},
    ),
    ("POST", "/admin/roles/{assignment_id}/withdraw"): Rule(
        ADMINISTRATORS, scoped=True, form=lambda t: {"reason": "a changé de poste"}
    ),
    ("GET", "/account/password"): Rule(SIGNED_IN),
    ("POST", "/account/password"): Rule(
        SIGNED_IN,
        expect=400,
        code="doit être différent",
        because="the matrix keeps each user's password: the same one again is refused",
        form=lambda t: {"current_password": PASSWORD, "password": PASSWORD},
    ),
    ("GET", "/admin/users/{user_id}/password"): Rule(ADMINISTRATORS, scoped=True),
    ("POST", "/admin/users/{user_id}/password"): Rule(
        ADMINISTRATORS, scoped=True, form=lambda t: {"password": "une phrase de passe longue"}
    ),
    ("GET", "/admin/users/{user_id}/tokens/new"): Rule(ADMINISTRATORS, scoped=True),
    ("POST", "/admin/users/{user_id}/tokens/new"): Rule(
        ADMINISTRATORS,
        scoped=True,
        form=lambda t: {"name": "tableau de bord", "days": "30"},
        expect=200,
        because="the new token is shown once, on the answer to the post",
    ),
    # --- sync: a laptop's page, the hub's laptops, conflicts and refused records -----------
    ("GET", "/sync"): Rule(SIGNED_IN),
    ("POST", "/sync"): Rule(SIGNED_IN),
    ("GET", "/sync/nodes"): Rule(AUDITORS),
    ("GET", "/sync/conflicts"): Rule(SUBMITTERS),
    ("GET", "/sync/conflicts/{conflict_id}"): Rule(SUBMITTERS, scoped=True),
    ("POST", "/sync/conflicts/{conflict_id}/decide"): Rule(
        SUBMITTERS, scoped=True, form=lambda t: {"name": "phone", "choice": "ours"}
    ),
    ("POST", "/sync/conflicts/{conflict_id}/acknowledge"): Rule(
        SUBMITTERS, scoped=True, values={"conflict_id": "merged_conflict_id"}
    ),
    ("GET", "/sync/quarantine"): Rule(SUBMITTERS),
    ("POST", "/sync/quarantine/{item_id}/retry"): Rule(SUBMITTERS, scoped=True),
    ("POST", "/sync/quarantine/{item_id}/reject"): Rule(
        SUBMITTERS, scoped=True, form=lambda t: {"reason": "doublon saisi par erreur"}
    ),
    ("GET", "/sync/duplicates"): Rule(SUBMITTERS),
    ("POST", "/sync/duplicates/scan"): Rule(SUBMITTERS),
    ("GET", "/sync/duplicates/{duplicate_id}"): Rule(SUBMITTERS, scoped=True),
    ("POST", "/sync/duplicates/{duplicate_id}/merge"): Rule(
        SUBMITTERS, scoped=True, form=lambda t: {"kept": t["duplicate_kept_id"]}
    ),
    ("POST", "/sync/duplicates/{duplicate_id}/distinct"): Rule(
        SUBMITTERS, scoped=True, form=lambda t: {"reason": "jumelles, mères différentes"}
    ),
    # --- co-management (API) --------------------------------------------------------------
    ("GET", "/api/v1/alliance/projects"): Rule(AGGREGATE_READERS),
    ("GET", "/api/v1/alliance/projects/{project_code}"): Rule(AGGREGATE_READERS, scoped=True),
    ("POST", "/api/v1/alliance/projects/{project_code}/agreements"): Rule(
        AGREEMENT_WRITERS,
        scoped=True,
        json=lambda t: {**_agreement(t), "may_capture": True},
    ),
    ("POST", "/api/v1/alliance/projects/{project_code}/grants"): Rule(
        FUNDERS, scoped=True, json=_json(_grant, amount=int, reporting_amount=int)
    ),
    ("POST", "/api/v1/alliance/grants/{grant_id}/allocations"): Rule(
        FUNDERS, scoped=True, json=_json(_allocation, amount=int)
    ),
    ("GET", "/api/v1/alliance/countries/{country_code}"): Rule(AGGREGATE_READERS, scoped=True),
    ("GET", "/api/v1/alliance/trainings"): Rule(AGGREGATE_READERS),
    ("POST", "/api/v1/alliance/trainings"): Rule(TRAINERS, scoped=True, json=_training),
    ("GET", "/api/v1/alliance/trainings/{training_id}"): Rule(AGGREGATE_READERS, scoped=True),
    ("POST", "/api/v1/alliance/trainings/{training_id}/participants"): Rule(
        TRAINERS, scoped=True, json=_participant
    ),
    ("GET", "/api/v1/alliance/periods"): Rule(AGGREGATE_READERS),
    ("POST", "/api/v1/alliance/periods"): Rule(
        SUBMITTERS,
        scoped=True,
        json=lambda t: {"place_code": t["place_code"], "month": t["submit_month"]},
    ),
    ("POST", "/api/v1/alliance/periods/{period_id}/approve"): Rule(APPROVERS, scoped=True),
    ("POST", "/api/v1/alliance/periods/{period_id}/unlock"): Rule(
        APPROVERS,
        scoped=True,
        values={"period_id": "approved_period_id"},
        json=lambda t: {"reason": "correction d'une saisie"},
    ),
    ("POST", "/api/v1/alliance/emergency-access"): Rule(EMERGENCY_OPENERS, json=_emergency),
    ("GET", "/api/v1/alliance/emergency-access"): Rule(PATIENT_READERS),
    ("GET", "/api/v1/alliance/read-audit"): Rule(AUDITORS),
}


# --- Treat: community, care and the impact page ------------------------------------------

#: Record care and programme activity at a service point (PATIENT_WRITE).
CARE_WRITERS = PATIENT_WRITERS
#: Mobile-clinic sessions and population counts are recorded at displacement sites, which sit
#: under a health area: the facility clinician's scope does not reach them.
SITE_WRITERS = frozenset({"data_manager", "administrator"})
#: Context figures of the impact page (Permission.CONTEXT_FIGURE_WRITE).
CONTEXT_WRITERS = frozenset({"coordinator", "administrator"})


def _screening(t: Targets) -> dict[str, object]:
    return {
        "place_code": t["place_code"],
        "screener_type": "mother",
        "child_given_name": "Matrice",
        "child_age_months": "20",
        "village": "Pogo",
        "muac_mm": "108",
        "oedema": "none",
    }


def _consultation(t: Targets) -> dict[str, object]:
    return {
        "muac_mm": "130",
        "temperature_c": "38.5",
        "rdt_result": "rdt_positive",
        "malaria_treatment": "act",
        "diagnosis_1": "B54",
        "place_code": t["place_code"],
    }


TREAT_MATRIX: dict[tuple[str, str], Rule] = {
    # --- community (pages) ----------------------------------------------------------------
    ("GET", "/community"): Rule(SIGNED_IN),
    ("GET", "/community/trainings/new"): Rule(SIGNED_IN),
    ("POST", "/community/trainings/new"): Rule(
        CARE_WRITERS,
        scoped=True,
        form=lambda t: {
            "place_code": t["place_code"],
            "trainer_name": "Awa Matrice",
            "trainer_role": "chw",
            "village": "Pogo",
            "mothers_trained": "30",
        },
    ),
    ("GET", "/community/screenings/new"): Rule(SIGNED_IN),
    ("POST", "/community/screenings/new"): Rule(CARE_WRITERS, scoped=True, form=_screening),
    ("GET", "/community/screenings/{screening_id}"): Rule(PATIENT_READERS, scoped=True),
    ("GET", "/community/referrals"): Rule(SIGNED_IN),
    ("GET", "/community/referrals/{referral_id}/arrival"): Rule(CARE_WRITERS, scoped=True),
    ("POST", "/community/referrals/{referral_id}/arrival"): Rule(
        CARE_WRITERS, scoped=True, form=lambda t: {"muac_mm": "110", "admitted": "yes"}
    ),
    ("GET", "/community/referrals/{referral_id}/register"): Rule(CARE_WRITERS, scoped=True),
    ("POST", "/community/referrals/{referral_id}/register"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="Un autre enfant est déjà lié à cette référence",
        because="the matrix's referral names its child already: access passes, the link is refused",
        form=_register,
    ),
    ("POST", "/community/referrals/{referral_id}/patient"): Rule(
        CARE_WRITERS, scoped=True, form=lambda t: {"patient_id": t["patient_id"]}
    ),
    ("POST", "/community/referrals/{referral_id}/close"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="comme non arrivée que",
        because="the matrix's referral was issued today: access passes, closing it is too early",
        form=lambda t: {"reason": "famille partie"},
    ),
    ("GET", "/community/referrals/{referral_id}/admit"): Rule(CARE_WRITERS, scoped=True),
    ("POST", "/community/referrals/{referral_id}/admit"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=409,
        code="a déjà un épisode nutritionnel en cours",
        because="the matrix's referred child is in treatment already: access passes, a second"
        " admission is refused",
        form=lambda t: {**_measurement(t), "appetite_test_passed": "yes"},
    ),
    ("GET", "/community/statistics"): Rule(
        SIGNED_IN, scoped=True, query=lambda t: {"place_code": t["place_code"]}
    ),
    # --- community (API) ------------------------------------------------------------------
    # ODK devices authenticate every request with HTTP Basic (tests/integration/openrosa):
    # neither a browser's session nor an API token opens the OpenRosa server.
    ("GET", "/openrosa/formList"): Rule(frozenset()),
    ("GET", "/openrosa/forms/{form_id}/form.xml"): Rule(frozenset()),
    ("GET", "/openrosa/forms/{form_id}/manifest"): Rule(frozenset()),
    ("POST", "/openrosa/submission"): Rule(frozenset()),
    ("GET", "/openrosa/review"): Rule(SUBMITTERS),
    ("GET", "/openrosa/review/{submission_id}"): Rule(SUBMITTERS, scoped=True),
    ("POST", "/openrosa/review/{submission_id}/reapply"): Rule(
        SUBMITTERS, scoped=True, form=lambda t: {"corrected_xml": ""}
    ),
    ("POST", "/openrosa/review/{submission_id}/reject"): Rule(
        SUBMITTERS, scoped=True, form=lambda t: {"reason": "Doublon"}
    ),
    ("POST", "/api/v1/community/trainings"): Rule(
        CARE_WRITERS,
        scoped=True,
        json=lambda t: {
            "place_code": t["place_code"],
            "trainer_name": "Awa Matrice",
            "trainer_role": "chw",
            "village": "Pogo",
            "mothers_trained": 30,
        },
    ),
    ("POST", "/api/v1/community/screenings"): Rule(
        CARE_WRITERS, scoped=True, json=_json(_screening, child_age_months=int, muac_mm=int)
    ),
    ("GET", "/api/v1/community/screenings/{screening_id}"): Rule(PATIENT_READERS, scoped=True),
    ("DELETE", "/api/v1/community/screenings/{screening_id}"): Rule(
        PATIENT_DELETERS, scoped=True, query=lambda t: {"reason": "doublon vérifié"}
    ),
    ("GET", "/api/v1/community/referrals"): Rule(SIGNED_IN),
    ("GET", "/api/v1/community/referrals/{referral_id}"): Rule(PATIENT_READERS, scoped=True),
    ("POST", "/api/v1/community/referrals/{referral_id}/arrival"): Rule(
        CARE_WRITERS, scoped=True, json=lambda t: {"muac_mm": 110, "admitted": True}
    ),
    ("GET", "/api/v1/community/statistics"): Rule(
        SIGNED_IN, scoped=True, query=lambda t: {"place_code": t["place_code"]}
    ),
    # --- care (pages) ---------------------------------------------------------------------
    ("GET", "/care"): Rule(SIGNED_IN, query=lambda t: {"q": "a"}),
    ("GET", "/patients/{patient_id}/care"): Rule(PATIENT_READERS, scoped=True),
    ("GET", "/patients/{patient_id}/consultations/new"): Rule(CARE_WRITERS, scoped=True),
    ("POST", "/patients/{patient_id}/consultations/new"): Rule(
        CARE_WRITERS,
        scoped=True,
        form=lambda t: {k: v for k, v in _consultation(t).items() if k != "place_code"},
    ),
    ("GET", "/care/consultations/{consultation_id}"): Rule(PATIENT_READERS, scoped=True),
    ("GET", "/patients/{patient_id}/antenatal/new"): Rule(CARE_WRITERS, scoped=True),
    ("POST", "/patients/{patient_id}/antenatal/new"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="concernent les femmes de 10 à 55 ans",
        because="the walk's patient is a child: access passes, the maternal rules refuse",
        form=lambda t: {"gestational_age_weeks": "20"},
    ),
    ("POST", "/patients/{patient_id}/newborns"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="Cet accouchement appartient à une autre patiente",
        because="the walk's delivery is another patient's: access passes, the link is refused",
        form=lambda t: {"delivery_id": str(uuid.uuid4()), "position": "1", "given_name": "Awa"},
    ),
    ("GET", "/patients/{patient_id}/deliveries/new"): Rule(CARE_WRITERS, scoped=True),
    ("POST", "/patients/{patient_id}/deliveries/new"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="concernent les femmes de 10 à 55 ans",
        because="the walk's patient is a child: access passes, the maternal rules refuse",
        form=lambda t: {
            "setting": "facility",
            "attendant": "midwife",
            "mode": "spontaneous_vaginal",
            "mother_outcome": "mother_well",
            "baby1_outcome": "live_birth",
        },
    ),
    ("GET", "/patients/{patient_id}/postnatal/new"): Rule(CARE_WRITERS, scoped=True),
    ("POST", "/patients/{patient_id}/postnatal/new"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="concernent les femmes de 10 à 55 ans",
        because="the walk's patient is a child: access passes, the maternal rules refuse",
        form=lambda t: {"mother_status": "pnc_well", "newborn_status": "pnc_well"},
    ),
    ("GET", "/patients/{patient_id}/surgeries/new"): Rule(CARE_WRITERS, scoped=True),
    ("POST", "/patients/{patient_id}/surgeries/new"): Rule(
        CARE_WRITERS,
        scoped=True,
        form=lambda t: {
            "procedure": "laparotomy",
            "indication": "trauma",
            "anaesthesia": "ketamine",
            "outcome": "recovering",
            "emergency": "yes",
        },
    ),
    ("GET", "/care/surgeries"): Rule(
        PATIENT_READERS, scoped=True, query=lambda t: {"place_code": t["place_code"]}
    ),
    ("GET", "/care/mobile"): Rule(SIGNED_IN),
    ("GET", "/care/mobile/sessions/new"): Rule(SIGNED_IN),
    ("POST", "/care/mobile/sessions/new"): Rule(
        SITE_WRITERS,
        scoped=True,
        form=lambda t: {
            "site_code": t["site_code"],
            "team": "Équipe matrice",
            "people_reached": "40",
        },
    ),
    ("GET", "/care/mobile/population/new"): Rule(SIGNED_IN),
    ("POST", "/care/mobile/population/new"): Rule(
        SITE_WRITERS,
        scoped=True,
        form=lambda t: {"site_code": t["site_code"], "individuals": "1200"},
    ),
    # --- care (API) -----------------------------------------------------------------------
    ("GET", "/api/v1/patients/{patient_id}/care"): Rule(PATIENT_READERS, scoped=True),
    ("POST", "/api/v1/care/consultations"): Rule(
        CARE_WRITERS,
        scoped=True,
        json=lambda t: {"patient_id": t["patient_id"], "muac_mm": 130, "diagnoses": ["B54"]},
    ),
    ("GET", "/api/v1/care/consultations/{consultation_id}"): Rule(PATIENT_READERS, scoped=True),
    ("POST", "/api/v1/care/antenatal-visits"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="CARE_017",
        because="the walk's patient is a child: access passes, the maternal rules refuse",
        json=lambda t: {"patient_id": t["patient_id"]},
    ),
    ("POST", "/api/v1/care/newborns"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="CARE_013",
        because="the walk's delivery is another patient's: access passes, the link is refused",
        json=lambda t: {
            "patient_id": t["patient_id"],
            "delivery_id": str(uuid.uuid4()),
            "given_name": "Awa",
        },
    ),
    ("POST", "/api/v1/care/deliveries"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="CARE_017",
        because="the walk's patient is a child: access passes, the maternal rules refuse",
        json=lambda t: {
            "patient_id": t["patient_id"],
            "setting": "facility",
            "attendant": "midwife",
            "mode": "spontaneous_vaginal",
            "mother_outcome": "mother_well",
            "newborns": [{"outcome": "live_birth"}],
        },
    ),
    ("POST", "/api/v1/care/postnatal-visits"): Rule(
        CARE_WRITERS,
        scoped=True,
        expect=422,
        code="CARE_017",
        because="the walk's patient is a child: access passes, the maternal rules refuse",
        json=lambda t: {
            "patient_id": t["patient_id"],
            "mother_status": "pnc_well",
            "newborn_status": "pnc_well",
        },
    ),
    ("POST", "/api/v1/care/surgeries"): Rule(
        CARE_WRITERS,
        scoped=True,
        json=lambda t: {
            "patient_id": t["patient_id"],
            "procedure": "laparotomy",
            "indication": "trauma",
            "anaesthesia": "ketamine",
            "outcome": "recovering",
        },
    ),
    ("GET", "/api/v1/care/surgeries"): Rule(
        PATIENT_READERS, scoped=True, query=lambda t: {"place_code": t["place_code"]}
    ),
    ("DELETE", "/api/v1/care/{kind}/{record_id}"): Rule(
        PATIENT_DELETERS,
        scoped=True,
        values={"kind": "consultation", "record_id": "consultation_id"},
        query=lambda t: {"reason": "doublon vérifié"},
    ),
    ("POST", "/api/v1/care/mobile-sessions"): Rule(
        SITE_WRITERS,
        scoped=True,
        json=lambda t: {
            "site_code": t["site_code"],
            "team": "Équipe matrice",
            "people_reached": 40,
        },
    ),
    ("POST", "/api/v1/care/displaced-population"): Rule(
        SITE_WRITERS, scoped=True, json=lambda t: {"site_code": t["site_code"], "individuals": 1200}
    ),
    ("GET", "/api/v1/care/mobile"): Rule(SIGNED_IN),
    # --- impact page: public, aggregates only; its context figures --------------------------
    ("GET", "/impact"): Rule(EVERYONE),
    ("GET", "/impact/{country_code}"): Rule(EVERYONE),
    ("GET", "/api/v1/impact/{country_code}"): Rule(EVERYONE),
    ("GET", "/impact/{country_code}/context"): Rule(CONTEXT_WRITERS, scoped=True),
    ("POST", "/impact/{country_code}/context"): Rule(
        CONTEXT_WRITERS,
        scoped=True,
        form=lambda t: {"kind": "population", "year": "2020", "value": "1000", "source": "Test"},
    ),
    ("POST", "/api/v1/impact/context-figures"): Rule(
        CONTEXT_WRITERS,
        scoped=True,
        json=lambda t: {
            "country_code": t["country_code"],
            "kind": "population",
            "year": 2020,
            "value": 1000,
            "source": "Test",
        },
    ),
    # --- DHIS2: the mapping (administrators), the record of pushes (who submits data) ------
    ("GET", "/dhis2"): Rule(SUBMITTERS),
    ("GET", "/api/v1/dhis2/pushes"): Rule(SUBMITTERS),
    ("GET", "/api/v1/dhis2/mappings/{country_code}"): Rule(ADMINISTRATORS, scoped=True),
    ("POST", "/api/v1/dhis2/mappings"): Rule(
        ADMINISTRATORS,
        scoped=True,
        json=lambda t: small_mapping(t["country_code"], t["place_code"]),
    ),
}

MATRIX |= TREAT_MATRIX

#: The FHIR API (alima.interop.fhir): the same readers as the patient pages; a read of a
#: record out of scope is absent; searches are refused to aggregates-only readers (and
#: out of scope simply find nothing, so they are not called there); the export of a site
#: needs the patient-level export.
FHIR_MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/fhir/metadata"): Rule(EVERYONE),
    ("GET", "/fhir/{resource_type}"): Rule(
        PATIENT_READERS,
        values={"resource_type": "Patient"},
        query=lambda t: {"_id": t["patient_id"]},
    ),
    ("GET", "/fhir/{resource_type}/{resource_id}"): Rule(
        PATIENT_READERS,
        scoped=True,
        values={"resource_type": "Patient", "resource_id": "patient_id"},
    ),
    ("GET", "/fhir/Patient/{patient_id}/$everything"): Rule(PATIENT_READERS, scoped=True),
    ("GET", "/fhir/$export"): Rule(
        PATIENT_EXPORTERS, scoped=True, query=lambda t: {"site": t["place_code"]}
    ),
}

MATRIX |= FHIR_MATRIX

# --- RUTF stock ----------------------------------------------------------------------------
#: Stock is a site's aggregate: readers of its patients or aggregates read it; writers write.
STOCK_READERS = SIGNED_IN
STOCK_WRITERS = PATIENT_WRITERS


def _stock(t: Targets, **fields: str) -> dict[str, object]:
    return {"place_code": t["place_code"], "moved_on": t["past_day"], **fields}


def _receipt(t: Targets) -> dict[str, object]:
    return _stock(
        t,
        quantity="2",
        unit="carton",
        sachets_per_carton="150",
        batch="MATRICE",
        expires_on=t["future_day"],
    )


def _loss(t: Targets) -> dict[str, object]:
    return _stock(t, quantity="3", unit="sachet", reason="damaged")


def _adjustment(t: Targets) -> dict[str, object]:
    return _stock(t, change="-2", reason="correction")


def _count(t: Targets) -> dict[str, object]:
    return _stock(t, quantity="40", unit="sachet")


def _as_json(payload: Payload, *numbers: str) -> Payload:
    return lambda t: {k: int(str(v)) if k in numbers else v for k, v in payload(t).items()}


STOCK_MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/stock"): Rule(SIGNED_IN),
    ("GET", "/stock/sites/{place_code}"): Rule(STOCK_READERS, scoped=True),
    ("GET", "/stock/movements/receipt/new"): Rule(SIGNED_IN),
    ("POST", "/stock/movements/receipt/new"): Rule(STOCK_WRITERS, scoped=True, form=_receipt),
    ("GET", "/stock/movements/loss/new"): Rule(SIGNED_IN),
    ("POST", "/stock/movements/loss/new"): Rule(STOCK_WRITERS, scoped=True, form=_loss),
    ("GET", "/stock/movements/adjustment/new"): Rule(SIGNED_IN),
    ("POST", "/stock/movements/adjustment/new"): Rule(STOCK_WRITERS, scoped=True, form=_adjustment),
    ("GET", "/stock/movements/stock_count/new"): Rule(SIGNED_IN),
    ("POST", "/stock/movements/stock_count/new"): Rule(STOCK_WRITERS, scoped=True, form=_count),
    ("GET", "/stock/reports/monthly"): Rule(
        STOCK_READERS, scoped=True, query=lambda t: {"place": t["place_code"], "month": t["month"]}
    ),
    ("GET", "/stock/reports/monthly.csv"): Rule(
        STOCK_READERS, scoped=True, query=lambda t: {"place": t["place_code"], "month": t["month"]}
    ),
    ("GET", "/stock/reports/monthly.xlsx"): Rule(
        STOCK_READERS, scoped=True, query=lambda t: {"place": t["place_code"], "month": t["month"]}
    ),
    ("GET", "/api/v1/stock/sites"): Rule(SIGNED_IN),
    ("GET", "/api/v1/stock/alerts"): Rule(SIGNED_IN),
    ("GET", "/api/v1/stock/sites/{place_code}"): Rule(STOCK_READERS, scoped=True),
    ("POST", "/api/v1/stock/receipts"): Rule(
        STOCK_WRITERS, scoped=True, json=_as_json(_receipt, "quantity", "sachets_per_carton")
    ),
    ("POST", "/api/v1/stock/losses"): Rule(
        STOCK_WRITERS, scoped=True, json=_as_json(_loss, "quantity")
    ),
    ("POST", "/api/v1/stock/adjustments"): Rule(
        STOCK_WRITERS, scoped=True, json=_as_json(_adjustment, "change")
    ),
    ("POST", "/api/v1/stock/counts"): Rule(
        STOCK_WRITERS, scoped=True, json=_as_json(_count, "quantity")
    ),
    ("DELETE", "/api/v1/stock/movements/{stock_movement_id}"): Rule(
        STOCK_WRITERS, scoped=True, query=lambda t: {"reason": "saisie en double"}
    ),
    ("GET", "/api/v1/stock/reports/monthly"): Rule(
        STOCK_READERS, scoped=True, query=lambda t: {"place": t["place_code"], "month": t["month"]}
    ),
}

MATRIX |= STOCK_MATRIX


# --- outbreaks ------------------------------------------------------------------------------

#: Act on an alert: a district or country user with OUTBREAK_RESPOND over the alert's district
#: (the district's data manager, the country's coordinator, administrators); a partner who
#: may not capture data may not act either.
RESPONDERS = frozenset({"data_manager", "coordinator", "administrator"})


def _last_week(t: Targets) -> dict[str, object]:
    """A report of last week (ended) for the targets' facility."""
    from alima.core.time import today
    from alima.outbreaks.rules.epiweeks import ISO

    week = ISO.shift(ISO.week_of(today()), -1)
    return {"place_code": t["place_code"], "epi_year": week.year, "epi_week": week.week}


OUTBREAKS_MATRIX: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/outbreaks/reports"): Rule(
        PATIENT_WRITERS,
        scoped=True,
        json=lambda t: (
            _last_week(t) | {"lines": [{"disease": "malaria", "age_group": "1-4y", "cases": 3}]}
        ),
    ),
    ("GET", "/api/v1/outbreaks/reports"): Rule(SIGNED_IN),
    ("POST", "/api/v1/outbreaks/cases"): Rule(
        PATIENT_WRITERS,
        scoped=True,
        json=lambda t: {
            "place_code": t["place_code"],
            "disease": "measles",
            "onset_on": t["past_day"],
            "age_years": 2,
            "sex": "F",
            "vaccination": "not_vaccinated",
        },
    ),
    ("GET", "/api/v1/outbreaks/cases"): Rule(SIGNED_IN),
    ("PATCH", "/api/v1/outbreaks/cases/{case_id}"): Rule(
        PATIENT_WRITERS, scoped=True, json=lambda t: {"lab_result": "negative"}
    ),
    ("GET", "/api/v1/outbreaks/alerts"): Rule(SIGNED_IN),
    ("GET", "/api/v1/outbreaks/alerts/{alert_id}"): Rule(AGGREGATE_READERS, scoped=True),
    ("POST", "/api/v1/outbreaks/alerts/{alert_id}/actions"): Rule(
        RESPONDERS, scoped=True, json=lambda t: {"action": "verify"}
    ),
    ("GET", "/api/v1/outbreaks/districts/{district_code}/dashboard"): Rule(
        AGGREGATE_READERS, scoped=True
    ),
    ("GET", "/api/v1/outbreaks/districts/{district_code}/completeness"): Rule(
        AGGREGATE_READERS, scoped=True
    ),
    ("GET", "/api/v1/outbreaks/thresholds/{country_code}"): Rule(SIGNED_IN, scoped=True),
    ("POST", "/api/v1/outbreaks/thresholds/{country_code}"): Rule(
        ADMINISTRATORS,
        scoped=True,
        json=lambda t: {
            "disease": "cholera",
            "rules": [
                {"code": "c", "disease": "cholera", "level": "alert", "kind": "count", "value": 2}
            ],
        },
    ),
}

MATRIX |= OUTBREAKS_MATRIX


def _weekly_form(t: Targets) -> dict[str, object]:
    """Last week's report as the form posts it."""
    posted: dict[str, object] = {k: str(v) for k, v in _last_week(t).items()}
    return posted | {"c_malaria_1": "3"}


OUTBREAKS_PAGES: dict[tuple[str, str], Rule] = {
    ("GET", "/outbreaks"): Rule(SIGNED_IN),
    ("GET", "/outbreaks/reports/new"): Rule(SIGNED_IN),
    ("POST", "/outbreaks/reports/new"): Rule(
        PATIENT_WRITERS,
        scoped=True,
        form=_weekly_form,
    ),
    ("GET", "/outbreaks/cases/new"): Rule(SIGNED_IN),
    ("POST", "/outbreaks/cases/new"): Rule(
        PATIENT_WRITERS,
        scoped=True,
        form=lambda t: {
            "place_code": t["place_code"],
            "disease": "cholera",
            "onset_on": t["past_day"],
            "age_years": "6",
            "sex": "M",
            "lab_result": "awaiting",
            "outcome": "alive",
        },
    ),
    ("GET", "/outbreaks/cases"): Rule(SIGNED_IN),
    ("GET", "/outbreaks/alerts/{alert_id}"): Rule(AGGREGATE_READERS, scoped=True),
    ("POST", "/outbreaks/alerts/{alert_id}/actions"): Rule(
        RESPONDERS, scoped=True, form=lambda t: {"action": "verify"}
    ),
    ("GET", "/outbreaks/districts/{district_code}"): Rule(AGGREGATE_READERS, scoped=True),
}

MATRIX |= OUTBREAKS_PAGES
# --- SMC ----------------------------------------------------------------------------------
#: Campaigns and figures are read like the stock (patients' or aggregates' readers of a covered
#: place); data managers set campaigns up; writers of patients distribute (docs: alima.smc).
SMC_READERS = SIGNED_IN
SMC_WRITERS = PATIENT_WRITERS
SMC_SETUP = SUBMITTERS


def _smc_campaign(t: Targets) -> dict[str, object]:
    start = date.fromisoformat(t["past_day"]) - timedelta(days=7)
    return {
        "name": "CPS matrice",
        "season": str(start.year),
        "target_source": "places",
        "areas_text": t["smc_area_code"],
        **{f"cycle_{n}": (start + timedelta(days=30 * (n - 1))).isoformat() for n in range(1, 5)},
    }


def _smc_campaign_json(t: Targets) -> dict[str, object]:
    form = _smc_campaign(t)
    return {
        "name": "CPS matrice",
        "season": int(str(form["season"])),
        "cycle_starts": [form[f"cycle_{n}"] for n in range(1, 5)],
        "areas": [{"place_code": t["smc_area_code"]}],
    }


def _smc_team(t: Targets) -> dict[str, object]:
    return {
        "name": "Équipe matrice",
        "members": "Oumar",
        "villages_text": "Molodo",
        "place_code": t["place_code"],
    }


def _smc_supply(t: Targets) -> dict[str, object]:
    return {
        "cycle_number": "1",
        "product": "spaq_12_59",
        "blisters": "20",
        "received_on": t["past_day"],
        "place_code": t["place_code"],
    }


def _smc_dose(t: Targets) -> dict[str, object]:
    return {
        "patient_id": t["smc_child_id"],
        "village": "Molodo",
        "caregiver": "Fatoumata Diarra",
        "place_code": t["place_code"],
        "day1_observed": "yes",
    }


SMC_HOUSEHOLD: dict[str, object] = {"village": "Molodo", "caregiver": "Fatoumata Diarra"}

SMC_MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/smc"): Rule(SIGNED_IN),
    ("GET", "/smc/campaigns/new"): Rule(SIGNED_IN),
    ("POST", "/smc/campaigns/new"): Rule(SMC_SETUP, scoped=True, form=_smc_campaign),
    ("GET", "/smc/campaigns/{smc_campaign_id}"): Rule(SMC_READERS, scoped=True),
    ("GET", "/smc/campaigns/{smc_campaign_id}/report.csv"): Rule(SMC_READERS, scoped=True),
    ("GET", "/smc/campaigns/{smc_campaign_id}/report.xlsx"): Rule(SMC_READERS, scoped=True),
    ("POST", "/smc/campaigns/{smc_campaign_id}/teams"): Rule(
        SMC_WRITERS, scoped=True, form=_smc_team
    ),
    ("POST", "/smc/campaigns/{smc_campaign_id}/supplies"): Rule(
        SMC_WRITERS, scoped=True, form=_smc_supply
    ),
    ("GET", "/smc/cycles/{smc_cycle_id}/list"): Rule(SMC_READERS, scoped=True),
    ("GET", "/smc/cycles/{smc_cycle_id}/household"): Rule(
        SMC_READERS, scoped=True, query=lambda t: SMC_HOUSEHOLD
    ),
    ("POST", "/smc/cycles/{smc_cycle_id}/household/children"): Rule(
        SMC_WRITERS,
        scoped=True,
        form=lambda t: {
            "given_name": "Matrice",
            "family_name": "Test",
            "sex": "F",
            "estimated_age_months": "14",
            "village": "Molodo",
            "caregiver_name": "Fatoumata Diarra",
            "place_code": t["place_code"],
            "confirm_not_duplicate": "yes",
        },
    ),
    ("POST", "/smc/cycles/{smc_cycle_id}/doses"): Rule(SMC_WRITERS, scoped=True, form=_smc_dose),
    ("POST", "/smc/doses/{smc_dose_id}/adherence"): Rule(
        SMC_WRITERS,
        scoped=True,
        query=lambda t: {"cycle": t["smc_cycle_id"], **SMC_HOUSEHOLD},
        form=lambda t: {"day2_given": "yes", "day3_given": "no"},
    ),
    ("GET", "/api/v1/smc/campaigns"): Rule(SIGNED_IN),
    ("POST", "/api/v1/smc/campaigns"): Rule(SMC_SETUP, scoped=True, json=_smc_campaign_json),
    ("GET", "/api/v1/smc/campaigns/{smc_campaign_id}"): Rule(SMC_READERS, scoped=True),
    ("GET", "/api/v1/smc/campaigns/{smc_campaign_id}/report"): Rule(SMC_READERS, scoped=True),
    ("POST", "/api/v1/smc/campaigns/{smc_campaign_id}/teams"): Rule(
        SMC_WRITERS,
        scoped=True,
        json=lambda t: {
            "name": "Équipe",
            "members": "Oumar",
            "villages": ["Molodo"],
            "place_code": t["place_code"],
        },
    ),
    ("POST", "/api/v1/smc/campaigns/{smc_campaign_id}/supplies"): Rule(
        SMC_WRITERS, scoped=True, json=_as_json(_smc_supply, "cycle_number", "blisters")
    ),
    ("GET", "/api/v1/smc/cycles/{smc_cycle_id}/list"): Rule(SMC_READERS, scoped=True),
    ("POST", "/api/v1/smc/doses"): Rule(
        SMC_WRITERS,
        scoped=True,
        json=lambda t: {
            "cycle_id": t["smc_cycle_id"],
            "patient_id": t["smc_child_id"],
            "place_code": t["place_code"],
        },
    ),
    ("POST", "/api/v1/smc/doses/{smc_dose_id}/adherence"): Rule(
        SMC_WRITERS, scoped=True, json=lambda t: {"day2_given": True, "day3_given": True}
    ),
    ("DELETE", "/api/v1/smc/doses/{smc_dose_id}"): Rule(
        PATIENT_DELETERS, scoped=True, query=lambda t: {"reason": "saisie en double"}
    ),
}

MATRIX |= SMC_MATRIX


# --- research (alima.research) ----------------------------------------------------------------
#: A study's list and dashboard are counts (aggregates or patient readers over one of its sites);
#: a child in a study is part of the patient's record; writers of patients at the site record
#: consent, withdrawal and randomisation; administrators set studies up.
RESEARCH_READERS = SIGNED_IN
RESEARCH_WRITERS = PATIENT_WRITERS
RESEARCH_CHILD = "/research/studies/{study_code}/patients/{patient_id}"
API_RESEARCH_CHILD = "/api/v1" + RESEARCH_CHILD


def _consent(t: Targets) -> dict[str, object]:
    return {
        "form_id": t["consent_form_id"],
        "caregiver_name": "Awa Matrice",
        "caregiver_relation": "mère",
        "method": "signed",
        "consented_on": t["past_day"],
    }


def _study_json(t: Targets) -> dict[str, object]:
    return {
        "code": "MX-NEW",
        "title": "Nouvelle étude",
        "project_code": t["project_code"],
        "sponsor_code": t["organisation_code"],
        "starts_on": t["past_day"],
        "target_size": 20,
        "site_codes": [t["place_code"]],
        "arms": [{"code": "arm-a", "label": "A"}, {"code": "arm-b", "label": "B"}],
    }


def _study_form(t: Targets) -> dict[str, object]:
    return {
        "code": f"MX-W{uuid.uuid4().hex[:4].upper()}",
        "title": "Nouvelle étude",
        "project_code": t["project_code"],
        "sponsor_code": t["organisation_code"],
        "starts_on": t["past_day"],
        "target_size": "20",
        "site_list": t["place_code"],
        "arm1_code": "arm-a",
        "arm1_label": "A",
        "arm2_code": "arm-b",
        "arm2_label": "B",
        "age_min_months": "6",
        "age_max_months": "59",
        "form_version": "1",
        "form_language": "fr",
    }


_BECAUSE_016 = "the matrix's child has consented: a withdrawal then, not a refusal"
#: Emergency unblinding is a break-the-glass on the arm: clinicians of the site, administrators.
RESEARCH_UNBLINDERS = EMERGENCY_OPENERS
_BECAUSE_071 = "the matrix's study is open-label: there is no hidden arm to reveal"
#: A study's monitor: its included children (read-only) and queries; staff answer them.
MONITORS = frozenset({"monitor", "administrator"})
RESEARCH_MONITORED = "/research/studies/{study_code}"
_MONITORED = {"study_code": "monitored_study_code", "patient_id": "included_patient_id"}
_PAGE_016 = "a consenti : enregistrez plutôt un retrait"

RESEARCH_MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/research"): Rule(SIGNED_IN),
    ("GET", "/research/studies/{study_code}"): Rule(RESEARCH_READERS, scoped=True),
    ("GET", RESEARCH_CHILD): Rule(PATIENT_READERS, scoped=True),
    ("POST", RESEARCH_CHILD + "/consent"): Rule(RESEARCH_WRITERS, scoped=True, form=_consent),
    ("POST", RESEARCH_CHILD + "/decline"): Rule(
        RESEARCH_WRITERS,
        scoped=True,
        form=lambda t: {"reason": "declined"},
        expect=422,
        code=_PAGE_016,
        because=_BECAUSE_016,
    ),
    ("POST", RESEARCH_CHILD + "/withdrawal"): Rule(
        RESEARCH_WRITERS,
        scoped=True,
        form=lambda t: {"use": "collected", "withdrawn_on": t["past_day"]},
    ),
    ("POST", RESEARCH_CHILD + "/randomisation"): Rule(RESEARCH_WRITERS, scoped=True),
    ("POST", RESEARCH_CHILD + "/unblinding"): Rule(
        RESEARCH_UNBLINDERS,
        scoped=True,
        form=lambda t: {"reason": "réaction sévère"},
        expect=422,
        code="pas en aveugle",
        because=_BECAUSE_071,
    ),
    ("GET", RESEARCH_MONITORED + "/monitoring"): Rule(MONITORS, scoped=True, values=_MONITORED),
    ("GET", RESEARCH_MONITORED + "/patients/{patient_id}/source"): Rule(
        MONITORS, scoped=True, values=_MONITORED
    ),
    ("POST", RESEARCH_MONITORED + "/patients/{patient_id}/queries"): Rule(
        MONITORS,
        scoped=True,
        values=_MONITORED,
        form=lambda t: {"reference": "visite : PB", "text": "Le registre indique 112 mm."},
    ),
    ("POST", RESEARCH_MONITORED + "/patients/{patient_id}/queries/{query_id}/answer"): Rule(
        RESEARCH_WRITERS, scoped=True, values=_MONITORED, form=lambda t: {"answer": "Corrigé."}
    ),
    ("POST", RESEARCH_MONITORED + "/patients/{patient_id}/queries/{query_id}/close"): Rule(
        MONITORS, scoped=True, values=_MONITORED
    ),
    ("GET", "/research/studies/{study_code}/setup"): Rule(RESEARCH_READERS, scoped=True),
    ("GET", "/research/studies/new"): Rule(ADMINISTRATORS),
    ("POST", "/research/studies/new"): Rule(ADMINISTRATORS, scoped=True, form=_study_form),
    ("POST", "/research/studies/{study_code}/ethics"): Rule(
        ADMINISTRATORS,
        scoped=True,
        form=lambda t: {
            "committee": "CNESS",
            "reference": "2026/42",
            "protocol_version": "2.0",
            "approved_on": t["past_day"],
        },
    ),
    ("POST", "/research/studies/{study_code}/forms"): Rule(
        ADMINISTRATORS,
        scoped=True,
        form=lambda t: {
            "kind": "consent",
            "version": "2",
            "language": "fr",
            "approved_on": t["past_day"],
        },
    ),
    ("GET", "/api/v1/research/studies"): Rule(SIGNED_IN),
    ("POST", "/api/v1/research/studies"): Rule(ADMINISTRATORS, scoped=True, json=_study_json),
    ("GET", "/api/v1/research/studies/{study_code}"): Rule(RESEARCH_READERS, scoped=True),
    ("GET", "/api/v1/research/patients/{patient_id}/studies"): Rule(PATIENT_READERS, scoped=True),
    ("POST", API_RESEARCH_CHILD + "/consent"): Rule(RESEARCH_WRITERS, scoped=True, json=_consent),
    ("POST", API_RESEARCH_CHILD + "/decline"): Rule(
        RESEARCH_WRITERS,
        scoped=True,
        json=lambda t: {"reason": "declined"},
        expect=422,
        code="RES_016",
        because=_BECAUSE_016,
    ),
    ("POST", API_RESEARCH_CHILD + "/withdrawal"): Rule(
        RESEARCH_WRITERS, scoped=True, json=lambda t: {"use": "collected"}
    ),
    ("POST", API_RESEARCH_CHILD + "/randomisation"): Rule(RESEARCH_WRITERS, scoped=True),
    ("GET", "/api/v1" + RESEARCH_MONITORED + "/monitoring"): Rule(
        MONITORS, scoped=True, values=_MONITORED
    ),
    ("GET", "/api/v1" + RESEARCH_MONITORED + "/patients/{patient_id}/source"): Rule(
        MONITORS, scoped=True, values=_MONITORED
    ),
    ("POST", "/api/v1" + RESEARCH_MONITORED + "/patients/{patient_id}/queries"): Rule(
        MONITORS,
        scoped=True,
        values=_MONITORED,
        json=lambda t: {"reference": "visite : PB", "text": "Le registre indique 112 mm."},
    ),
    (
        "POST",
        "/api/v1" + RESEARCH_MONITORED + "/patients/{patient_id}/queries/{query_id}/answer",
    ): Rule(
        RESEARCH_WRITERS, scoped=True, values=_MONITORED, json=lambda t: {"answer": "Corrigé."}
    ),
    (
        "POST",
        "/api/v1" + RESEARCH_MONITORED + "/patients/{patient_id}/queries/{query_id}/close",
    ): Rule(MONITORS, scoped=True, values=_MONITORED),
    ("POST", API_RESEARCH_CHILD + "/unblinding"): Rule(
        RESEARCH_UNBLINDERS,
        scoped=True,
        json=lambda t: {"reason": "réaction sévère"},
        expect=422,
        code="RES_071",
        because=_BECAUSE_071,
    ),
}
#: A study's pseudonymised data (its exports and its list of included children): the right to
#: export it at one of its sites (``STUDY_EXPORT``), which an aggregates-only agreement withholds.
STUDY_EXPORTERS = frozenset({"coordinator", "researcher", "administrator"})
for _prefix in ("", "/api/v1"):
    for _tail in ("export.zip", "export.xml", "participants"):
        RESEARCH_MATRIX[("GET", f"{_prefix}/research/studies/{{study_code}}/{_tail}")] = Rule(
            STUDY_EXPORTERS, scoped=True
        )

MATRIX |= RESEARCH_MATRIX

#: Follow-up: a child's schedule is part of the record; the site's writers record study visits
#: and SAEs and mark an SAE reported; the study lists name children (patient readers; a
#: researcher sees the page, without rows). The matrix's followed child was randomised 20 days
#: ago: month 1 is due, with no routine visit (tests/factories/research.py).
_FOLLOWED = {"patient_id": "followup_patient_id"}


def _study_visit(t: Targets) -> dict[str, object]:
    return {"event_code": "M1", "visit_on": t["past_day"], "weight_kg": "6.4", "muac_mm": "118"}


def _sae(t: Targets) -> dict[str, object]:
    return {
        "onset_on": t["past_day"],
        "category": "other_important",
        "outcome": "recovering",
        "relatedness": "possibly",
    }


MATRIX |= {
    ("POST", RESEARCH_CHILD + "/study-visit"): Rule(
        RESEARCH_WRITERS, scoped=True, values=_FOLLOWED, form=_study_visit
    ),
    ("POST", RESEARCH_CHILD + "/adverse-events"): Rule(
        RESEARCH_WRITERS, scoped=True, values=_FOLLOWED, form=_sae
    ),
    ("GET", "/research/studies/{study_code}/missed"): Rule(RESEARCH_READERS, scoped=True),
    ("GET", "/research/studies/{study_code}/safety"): Rule(RESEARCH_READERS, scoped=True),
    ("POST", "/research/studies/{study_code}/adverse-events/{sae_id}/reported"): Rule(
        RESEARCH_WRITERS, scoped=True
    ),
    ("GET", API_RESEARCH_CHILD + "/follow-up"): Rule(
        PATIENT_READERS, scoped=True, values=_FOLLOWED
    ),
    ("POST", API_RESEARCH_CHILD + "/study-visits"): Rule(
        RESEARCH_WRITERS, scoped=True, values=_FOLLOWED, json=_study_visit
    ),
    ("POST", API_RESEARCH_CHILD + "/adverse-events"): Rule(
        RESEARCH_WRITERS, scoped=True, values=_FOLLOWED, json=_sae
    ),
    ("GET", "/api/v1/research/studies/{study_code}/missed"): Rule(RESEARCH_READERS, scoped=True),
    ("GET", "/api/v1/research/studies/{study_code}/adverse-events"): Rule(
        RESEARCH_READERS, scoped=True
    ),
    ("POST", "/api/v1/research/studies/{study_code}/adverse-events/{sae_id}/reported"): Rule(
        RESEARCH_WRITERS, scoped=True
    ),
}
