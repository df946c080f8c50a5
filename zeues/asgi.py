"""ASGI entry point: `uvicorn zeues.asgi:application`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zeues.settings")

application = get_asgi_application()

# The embedded default (no REDIS_URL, one process) also mirrors to Google Sheets from a thread of
# this server; only servers import this module (docs/sheets.md).
from zeues.mirror.embedded import start_embedded  # noqa: E402

start_embedded()

# Last: everything loaded so far is kept out of the cyclic GC's full scans (zeues/lib/startup.py).
from zeues.lib.startup import freeze_startup_objects  # noqa: E402

freeze_startup_objects()
