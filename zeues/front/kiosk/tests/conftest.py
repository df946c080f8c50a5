"""Fixtures of the kiosk's view tests: a logged-in tablet, a fitter, no PIN lock left over."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache


def forget_pin_locks() -> None:
    """PIN locks live in the shared cache, not the database (Redis keeps them from one test run
    to the next): start every test without any."""
    if hasattr(cache, "delete_pattern"):  # django-redis: only this run's prefix
        cache.delete_pattern("lockout:*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _no_pin_locks():
    forget_pin_locks()
    yield
    forget_pin_locks()


@pytest.fixture
def tablet(client, django_user_model):
    user = django_user_model.objects.create_user(username="tablet-3", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    client.force_login(user)
    return client


@pytest.fixture
def armador(make_worker):
    return make_worker(id=93, nombre="Mauricio", apellido="Rodriguez", roles=["Armador"])
