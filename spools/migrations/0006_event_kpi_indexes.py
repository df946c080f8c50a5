from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for the manager KPIs (spools/kpis.py); EXPLAIN figures in docs/benchmarks.md."""

    dependencies = [("spools", "0005_kioscos_group")]

    operations = [
        # Completions and inspections of a period: an index range instead of every event of the type.
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["evento_tipo", "fecha_operacion"], name="event_type_fecha_idx"),
        ),
        # A spool's first TOMAR of an operation / first inspection after a seq: one index probe.
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["spool", "operacion", "seq"], name="event_spool_op_seq_idx"),
        ),
    ]
