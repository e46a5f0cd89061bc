import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from measures.services import areas_load
from operations.services import agencies_load
from targets.services import plan_load

DEFAULT_FILES = [
    settings.BASE_DIR / "fixtures" / "hangzhou_ai_zone_2020.json",
    settings.BASE_DIR / "fixtures" / "hangzhou_ai_zone_2020_measures.json",
    settings.BASE_DIR / "fixtures" / "hangzhou_ai_2025.json",
    # Last: it assigns the indicators the plans above create.
    settings.BASE_DIR / "fixtures" / "agencies.json",
]


class Command(BaseCommand):
    help = (
        "Load a plan (its indicators, targets, items and published figures), a plan's work areas and measures, "
        "or the agencies responsible for the indicators from JSON files. Creates what is missing and never changes existing rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="JSON files (default: the Hangzhou 2020 plan)")

    def handle(self, *args, files, **options):
        for path in files or DEFAULT_FILES:
            try:
                data = json.loads(Path(path).read_text(encoding="utf-8"))
            except FileNotFoundError:
                raise CommandError(f"{path}: no such file.") from None
            except json.JSONDecodeError as exc:
                raise CommandError(f"{path}: not valid JSON ({exc}). Nothing was loaded.") from None
            loader = areas_load if "areas" in data else agencies_load if "agencies" in data else plan_load
            try:
                created = loader(data=data)
            except ValidationError as exc:
                raise CommandError(f"{path}: {exc.messages}. Nothing was loaded from this file.") from None
            except (KeyError, TypeError) as exc:
                raise CommandError(f"{path}: missing or malformed field {exc}. Nothing was loaded from this file.") from None
            summary = ", ".join(f"{count} {kind}" for kind, count in created.items())
            self.stdout.write(f"{Path(path).name}: created {summary}.")
