"""The SQL that creates the server's runtime database role and grants it what the app needs.

The tables' owner runs the migrations; the server, the mirror and the import run as a role that
owns nothing, so it can never TRUNCATE, ALTER (disable a trigger) or DROP the audit trail, and may
only SELECT and INSERT events (docs/deployment.md, "Database roles"). Re-run after every migrate:
it grants on the tables that exist at that moment and is idempotent.
"""

from __future__ import annotations

import re

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

# Tables the runtime role may only read and append to: the audit trail.
APPEND_ONLY = ("spools.Event",)
# Tables only `migrate` (run by the owner) writes.
READ_ONLY = ("django_migrations",)
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def runtime_role_sql(role: str) -> list[str]:
    """The statements, in order, that create `role` if missing and set its table privileges."""
    if not ROLE_NAME.match(role):
        raise CommandError("El nombre del rol admite solo minúsculas, dígitos y '_' (p. ej. zeues_app).")
    q = connection.ops.quote_name
    append_only = {apps.get_model(label)._meta.db_table for label in APPEND_ONLY}
    tables = sorted(connection.introspection.django_table_names(only_existing=True)) + list(READ_ONLY)
    sql = [
        "DO $$ BEGIN\n"
        f"    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN\n"
        f"        CREATE ROLE {q(role)} LOGIN;\n"
        "    END IF;\n"
        "END $$",
    ]
    for table in tables:
        if table in append_only or table in READ_ONLY:
            rights = "SELECT, INSERT" if table in append_only else "SELECT"
        else:
            rights = "SELECT, INSERT, UPDATE, DELETE"
        # REVOKE first: a TRUNCATE or UPDATE granted by hand earlier does not survive a re-run.
        sql.append(f"REVOKE ALL ON TABLE {q(table)} FROM {q(role)}")
        sql.append(f"GRANT {rights} ON TABLE {q(table)} TO {q(role)}")
    # Identity columns need no grant; a `serial` column of an older table needs USAGE (nextval).
    for seq in connection.introspection.sequence_list():
        if seq.get("name"):
            sql.append(f"GRANT USAGE ON SEQUENCE {q(seq['name'])} TO {q(role)}")
    return sql


class Command(BaseCommand):
    help = (
        "Imprime (o con --apply ejecuta, conectado como dueño de las tablas) el SQL que crea el rol "
        "de base de datos con que corre el servidor y le da permisos: SELECT e INSERT en los eventos "
        "de auditoría, lectura y escritura en las demás tablas, nada sobre su estructura. Repetirlo "
        "tras cada migrate. La contraseña se fija aparte (ALTER ROLE … PASSWORD)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--role", default="zeues_app", help="Nombre del rol (por defecto zeues_app).")
        parser.add_argument(
            "--apply", action="store_true", help="Ejecutar el SQL en DATABASE_URL en vez de imprimirlo."
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Los roles de base de datos son de PostgreSQL (DATABASE_URL=postgres://…).")
        sql = runtime_role_sql(options["role"])
        if options["apply"]:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in sql:
                    cursor.execute(statement)
            self.stderr.write(f"Rol {options['role']}: permisos aplicados en {len(sql) - 1} sentencias.")
            return
        self.stdout.write("BEGIN;")
        for statement in sql:
            self.stdout.write(statement + ";")
        self.stdout.write("COMMIT;")
