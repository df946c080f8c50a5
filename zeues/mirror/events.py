"""Which events the sheet's Metadata tab may receive now: a cursor over `Event.seq`.

`seq` is allocated when an event is inserted, but transactions commit in any order: while the
transaction holding seq 10 is still open, seq 11 may already be visible. A cursor moved past 11
would skip 10 for ever. So the worker takes the events after the cursor only up to the first
hole, unless the hole is settled: on PostgreSQL, a hole below the highest seq read is settled
once no transaction that began before that read is still open (the one holding it has then
committed, and is re-read, or rolled back, and the hole is permanent). SQLite runs one writer
at a time, so there a hole is always a rollback.
"""

from __future__ import annotations

import datetime

from django.db import connection

from spools.models import Event

_OLDER_TRANSACTIONS = """
    SELECT 1 FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND backend_type = 'client backend' AND xact_start IS NOT NULL AND xact_start <= %s
    LIMIT 1
"""


def _read(cursor: int, limit: int) -> list[Event]:
    return list(Event.objects.filter(seq__gt=cursor).order_by("seq")[:limit])


def _prefix(events: list[Event], cursor: int, settled: int) -> list[Event]:
    """The events up to the first hole that is not settled (holes at or below `settled` are)."""
    taken: list[Event] = []
    expected = cursor + 1
    for event in events:
        if event.seq != expected and event.seq - 1 > settled:
            break
        taken.append(event)
        expected = event.seq + 1
    return taken


def _database_now() -> datetime.datetime | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT clock_timestamp()")
        return cur.fetchone()[0]


def _older_transactions_open(since: datetime.datetime | None) -> bool:
    """Whether a transaction that began at or before `since` is still open (never on SQLite)."""
    if since is None:
        return False
    with connection.cursor() as cur:
        cur.execute(_OLDER_TRANSACTIONS, [since])
        return cur.fetchone() is not None


def events_after(cursor: int, limit: int) -> list[Event]:
    """Events after the cursor, in seq order, that can be appended without ever skipping one."""
    first = _read(cursor, limit)
    if not first or len(_prefix(first, cursor, cursor)) == len(first):
        return first
    read_at = _database_now()
    if _older_transactions_open(read_at):
        return _prefix(first, cursor, cursor)
    # Every transaction that could hold a hole below first[-1] has ended: read again to pick up
    # the ones that committed; the holes still there were rolled back.
    return _prefix(_read(cursor, limit), cursor, first[-1].seq)
