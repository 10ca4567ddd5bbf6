"""The laptop's transport to its hub over HTTP(S): gzip JSON, the node credential, timeouts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from alima.core.errors import AlimaError
from alima.sync import versions, wire
from alima.sync.node import HubError, LinkError, Transport, schema

#: Seconds to wait for the hub; a 2G link with a page of changes needs patience.
TIMEOUT = 120.0


def http_transport(
    hub_url: str,
    *,
    language: str = "fr",
    timeout: float = TIMEOUT,
    meter: Callable[[int, int], None] | None = None,
) -> Transport:
    """A transport posting to ``hub_url``; answers in ``language``.

    ``meter`` receives the bytes of each request's body and of its answer, as on the wire.
    """
    client = httpx.Client(
        base_url=hub_url.rstrip("/"),
        timeout=timeout,
        headers={
            "Accept-Language": language,
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            wire.SCHEMA_HEADER: schema(),
            wire.PROTOCOL_HEADER: str(versions.PROTOCOL),
        },
    )

    def carry(path: str, credential: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            sent = wire.encode(payload)
            response = client.post(
                path,
                content=sent,
                headers={"Authorization": f"Bearer {credential}"} if credential else {},
            )
        except httpx.HTTPError as error:
            raise LinkError(f"{type(error).__name__}: {error}") from None
        if meter is not None:
            meter(len(sent), response.num_bytes_downloaded)
        if response.is_error:
            try:
                body = response.json()
            except ValueError:
                body = {}
            message = body.get("message") if isinstance(body, dict) else None
            code = body.get("code", "") if isinstance(body, dict) else ""
            raise HubError(response.status_code, str(code), str(message or response.text[:200]))
        try:
            return wire.decode(response.content)
        except AlimaError:
            raise LinkError("the hub's answer was cut or garbled") from None

    return carry
