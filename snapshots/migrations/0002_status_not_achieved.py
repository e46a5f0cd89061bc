# The final verdict's code reads as its label: "missed" becomes "not_achieved" (issue 18), in the
# stored snapshots and in the roll-ups' counts, so a database moves across without a recompute.

from django.db import migrations, models


def _rename(apps, old: str, new: str) -> None:
    Snapshot = apps.get_model("snapshots", "Snapshot")
    Rollup = apps.get_model("snapshots", "Rollup")
    Snapshot.objects.filter(status=old).update(status=new)
    for rollup in Rollup.objects.filter(status_counts__has_key=old).only("id", "status_counts"):
        counts = dict(rollup.status_counts)
        counts[new] = counts.pop(old)
        Rollup.objects.filter(pk=rollup.pk).update(status_counts=counts)


def forward(apps, schema_editor):
    _rename(apps, "missed", "not_achieved")


def backward(apps, schema_editor):
    _rename(apps, "not_achieved", "missed")


class Migration(migrations.Migration):

    dependencies = [
        ('snapshots', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='snapshot',
            name='status',
            field=models.CharField(choices=[('achieved', 'target achieved'), ('on_track', 'on track'), ('needs_acceleration', 'needs acceleration'), ('off_track', 'off track'), ('moving_away', 'moving away'), ('not_achieved', 'not achieved'), ('not_determined', 'not determined'), ('no_data', 'no data')], db_index=True, default='no_data', max_length=20, verbose_name='status'),
        ),
        migrations.RunPython(forward, backward),
    ]
