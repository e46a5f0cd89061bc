"""The zone administrator's role is a permission of access's own, `access.administer_zone`
(issue 17: it was reporting's `approve_roundset`), granted by roles sync and, on a database
made before, by a data migration wherever the old one was granted."""

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from access.permissions import ZONE_ADMINISTRATOR_PERMISSION, is_zone_administrator

pytestmark = pytest.mark.django_db

grant = import_module("access.migrations.0002_grant_zone_administration").grant


def test_it_is_the_zone_administrators_and_no_one_elses(zone_admin, data_entry_user, viewer):
    assert ZONE_ADMINISTRATOR_PERMISSION == "access.administer_zone"
    assert is_zone_administrator(zone_admin)
    assert not is_zone_administrator(data_entry_user) and not is_zone_administrator(viewer)


def test_the_migration_grants_it_wherever_the_old_permission_was_granted(roles):
    new = Permission.objects.get(content_type__app_label="access", codename="administer_zone")
    old = Permission.objects.get(content_type__app_label="reporting", codename="approve_roundset")
    group = Group.objects.create(name="Approvers, made by hand")
    group.permissions.add(old)
    user = get_user_model().objects.create_user("approver")
    user.user_permissions.add(old)
    bystander = get_user_model().objects.create_user("bystander")

    grant(apps, None)
    grant(apps, None)  # twice: nothing more

    assert list(group.permissions.filter(pk=new.pk)) == [new]
    assert list(user.user_permissions.filter(pk=new.pk)) == [new]
    assert not bystander.user_permissions.exists()
    assert Permission.objects.filter(codename="administer_zone").count() == 1
