"""One sync worker at a time, across processes and hosts.

Two workers running cycles at once could append the same events twice. On PostgreSQL a session
advisory lock, held on a connection of its own (never one of Django's pooled connections, which
would keep the lock after being returned), serialises cycles; if the process dies the
connection closes and the lock goes with it. On SQLite (a single host) an exclusive file lock
next to the database does the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import zlib
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

LOCK_KEY = zlib.crc32(b"zeues-sheets-sync")


@contextlib.contextmanager
def leadership() -> Iterator[bool]:
    """Hold the single-writer lock for the body; yields False when another worker holds it."""
    if connection.vendor == "postgresql":
        with _advisory_lock() as held:
            yield held
    else:
        with _file_lock() as held:
            yield held


@contextlib.contextmanager
def _advisory_lock() -> Iterator[bool]:
    import psycopg

    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as conn:
        held = bool(conn.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()[0])  # type: ignore[index]
        try:
            yield held
        finally:
            if held:
                conn.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


@contextlib.contextmanager
def _file_lock() -> Iterator[bool]:
    name = str(settings.DATABASES["default"].get("NAME") or "zeues")
    path = (
        Path(name + ".sheets.lock")
        if name.startswith("/")
        else Path(settings.BASE_DIR) / "var" / "sheets.lock"
    )
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
