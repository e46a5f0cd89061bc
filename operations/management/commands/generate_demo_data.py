from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from operations.demo import demo_entries_generate


class Command(BaseCommand):
    help = (
        "Create synthetic (demo) figures for quantitative targets that have no figure yet, "
        "flagged as synthetic, and recompute the snapshots. Every page then shows a banner "
        "saying the figures are not official. Undo with remove_demo_data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2020, help="Random seed (the same seed gives the same figures).")

    def handle(self, *args, seed, **options):
        try:
            created = demo_entries_generate(seed=seed)
        except ValidationError as exc:
            raise CommandError(f"A demo figure was refused: {exc.messages}. Nothing was written.") from None
        self.stdout.write(
            f"Created {created['entries']} synthetic figures for {created['targets']} targets; "
            f"wrote {created['snapshots']} snapshot rows."
        )
        if not created["entries"]:
            self.stdout.write("Every quantitative target already has figures: nothing to add.")
