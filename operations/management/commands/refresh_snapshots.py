from datetime import date

from django.core.management.base import BaseCommand, CommandError

from operations.tasks import refresh_snapshots
from targets.progress.dates import zone_today


class Command(BaseCommand):
    help = (
        "Run the nightly job in this process: every plan's snapshots as of a date (default: today in "
        "Hangzhou) and on any missing date of its monthly calendar, every open recompute request sent "
        "again, then every stored snapshot verified against a fresh computation and repaired if it differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the as-of date, YYYY-MM-DD (default: today in Hangzhou)")

    def handle(self, *args, as_of=None, **options):
        try:
            day = date.fromisoformat(as_of) if as_of else zone_today()
        except ValueError:
            raise CommandError(f"--as-of {as_of!r} is not a date: write it as YYYY-MM-DD.") from None
        result = refresh_snapshots.apply(kwargs={"as_of": day.isoformat()}).get()
        self.stdout.write(
            f"Snapshots as of {day}: {result['written']} rows written; recompute requests sent again: "
            f"{result['resent']}; snapshots that differed from a fresh computation, repaired: {result['repaired']}."
        )
