from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from targets.models import RecomputeRequest
from targets.services.requests import REQUEST_RESEND_AFTER, requests_sweep


class Command(BaseCommand):
    help = (
        "Send again, now, the recompute requests neither done nor sent within --older-than seconds (default: "
        "the sweep's own 300). What the sweep in the schedule does every five minutes; after a broker or worker "
        "outage, --older-than 0 sends everything owed at once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=float, default=REQUEST_RESEND_AFTER.total_seconds(), metavar="SECONDS",
            help="send the requests made (and last sent) more than this many seconds ago",
        )

    def handle(self, *args, older_than, **options):
        if older_than < 0:
            raise CommandError(f"--older-than must be 0 or more seconds, not {older_than:g}.")
        sent = requests_sweep(older_than=timedelta(seconds=older_than))
        self.stdout.write(f"Recompute requests sent again: {sent}; open: {RecomputeRequest.objects.count()}.")
