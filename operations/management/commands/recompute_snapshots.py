from datetime import date

from django.core.management.base import BaseCommand, CommandError

from snapshots.services import history_rebuild, snapshots_backfill, snapshots_recompute
from targets.progress.dates import BACKFILL_STEPS, backfill_dates, zone_today
from targets.selectors import baseline_earliest


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2023-12-31.") from None


class Command(BaseCommand):
    help = (
        "Compute every target's progress snapshot (and the objective, plan and area roll-ups) as of a "
        "date, or a history of them: --since baseline builds each plan's monthly history from its own "
        "baseline date; --since DATE --every month builds one per month for every plan up to --as-of."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="the as-of date, YYYY-MM-DD (default: today in Hangzhou)")
        parser.add_argument(
            "--since",
            help="build a history from this date (YYYY-MM-DD) to --as-of; 'baseline' builds each plan's "
                 "calendar: monthly from its own baseline date",
        )
        parser.add_argument("--every", default="month", choices=sorted(BACKFILL_STEPS),
                            help="the step of the history (default: month)")

    def handle(self, *args, as_of=None, since=None, every="month", verbosity=1, **options):
        until = _parse_date(as_of, "--as-of") if as_of else zone_today()
        if since is None:
            written = snapshots_recompute(as_of=until)
            if verbosity:
                self.stdout.write(f"Snapshots as of {until}: {written} rows written.")
            return
        if since == "baseline":
            if baseline_earliest() is None:
                raise CommandError("--since baseline: there is no plan yet; load one with `manage.py load_plan`.")
            written = history_rebuild(until=until)
            if verbosity:
                self.stdout.write(f"Snapshot history of every plan up to {until}: {written} rows written.")
            return
        start = _parse_date(since, "--since")
        if start > until:
            raise CommandError(f"--since {start} is after --as-of {until}: nothing was computed.")
        dates = backfill_dates(since=start, until=until, every=every)
        written = snapshots_backfill(since=start, until=until, every=every)
        if verbosity:
            self.stdout.write(f"Snapshots for {len(dates)} dates from {start} to {until}: {written} rows written.")
