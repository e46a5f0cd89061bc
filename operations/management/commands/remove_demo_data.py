from django.core.management.base import BaseCommand

from operations.demo import demo_entries_remove


class Command(BaseCommand):
    help = "Delete every synthetic (demo) figure and recompute the snapshots. Published figures are kept."

    def handle(self, *args, **options):
        removed = demo_entries_remove()
        self.stdout.write(
            f"Deleted {removed['entries']} synthetic figures; wrote {removed['snapshots']} snapshot rows."
        )
