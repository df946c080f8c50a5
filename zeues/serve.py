"""Production launcher: uvicorn, with TCP_NODELAY on the sockets of `--workers N`.

    python -m zeues.serve zeues.asgi:application --workers 2 --host 0.0.0.0 --port 8000 \\
        --timeout-graceful-shutdown 5

Takes uvicorn's own arguments. Why it exists: with `--workers N` uvicorn binds the listening
socket itself with protocol number 0; accepted sockets inherit it, and asyncio only disables
Nagle's algorithm when `proto == IPPROTO_TCP`. A response written in two segments (headers, then
body) then waits for the client's delayed ACK, so every keep-alive request after the first costs
~40 ms more on Linux (measured: 56 ms → 11 ms per TOMAR; upstream Kludex/uvicorn#3149). This
re-wraps the bound socket with IPPROTO_TCP, as uvicorn's single-process path already gets it.
Remove once uvicorn fixes it upstream.

It also bounds slow clients, which uvicorn does not (it has a keep-alive timeout, but none for a
request that trickles in): a request's headers must arrive within ZEUES_HEADER_TIMEOUT_SECONDS
(10) of its first byte or of the connection, and its body within ZEUES_BODY_TIMEOUT_SECONDS (20)
plus one second per ZEUES_BODY_MIN_RATE bytes of its Content-Length (256 kB/s, so a tablet's
photo on slow Wi-Fi still gets through). Past that the connection is closed (408 if nothing was
answered yet), so a handful of clients sending a byte a second cannot hold the workers. The
reverse proxy in front (docs/deployment.md) is the first line; this is the server's own.
The protocol is passed to uvicorn as `--http zeues.serve:HttpProtocol` unless `--http` is given.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from typing import Any

import uvicorn.config
from uvicorn.main import main
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools is optional for uvicorn; h11 is always there
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

logger = logging.getLogger("zeues.serve")

HEADER_TIMEOUT = float(os.environ.get("ZEUES_HEADER_TIMEOUT_SECONDS", "10"))
BODY_TIMEOUT = float(os.environ.get("ZEUES_BODY_TIMEOUT_SECONDS", "20"))
BODY_MIN_RATE = float(os.environ.get("ZEUES_BODY_MIN_RATE", str(256 * 1024)))
_REQUEST_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"

_bind_socket = uvicorn.config.Config.bind_socket


def bind_socket(self: uvicorn.config.Config) -> socket.socket:
    """uvicorn's bind, with the TCP protocol number set on an INET listener."""
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


class _Deadlines:
    """A deadline for the request being received; past it, the connection is closed."""

    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    _deadline: asyncio.TimerHandle | None = None
    _phase = ""

    def _arm(self, phase: str, seconds: float) -> None:
        self._disarm()
        self._phase = phase
        if seconds > 0:
            self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = ""

    def _body_seconds(self, headers: list[tuple[bytes, bytes]]) -> float:
        length = next((v for k, v in headers if k.lower() == b"content-length"), b"0")
        try:
            return BODY_TIMEOUT + max(0, int(length)) / BODY_MIN_RATE
        except ValueError:
            return BODY_TIMEOUT

    def _too_slow(self) -> None:
        phase, self._deadline, self._phase = self._phase, None, ""
        if self.transport.is_closing():
            return
        logger.warning("closing a connection whose request %s arrived too slowly", phase)
        if phase == "headers":
            self.transport.write(_REQUEST_TIMEOUT)
        self.transport.close()


if HttpToolsProtocol is not None:

    class TimedHttpToolsProtocol(_Deadlines, HttpToolsProtocol):
        """uvicorn's httptools protocol with header and body deadlines."""

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm("headers", HEADER_TIMEOUT)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm("headers", HEADER_TIMEOUT)

        def on_headers_complete(self) -> None:
            self._arm("body", self._body_seconds(self.headers))
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)


class TimedH11Protocol(_Deadlines, H11Protocol):
    """uvicorn's h11 protocol with the same deadlines (read from h11's state after each read)."""

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm("headers", HEADER_TIMEOUT)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        import h11

        state = self.conn.their_state
        if state is h11.SEND_BODY and self._phase != "body":
            self._arm("body", self._body_seconds(list(self.headers)))
        elif state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED) and self._phase:
            self._disarm()
        elif state is h11.IDLE and data and self._phase != "headers":
            self._arm("headers", HEADER_TIMEOUT)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


HttpProtocol = TimedHttpToolsProtocol if HttpToolsProtocol is not None else TimedH11Protocol


def _with_protocol(argv: list[str]) -> list[str]:
    """uvicorn's arguments, with our protocol unless the caller chose one."""
    if any(a == "--http" or a.startswith("--http=") for a in argv):
        return argv
    return [*argv, "--http", "zeues.serve:HttpProtocol"]


if __name__ == "__main__":
    # Patched only in the supervisor process, which binds; spawned workers import this module
    # under another name and never reach this block.
    uvicorn.config.Config.bind_socket = bind_socket  # type: ignore[method-assign]
    sys.argv = _with_protocol(sys.argv)
    main()
