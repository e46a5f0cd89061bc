from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Prepare a database and the static files for serving, as `make run` and the docker-compose "
        "deployment do: migrate, create the cache table, the user groups, the plan, the monthly snapshot "
        "history from the plan's baseline to today, the nightly schedule and (once) an administrator, then "
        "collect the static files. Safe on every start: it creates what is missing and never changes what "
        "an administrator entered or changed (the three role groups are the code's and are kept in step)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-collectstatic", action="store_true",
            help="leave the static files alone (the container image collects them when it is built)",
        )

    def handle(self, *args, skip_collectstatic=False, verbosity=1, **options):
        # The order matters: the plan needs the tables, the history needs the plan, and the
        # administrator joins the group that setup_roles creates.
        steps = [
            ("migrate", {"interactive": False}),
            ("createcachetable", {}),
            ("setup_roles", {}),
            ("load_plan", {}),
            ("recompute_snapshots", {"since": "baseline"}),
            ("setup_schedule", {}),
            ("ensure_admin", {}),
        ]
        if not skip_collectstatic:
            steps.append(("collectstatic", {"interactive": False, "verbosity": 0}))
        for name, step_options in steps:
            step_options.setdefault("verbosity", verbosity)
            call_command(name, stdout=self.stdout, stderr=self.stderr, **step_options)
