"""Pydantic schemas of the core: what the API and the forms accept and return."""

import uuid
from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from alima.core.enums import Role, Sex
from alima.core.types import Name, Note, Phone, PlaceCode, ShortText

T = TypeVar("T")

MAX_AGE_MONTHS = 1200


class Input(BaseModel):
    """What a client sends (a body, a form, a filter): a field the schema does not name is refused."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """A page of results."""

    items: list[T]
    total: int
    limit: int
    offset: int


class PlaceRead(BaseModel):
    """A place as the API shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    kind: str
    parent_code: str | None = None
    depth: int
    latitude: float | None = None
    longitude: float | None = None
    populations: dict[int, int] = Field(default_factory=dict)


class PatientBase(BaseModel):
    """Fields common to creating and reading a patient."""

    given_name: Name
    family_name: Name
    sex: Sex
    caregiver_name: ShortText | None = None
    village: ShortText | None = None
    phone: Phone | None = None


class PatientCreate(PatientBase):
    """Register a patient: a date of birth or an estimated age in months is required."""

    model_config = ConfigDict(extra="forbid")

    birth_date: date | None = Field(None, ge=date(1900, 1, 1))
    estimated_age_months: Annotated[int, Field(ge=0, le=MAX_AGE_MONTHS)] | None = None
    place_code: PlaceCode | None = Field(
        None, description="Service point where the patient is registered; default: your own."
    )
    confirm_not_duplicate: bool = Field(
        False, description="Register even though a likely duplicate exists."
    )

    @model_validator(mode="after")
    def _needs_age(self) -> "PatientCreate":
        if self.birth_date is None and self.estimated_age_months is None:
            msg = "birth_date or estimated_age_months is required"
            raise ValueError(msg)
        return self


class PatientUpdate(Input):
    """Change some fields of a patient (only those sent)."""

    given_name: Name | None = None
    family_name: Name | None = None
    sex: Sex | None = None
    birth_date: date | None = Field(None, ge=date(1900, 1, 1))
    birth_date_estimated: bool | None = None
    caregiver_name: ShortText | None = None
    village: ShortText | None = None
    phone: Phone | None = None


class RecordDelete(Input):
    """A soft deletion always has a reason."""

    reason: Note = Field(..., min_length=3)


#: A patient's soft deletion, like any record's.
PatientDelete = RecordDelete


class _PatientIdentity(BaseModel):
    """Who a patient is: what every view of a patient starts with."""

    id: uuid.UUID
    identifier: str
    given_name: str
    family_name: str
    sex: Sex
    birth_date: date
    birth_date_estimated: bool
    age_months: int


class PatientRead(_PatientIdentity):
    """A patient as pages and the API show it."""

    caregiver_name: str | None
    village: str | None
    phone: str | None
    place_code: str
    place_name: str
    created_at: datetime
    updated_at: datetime
    version: int
    deleted: bool = False
    deleted_reason: str | None = None
    #: On a duplicate merged into another patient: the patient that holds its records now.
    merged_into_id: uuid.UUID | None = None


class PatientSummary(_PatientIdentity):
    """A line of a search result or a duplicate warning."""

    village: str | None
    place_name: str


class DuplicateWarning(BaseModel):
    """Returned instead of registering when likely duplicates exist."""

    code: Literal["CORE_DUPLICATE"] = "CORE_DUPLICATE"
    message: str
    candidates: list[PatientSummary]


class PatientFilter(BaseModel):
    """Search by name (accent- and case-insensitive) or identifier."""

    q: Annotated[str, Field(max_length=100)] = ""
    place_code: PlaceCode | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class FieldChange(BaseModel):
    """One field's value before and after a change."""

    field: str
    before: object | None
    after: object | None


class AuditEventRead(BaseModel):
    """An audit event as the data manager sees it."""

    at: datetime
    actor: str | None
    action: str
    entity_type: str
    channel: str
    detail: str | None
    before: dict[str, object] | None
    after: dict[str, object] | None
    changes: list[FieldChange] = Field(default_factory=list)


class HomeRead(BaseModel):
    """What the home page shows."""

    places: list[PlaceRead]
    recent_patients: list[PatientSummary]
    roles: list[str]


class TokenCreated(BaseModel):
    """A new API token (shown once)."""

    token: str
    expires_at: datetime
    username: str


#: A user name: lower-case letters, digits, ``.``, ``_`` and ``-`` (stored in lower case).
Username = Annotated[
    str,
    Field(min_length=3, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$"),
]
#: A password as typed (its strength is checked by the password policy, not here).
Password = Annotated[str, Field(min_length=1, max_length=200)]


class AccountCreate(Input):
    """A new user account with its first role, at a place the administrator administers."""

    username: Username
    full_name: Name
    password: Password
    role: Role
    place_code: PlaceCode


class RoleGrant(Input):
    """A role given to a user at a place (the place's whole subtree)."""

    role: Role
    place_code: PlaceCode


class RoleWithdrawal(Input):
    """A role taken back, with the reason kept in the audit trail."""

    reason: Annotated[ShortText, Field(min_length=3)]


class PasswordReset(Input):
    """A new password set by an administrator (the user's sessions end)."""

    password: Password


class PasswordChange(Input):
    """A user's own new password, given with the current one (their other sessions end)."""

    current_password: Password
    password: Password


class ApiTokenCreate(Input):
    """An API token to create for a user: what it is for and how long it lasts."""

    name: Annotated[Name, Field(max_length=100)]
    days: Annotated[int, Field(ge=1, le=365)]
