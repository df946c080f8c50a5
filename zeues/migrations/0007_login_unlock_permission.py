"""Supervisores may unlock a password login locked by wrong tries, and read the account list for it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("auth", "view_user"),
    ("zeues", "desbloquear_login"),
]


def forwards(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the group can hold them.
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
    dependencies = [("zeues", "0006_tablet_sessions")]

    operations = [
        migrations.AlterModelOptions(
            name="tabletaccount",
            options={
                "permissions": [
                    ("cerrar_sesion_tablet", "Puede cerrar la sesión de una tablet"),
                    ("desbloquear_login", "Puede desbloquear el inicio de sesión de una cuenta"),
                ],
                "verbose_name": "tablet (cuenta de kiosko)",
                "verbose_name_plural": "tablets (cuentas de kiosko)",
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
