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
    # Patched only in the supervisor process, which binds; spawned workers import this module
    # under another name and never reach this block.
    uvicorn.config.Config.bind_socket = bind_socket  # type: ignore[method-assign]
    main()
