from django.core.management.base import BaseCommand, CommandError

from snapshots.services import snapshots_verify


class Command(BaseCommand):
    help = (
        "Recompute every stored snapshot and all else derived per plan and date (the work areas' roll-ups) "
        "in memory and list each one that differs from what is stored, with the fields that differ. "
        "--repair recomputes and stores what differs. Exit status 1 when "
        "differences were found and not repaired (for monitoring)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="recompute and store what differs")

    def handle(self, *args, repair=False, **options):
        differences = snapshots_verify(repair=repair)
        for difference in differences:
            fields = "; ".join(
                f"{field}: stored {stored!r}, computed {computed!r}"
                for field, (stored, computed) in sorted(difference["fields"].items())
            )
            self.stdout.write(f"{difference['deriver']}: {difference['subject']} @ {difference['as_of']}: {fields}")
        verdict = "repaired" if repair else "found"
        self.stdout.write(f"{len(differences)} stored rows (snapshots, roll-ups) differ from a fresh computation "
                          f"({verdict}).")
        if differences and not repair:
            raise CommandError("Stored rows differ from a fresh computation; run with --repair.")
