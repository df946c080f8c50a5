"""On PostgreSQL, make the audit table refuse TRUNCATE too (0002 refuses UPDATE and DELETE).

A row trigger never sees TRUNCATE, so this is a statement trigger. It has one way through: a
session where `zeues.allow_truncate` is `on` *and* whose role has the table owner's privileges.
The test database turns that setting on (conftest.py, `django_db_setup`) because Django's flush
between transactional tests empties every table with TRUNCATE. Any role may set a custom setting,
so the owner check is what keeps the way closed to the server's runtime role, even if someone
grants it TRUNCATE by mistake; the owner, who could drop the trigger anyway, gains nothing from it.
This is why the server must not run as the owner (docs/deployment.md, "Database roles").

SQLite, the embedded default, has no TRUNCATE and relies on the model.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION zeues_event_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('zeues.allow_truncate', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'spools_event is append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER spools_event_no_truncate BEFORE TRUNCATE ON spools_event
    FOR EACH STATEMENT EXECUTE FUNCTION zeues_event_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS spools_event_no_truncate ON spools_event;
DROP FUNCTION IF EXISTS zeues_event_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("spools", "0011_spanish_verbose_names")]

    operations = [migrations.RunPython(forwards, backwards)]
