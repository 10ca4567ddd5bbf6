"""The routes of a form: its page (GET) and its post (POST), declared once.

``RecordForm(FORM, view, save, then)`` is a form about the record a path parameter names
(``FormView.key``): ``add`` registers the page showing it and the post that validates, saves
and redirects, or shows the page again with the errors (``alima.web.forms.submit``);
``post`` only the post, for a form standing on a page with a route of its own. ``FormPage`` is
the same for a form on a page of its own, without a path parameter.
"""

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, Protocol, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from alima.api.deps import SessionDep
from alima.core.access import Actor
from alima.core.config import Settings
from alima.web.deps import WebActor
from alima.web.forms import Posted, WebForm, again, submit
from alima.web.rendering import HasErrors, render, show

S = TypeVar("S", bound=BaseModel)
T = TypeVar("T")
K = TypeVar("K")
K_contra = TypeVar("K_contra", contravariant=True)
S_contra = TypeVar("S_contra", contravariant=True)
T_co = TypeVar("T_co", covariant=True)


#: A form page's context, made of the values to show (``FormPage.context``).
PageOf = Callable[[Request, Session, Actor, dict[str, str]], HasErrors]


def _add_route(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Response],
    *,
    method: str,
    name: str,
    summary: str,
) -> None:
    endpoint.__doc__ = summary
    router.add_api_route(path, endpoint, methods=[method], name=name)


@dataclass(frozen=True)
class Asked(Generic[K]):
    """Who asks for a form about which record: what a ``RecordForm``'s functions receive."""

    request: Request
    session: Session
    actor: Actor
    #: The record the path names (``None`` for a form of its own, ``FormPage``).
    key: K

    @property
    def settings(self) -> Settings:
        """The settings the application was created with."""
        settings: Settings = self.request.app.state.settings
        return settings


class KeyedService(Protocol[K_contra, S_contra, T_co]):
    """A service writing about one record: ``(session, key, data, *, actor)``."""

    def __call__(self, session: Session, key: K_contra, data: S_contra, /, *, actor: Actor) -> T_co:
        """Save ``data`` about the record ``key``."""


def keyed(service: KeyedService[K, S, T]) -> Callable[[Asked[K], S], T]:
    """A ``RecordForm``'s ``save``: the service called about the record the path names."""
    return lambda asked, data: service(asked.session, asked.key, data, actor=asked.actor)


@dataclass(frozen=True)
class FormView(Generic[K]):
    """The page one or more forms about a record stand on: its template and its context.

    ``context(asked, values)`` makes the page's context holding ``values`` (the start values on
    the page, the posted ones when a form comes back). ``key`` is the path parameter naming
    the record, its name and type (``("user_id", uuid.UUID)``); none for a page of its own.
    A schema field of the key's name that the form has ``given`` is filled with the key.
    ``context_first``: a post makes the context before saving (its reads check the record
    first), or only to show the refused form again.
    """

    template: str
    context: Callable[[Asked[K], dict[str, str]], HasErrors]
    key: tuple[str, object] | None = None
    context_first: bool = True

    def parameters(self, *more: inspect.Parameter) -> inspect.Signature:
        """An endpoint's parameters: the request, the key, the session, the actor, ``more``."""
        keyword = inspect.Parameter.KEYWORD_ONLY
        named = [inspect.Parameter("request", keyword, annotation=Request)]
        if self.key is not None:
            named.append(inspect.Parameter(self.key[0], keyword, annotation=self.key[1]))
        named.append(inspect.Parameter("session", keyword, annotation=SessionDep))
        named.append(inspect.Parameter("actor", keyword, annotation=WebActor))
        return inspect.Signature([*named, *more], return_annotation=Response)

    def asked(self, arguments: dict[str, Any]) -> Asked[K]:
        """Who asks about which record, from an endpoint's arguments."""
        key: K = arguments[self.key[0]] if self.key is not None else None  # type: ignore[assignment]  # K is None without a key
        return Asked[K](arguments["request"], arguments["session"], arguments["actor"], key)

    def given(self, form: WebForm[Any], asked: Asked[K]) -> dict[str, object]:
        """The key as a field of the form's schema, when the form has it ``given``."""
        if self.key is None or self.key[0] not in form.given:
            return {}
        return {self.key[0]: asked.key}

    def again(self, asked: Asked[K], posted: Posted) -> Callable[[Posted], Response]:
        """The page shown again with a refused form (``submit``'s ``page``)."""
        if self.context_first:
            return again(asked.request, self.template, self.context(asked, posted.values))
        return lambda refused: show(
            asked.request, self.template, self.context(asked, refused.values), refused
        )


@dataclass(frozen=True)
class RecordForm(Generic[K, S, T]):
    """A form about the record a path parameter names (``view.key``): its page and its post.

    ``save(asked, data)`` calls the service (``keyed(service)`` for most), and
    ``then(asked, saved)`` is where the post redirects (303) once saved.
    ``add(router, path, (page_name, post_name), summary)`` registers the GET (the form with the
    ``start`` values) and the POST, ``post(router, path, name, summary)`` only the POST (the
    form stands on a page of its own route). Register it where the routes would stand, before
    a ``/{id}`` route of the same prefix.
    """

    form: WebForm[S]
    view: FormView[K]
    save: Callable[[Asked[K], S], T]
    then: Callable[[Asked[K], T], str]
    #: The values the page starts with (or made from the settings, say).
    start: Mapping[str, str] | Callable[[Asked[K]], dict[str, str]] = field(default_factory=dict)

    def page(self, router: APIRouter, path: str, name: str, summary: str = "") -> None:
        """Register the page: the form with the ``start`` values."""
        view = self.view

        def form_page(**arguments: Any) -> Response:
            asked = view.asked(arguments)
            start = self.start(asked) if callable(self.start) else dict(self.start)
            return render(asked.request, view.template, view.context(asked, start))

        form_page.__signature__ = view.parameters()  # type: ignore[attr-defined]  # FastAPI reads it
        _add_route(router, path, form_page, method="GET", name=name, summary=summary)

    def post(self, router: APIRouter, path: str, name: str, summary: str = "") -> None:
        """Register the post: ``save`` then a 303 to ``then``, or the form again."""
        view = self.view

        def form_post(**arguments: Any) -> Response:
            asked, posted = view.asked(arguments), arguments["posted"]
            return submit(
                self.form,
                posted,
                lambda data: self.save(asked, data),
                view.again(asked, posted),
                then=lambda saved: self.then(asked, saved),
                **view.given(self.form, asked),
            )

        posted = inspect.Parameter(
            "posted",
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[Posted, Depends(self.form)],
        )
        form_post.__signature__ = view.parameters(posted)  # type: ignore[attr-defined]  # as above
        _add_route(router, path, form_post, method="POST", name=name, summary=summary)

    def add(self, router: APIRouter, path: str, names: tuple[str, str], summary: str = "") -> None:
        """Register the page and the post of the form on ``router``."""
        self.page(router, path, names[0], summary)
        self.post(
            router,
            path,
            names[1],
            f"{summary} Save it, or show the form again with its errors.".strip(),
        )


@dataclass(frozen=True)
class FormPage(Generic[S, T]):
    """A form on a page of its own, without path parameters: its page and its post in one.

    ``add(router, path, (page_name, post_name), summary)`` registers the GET (the form with
    the ``start`` values) and the POST (``save`` then a 303 to ``then``, or the form again),
    as a ``RecordForm`` without a key.
    Register it where the routes would stand, before a ``/{id}`` route of the same prefix.
    """

    form: WebForm[S]
    template: str
    context: PageOf
    save: Callable[[Session, S, Actor], T]
    then: str | Callable[[T], str]
    start: Mapping[str, str] = field(default_factory=dict)

    def add(self, router: APIRouter, path: str, names: tuple[str, str], summary: str) -> None:
        """Register the page and the post of the form on ``router``."""
        then = self.then
        RecordForm[None, S, T](
            self.form,
            FormView(
                self.template,
                lambda a, values: self.context(a.request, a.session, a.actor, values),
            ),
            lambda a, data: self.save(a.session, data, a.actor),
            lambda _, saved: then if isinstance(then, str) else then(saved),
            start=self.start,
        ).add(router, path, names, summary)
