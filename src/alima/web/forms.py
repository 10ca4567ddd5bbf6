"""HTML forms: one declaration per form, one ``submit`` for every post.

A form posts plain strings. ``WebForm(Schema)`` derives the posted fields from the domain's
Pydantic schema (the same ``*Create`` the API validates), so a new schema field is a new form
field without a second list to keep in step:

- a ``bool`` with a default is a checkbox (ticked when ``"yes"``); a required ``bool`` is a
  yes/no choice (absent when neither); any other field is text, and an empty one is absent;
- list fields cannot come from one input: the page posts them as ``extra`` names that
  ``compose`` turns into the list;
- fields the route supplies (``given``, from the path) or the page does not show (``omit``)
  are not posted.

The posted strings are kept as typed (shown again up to ``kept`` characters), so a refused
form comes back filled in, with each error next to its field in the reader's language.

The declaration is also a FastAPI dependency: ``posted: Annotated[Posted, Depends(FORM)]``
reads the body through a generated form model, so FastAPI (and the tests that walk the route
table, ``tests/security/test_html_fuzz.py``) see every field of every form.

``submit(FORM, posted, save, page, then=..., **given)`` validates (with the ``given`` fields),
calls ``save`` (the service) and redirects (303) to ``then``; on a refusal it calls
``page(posted)`` to render the same template again with ``posted.values``, ``posted.errors``
and ``posted.status`` (422 for invalid input, the rule's status, or ``rule_status``, for a
refused rule). ``again(request, template, context)`` is that page for a context already
holding the posted values. Which refusals are error pages instead is the form's
``error_page``: by default refused access (403) and a record not found (404) unless the error
names a field. ``alima.web.form_pages`` registers the routes of a form (its page and its post).
"""

import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError, create_model
from pydantic.fields import FieldInfo

from alima.api.errors import field_errors
from alima.core.errors import AlimaError
from alima.core.i18n import gettext
from alima.web.contexts_treat import Option
from alima.web.rendering import HasErrors, redirect, show
from alima.web.templating import label

S = TypeVar("S", bound=BaseModel)
T = TypeVar("T")

#: Longest value kept from a posted field (what is re-shown; validation refuses longer).
MAX_KEPT = 4000
CHECKED = "yes"
UNCHECKED = "no"
INVALID = 422
FORBIDDEN = 403
NOT_FOUND = 404


def rule_errors(exc: AlimaError) -> dict[str, str]:
    """A refused rule as a field error (``field`` in the error's context, else the form)."""
    name = exc.context.get("field")
    return {str(name) if name else "__all__": exc.message}


def form_error(exc: AlimaError) -> dict[str, str]:
    """A refused rule shown once, above the form."""
    return {"__all__": exc.message}


def is_error_page(exc: AlimaError) -> bool:
    """Refused access, or a record not found that is no field's fault: the error page."""
    return exc.status == FORBIDDEN or (exc.status == NOT_FOUND and not exc.context.get("field"))


def is_forbidden(exc: AlimaError) -> bool:
    """Only refused access is the error page: the form shows every other refusal."""
    return exc.status == FORBIDDEN


def is_refusal(exc: AlimaError) -> bool:
    """Refused access or not found, whatever the field: the error page."""
    return exc.status in {FORBIDDEN, NOT_FOUND}


def enum_options(members: Iterable[StrEnum]) -> list[Option]:
    """Options with the translated label of each stored code."""
    return [Option(value=m.value, text=label(m.value)) for m in members]


@dataclass
class Posted:
    """A posted form: its values as typed, and what was refused."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    status: int = INVALID
    #: The business rule that refused the form (``None``: invalid input, or not refused).
    refusal: AlimaError | None = None
    #: The values as validated (``values`` may be shorter: what is shown again).
    raw: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.raw = self.raw or dict(self.values)

    def checked(self, name: str) -> bool:
        """Whether a checkbox was ticked."""
        return self.raw.get(name) == CHECKED

    def text(self, name: str) -> str:
        """A posted text, trimmed (empty when absent)."""
        return self.raw.get(name, "").strip()


def _base_types(annotation: Any) -> set[Any]:
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _base_types(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_base_types(a) for a in typing.get_args(annotation)))
    return {origin or annotation}


def _kind(info: FieldInfo) -> str:
    kinds = _base_types(info.annotation) - {type(None)}
    if kinds & {list, set, tuple, frozenset}:
        return "list"
    if kinds == {bool} and info.annotation is bool:
        return "choice" if info.is_required() else "checkbox"
    if kinds & {int, float}:
        return "number"
    return "text"


@dataclass(frozen=True, eq=False)
class WebForm(Generic[S]):
    """One HTML form posted to one schema (see the module's docstring)."""

    schema: type[S]
    #: Schema fields the route fills in itself (path parameters): not posted.
    given: tuple[str, ...] = ()
    #: Schema fields the page does not show: not posted.
    omit: tuple[str, ...] = ()
    #: Posted names that are not schema fields (parts of a list, a field to re-show the page).
    extra: tuple[str, ...] = ()
    #: The payload entries made of the posted values (lists), added to the plain fields'.
    compose: Callable[[Posted], dict[str, object]] | None = None
    #: What a field shows when the browser did not send it.
    defaults: Mapping[str, str] = field(default_factory=dict)
    #: Longest value shown again.
    kept: int = MAX_KEPT
    #: Numbers may be typed with a decimal comma (``7,5`` kg).
    decimal_comma: bool = False
    #: A refused rule as field errors.
    refused: Callable[[AlimaError], dict[str, str]] = rule_errors
    #: Which refusals are error pages rather than the form again.
    error_page: Callable[[AlimaError], bool] = is_error_page
    #: Status of the form refused by a rule (``None``: the rule's own status).
    rule_status: int | None = None
    #: A clearer message (English, translated when shown) for a field's invalid input.
    messages: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # FastAPI reads the dependency's signature: one form model holding every field.
        parameter = inspect.Parameter(
            "form", inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[self.model, Form()]
        )
        object.__setattr__(
            self, "__signature__", inspect.Signature([parameter], return_annotation=Posted)
        )

    def __call__(self, form: BaseModel) -> Posted:
        """The dependency: the posted fields as strings (shown again trimmed to ``kept``)."""
        raw = {name: str(value)[:MAX_KEPT] for name, value in form.model_dump().items()}
        return Posted({name: value[: self.kept] for name, value in raw.items()}, raw=raw)

    @cached_property
    def kinds(self) -> dict[str, str]:
        """Each posted schema field and how it is read (checkbox, choice, number, text)."""
        skipped = {*self.given, *self.omit}
        kinds = {
            name: _kind(info)
            for name, info in self.schema.model_fields.items()
            if name not in skipped
        }
        return {name: kind for name, kind in kinds.items() if kind != "list"}

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """Every posted name."""
        return (*self.kinds, *self.extra)

    @cached_property
    def model(self) -> type[BaseModel]:
        """The form as FastAPI reads it: every field a string, empty when not sent."""
        definitions: dict[str, Any] = {
            name: (str, self.defaults.get(name, "")) for name in self.fields
        }
        return create_model(f"{self.schema.__name__}Form", **definitions)

    def payload(self, posted: Posted) -> dict[str, object]:
        """The values for the schema: ticks as booleans, empty texts left out."""
        payload: dict[str, object] = {}
        for name, kind in self.kinds.items():
            value = posted.text(name)
            if kind == "checkbox":
                payload[name] = value == CHECKED
            elif kind == "choice":
                if value in {CHECKED, UNCHECKED}:
                    payload[name] = value == CHECKED
            elif value:
                decimal = self.decimal_comma and kind == "number"
                payload[name] = value.replace(",", ".") if decimal else value
        if self.compose is not None:
            payload |= self.compose(posted)
        return payload

    def parse(self, posted: Posted, **given: object) -> S | None:
        """The validated schema, or ``None`` with ``posted.errors`` filled in."""
        try:
            return self.schema.model_validate(self.payload(posted) | given)
        except ValidationError as exc:
            errors = field_errors(list(exc.errors()))
            for name, message in self.messages.items():
                if name in errors:
                    errors[name] = gettext(message)
            posted.errors, posted.status = errors, INVALID
            return None

    def refuse(self, posted: Posted, exc: AlimaError) -> None:
        """Show a refused rule on the form (or raise it when it is an error page)."""
        if self.error_page(exc):
            raise exc
        posted.errors = self.refused(exc)
        posted.status = self.rule_status or exc.status
        posted.refusal = exc


def again(request: Request, template: str, context: HasErrors) -> Callable[[Posted], Response]:
    """The form page shown again: ``context`` (holding the posted values) with the errors."""
    return lambda posted: show(request, template, context, posted)


def submit(
    form: WebForm[S],
    posted: Posted,
    save: Callable[[S], T],
    page: Callable[[Posted], Response],
    *,
    then: str | Callable[[T], str] | None = None,
    **given: object,
) -> Response:
    """Validate ``posted`` (with the ``given`` fields), save and redirect, or show ``page``.

    ``save`` calls the service; the redirect (303) goes to ``then`` (a URL, or made of what
    ``save`` returned), or without ``then`` to the URL ``save`` returned. ``page`` renders the
    form again from ``posted`` (values, errors, status).
    """
    data = form.parse(posted, **given)
    if data is not None:
        try:
            saved = save(data)
        except AlimaError as exc:
            form.refuse(posted, exc)
        else:
            if then is None:
                return redirect(str(saved))
            return redirect(then if isinstance(then, str) else then(saved))
    return page(posted)


def act(
    do: Callable[[], T],
    page: Callable[[AlimaError], Response],
    then: str | Callable[[T], str],
    *,
    error_page: Callable[[AlimaError], bool] = is_refusal,
) -> Response:
    """A write without a form to show again (a button): do it and redirect (303) to ``then``.

    A refusal is shown by ``page`` (the page the button stands on, with the refusal), unless
    it is an ``error_page`` (by default refused access and not found).
    """
    try:
        done = do()
    except AlimaError as exc:
        if error_page(exc):
            raise
        return page(exc)
    return redirect(then if isinstance(then, str) else then(done))
