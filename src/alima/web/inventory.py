"""The application's route table (method, full path, name), for audits and access tests.

FastAPI keeps included routers as nested branches; this flattens them so a test can walk
every route, whichever way it was mounted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute


@dataclass(frozen=True)
class RouteInfo:
    """One endpoint of the application."""

    path: str
    methods: frozenset[str]
    name: str


def iter_routes(routes: Iterable[Any], prefix: str = "") -> Iterator[RouteInfo]:
    """Every ``APIRoute`` reachable from ``routes`` (an app's or a router's), with its full path."""
    for route in routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:
            for context in contexts():
                original = context.original_route
                if isinstance(original, APIRoute):
                    yield RouteInfo(context.path, frozenset(original.methods or ()), original.name)
        elif isinstance(route, APIRoute):
            yield RouteInfo(prefix + route.path, frozenset(route.methods or ()), route.name)
