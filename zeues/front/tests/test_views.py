"""The plain pages of zeues/front/views.py: /healthz and the landing page's access rule."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_is_anonymous_and_says_nothing_else(client):
    r = client.get(reverse("healthz"))
    assert r.status_code == 200 and r.content == b"ok"


@pytest.mark.django_db
def test_landing_page_requires_login(client, django_user_model):
    assert client.get(reverse("index")).status_code == 302
    client.force_login(django_user_model.objects.create_user(username="boss", password="pw-123456789"))
    assert client.get(reverse("index")).status_code == 403  # deny by default: no group, no staff
    client.force_login(
        django_user_model.objects.create_user(username="clerk", password="pw-1234567", is_staff=True)
    )
    assert client.get(reverse("index")).status_code == 200
