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


def test_the_open_and_occupied_filters_list_what_they_say(client, supervisor, make_spool, make_worker):
    from django.utils import timezone

    worker = make_worker(id=93, roles=["Armador"])
    held = make_spool(tag_spool="F-HELD", arm="en_progreso", ocupado_por=worker, fecha_ocupacion=timezone.now(),
                      operacion_actual="ARM")  # fmt: skip
    make_spool(tag_spool="F-FREE")
    spools = reverse("admin:spools_spool_changelist")
    occupied = client.get(spools, {"ocupado": "si"}).content.decode()
    free = client.get(spools, {"ocupado": "no"}).content.decode()
    assert "F-HELD" in occupied and "F-FREE" not in occupied
    assert "F-FREE" in free and "F-HELD" not in free
    blocked = make_spool(tag_spool="F-BLOQ", calidad="bloqueado", ciclo=3)
    services.alert_call(spool=held, worker=worker)
    services.alert_call(spool=blocked, worker=worker)
    services.alert_acknowledge(spool=blocked, supervisor=supervisor, respuesta="visto")
    alerts = reverse("admin:spools_alerta_changelist")
    open_ = client.get(alerts, {"abierta": "si"}).content.decode()
    answered = client.get(alerts, {"abierta": "no"}).content.decode()
    assert "F-HELD" in open_ and "F-BLOQ" not in open_
    assert "F-BLOQ" in answered and "F-HELD" not in answered
