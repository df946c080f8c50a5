"""Fill the KPI fact tables from the audit trail already recorded (spools/kpi_facts.py).

On a large trail this folds every spool once (bench/kpis.py times it: ~1,000,000 events).
Reversing empties nothing: the tables are dropped by reversing 0007.
"""

from django.db import migrations


def backfill(apps, schema_editor):
    from spools import kpi_facts

    models = tuple(apps.get_model("spools", name) for name in ("KpiSession", "KpiInspection", "KpiStage", "KpiCompletion"))
    kpi_facts.rebuild(event_model=apps.get_model("spools", "Event"), models=models)


class Migration(migrations.Migration):
    dependencies = [("spools", "0007_kpi_facts")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
