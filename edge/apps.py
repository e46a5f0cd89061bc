from django.apps import AppConfig


class EdgeConfig(AppConfig):
    """No models: the rules for input at the site's edges, and the `in` lookup that keeps
    out-of-range ids from crashing SQLite (registered on import, in ready())."""

    name = "edge"

    def ready(self):
        from edge import lookups  # noqa: F401
