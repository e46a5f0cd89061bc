"""Migration tests' one helper: the database migrated to some nodes, and the apps as they stood there."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(nodes):
    """Migrates the test database to `nodes` ([(app, migration)]) and returns the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(nodes)
    return executor.loader.project_state(nodes).apps


def latest():
    """Every app's newest migration: where a migration test leaves the database."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
