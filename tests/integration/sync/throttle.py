"""A small TCP proxy that makes a link slow (and can cut it), for tests and benchmarks.

The kernel's ``netem`` is not available here; this proxy delays each chunk it forwards by
the link's round trip, limits the rate, and closes a connection after ``cut_after`` bytes
when asked, which is what a 2G modem does to a health centre's sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from dataclasses import dataclass


@dataclass
class Throttle:
    """Forwards 127.0.0.1:``port`` to ``target_port``, slowly."""

    target_port: int
    delay_s: float = 0.0
    bytes_per_s: float | None = None
    cut_after: int | None = None
    port: int = 0
    forwarded: int = 0
    cuts: int = 0

    def start(self) -> int:
        """Start in a thread of its own; returns the port to connect to."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), daemon=True).start()
        ready.wait(10)
        return self.port

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._client, "127.0.0.1", self.port)
        )
        ready.set()
        with contextlib.suppress(RuntimeError):
            self._loop.run_until_complete(server.serve_forever())

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(4096):
                if self.delay_s:
                    await asyncio.sleep(self.delay_s / 2)
                if self.bytes_per_s:
                    await asyncio.sleep(len(chunk) / self.bytes_per_s)
                self.forwarded += len(chunk)
                if self.cut_after is not None and self.forwarded > self.cut_after:
                    self.cut_after = None
                    self.cuts += 1
                    break
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()
