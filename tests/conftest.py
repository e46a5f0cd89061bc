"""Shared fixtures: the real Hangzhou plan, users in each role, and test settings."""

import os

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from targets.services import ROLE_DATA_ENTRY, ROLE_VIEWER, ROLE_ZONE_ADMINISTRATOR, roles_sync
from tests.factories import UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str):
    """In CI (REQUIRE_SERVICES=1) a missing service is a failure, elsewhere a skip."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; tests resolve static files directly.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def hangzhou_plan(db):
    """The Hangzhou 2020 plan loaded from the fixtures, exactly as `make run` loads it."""
    call_command("load_plan", verbosity=0)
    from targets.models import Plan

    return Plan.objects.get(code="hz-ai-zone-2020")


@pytest.fixture
def roles(db):
    roles_sync()


def _user_in(group_name):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def zone_admin(roles):
    return _user_in(ROLE_ZONE_ADMINISTRATOR)


@pytest.fixture
def data_entry_user(roles):
    return _user_in(ROLE_DATA_ENTRY)


@pytest.fixture
def viewer(roles):
    return _user_in(ROLE_VIEWER)


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)
