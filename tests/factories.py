"""Factories for the domain models. Defaults build a small valid plan."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from measures.models import Area, Measure, MeasureUpdate
from snapshots.models import Snapshot, SnapshotDate
from targets.models import Agency, Indicator, ItemUpdate, Objective, Observation, Plan, Target, TargetItem


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan-{n}")
    zone_zh = "测试试验区"
    zone_en = "Test zone"
    title_zh = factory.Sequence(lambda n: f"测试计划 {n}")
    title_en = factory.Sequence(lambda n: f"Test plan {n}")
    issuing_body_zh = "测试局"
    issuing_body_en = "Test bureau"
    stage = Plan.Stage.ADOPTED
    published_on = dt.date(2020, 11, 8)
    baseline_date = dt.date(2019, 12, 31)
    target_date = dt.date(2023, 12, 31)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_zh = factory.Sequence(lambda n: f"目标 {n}")
    title_en = factory.Sequence(lambda n: f"Objective {n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"agency-{n}")
    name_zh = factory.Sequence(lambda n: f"测试局 {n}")
    name_en = factory.Sequence(lambda n: f"Test bureau {n}")
    short_name_zh = factory.Sequence(lambda n: f"局{n}")
    short_name_en = factory.Sequence(lambda n: f"bureau {n}")
    contact_email = factory.Sequence(lambda n: f"bureau{n}@example.org")

    @factory.post_generation
    def members(agency, create, extracted, **kwargs):
        if create and extracted:
            agency.members.add(*extracted)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"indicator-{n}")
    name_zh = factory.Sequence(lambda n: f"统计指标 {n}")
    name_en = factory.Sequence(lambda n: f"Indicator {n}")
    unit = "patent"
    kind = Indicator.Kind.FLOW
    scope = "counted"


class TargetFactory(factory.django.DjangoModelFactory):
    """A target on an indicator of its own. `aggregation` ("sum" or "latest") and `unit` shape
    that indicator: a sum target's indicator is a flow, a level target's a stock."""

    class Meta:
        model = Target

    class Params:
        aggregation = "sum"
        unit = "patent"

    objective = factory.SubFactory(ObjectiveFactory)
    plan = factory.SelfAttribute("objective.plan")
    indicator = factory.SubFactory(
        IndicatorFactory,
        kind=factory.LazyAttribute(lambda o: Indicator.Kind.FLOW if o.factory_parent.aggregation == "sum"
                                   else Indicator.Kind.STOCK),
        unit=factory.SelfAttribute("..unit"),
    )
    code = factory.Sequence(lambda n: f"target-{n}")
    name_zh = factory.Sequence(lambda n: f"指标 {n}")
    name_en = factory.Sequence(lambda n: f"Target {n}")
    target_value = Decimal("300")
    baseline_value = Decimal("0")
    baseline_date = dt.date(2019, 12, 31)


class QualitativeTargetFactory(TargetFactory):
    kind = Target.Kind.QUALITATIVE
    indicator = None
    target_value = None
    baseline_value = None


class TargetItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetItem

    target = factory.SubFactory(QualitativeTargetFactory)
    code = factory.Sequence(lambda n: f"item-{n}")
    name_zh = factory.Sequence(lambda n: f"领域 {n}")
    name_en = factory.Sequence(lambda n: f"Field {n}")


class ItemUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemUpdate

    item = factory.SubFactory(TargetItemFactory)
    date = dt.date(2021, 6, 30)
    status = "achieved"
    evidence = "Reported by the bureau"


class ObservationFactory(factory.django.DjangoModelFactory):
    """A figure of an indicator; `target=` gives the indicator that target is judged on."""

    class Meta:
        model = Observation

    class Params:
        target = None

    indicator = factory.LazyAttribute(lambda o: o.target.indicator if o.target is not None else IndicatorFactory())
    period_end = dt.date(2020, 12, 31)
    value = Decimal("100")
    source_title = "Test source"


class SnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Snapshot
        skip_postgeneration_save = True

    target = factory.SubFactory(TargetFactory)
    as_of = dt.date(2021, 12, 31)
    computed_at = factory.LazyFunction(lambda: dt.datetime(2022, 1, 1, tzinfo=dt.UTC))

    @factory.post_generation
    def calendar(snapshot, create, extracted, **kwargs):
        # As the snapshot services store them: every snapshot's date is in its plan's calendar
        # (the dates the pages and the API offer).
        if create:
            SnapshotDate.objects.get_or_create(plan_id=snapshot.target.objective.plan_id, as_of=snapshot.as_of)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_zh = factory.Sequence(lambda n: f"领域 {n}")
    title_en = factory.Sequence(lambda n: f"Area {n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    area = factory.SubFactory(AreaFactory)
    number = factory.Sequence(lambda n: n + 1)
    title_zh = factory.Sequence(lambda n: f"措施 {n}")
    title_en = factory.Sequence(lambda n: f"Measure {n}")


class MeasureUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureUpdate

    measure = factory.SubFactory(MeasureFactory)
    date = dt.date(2021, 6, 30)
    note = "Progress reported"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-only")
