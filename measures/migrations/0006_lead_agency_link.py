"""A measure's lead agency becomes a link to an agency; the text as written is kept beside it.

The text moves to `lead_agency_text` (a rename: nothing is lost), then the link is added and
filled where the text names an agency already in the database (its code, Chinese or English
name, or short name). On an installation where the agencies are not loaded yet this links
nothing: `operations.services.agencies_load` (run by `load_plan` / `setup`) links them later by
the same rule.
"""

import django.db.models.deletion
from django.db import migrations, models

import edge.fields


def link_lead_agencies(apps, schema_editor):
    Agency = apps.get_model("targets", "Agency")
    Measure = apps.get_model("measures", "Measure")
    by_name = {}
    for agency in Agency.objects.all():
        for name in (agency.code, agency.name_zh, agency.name_en, agency.short_name_zh, agency.short_name_en):
            if name:
                by_name[name.strip().casefold()] = agency
    if not by_name:
        return
    for measure in Measure.objects.filter(lead_agency__isnull=True).exclude(lead_agency_text=""):
        agency = by_name.get(measure.lead_agency_text.strip().casefold())
        if agency is not None:
            measure.lead_agency = agency
            measure.save(update_fields=["lead_agency"])


class Migration(migrations.Migration):
    dependencies = [
        ("measures", "0005_measure_status_not_reported"),
        ("targets", "0008_agencies_and_approval"),
    ]

    operations = [
        migrations.RenameField("measure", "lead_agency", "lead_agency_text"),
        migrations.RenameField("historicalmeasure", "lead_agency", "lead_agency_text"),
        migrations.AlterField(
            model_name="measure", name="lead_agency_text",
            field=edge.fields.LineField(blank=True, max_length=200, verbose_name="lead agency as written"),
        ),
        migrations.AlterField(
            model_name="historicalmeasure", name="lead_agency_text",
            field=edge.fields.LineField(blank=True, max_length=200, verbose_name="lead agency as written"),
        ),
        migrations.AddField(
            model_name="measure", name="lead_agency",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="measures",
                to="targets.agency", verbose_name="lead agency",
                help_text="The agency that leads the measure; its members (and zone administrators) report its updates.",
            ),
        ),
        migrations.AddField(
            model_name="historicalmeasure", name="lead_agency",
            field=models.ForeignKey(
                blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+", to="targets.agency", verbose_name="lead agency",
                help_text="The agency that leads the measure; its members (and zone administrators) report its updates.",
            ),
        ),
        migrations.RunPython(link_lead_agencies, migrations.RunPython.noop),
    ]
