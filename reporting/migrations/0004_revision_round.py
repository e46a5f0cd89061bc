"""Reporting owns the link from a revision to its round (issue 17): the link moves from
`targets.ObservationRevision.round` to `RevisionRound`. This copies the links; the targets
migration that drops the old field runs after it (`targets.0012`), and in reverse before it."""

import django.db.models.deletion
from django.db import migrations, models


def links_copy(apps, schema_editor):
    ObservationRevision = apps.get_model("targets", "ObservationRevision")
    RevisionRound = apps.get_model("reporting", "RevisionRound")
    RevisionRound.objects.bulk_create(
        RevisionRound(revision_id=revision_id, round_id=round_id)
        for revision_id, round_id in ObservationRevision.objects.filter(round__isnull=False).values_list("id", "round_id")
    )


def links_copy_back(apps, schema_editor):
    ObservationRevision = apps.get_model("targets", "ObservationRevision")
    RevisionRound = apps.get_model("reporting", "RevisionRound")
    for revision_id, round_id in RevisionRound.objects.values_list("revision_id", "round_id"):
        ObservationRevision.objects.filter(pk=revision_id).update(round_id=round_id)


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0003_round_closing_not_reported'),
        ('targets', '0011_observation_own_scope_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='RevisionRound',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('revision', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='revision_round', to='targets.observationrevision', verbose_name='revision')),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='revision_rounds', to='reporting.round', verbose_name='reporting round')),
            ],
            options={
                'verbose_name': 'revision in a round',
                'verbose_name_plural': 'revisions in rounds',
                'ordering': ['round', 'revision'],
            },
        ),
        migrations.RunPython(links_copy, links_copy_back),
    ]
