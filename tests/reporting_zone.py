"""A small zone for the reporting pages' tests: a plan with two agencies, one data-entry
member each, a zone administrator and a round for 2021 (the same shape as the services'
tests, so the two read alike). `extra` adds indicators to the S&T bureau, for the pinned
query counts at a second size. The `zone` fixture (tests/conftest.py) is the same zone with
clerks who may also use the admin and a superuser as the administrator."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group

from access.roles import ROLE_DATA_ENTRY, ROLE_ZONE_ADMINISTRATOR
from reporting import services
from reporting.models import RoundEntry, RoundSet, StateChange
from targets.models import Indicator, Observation, ObservationRevision
from tests.factories import AgencyFactory, ObjectiveFactory, TargetFactory, UserFactory


def make_zone(*, extra: int = 0, staff_clerks: bool = False, superuser: bool = False) -> dict:
    objective = ObjectiveFactory()
    plan = objective.plan
    science, economy = (
        AgencyFactory(code="kjj", name_en="Science and Technology Bureau", short_name_en="S&T bureau",
                      contact_email="kjj@example.org"),
        AgencyFactory(code="jxj", name_en="Economy and IT Bureau", short_name_en="economy bureau",
                      contact_email="jxj@example.org"),
    )
    patents = TargetFactory(objective=objective, code="patents", indicator__code="patents", target_value=Decimal("300"))
    achievements = TargetFactory(objective=objective, code="achievements", indicator__code="achievements",
                                 target_value=Decimal("10"))
    revenue = TargetFactory(objective=objective, code="revenue", indicator__code="revenue", aggregation="latest",
                            unit="yi_yuan", target_value=Decimal("2000"))
    more = [TargetFactory(objective=objective, code=f"more-{n}", indicator__code=f"more-{n}") for n in range(extra)]
    Indicator.objects.filter(pk__in=[patents.indicator_id, achievements.indicator_id,
                                     *[target.indicator_id for target in more]]).update(agency=science)
    Indicator.objects.filter(pk=revenue.indicator_id).update(agency=economy)
    group = Group.objects.get(name=ROLE_DATA_ENTRY)
    science_user = UserFactory(username="kjj-clerk", is_staff=staff_clerks)
    economy_user = UserFactory(username="jxj-clerk", is_staff=staff_clerks)
    for user, agency in ((science_user, science), (economy_user, economy)):
        user.groups.add(group)
        agency.members.add(user)
    if superuser:
        admin = UserFactory(username="zone-admin", is_staff=True, is_superuser=True)
    else:
        admin = UserFactory(username="zone-admin", is_staff=True)
        admin.groups.add(Group.objects.get(name=ROLE_ZONE_ADMINISTRATOR))
    round_ = services.round_create(
        code="2021-annual", name_zh="2021 年度", name_en="2021 annual", plan=plan,
        period_start=dt.date(2021, 1, 1), period_end=dt.date(2021, 12, 31), opens_on=dt.date(2022, 1, 1),
        due_on=dt.date(2022, 1, 31), user=None,
    )
    return {
        "plan": plan, "round": round_, "science": science, "economy": economy, "science_user": science_user,
        "economy_user": economy_user, "admin": admin, "patents": patents, "achievements": achievements,
        "revenue": revenue,
        "science_set": RoundSet.objects.get(round=round_, agency=science),
        "economy_set": RoundSet.objects.get(round=round_, agency=economy),
    }


def rounds_state() -> tuple:
    """Everything a round's action may write, to compare before and after a refused one."""
    return tuple(
        list(model.objects.order_by("pk").values())
        for model in (Observation, RoundSet, RoundEntry, StateChange, ObservationRevision)
    )


def row(code, value, **fields):
    return {"indicator": code, "value": value, "source_title": "Bureau statistics 2021", **fields}
