from django.core.management.base import BaseCommand

from targets.services import NIGHTLY_RECOMPUTE_NAME, recompute_schedule_ensure


class Command(BaseCommand):
    help = (
        "Create the nightly snapshot recompute in django-celery-beat if it is missing. An existing "
        "schedule is left as it is: administrators change it under Periodic tasks in the admin."
    )

    def handle(self, *args, **options):
        if recompute_schedule_ensure():
            self.stdout.write(f"Created the periodic task “{NIGHTLY_RECOMPUTE_NAME}” (02:30 Asia/Shanghai).")
        else:
            self.stdout.write("The nightly recompute is already scheduled; left unchanged.")
