"""The server's runtime role (zeues/management/commands/db_roles.py): it reads and appends the audit
trail and serves the app, and can neither rewrite, empty, unprotect nor drop the trail."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

import occupation.services as occupation
from spools.models import Event, KpiSession
from spools.services import event_append
from zeues.models import SheetSpoolChange

pytestmark = [pytest.mark.real_services, pytest.mark.django_db(transaction=True)]

INSERT_EVENT = """
    INSERT INTO spools_event (id, timestamp, evento_tipo, tag_spool, worker_token, operacion, accion,
                              fecha_operacion, details)
    VALUES (gen_random_uuid(), now(), 'IMPORT', 'MK-ROLE-1', '', '', 'IMPORT', current_date, '{}')
    RETURNING seq
"""
REFUSED = (
    "UPDATE spools_event SET accion = 'X'",
    "DELETE FROM spools_event",
    "TRUNCATE spools_event",
    "TRUNCATE spools_spool CASCADE",
    "ALTER TABLE spools_event DISABLE TRIGGER spools_event_immutable",
    "ALTER TABLE spools_event DISABLE TRIGGER ALL",
    "DROP TRIGGER spools_event_no_truncate ON spools_event",
    "DROP TABLE spools_event",
    "ALTER DATABASE {database} SET zeues.allow_truncate = on",
)


@pytest.fixture
def runtime_role() -> Iterator[str]:
    """A login role made by `db_roles --apply`, named after the test database (roles are shared by
    the whole server, and other test databases may be in use on it); dropped afterwards."""
    role = f"{connection.settings_dict['NAME']}_runtime"[:63]
    call_command("db_roles", role=role, apply=True)
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")  # its privileges in this database
        cursor.execute(f"DROP ROLE {role}")


def _connect(role: str) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, dbname=s["NAME"], user=role, autocommit=True
    )


def test_runtime_role_appends_and_reads_events_and_can_do_nothing_else_to_them(runtime_role, make_spool):
    kept = event_append(tipo="IMPORT", spool=make_spool(), worker=None, accion="IMPORT")
    with _connect(runtime_role) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (runtime_role,)
        appended = conn.execute(INSERT_EVENT).fetchone()[0]  # type: ignore[index]
        assert conn.execute("SELECT count(*) FROM spools_event").fetchone() == (2,)
        database = connection.ops.quote_name(connection.settings_dict["NAME"])
        for sql in REFUSED:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql.format(database=database))
        # The way through the TRUNCATE trigger is closed to it even with the setting on, and even
        # once somebody grants it TRUNCATE by mistake: only the owner's roles may use it.
        conn.execute("SET zeues.allow_truncate = on")
        with connection.cursor() as cursor:
            cursor.execute(f"GRANT TRUNCATE ON spools_event TO {runtime_role}")
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("TRUNCATE spools_event")
    assert list(Event.objects.values_list("seq", flat=True)) == [kept.seq, appended]
    assert Event.objects.get(seq=kept.seq).accion == "IMPORT"


def test_the_app_serves_a_shift_as_the_runtime_role(runtime_role, make_worker, make_spool, client):
    """SET ROLE checks privileges exactly as logging in as the role would: TOMAR → PAUSAR → TOMAR →
    COMPLETAR (spool rows, events, KPI facts, the outbox), a supervisor's login (sessions, users)
    and the downloads all work with only the grants of db_roles."""
    boss = make_worker(id=9, roles=["Armador"])
    spool = make_spool(tag_spool="MK-ROLE-2")
    user = connection.ops.quote_name(runtime_role)
    get_user_model().objects.create_superuser(username="jefa", password="x-123456789")
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {user}")
    try:
        spool = occupation.spool_take(spool=spool, worker=boss, operacion="ARM")
        spool = occupation.spool_pause(spool=spool, worker=boss)
        spool = occupation.spool_take(spool=spool, worker=boss, operacion="ARM")
        spool = occupation.spool_complete(spool=spool, worker=boss)
        SheetSpoolChange.objects.filter(spool=spool).delete()  # what the mirror does once written
        assert client.login(username="jefa", password="x-123456789")
        assert client.get(reverse("export-spool", args=["MK-ROLE-2", "csv"])).status_code == 200
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (runtime_role,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert spool.arm == "completado"
    assert KpiSession.objects.filter(spool=spool).count() == 2


def test_db_roles_prints_a_script_for_psql_and_refuses_odd_role_names(capsys):
    call_command("db_roles", role="zeues_app")
    out = capsys.readouterr().out
    assert out.startswith("BEGIN;") and out.rstrip().endswith("COMMIT;")
    assert 'GRANT SELECT, INSERT ON TABLE "spools_event" TO "zeues_app";' in out
    assert 'GRANT SELECT ON TABLE "django_migrations" TO "zeues_app";' in out
    assert 'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "zeues_sheetspoolchange" TO "zeues_app";' in out
    assert "TRUNCATE" not in out.replace("REVOKE ALL", "")
    with pytest.raises(CommandError):
        call_command("db_roles", role="app'; DROP TABLE x; --")
