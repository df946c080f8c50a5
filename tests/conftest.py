"""Browser fixtures shared by tests/browser and tests/e2e: Playwright driving Debian's Chromium."""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's /usr/bin/chromium (Playwright's own download is blocked on these machines)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """The shop's tablets and PCs run in Chilean Spanish."""
    return {**browser_context_args, "locale": "es-CL", "timezone_id": "America/Santiago"}
