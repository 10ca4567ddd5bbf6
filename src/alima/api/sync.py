"""The hub's sync endpoints for enrolled laptops (``/api/sync/v1``): docs/sync.md.

Bodies are gzip-compressed JSON both ways. A laptop authenticates with its node credential
(``Authorization: Bearer``), never a person's token, and says its schema revision in
``X-Alima-Schema``; a laptop the hub cannot serve is told so before anything is written.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from alima.api.deps import get_session
from alima.core import collector
from alima.sync import versions, wire

router = APIRouter(tags=["sync"], include_in_schema=False)

#: A push of a few hundred changes compresses to some tens of kilobytes; more is refused.
MAX_BODY = 8 * 1024 * 1024


@router.post("/api/sync/v1/{action}")
async def sync_endpoint(
    action: str, request: Request, session: Annotated[Session, Depends(get_session)]
) -> Response:
    """Enrol, push or pull (see ``alima.sync.wire``).

    Decoding the request, answering it and encoding the answer run in a worker thread: a
    batch or a page is megabytes of JSON to parse or compress, which on the event loop would
    hold up every other request of this process meanwhile.
    """
    versions.check_protocol(request.headers.get(wire.PROTOCOL_HEADER))
    body = await request.body()
    credential = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    schema = request.headers.get(wire.SCHEMA_HEADER, "")

    def answer() -> bytes:
        # The cycle collector stays off until the request's decoded rows are freed: switched
        # back on while they live, its next collection would walk every one of them.
        with collector.paused():
            payload = wire.decode(body[:MAX_BODY] if len(body) <= MAX_BODY else b"")
            result = wire.handle(session, f"/api/sync/v1/{action}", credential, schema, payload)
            del payload
            encoded = wire.encode(result)
            del result
        return encoded

    return Response(
        content=await run_in_threadpool(answer),
        media_type="application/json",
        headers={"Content-Encoding": "gzip", "Cache-Control": "no-store"},
    )
