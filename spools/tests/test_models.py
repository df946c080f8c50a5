"""Worker tokens, Estado_Detalle strings, the audit trail's immutability and its live stream types."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from spools.models import LIVE_TYPE, Event, EventType, Spool, Worker
from spools.services import event_append
from zeues.lib import live

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "nombre, apellido, wid, token",
    [
        ("Mauricio", "Rodriguez", 93, "MR(93)"),
        ("Juan Carlos", "García", 91, "JG(91)"),
        ("óscar", "Pérez López", 97, "ÓP(97)"),
        ("  Ana ", "  de la Fuente", 5, "AD(5)"),
    ],
)
def test_worker_token_uses_first_letter_of_first_words(nombre, apellido, wid, token):
    assert Worker(id=wid, nombre=nombre, apellido=apellido).token == token


def test_estado_detalle_occupied(make_worker, make_spool):
    w = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez")
    s = make_spool(arm="en_progreso", ocupado_por=w, fecha_ocupacion=timezone.now(), operacion_actual="ARM")
    assert s.estado_detalle == "MR(93) trabajando ARM (ARM en progreso, SOLD pendiente)"


@pytest.mark.parametrize(
    "arm, sold, text",
    [
        ("pendiente", "pendiente", "Disponible - ARM pendiente, SOLD pendiente"),
        ("pausado", "pendiente", "Disponible - ARM pausado, SOLD pendiente"),
        ("completado", "pausado", "Disponible - ARM completado, SOLD pausado"),
        ("completado", "completado", "Disponible - ARM completado, SOLD completado, Metrología pendiente"),
    ],
)
def test_estado_detalle_free(make_spool, arm, sold, text):
    assert make_spool(arm=arm, sold=sold).estado_detalle == text


def test_fsm_state_cannot_be_assigned_directly(make_spool, nothing_written):
    spool = make_spool()
    with nothing_written(), pytest.raises(AttributeError):
        spool.arm = "completado"


def _event(spool):
    return event_append(tipo="IMPORT", spool=spool, worker=None, accion="IMPORT")


def test_event_cannot_be_saved_twice_or_deleted(make_spool, nothing_written):
    event = _event(make_spool())
    event.details = {"x": 1}
    with nothing_written(), pytest.raises(PermissionError):
        event.save()
    with nothing_written(), pytest.raises(PermissionError):
        event.delete()
    with nothing_written(), pytest.raises(PermissionError):
        Event.objects.filter(pk=event.pk).update(accion="X")
    with nothing_written(), pytest.raises(PermissionError):
        Event.objects.all().delete()


@pytest.mark.real_services
def test_database_refuses_raw_update_and_delete_of_events(make_spool, nothing_written):
    event = _event(make_spool())
    assert connection.vendor == "postgresql"
    for sql in (
        "UPDATE spools_event SET accion = 'X' WHERE seq = %s",
        "DELETE FROM spools_event WHERE seq = %s",
    ):
        with (
            nothing_written(),
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    assert Event.objects.get(pk=event.pk).accion == "IMPORT"


@pytest.mark.real_services
def test_database_refuses_truncate_of_events_even_to_the_owner(make_spool, nothing_written):
    """The test database turns `zeues.allow_truncate` on for its flushes (conftest.py); a production
    database has no such setting, as here once it is off. Cascading from the spools counts too."""
    event = _event(make_spool())
    for sql in ("TRUNCATE spools_event", "TRUNCATE spools_spool CASCADE"):
        with (
            nothing_written(),
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            # The test's own inserts leave deferred foreign-key checks that TRUNCATE would trip on.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL zeues.allow_truncate = off")
            cursor.execute(sql)
    assert Event.objects.filter(pk=event.pk).exists()


def test_event_records_business_date_and_token(make_worker, make_spool):
    w = make_worker(id=93, nombre="Mauricio", apellido="Rodriguez")
    e = event_append(tipo="TOMAR_SPOOL", spool=make_spool(), worker=w, operacion="ARM", accion="TOMAR")
    assert e.worker_token == "MR(93)"
    assert e.fecha_operacion == timezone.localdate(e.timestamp)


def test_migration_creates_the_supervisores_group_with_both_supervisor_permissions():
    from django.contrib.auth.models import Group

    perms = set(Group.objects.get(name="Supervisores").permissions.values_list("codename", flat=True))
    assert {"desbloquear_spool", "liberar_ocupacion", "view_event", "change_worker"} <= perms


def test_refresh_from_db_reloads_protected_state_and_relations(make_worker, make_spool):
    w = make_worker(id=93)
    spool = make_spool()
    Spool.objects.filter(pk=spool.pk).update(
        arm="en_progreso", ocupado_por=w, fecha_ocupacion=timezone.now(), operacion_actual="ARM"
    )
    assert spool.ocupado_por is None
    spool.refresh_from_db()
    assert spool.arm == "en_progreso" and spool.ocupado_por == w
    Spool.objects.filter(pk=spool.pk).update(arm="pausado", nv="NV9")
    spool.refresh_from_db(fields=["arm"])
    assert spool.arm == "pausado" and spool.nv == "NV0650"


@pytest.mark.django_db(transaction=True)
def test_refresh_from_db_is_thread_safe(make_spool):
    """django-fsm's mixin flips a flag shared by all threads; four threads crashed it in ~300 loops."""
    import threading

    spool = make_spool()
    Spool.objects.filter(pk=spool.pk).update(arm="pausado")
    errors: list[Exception] = []

    def loop() -> None:
        from django.db import connection as conn

        try:
            for _ in range(300):
                s = Spool.objects.get(pk=spool.pk)
                s.__dict__["arm"] = "pendiente"
                s.refresh_from_db()
                assert s.arm == "pausado"
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=loop) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_every_audit_type_maps_onto_a_stream_type():
    assert set(LIVE_TYPE) == set(EventType)
    assert set(LIVE_TYPE.values()) <= set(live.EVENT_TYPES)
