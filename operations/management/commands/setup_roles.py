from django.core.management.base import BaseCommand

from access.roles import roles_sync


class Command(BaseCommand):
    help = "Create or update the user groups: zone administrator, data entry, viewer."

    def handle(self, *args, **options):
        for name, count in roles_sync().items():
            self.stdout.write(f"{name}: {count} permissions")
