"""Let Supervisores add, correct and void a spool's joints in admin, and Gerencia see them.

Voiding is a change of the joint (it is never deleted), so no one gets `delete_union`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("spools", "view_union"),
    ("spools", "add_union"),
    ("spools", "change_union"),
]
GERENCIA_PERMISSIONS = [("spools", "view_union")]


def _groups_and_permissions(apps):
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permission(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    # Both groups are created by earlier migrations (spools 0003, zeues 0003); get_or_create keeps
    # this one independent of the zeues app's order.
    for name, wanted in (("Supervisores", PERMISSIONS), ("Gerencia", GERENCIA_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        yield group, [permission(app_label, codename) for app_label, codename in wanted]


def forwards(apps, schema_editor):
    for group, permissions in _groups_and_permissions(apps):
        group.permissions.add(*permissions)


def backwards(apps, schema_editor):
    for group, permissions in _groups_and_permissions(apps):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("spools", "0014_joints")]

    operations = [migrations.RunPython(forwards, backwards)]
