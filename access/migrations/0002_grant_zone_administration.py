"""Grants the zone administrator's own permission, `access.administer_zone`, to every group and
user that held the role's former permission, `reporting.approve_roundset` (issue 17: the role
was a reporting permission). The former stays where it was: it is still reporting's right to
approve a set, which the group keeps through roles sync.

No dependency on reporting's migrations: on a database where reporting's permission exists, its
grants are copied; on a new database there are none yet, and roles sync grants the new one."""

from django.conf import settings
from django.db import migrations

NEW = ("access", "zoneadministration", "administer_zone",
       "Zone administrator: may change every figure and measure update, approve or return sets, and open rounds")
OLD = ("reporting", "approve_roundset")


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    app_label, model, codename, name = NEW
    # Permissions are made after the whole `migrate` (post_migrate): make this one now to grant it.
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                     defaults={"name": name})
    old = Permission.objects.filter(content_type__app_label=OLD[0], codename=OLD[1])
    for group in Group.objects.filter(permissions__in=old).distinct():
        group.permissions.add(permission)
    for user in User.objects.filter(user_permissions__in=old).distinct():
        user.user_permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ("access", "0001_zone_administration"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
