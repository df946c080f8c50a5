"""Admin: the defect catalogue supervisors keep, the alerts list, and the open alerts on admin's home."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reparacion import services
from spools.models import Defecto

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(client, django_user_model, supervisores_group):
    user = django_user_model.objects.create_user("sup", password="x-123456789", is_staff=True)
    user.groups.add(supervisores_group)
    client.force_login(user)
    return user


def test_supervisors_keep_the_catalogue_but_never_delete_a_defect(client, supervisor):
    page = client.get(reverse("admin:spools_defecto_changelist")).content.decode()
    assert "Porosidad" in page and "Falta de penetración" in page
    r = client.post(
        reverse("admin:spools_defecto_add"),
        {"codigo": "GRIETA", "nombre": "Grieta superficial", "activo": "on", "orden": 20},
    )
    assert r.status_code == 302 and Defecto.objects.get(codigo="GRIETA").nombre == "Grieta superficial"
    fisura = Defecto.objects.get(codigo="FISURA")
    assert client.get(reverse("admin:spools_defecto_delete", args=[fisura.pk])).status_code == 403


def test_admin_home_shows_the_open_alerts(client, supervisor, make_spool, make_worker):
    assert 'data-testid="admin-alerts"' not in client.get(reverse("admin:index")).content.decode()
    services.alert_call(spool=make_spool(tag_spool="MK-AL"), worker=make_worker(id=93))
    home = client.get(reverse("admin:index")).content.decode()
    assert "1 alerta para supervisores sin atender" in home and reverse("alerts") in home
    alerts = client.get(reverse("admin:spools_alerta_changelist"), {"abierta": "si"}).content.decode()
    assert "MK-AL" in alerts and "Llamada desde el kiosko" in alerts
