from django.core.management.base import BaseCommand

from operations.services import recompute_schedule_ensure
from reporting.reminders import reminder_schedule_ensure


class Command(BaseCommand):
    help = (
        "Create the nightly snapshot recompute, the five-minute sweep of recompute requests and the "
        "daily reporting round reminders in "
        "django-celery-beat if they are missing. Existing ones are left as they are: administrators "
        "change them under Periodic tasks in the admin."
    )

    def handle(self, *args, **options):
        created = recompute_schedule_ensure() + reminder_schedule_ensure()
        for name in created:
            self.stdout.write(f"Created the periodic task “{name}”.")
        if not created:
            self.stdout.write("The nightly recompute and the sweep are already scheduled; left unchanged.")
