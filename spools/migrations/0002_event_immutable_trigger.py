"""On PostgreSQL, make the audit table refuse UPDATE and DELETE at the database level.

The model already refuses them; the trigger also covers raw SQL and other programs. A row
trigger never sees TRUNCATE: 0012 adds a statement trigger for it. SQLite, the embedded default,
relies on the model.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION zeues_event_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'spools_event is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER spools_event_immutable BEFORE UPDATE OR DELETE ON spools_event
    FOR EACH ROW EXECUTE FUNCTION zeues_event_immutable();
"""

DROP = """
DROP TRIGGER IF EXISTS spools_event_immutable ON spools_event;
DROP FUNCTION IF EXISTS zeues_event_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("spools", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
