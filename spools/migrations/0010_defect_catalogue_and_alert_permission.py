"""Seed the defect catalogue (docs/domain.md, "Welding quality records") and let Supervisores
keep it and answer alerts."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DEFECTOS = [
    ("DESALINEACION", "Desalineación"),
    ("DIMENSION", "Dimensión fuera de tolerancia"),
    ("SOCAVACION", "Socavación"),
    ("POROSIDAD", "Porosidad"),
    ("FALTA_FUSION", "Falta de fusión"),
    ("FALTA_PENETRACION", "Falta de penetración"),
    ("FISURA", "Fisura"),
    ("SALPICADURA", "Salpicadura"),
    ("OTRO", "Otro (ver nota)"),
]
PERMISSIONS = [
    ("spools", "atender_alerta"),
    ("spools", "view_alerta"),
    ("spools", "view_defecto"),
    ("spools", "add_defecto"),
    ("spools", "change_defecto"),
]


def forwards(apps, schema_editor):
    Defecto = apps.get_model("spools", "Defecto")
    for orden, (codigo, nombre) in enumerate(DEFECTOS, start=1):
        Defecto.objects.get_or_create(codigo=codigo, defaults={"nombre": nombre, "orden": orden})
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Supervisores")
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [("spools", "0009_rejection_reason_and_alerts")]

    # Going back leaves the catalogue alone: rejections may name its defects (0009 drops the table).
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
