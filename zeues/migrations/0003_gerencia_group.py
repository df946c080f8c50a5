"""Create the "Gerencia" group: its members see the history, KPI and export pages."""

from django.db import migrations

GROUP = "Gerencia"


def forwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=GROUP)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("zeues", "0002_sheets_mirror"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
