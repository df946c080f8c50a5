"""Run uvicorn with TCP_NODELAY on accepted connections (workaround for Kludex/uvicorn#3149).

With `--workers N` uvicorn binds the listening socket itself with `proto` 0; accepted sockets
inherit it and asyncio only disables Nagle's algorithm when `proto == IPPROTO_TCP`. A response
written in two segments (headers, then body) then waits for the client's delayed ACK: every
keep-alive request after the first costs ~40 ms more on Linux. This launcher re-wraps the bound
socket with IPPROTO_TCP, as uvicorn's single-process path gets from getaddrinfo.

    python bench/uvicorn_nodelay.py zeues.asgi:application --workers 2 ...   # uvicorn's arguments
"""

from __future__ import annotations

import socket

import uvicorn.config
from uvicorn.main import main

_bind_socket = uvicorn.config.Config.bind_socket


def bind_socket(self: uvicorn.config.Config) -> socket.socket:
    """uvicorn's bind, with the TCP protocol number set on an INET listener."""
    sock = _bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


if __name__ == "__main__":
    # Patched only in the supervisor, which binds; spawned workers import this module too.
    uvicorn.config.Config.bind_socket = bind_socket  # type: ignore[method-assign]
    main()
