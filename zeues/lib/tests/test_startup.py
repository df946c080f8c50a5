"""A server process freezes its startup objects out of the cyclic GC (zeues/lib/startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_asgi_entry_point_freezes_startup_objects(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/startup.sqlite3",
        "REDIS_URL": "",
        "GOOGLE_SHEET_ID": "",
        "DJANGO_SETTINGS_MODULE": "zeues.settings",
    }
    code = "import gc, sys, zeues.asgi; print(gc.get_freeze_count(), 'zeues.front.history' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    # Django and the apps are far more than 50,000 objects; the URLconf's view modules are loaded.
    assert int(out[0]) > 50_000 and out[1] == "True"
