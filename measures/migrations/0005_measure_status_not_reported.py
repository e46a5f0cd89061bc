"""A measure's status comes from its dated updates; without any, it is "not reported".

"Not started" with no update was the old default, not a report: it becomes "not reported".
A status set by hand without an update is kept as a dated update (today), so that it stays
visible and carries a date.
"""

import datetime

from django.db import migrations, models


def forward(apps, schema_editor):
    Measure = apps.get_model("measures", "Measure")
    MeasureUpdate = apps.get_model("measures", "MeasureUpdate")
    today = datetime.date.today()
    for measure in Measure.objects.filter(updates__isnull=True):
        if measure.status == "not_started":
            measure.status = "not_reported"
            measure.save(update_fields=["status"])
        else:
            MeasureUpdate.objects.create(
                measure=measure, date=today, status=measure.status,
                note="Status recorded before measures had dated updates.",
            )


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0004_measure_import_export_permissions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalmeasure',
            name='status',
            field=models.CharField(choices=[('not_reported', 'not reported'), ('not_started', 'not started'), ('in_progress', 'in progress'), ('completed', 'completed'), ('delayed', 'delayed')], db_index=True, default='not_reported', editable=False, help_text="Set by the measure's dated updates.", max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='measure',
            name='status',
            field=models.CharField(choices=[('not_reported', 'not reported'), ('not_started', 'not started'), ('in_progress', 'in progress'), ('completed', 'completed'), ('delayed', 'delayed')], db_index=True, default='not_reported', editable=False, help_text="Set by the measure's dated updates.", max_length=20, verbose_name='status'),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
