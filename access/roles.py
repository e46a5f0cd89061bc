"""The roles: the user groups with their permissions, and the first administrator account.
Access owns them, below the apps whose permissions they grant, which it names by app label."""

from __future__ import annotations

from django.db import transaction

from access.permissions import ZONE_ADMINISTRATOR_PERMISSION

# Roles. Permissions are named by "app_label.codename"; the data-entry role may add,
# change and delete figures and measure updates, and read everything else.
ROLE_ZONE_ADMINISTRATOR = "Zone administrator"
ROLE_DATA_ENTRY = "Data entry"
ROLE_VIEWER = "Viewer"
ROLE_APPS = ("targets", "snapshots", "measures", "reporting")
DATA_ENTRY_MODELS = {("targets", "observation"), ("targets", "itemupdate"), ("measures", "measureupdate")}
# Exporting (measures, from the admin) is a read: it gives a file of what the admin's list
# already shows and the API's CSV gives anyone who may read. So every role that may view
# may export; importing writes, and stays with the zone administrators.
READ_ACTIONS = {"view", "export"}
# Apps outside ROLE_APPS whose every permission the zone administrators hold: API tokens,
# the recompute schedule, and the login lockout (unlocking is deleting access attempts).
ADMINISTRATOR_APPS = ("authtoken", "django_celery_beat", "axes")


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Creates or updates the three user groups with exactly their permissions.

    Idempotent: running it again leaves the same groups and permissions. Returns the
    number of permissions each group holds.
    """
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    # Permissions are normally created after `migrate`; make sure they exist even
    # when this runs inside the same process (tests, first start).
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    role_permissions = Permission.objects.filter(content_type__app_label__in=ROLE_APPS).select_related("content_type")
    wanted: dict[str, list] = {ROLE_ZONE_ADMINISTRATOR: [], ROLE_DATA_ENTRY: [], ROLE_VIEWER: []}
    for permission in role_permissions:
        model = (permission.content_type.app_label, permission.content_type.model)
        action = permission.codename.split("_", 1)[0]
        wanted[ROLE_ZONE_ADMINISTRATOR].append(permission)
        if action in READ_ACTIONS or model in DATA_ENTRY_MODELS:
            wanted[ROLE_DATA_ENTRY].append(permission)
        if action in READ_ACTIONS:
            wanted[ROLE_VIEWER].append(permission)
    wanted[ROLE_ZONE_ADMINISTRATOR] += list(Permission.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS))
    app_label, codename = ZONE_ADMINISTRATOR_PERMISSION.split(".")
    wanted[ROLE_ZONE_ADMINISTRATOR].append(
        Permission.objects.get(content_type__app_label=app_label, codename=codename))
    counts = {}
    for name, granted in wanted.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(granted)
        counts[name] = len(granted)
    return counts


@transaction.atomic
def administrator_ensure(*, username: str, password: str | None) -> tuple[bool, str | None]:
    """Creates a superuser in the zone-administrator group unless any superuser exists.

    Returns (created, generated_password); the password is generated only when none
    was given, and is returned so that the caller can show it once.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils.crypto import get_random_string

    user_model = get_user_model()
    if user_model.objects.filter(is_superuser=True).exists():
        return False, None
    generated = None
    if not password:
        generated = password = get_random_string(20)
    user = user_model.objects.create_superuser(username=username, email="", password=password)
    group = Group.objects.filter(name=ROLE_ZONE_ADMINISTRATOR).first()
    if group is not None:
        user.groups.add(group)
    return True, generated
