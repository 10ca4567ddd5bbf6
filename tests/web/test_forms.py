"""The form helper: fields derived from the schema, posted strings to a payload, refusals."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.responses import Response
from pydantic import BaseModel, Field

from alima.core.errors import CoreError, Forbidden, NotFound, RuleViolation
from alima.web.forms import Posted, WebForm, form_error, is_forbidden, submit


class Thing(BaseModel):
    owner_id: int
    name: str
    weight_kg: float | None = None
    count: int = Field(default=0, ge=0)
    seen_on: date | None = None
    urgent: bool = False
    consented: bool
    tags: list[str] = Field(default_factory=list)
    hidden: str | None = None


FORM = WebForm(Thing, given=("owner_id",), omit=("hidden",), extra=("tag_1",), decimal_comma=True)


def _posted(**values: str) -> Posted:
    return FORM(FORM.model(**values))


def test_fields_come_from_the_schema_less_given_omitted_and_lists() -> None:
    assert FORM.kinds == {
        "name": "text",
        "weight_kg": "number",
        "count": "number",
        "seen_on": "text",
        "urgent": "checkbox",
        "consented": "choice",
    }
    assert FORM.fields == (*FORM.kinds, "tag_1")
    assert set(FORM.model.model_fields) == set(FORM.fields)


def test_payload_leaves_empty_out_reads_ticks_and_choices() -> None:
    posted = _posted(name=" Aïssata ", weight_kg="7,5", count="", urgent="", consented="no")
    assert FORM.payload(posted) == {
        "name": "Aïssata",
        "weight_kg": "7.5",
        "urgent": False,
        "consented": False,
    }
    assert FORM.payload(_posted(urgent="yes", consented="maybe")) == {"urgent": True}


def test_shown_values_are_trimmed_but_validated_whole() -> None:
    form = WebForm(Thing, given=("owner_id",), kept=3)
    posted = form(form.model(name="abcdef"))
    assert posted.values["name"] == "abc"
    assert form.payload(posted)["name"] == "abcdef"


def _page(posted: Posted) -> Response:
    return Response(str(sorted(posted.errors.items())), status_code=posted.status)


def test_invalid_input_shows_the_form_with_each_error_at_422() -> None:
    posted = _posted(name="A", count="-1", consented="yes")
    response = submit(FORM, posted, lambda data: "/x", _page, owner_id=1)
    assert response.status_code == 422
    assert set(posted.errors) == {"count"}
    assert posted.values["count"] == "-1"


def test_saved_redirects_to_then_or_to_what_save_returned() -> None:
    posted = _posted(name="A", consented="yes")
    saved: list[Thing] = []
    response = submit(FORM, posted, saved.append, _page, then="/done", owner_id=1)
    assert (response.status_code, response.headers["location"]) == (303, "/done")
    assert saved[0].owner_id == 1
    response = submit(
        FORM, posted, lambda data: data.name, _page, then=lambda n: f"/{n}", owner_id=1
    )
    assert response.headers["location"] == "/A"


def test_a_refused_rule_shows_under_its_field_at_its_status() -> None:
    posted = _posted(name="A", consented="yes")

    def refuse(data: Thing) -> str:
        raise RuleViolation(CoreError.CORE_016, field="seen_on")

    assert submit(FORM, posted, refuse, _page, owner_id=1).status_code == 422
    assert list(posted.errors) == ["seen_on"]
    assert posted.refusal is not None


@pytest.mark.parametrize(
    ("error", "form", "shown"),
    [
        (NotFound(CoreError.CORE_001), FORM, False),
        (NotFound(CoreError.CORE_011, field="name"), FORM, True),
        (Forbidden(CoreError.CORE_002), FORM, False),
        (
            NotFound(CoreError.CORE_001),
            WebForm(Thing, given=("owner_id",), error_page=is_forbidden),
            True,
        ),
    ],
)
def test_refused_access_and_records_not_found_are_error_pages(
    error: Exception, form: WebForm[Thing], shown: bool
) -> None:
    posted = form(form.model(name="A", consented="yes"))

    def refuse(data: Thing) -> str:
        raise error

    if shown:
        assert submit(form, posted, refuse, _page, owner_id=1).status_code == 404
    else:
        with pytest.raises(type(error)):
            submit(form, posted, refuse, _page, owner_id=1)


def test_form_error_shows_the_refusal_above_the_form() -> None:
    form = WebForm(Thing, given=("owner_id",), refused=form_error)
    posted = form(form.model(name="A", consented="yes"))

    def refuse(data: Thing) -> str:
        raise RuleViolation(CoreError.CORE_016, field="seen_on")

    submit(form, posted, refuse, _page, owner_id=1)
    assert list(posted.errors) == ["__all__"]
