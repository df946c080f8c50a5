"""The embedded default: the sync loop in a daemon thread of the server process.

Without REDIS_URL ZEUES runs as one server process (SQLite or PostgreSQL, in-process locks), and
that process also mirrors to the sheet when GOOGLE_SHEET_ID is set. It starts from the ASGI
application module (zeues/asgi.py), which only servers load: uvicorn, daphne and `runserver`
(daphne's, in the reloader's child). Management commands and tests never import it; pytest is
excluded explicitly for tests that do. With REDIS_URL (several processes) run
`manage.py sync_sheets` as its own service instead; the single-writer lock makes an extra
worker harmless either way.
"""

from __future__ import annotations

import logging
import sys
import threading

from django.conf import settings

log = logging.getLogger("zeues.sheets")
_lock = threading.Lock()
_thread: threading.Thread | None = None


def should_embed() -> bool:
    """Whether this server process should run the sync loop itself."""
    return (
        bool(settings.GOOGLE_SHEET_ID)
        and not settings.REDIS_URL
        and settings.ZEUES_SHEETS_EMBEDDED
        and "pytest" not in sys.modules
    )


def start_embedded() -> threading.Thread | None:
    """Start the loop once per process when it should run here; the thread dies with the process."""
    global _thread
    with _lock:
        if _thread is not None or not should_embed():
            return None
        from zeues.mirror.sync import SheetSync

        _thread = threading.Thread(
            target=SheetSync().run_forever, args=(threading.Event(),), name="zeues-sheets-sync", daemon=True
        )
        _thread.start()
        log.info("Espejo de Google Sheets: sincronización en este proceso (modo integrado)")
        return _thread
