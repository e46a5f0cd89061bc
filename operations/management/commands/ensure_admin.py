import os

from django.core.management.base import BaseCommand

from access.roles import administrator_ensure


class Command(BaseCommand):
    help = (
        "Create an administrator account unless one exists. Username from ADMIN_USERNAME "
        "(default admin), password from ADMIN_PASSWORD, else generated and printed once."
    )

    def handle(self, *args, **options):
        username = os.environ.get("ADMIN_USERNAME") or "admin"
        created, generated = administrator_ensure(username=username, password=os.environ.get("ADMIN_PASSWORD"))
        if not created:
            self.stdout.write("An administrator account exists already; nothing changed.")
        elif generated:
            self.stdout.write(self.style.WARNING(
                f"Created administrator '{username}' with password: {generated}\n"
                "This password is shown only once. Change it after logging in."
            ))
        else:
            self.stdout.write(f"Created administrator '{username}' with the password from ADMIN_PASSWORD.")
