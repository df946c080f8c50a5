"""The photo of a spool's latest rejection is served to kiosk and office accounts only."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from spools.models import Spool

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _tablet(django_user_model):
    user = django_user_model.objects.create_user("tablet", password="x-123456789")
    user.groups.add(Group.objects.get_or_create(name="Kioscos")[0])
    return user


def test_the_photo_is_served_to_a_logged_in_account(client, django_user_model, make_spool):
    spool = make_spool()
    name = default_storage.save("rechazos/x.jpg", ContentFile(b"\xff\xd8jpeg"))
    Spool.objects.filter(pk=spool.pk).update(rechazo_foto=name)
    url = reverse("rechazo-foto", kwargs={"tag": spool.tag_spool})
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(_tablet(django_user_model))
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert b"".join(r.streaming_content) == b"\xff\xd8jpeg"
    client.force_login(django_user_model.objects.create_user("plain", password="x-123456789"))
    assert client.get(url).status_code == 403  # no group, no staff flag


def test_no_photo_is_a_404(client, django_user_model, make_spool):
    client.force_login(_tablet(django_user_model))
    assert client.get(reverse("rechazo-foto", kwargs={"tag": make_spool().tag_spool})).status_code == 404
    assert client.get(reverse("rechazo-foto", kwargs={"tag": "NO-EXISTE"})).status_code == 404
