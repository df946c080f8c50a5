"""Create the "Kioscos" group: tablet accounts, confined to the kiosk pages (no permissions)."""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="Kioscos")


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Kioscos").delete()


class Migration(migrations.Migration):
    dependencies = [("spools", "0004_worker_pin"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, backwards)]
