"""Indicators and their observations (issue: indicators across plans).

A progress entry belonged to one target; an observation belongs to an indicator, a quantity
measured independently of any plan, which the targets of several plans can share. Every
quantitative target gets an indicator of its own (its code, names, unit, and whether its
figures add up — a sum target's indicator is a flow, a level target's a stock), and its
entries become that indicator's observations with nothing lost: the same values, sources
and confidence, and the same change history (the historical rows are renamed and pointed at
the indicator). Plans get a bilingual zone and issuing body; method notes become English
method notes; a named item's status becomes a dated update only where one was recorded.
"""

import datetime

import django.db.models.deletion
import edge.fields
import simple_history.models
from django.conf import settings
from django.db import migrations, models

OFFICIAL_ZONE_ZH = "杭州国家新一代人工智能创新发展试验区"
ISSUING_BODIES_ZH = {"Hangzhou Municipal Science and Technology Bureau": "杭州市科学技术局"}


def forward(apps, schema_editor):
    Plan = apps.get_model("targets", "Plan")
    Target = apps.get_model("targets", "Target")
    Indicator = apps.get_model("targets", "Indicator")
    Observation = apps.get_model("targets", "Observation")
    HistoricalObservation = apps.get_model("targets", "HistoricalObservation")
    TargetItem = apps.get_model("targets", "TargetItem")
    ItemUpdate = apps.get_model("targets", "ItemUpdate")
    for plan in Plan.objects.all():
        plan.zone_en = plan.zone
        plan.zone_zh = OFFICIAL_ZONE_ZH if "Hangzhou" in plan.zone else plan.zone
        plan.issuing_body_en = plan.issuing_body
        plan.issuing_body_zh = ISSUING_BODIES_ZH.get(plan.issuing_body, plan.issuing_body)
        plan.stage = "draft" if "draft" in plan.title_en.lower() else "adopted"
        plan.save()
    indicator_of = {}
    for target in Target.objects.select_related("objective"):
        target.plan_id = target.objective.plan_id
        target.method_note_en = target.method_note
        if target.kind == "quantitative":
            indicator = Indicator.objects.create(
                code=target.code, name_zh=target.name_zh, name_en=target.name_en, unit=target.unit,
                kind="flow" if target.aggregation == "sum" else "stock", scope=target.code,
                definition_en=f"As the target “{target.name_en}” counts it.",
            )
            target.indicator = indicator
            indicator_of[target.pk] = indicator.pk
        target.save()
    for observation in Observation.objects.all():
        observation.indicator_id = indicator_of[observation.target_id]
        observation.save()
    for row in HistoricalObservation.objects.all():
        row.indicator_id = indicator_of.get(row.target_id)
        row.save()
    today = datetime.date.today()
    for item in TargetItem.objects.exclude(status="not_started"):
        ItemUpdate.objects.create(
            item=item, date=today, status=item.status,
            evidence=item.evidence or "Status recorded before items had dated updates.",
            evidence_url=item.evidence_url,
        )


class Migration(migrations.Migration):

    dependencies = [
        ('targets', '0005_calendar_outbox_version'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Indicator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('zh_is_translation', models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation")),
                ('code', models.SlugField(help_text='Stable identifier used in addresses and the API; do not change once published.', max_length=60, unique=True, verbose_name='code')),
                ('name_zh', edge.fields.LineField(max_length=300, verbose_name='name (Chinese)')),
                ('name_en', edge.fields.LineField(max_length=300, verbose_name='name (English)')),
                ('unit', models.CharField(choices=[('patent', 'patents'), ('achievement', 'achievements'), ('project', 'projects'), ('enterprise', 'enterprises'), ('platform', 'platforms'), ('park', 'parks and towns'), ('person', 'people'), ('yi_yuan', '100 million RMB (亿元)'), ('eflops', 'EFLOPS (intelligent computing power)'), ('model', 'models'), ('item', 'items')], max_length=20, verbose_name='unit')),
                ('kind', models.CharField(choices=[('flow', "flow — an amount over a period (patents obtained in the year); summed over a target's window"), ('stock', 'stock — a level at a date (enterprises holding a status, annual revenue); the latest counts')], help_text="Flow: each figure is what was added in its period (patents obtained in 2021); a target sums the figures in its window. Stock: each figure is the level at its period's end (enterprises with high-tech status at the end of 2021, revenue of the year); the latest figure counts. There is no default: choose from what the source counts.", max_length=10, verbose_name='how figures add up')),
                ('reporting_period', models.CharField(choices=[('year', 'yearly'), ('half_year', 'half-yearly'), ('quarter', 'quarterly'), ('month', 'monthly')], default='year', help_text="How often the figure is reported. After a target's date, a status rests only on a figure at most one reporting period older than the target date.", max_length=10, verbose_name='reporting period')),
                ('scope', models.SlugField(help_text='A short code for what the indicator counts (统计口径), e.g. ai-industry. An observation or a target with another scope is of a different definition: it is shown as context and never mixed into a status, a growth rate or a forecast.', max_length=60, verbose_name='scope (statistical definition)')),
                ('definition_zh', edge.fields.LongTextField(blank=True, max_length=5000, verbose_name='definition (Chinese)')),
                ('definition_en', edge.fields.LongTextField(blank=True, max_length=5000, verbose_name='definition (English)')),
            ],
            options={
                'verbose_name': 'indicator',
                'verbose_name_plural': 'indicators',
                'ordering': ['code'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalIndicator',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('zh_is_translation', models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation")),
                ('code', models.SlugField(help_text='Stable identifier used in addresses and the API; do not change once published.', max_length=60, verbose_name='code')),
                ('name_zh', edge.fields.LineField(max_length=300, verbose_name='name (Chinese)')),
                ('name_en', edge.fields.LineField(max_length=300, verbose_name='name (English)')),
                ('unit', models.CharField(choices=[('patent', 'patents'), ('achievement', 'achievements'), ('project', 'projects'), ('enterprise', 'enterprises'), ('platform', 'platforms'), ('park', 'parks and towns'), ('person', 'people'), ('yi_yuan', '100 million RMB (亿元)'), ('eflops', 'EFLOPS (intelligent computing power)'), ('model', 'models'), ('item', 'items')], max_length=20, verbose_name='unit')),
                ('kind', models.CharField(choices=[('flow', "flow — an amount over a period (patents obtained in the year); summed over a target's window"), ('stock', 'stock — a level at a date (enterprises holding a status, annual revenue); the latest counts')], help_text="Flow: each figure is what was added in its period (patents obtained in 2021); a target sums the figures in its window. Stock: each figure is the level at its period's end (enterprises with high-tech status at the end of 2021, revenue of the year); the latest figure counts. There is no default: choose from what the source counts.", max_length=10, verbose_name='how figures add up')),
                ('reporting_period', models.CharField(choices=[('year', 'yearly'), ('half_year', 'half-yearly'), ('quarter', 'quarterly'), ('month', 'monthly')], default='year', help_text="How often the figure is reported. After a target's date, a status rests only on a figure at most one reporting period older than the target date.", max_length=10, verbose_name='reporting period')),
                ('scope', models.SlugField(help_text='A short code for what the indicator counts (统计口径), e.g. ai-industry. An observation or a target with another scope is of a different definition: it is shown as context and never mixed into a status, a growth rate or a forecast.', max_length=60, verbose_name='scope (statistical definition)')),
                ('definition_zh', edge.fields.LongTextField(blank=True, max_length=5000, verbose_name='definition (Chinese)')),
                ('definition_en', edge.fields.LongTextField(blank=True, max_length=5000, verbose_name='definition (English)')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical indicator',
                'verbose_name_plural': 'historical indicators',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='target',
            name='indicator',
            field=models.ForeignKey(blank=True, help_text='The quantity this target is judged on. Empty for a qualitative target (judged by its named items).', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='targets', to='targets.indicator', verbose_name='indicator'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='indicator',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The quantity this target is judged on. Empty for a qualitative target (judged by its named items).', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.indicator', verbose_name='indicator'),
        ),
        migrations.CreateModel(
            name='ItemUpdate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('status', models.CharField(choices=[('not_started', 'not started'), ('in_progress', 'in progress'), ('achieved', 'achieved')], max_length=20, verbose_name='status')),
                ('evidence', edge.fields.LongTextField(max_length=5000, verbose_name='evidence')),
                ('evidence_url', edge.fields.LinkField(blank=True, max_length=500, verbose_name='evidence address')),
                ('entered_at', models.DateTimeField(auto_now_add=True, verbose_name='entered at')),
                ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='updates', to='targets.targetitem', verbose_name='named item')),
            ],
            options={
                'verbose_name': 'item update',
                'verbose_name_plural': 'item updates',
                'ordering': ['item', '-date', '-id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalItemUpdate',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('status', models.CharField(choices=[('not_started', 'not started'), ('in_progress', 'in progress'), ('achieved', 'achieved')], max_length=20, verbose_name='status')),
                ('evidence', edge.fields.LongTextField(max_length=5000, verbose_name='evidence')),
                ('evidence_url', edge.fields.LinkField(blank=True, max_length=500, verbose_name='evidence address')),
                ('entered_at', models.DateTimeField(blank=True, editable=False, verbose_name='entered at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('entered_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('item', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.targetitem', verbose_name='named item')),
            ],
            options={
                'verbose_name': 'historical item update',
                'verbose_name_plural': 'historical item updates',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='historicalobjective',
            name='zh_is_translation',
            field=models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation"),
        ),
        migrations.AddField(
            model_name='historicalplan',
            name='issuing_body_en',
            field=edge.fields.LineField(default='', max_length=200, verbose_name='issuing body (English)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='historicalplan',
            name='issuing_body_zh',
            field=edge.fields.LineField(default='', max_length=200, verbose_name='issuing body (Chinese)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='historicalplan',
            name='stage',
            field=models.CharField(choices=[('draft', 'draft (not adopted)'), ('adopted', 'adopted')], default='', help_text='A draft for comments, or a plan the government adopted. Whether it is in force follows from its dates.', max_length=10, verbose_name='stage'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='historicalplan',
            name='zh_is_translation',
            field=models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation"),
        ),
        migrations.AddField(
            model_name='historicalplan',
            name='zone_en',
            field=edge.fields.LineField(default='', max_length=200, verbose_name='zone (English)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='historicalplan',
            name='zone_zh',
            field=edge.fields.LineField(default='', max_length=200, verbose_name='zone (Chinese)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='baseline_note_en',
            field=edge.fields.LongTextField(blank=True, max_length=2000, verbose_name='baseline note (English)'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='baseline_note_zh',
            field=edge.fields.LongTextField(blank=True, max_length=2000, verbose_name='baseline note (Chinese)'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='baseline_scope',
            field=models.SlugField(blank=True, help_text="Empty: the target's scope. A baseline of another scope is shown, but no progress or growth is computed from it.", max_length=60, verbose_name='scope of the baseline'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='method_note_en',
            field=edge.fields.LongTextField(blank=True, max_length=5000, verbose_name='method note (English)'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='method_note_zh',
            field=edge.fields.LongTextField(blank=True, help_text='Why this target is a sum or a level, which indicator it shares, and where its baseline comes from.', max_length=5000, verbose_name='method note (Chinese)'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='scope',
            field=models.SlugField(blank=True, help_text="What the target's wording counts; empty: the indicator's scope. Only observations of this scope count towards the target.", max_length=60, verbose_name='scope (statistical definition)'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='source_confidence',
            field=models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', help_text="Low where the plan's text is known only from a repost.", max_length=10, verbose_name='confidence in the source'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='target_date',
            field=models.DateField(blank=True, help_text="Empty: the plan's target date.", null=True, verbose_name='target date'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='zh_is_translation',
            field=models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation"),
        ),
        migrations.AddField(
            model_name='historicaltargetitem',
            name='zh_is_translation',
            field=models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation"),
        ),
        migrations.AddField(
            model_name='objective',
            name='zh_is_translation',
            field=models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation"),
        ),
        migrations.AddField(
            model_name='plan',
            name='issuing_body_en',
            field=edge.fields.LineField(default='', max_length=200, verbose_name='issuing body (English)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='plan',
            name='issuing_body_zh',
            field=edge.fields.LineField(default='', max_length=200, verbose_name='issuing body (Chinese)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='plan',
            name='stage',
            field=models.CharField(choices=[('draft', 'draft (not adopted)'), ('adopted', 'adopted')], default='', help_text='A draft for comments, or a plan the government adopted. Whether it is in force follows from its dates.', max_length=10, verbose_name='stage'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='plan',
            name='zh_is_translation',
            field=models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation"),
        ),
        migrations.AddField(
            model_name='plan',
            name='zone_en',
            field=edge.fields.LineField(default='', max_length=200, verbose_name='zone (English)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='plan',
            name='zone_zh',
            field=edge.fields.LineField(default='', max_length=200, verbose_name='zone (Chinese)'),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='snapshot',
            name='confidence',
            field=models.CharField(blank=True, choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], help_text='The lowest confidence among the figures the status rests on, lowered when they are stale or a bound; empty without figures.', max_length=10, verbose_name='confidence'),
        ),
        migrations.AddField(
            model_name='target',
            name='baseline_note_en',
            field=edge.fields.LongTextField(blank=True, max_length=2000, verbose_name='baseline note (English)'),
        ),
        migrations.AddField(
            model_name='target',
            name='baseline_note_zh',
            field=edge.fields.LongTextField(blank=True, max_length=2000, verbose_name='baseline note (Chinese)'),
        ),
        migrations.AddField(
            model_name='target',
            name='baseline_scope',
            field=models.SlugField(blank=True, help_text="Empty: the target's scope. A baseline of another scope is shown, but no progress or growth is computed from it.", max_length=60, verbose_name='scope of the baseline'),
        ),
        migrations.AddField(
            model_name='target',
            name='method_note_en',
            field=edge.fields.LongTextField(blank=True, max_length=5000, verbose_name='method note (English)'),
        ),
        migrations.AddField(
            model_name='target',
            name='method_note_zh',
            field=edge.fields.LongTextField(blank=True, help_text='Why this target is a sum or a level, which indicator it shares, and where its baseline comes from.', max_length=5000, verbose_name='method note (Chinese)'),
        ),
        migrations.AddField(
            model_name='target',
            name='scope',
            field=models.SlugField(blank=True, help_text="What the target's wording counts; empty: the indicator's scope. Only observations of this scope count towards the target.", max_length=60, verbose_name='scope (statistical definition)'),
        ),
        migrations.AddField(
            model_name='target',
            name='source_confidence',
            field=models.CharField(choices=[('high', 'high'), ('medium', 'medium'), ('low', 'low')], default='high', help_text="Low where the plan's text is known only from a repost.", max_length=10, verbose_name='confidence in the source'),
        ),
        migrations.AddField(
            model_name='target',
            name='target_date',
            field=models.DateField(blank=True, help_text="Empty: the plan's target date.", null=True, verbose_name='target date'),
        ),
        migrations.AddField(
            model_name='target',
            name='zh_is_translation',
            field=models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation"),
        ),
        migrations.AddField(
            model_name='targetitem',
            name='zh_is_translation',
            field=models.BooleanField(default=False, help_text='Tick when no official Chinese wording was found and the Chinese text was translated here.', verbose_name="Chinese text is this project's translation"),
        ),
        migrations.AlterField(
            model_name='historicaltarget',
            name='code',
            field=models.SlugField(help_text='Stable identifier, unique within the plan, used in addresses and the API; do not change once published.', max_length=60, verbose_name='code'),
        ),
        migrations.AlterField(
            model_name='snapshot',
            name='is_outdated',
            field=models.BooleanField(default=False, help_text='Set in the same transaction as a change to its figures, cleared by the recompute that follows (within minutes: a request not done is sent again every five minutes).', verbose_name='awaiting recompute'),
        ),
        migrations.AlterField(
            model_name='snapshot',
            name='status',
            field=models.CharField(choices=[('achieved', 'target achieved'), ('on_track', 'on track'), ('needs_acceleration', 'needs acceleration'), ('off_track', 'off track'), ('moving_away', 'moving away'), ('missed', 'not achieved'), ('not_determined', 'not determined at the deadline'), ('no_data', 'no data')], db_index=True, default='no_data', max_length=20, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='target',
            name='code',
            field=models.SlugField(help_text='Stable identifier, unique within the plan, used in addresses and the API; do not change once published.', max_length=60, verbose_name='code'),
        ),
        migrations.RenameModel(old_name='ProgressEntry', new_name='Observation'),
        migrations.RenameModel(old_name='HistoricalProgressEntry', new_name='HistoricalObservation'),
        migrations.RemoveConstraint(model_name='observation', name='entry_one_per_target_period'),
        migrations.AlterModelOptions(
            name='observation',
            options={'ordering': ['indicator', 'period_end'], 'verbose_name': 'observation', 'verbose_name_plural': 'observations'},
        ),
        migrations.AlterModelOptions(
            name='historicalobservation',
            options={'get_latest_by': ('history_date', 'history_id'), 'ordering': ('-history_date', '-history_id'), 'verbose_name': 'historical observation', 'verbose_name_plural': 'historical observations'},
        ),
        migrations.AddField(
            model_name='observation',
            name='indicator',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='observations', to='targets.indicator', verbose_name='indicator'),
        ),
        migrations.AddField(
            model_name='historicalobservation',
            name='indicator',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.indicator', verbose_name='indicator'),
        ),
        migrations.AddField(
            model_name='observation',
            name='scope',
            field=models.SlugField(blank=True, help_text="Empty: the indicator's scope. Another scope (the source counts something else, e.g. only enterprises above designated size) marks the figure as of a different definition: context, never part of a status or a growth rate.", max_length=60, verbose_name='scope (statistical definition)'),
        ),
        migrations.AlterField(
            model_name='observation',
            name='definition_note',
            field=edge.fields.LongTextField(blank=True, help_text="What exactly the source counts, where it differs from the indicator's definition.", max_length=2000, verbose_name='definition note'),
        ),
        migrations.AddField(
            model_name='historicalobservation',
            name='scope',
            field=models.SlugField(blank=True, help_text="Empty: the indicator's scope. Another scope (the source counts something else, e.g. only enterprises above designated size) marks the figure as of a different definition: context, never part of a status or a growth rate.", max_length=60, verbose_name='scope (statistical definition)'),
        ),
        migrations.AlterField(
            model_name='historicalobservation',
            name='definition_note',
            field=edge.fields.LongTextField(blank=True, help_text="What exactly the source counts, where it differs from the indicator's definition.", max_length=2000, verbose_name='definition note'),
        ),
        migrations.AddField(
            model_name='target',
            name='plan',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='targets.plan', verbose_name='plan'),
        ),
        migrations.AddField(
            model_name='historicaltarget',
            name='plan',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.plan', verbose_name='plan'),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveField(model_name='observation', name='target'),
        migrations.RemoveField(model_name='historicalobservation', name='target'),
        migrations.AlterField(
            model_name='observation',
            name='indicator',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='observations', to='targets.indicator', verbose_name='indicator'),
        ),
        migrations.AddConstraint(
            model_name='observation',
            constraint=models.UniqueConstraint(fields=('indicator', 'period_end'), name='observation_one_per_indicator_period'),
        ),
        migrations.RemoveField(
            model_name='historicalplan',
            name='issuing_body',
        ),
        migrations.RemoveField(
            model_name='historicalplan',
            name='zone',
        ),
        migrations.RemoveField(
            model_name='historicaltarget',
            name='aggregation',
        ),
        migrations.RemoveField(
            model_name='historicaltarget',
            name='method_note',
        ),
        migrations.RemoveField(
            model_name='historicaltarget',
            name='unit',
        ),
        migrations.RemoveField(
            model_name='historicaltargetitem',
            name='evidence',
        ),
        migrations.RemoveField(
            model_name='historicaltargetitem',
            name='evidence_url',
        ),
        migrations.RemoveField(
            model_name='historicaltargetitem',
            name='status',
        ),
        migrations.RemoveField(
            model_name='plan',
            name='issuing_body',
        ),
        migrations.RemoveField(
            model_name='plan',
            name='zone',
        ),
        migrations.RemoveField(
            model_name='target',
            name='aggregation',
        ),
        migrations.RemoveField(
            model_name='target',
            name='method_note',
        ),
        migrations.RemoveField(
            model_name='target',
            name='unit',
        ),
        migrations.RemoveField(
            model_name='targetitem',
            name='evidence',
        ),
        migrations.RemoveField(
            model_name='targetitem',
            name='evidence_url',
        ),
        migrations.RemoveField(
            model_name='targetitem',
            name='status',
        ),
        migrations.AlterField(
            model_name='historicalplan',
            name='issuing_body_en',
            field=edge.fields.LineField(max_length=200, verbose_name='issuing body (English)'),
        ),
        migrations.AlterField(
            model_name='historicalplan',
            name='issuing_body_zh',
            field=edge.fields.LineField(max_length=200, verbose_name='issuing body (Chinese)'),
        ),
        migrations.AlterField(
            model_name='historicalplan',
            name='stage',
            field=models.CharField(choices=[('draft', 'draft (not adopted)'), ('adopted', 'adopted')], help_text='A draft for comments, or a plan the government adopted. Whether it is in force follows from its dates.', max_length=10, verbose_name='stage'),
        ),
        migrations.AlterField(
            model_name='historicalplan',
            name='zone_en',
            field=edge.fields.LineField(max_length=200, verbose_name='zone (English)'),
        ),
        migrations.AlterField(
            model_name='historicalplan',
            name='zone_zh',
            field=edge.fields.LineField(max_length=200, verbose_name='zone (Chinese)'),
        ),
        migrations.AlterField(
            model_name='plan',
            name='issuing_body_en',
            field=edge.fields.LineField(max_length=200, verbose_name='issuing body (English)'),
        ),
        migrations.AlterField(
            model_name='plan',
            name='issuing_body_zh',
            field=edge.fields.LineField(max_length=200, verbose_name='issuing body (Chinese)'),
        ),
        migrations.AlterField(
            model_name='plan',
            name='stage',
            field=models.CharField(choices=[('draft', 'draft (not adopted)'), ('adopted', 'adopted')], help_text='A draft for comments, or a plan the government adopted. Whether it is in force follows from its dates.', max_length=10, verbose_name='stage'),
        ),
        migrations.AlterField(
            model_name='plan',
            name='zone_en',
            field=edge.fields.LineField(max_length=200, verbose_name='zone (English)'),
        ),
        migrations.AlterField(
            model_name='plan',
            name='zone_zh',
            field=edge.fields.LineField(max_length=200, verbose_name='zone (Chinese)'),
        ),
        migrations.AlterField(
            model_name='target',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='targets.plan', verbose_name='plan'),
        ),
        migrations.AddConstraint(
            model_name='target',
            constraint=models.UniqueConstraint(fields=('plan', 'code'), name='target_unique_code_in_plan'),
        ),
        migrations.AlterModelOptions(
            name='target',
            options={'ordering': ['plan', 'objective__number', 'order', 'code'], 'verbose_name': 'target', 'verbose_name_plural': 'targets'},
        ),
        migrations.AlterField(
            model_name='historicaltarget',
            name='objective',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="One of the plan's objectives.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='targets.objective', verbose_name='objective'),
        ),
        migrations.AlterField(
            model_name='target',
            name='objective',
            field=models.ForeignKey(help_text="One of the plan's objectives.", on_delete=django.db.models.deletion.CASCADE, related_name='targets', to='targets.objective', verbose_name='objective'),
        ),
    ]
