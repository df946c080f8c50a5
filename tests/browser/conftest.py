"""Browser tests: sizes and screenshots (the Chromium launch fixtures are in tests/conftest.py)."""

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

TABLET = {"width": 601, "height": 962}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/ (kept by CI as evidence)."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
