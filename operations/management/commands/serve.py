import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# How long gunicorn and beat get to finish after SIGTERM before they are killed.
STOP_TIMEOUT = 20


class Command(BaseCommand):
    help = (
        "Serve the site with gunicorn and run the schedule (the nightly recompute) with celery beat, "
        "together; with CELERY_BROKER_URL set, also a worker. `make run` runs this after `manage.py setup`. "
        "One Ctrl-C or SIGTERM stops them all, and when one of them stops the others are stopped too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=f"127.0.0.1:{os.environ.get('PORT') or 8000}",
                            help="address and port of the web server (default: 127.0.0.1:$PORT, else 8000)")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default: 2)")

    def handle(self, *args, bind, workers, **options):
        stop_requested = []
        previous = {
            signum: signal.signal(signum, lambda signum, frame: stop_requested.append(signum))
            for signum in (signal.SIGINT, signal.SIGTERM)
        }
        processes, ended = {}, []
        try:
            for name, command in self.commands(bind=bind, workers=workers).items():
                # In this process group: a Ctrl-C in the terminal reaches them directly too.
                processes[name] = subprocess.Popen(command, cwd=settings.BASE_DIR)  # noqa: S603 (our own commands, no shell)
            self.stdout.write(
                f"Serving on http://{bind}/ (admin: http://{bind}/admin/); the schedule runs in celery beat. "
                "Ctrl-C stops everything."
            )
            while not stop_requested and not ended:
                time.sleep(0.2)
                ended = [f"{name} (exit code {process.returncode})"
                         for name, process in processes.items() if process.poll() is not None]
        finally:
            _stop_all(processes.values())
            for signum, handler in previous.items():
                signal.signal(signum, handler)

        # After a Ctrl-C in the terminal the children may end before this process notices
        # the signal: that is a requested stop, not a failure.
        if ended and not stop_requested:
            raise CommandError(f"{', '.join(ended)} ended by itself, so everything was stopped.")

    @staticmethod
    def commands(*, bind: str, workers: int) -> dict[str, list[str]]:
        # The same interpreter (and so the same virtual environment) as this command.
        # The log level only labels Celery's banner: the logging itself follows settings.LOGGING.
        celery = [sys.executable, "-m", "celery", "-A", "hangzhou_ai_zone"]
        level = ["--loglevel", settings.LOGGING["root"]["level"]]
        commands = {
            # gunicorn.conf.py (read from the working directory) sets the log format.
            "web": [sys.executable, "-m", "gunicorn", "hangzhou_ai_zone.wsgi", "--bind", bind,
                    "--workers", str(workers)],
            # Without a broker, beat runs each due task itself, eagerly, like the web process does
            # for the recomputes it queues: no broker, no worker and no queue to lose.
            "beat": [*celery, "beat", *level],
        }
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            commands["worker"] = [*celery, "worker", *level, "--concurrency", "2"]
        return commands


def _stop_all(processes) -> None:
    """SIGTERM to every process still running (both stop gracefully on it), then SIGKILL to
    any that has not ended within STOP_TIMEOUT seconds."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in running:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
