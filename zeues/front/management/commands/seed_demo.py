"""Load demo data: the bundled sample sheet, two weeks of work up to this morning, an admin account
and a kiosk API token."""

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from spools.models import Alerta, Event, EventType, Spool
from zeues.models import ApiToken

SAMPLE_DIR = Path(settings.BASE_DIR) / "spools" / "fixtures" / "sample_sheet"


class Command(BaseCommand):
    help = (
        "Carga datos de demostración (solo con DEBUG): importa la planilla de ejemplo si la base "
        "está vacía, simula dos semanas de trabajo hasta esta mañana si no hay acciones registradas, "
        "crea el usuario admin/admin y un token de API para la tablet de demostración."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo crea una cuenta admin/admin: solo se permite con DEBUG=true.")
        if not Spool.objects.exists():
            call_command(
                "import_sheet", csv_dir=str(SAMPLE_DIR), stdout=self.stdout, stderr=self.stderr, verbosity=0
            )
        else:
            self.stdout.write("Datos existentes: no se reimporta la planilla de ejemplo.")
        users = get_user_model().objects
        admin = users.filter(username="admin").first() or users.create_superuser(
            "admin", "admin@example.com", "admin"
        )
        if not Event.objects.exclude(evento_tipo=EventType.IMPORT).exists():
            # Two weeks of work through the real services, ending this morning (zeues/front/demo.py).
            from zeues.front.demo import simulate_activity

            actions = simulate_activity(supervisor=admin)
            held = Spool.objects.filter(ocupado_por__isnull=False).count()
            self.stdout.write(
                f"Actividad de demostración: {actions} acciones de las últimas dos semanas; "
                f"{held} spools ocupados ahora, {Alerta.objects.abiertas().count()} alertas abiertas."
            )
        kiosk, created = users.get_or_create(username="tablet-demo")
        if created:
            kiosk.set_password("tablet")
            kiosk.save()
        kiosk.groups.add(Group.objects.get(name=settings.ZEUES_KIOSK_GROUP))
        token_line = "Token de API de la tablet de demostración: ya creado antes (python manage.py create_api_token tablet-demo crea otro)."  # noqa: S105 - a message, not a password
        if not kiosk.api_tokens.exists():
            _, raw = ApiToken.issue(user=kiosk, nombre="demo")
            token_line = f"Token de API de la tablet de demostración: {raw}"
        base = f"http://{os.environ.get('ZEUES_DEMO_ADDR', '127.0.0.1:8000')}"
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "ZEUES listo con datos de demostración:",
                    f"  Aplicación:     {base}/        (usuario admin, contraseña admin)",
                    f"  Kiosko:         {base}/kiosko/ (tablet: usuario tablet-demo, contraseña tablet)",
                    f"  Administración: {base}/admin/",
                    f"  API:            {base}/api/health  (Authorization: Bearer <token>)",
                    f"  {token_line}",
                    "",
                ]
            )
        )
