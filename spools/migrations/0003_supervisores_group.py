"""Create the "Supervisores" group holding the supervisor permissions and master-data editing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("spools", "desbloquear_spool"),
    ("spools", "liberar_ocupacion"),
    ("spools", "view_spool"),
    ("spools", "change_spool"),
    ("spools", "view_worker"),
    ("spools", "add_worker"),
    ("spools", "change_worker"),
    ("spools", "view_workerrole"),
    ("spools", "add_workerrole"),
    ("spools", "change_workerrole"),
    ("spools", "delete_workerrole"),
    ("spools", "view_event"),
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


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Supervisores").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("spools", "0002_event_immutable_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
