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


@pytest.fixture
def tablet_account(db):
    """The tablet's account; `test_kiosk.login()` types these credentials."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username="tablet-1", password="clave-tablet-123")
    user.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    return user


@pytest.fixture
def crew(make_worker):
    """One worker per role, as on the shop floor."""
    return {
        "armador": make_worker(id=90, nombre="Valentina", apellido="Soto", roles=["Armador"]),
        "soldador": make_worker(id=91, nombre="Juan", apellido="García", roles=["Soldador"]),
        "inspector": make_worker(id=97, nombre="Óscar", apellido="Pérez", roles=["Metrologia"]),
        "reparador": make_worker(id=100, nombre="Luis", apellido="Muñoz", roles=["Ayudante"]),
    }
