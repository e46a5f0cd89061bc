"""The revision's round is reporting's now (`reporting.RevisionRound`, filled by
`reporting.0004` before this runs)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0004_revision_round'),
        ('targets', '0011_observation_own_scope_index'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='observationrevision',
            name='round',
        ),
    ]
