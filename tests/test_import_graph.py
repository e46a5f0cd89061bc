"""The project's own apps import downhill only (issue 17: "the core imports nothing above it").

The graph is read with `ast` from every .py file of the project's packages (migrations, tests,
bench and .venv left out): module-level and function-local imports both count (a function-local
import hides a cycle from Python, not from the design), and so does a model field's lazy
reference to another app's model ("reporting.Round"), which makes one app's migrations depend on
another's. Imports by name at run time (import_string, apps.get_model, settings) are not seen.

An arrow is wrong when it points to a higher layer, or joins two apps of one layer both ways
(a cycle). The wrong arrows there are today are listed in KNOWN_UPWARD; the test fails on a
new one, and also when a listed one has gone (take it off the list: the list only shrinks).
"""

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = {"migrations", "tests", "bench", ".venv", ".ci", ".git", "node_modules"}

# The layers, top to bottom. An app may import any app of a lower layer, and an app of its own
# layer as long as that one does not import it back. A new app must be given a place here.
LAYERS: list[tuple[str, ...]] = [
    # Configuration: settings, urls, the celery app; it may import whatever it wires up.
    ("hangzhou_ai_zone",),
    # The project's composition: setup, serve, the schedule, plan loading, demo data, the nightly job.
    ("operations",),
    # Pages and rounds: the dashboard for readers, the reporting rounds for agencies and administrators.
    ("dashboard", "reporting"),
    # The site's shell the pages share: base templates, error pages, their static files, the
    # context every page needs, and chart basics.
    ("site_shell",),
    # The zone's policy measures, built on the core.
    ("measures",),
    # The snapshot machinery: snapshots, roll-ups, the plan calendar, the derivers' registry, the
    # recomputes that consume the core's recompute requests, their tasks, admin and API.
    ("snapshots",),
    # The core: plans, indicators, figures, the outbox of recompute requests and the progress engine.
    ("targets",),
    # Infrastructure the apps share (issue 17: infrastructure lives in project-level packages):
    # roles, sign-in and the permission primitives (access), the REST API's parts (api), workbooks (exports).
    ("access", "api", "exports"),
    # Input rules at the edges, transactions: imports nothing of the project.
    ("edge",),
]

# The wrong arrows of today, as (importing module, imported module): none since issue 17 moved
# composition to `operations`, the roles and permission primitives to `access`, the shared page
# and chart basics to `site_shell`, and the revision's round to `reporting`. Keep it empty.
KNOWN_UPWARD: set[tuple[str, str]] = set()

FIELD_CALLS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def _rank(app: str) -> int:
    """The layer's index, 0 at the top."""
    for index, layer in enumerate(LAYERS):
        if app in layer:
            return index
    raise KeyError(f"The app {app!r} has no place in LAYERS: give it one.")


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name -> file of every module in the project's packages (directories with an __init__.py)."""
    modules = {}
    for package in sorted(path.parent for path in root.glob("*/__init__.py")):
        if package.name in LEFT_OUT:
            continue
        for path in package.rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            if LEFT_OUT.intersection(parts):
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imports_of(module: str, source: str, *, is_package: bool, known: Iterable[str]) -> set[str]:
    """The project modules this module's source imports, anywhere in it. `from a import b` counts
    as a.b when that is a module, else as a; a model field's "app.Model" counts as app.models."""
    known = set(known)
    apps = {name.split(".")[0] for name in known}
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name in FIELD_CALLS:
                targets = [*node.args[:1], *(keyword.value for keyword in node.keywords if keyword.arg == "to")]
                for target in targets:
                    if isinstance(target, ast.Constant) and isinstance(target.value, str) and "." in target.value:
                        found.add(f"{target.value.split('.')[0]}.models")
    return {name for name in found if name.split(".")[0] in apps}


def import_graph(root: Path = ROOT) -> set[tuple[str, str]]:
    """Every (importing module, imported module) pair between two of the project's apps."""
    modules = project_modules(root)
    arrows = set()
    for module, path in modules.items():
        for imported in imports_of(module, path.read_text(encoding="utf-8"), is_package=path.name == "__init__.py",
                                   known=modules):
            if imported.split(".")[0] != module.split(".")[0]:
                arrows.add((module, imported))
    return arrows


def wrong_arrows(arrows: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The arrows that point to a higher layer, or join two apps of one layer both ways."""
    between_apps = {(source.split(".")[0], target.split(".")[0]) for source, target in arrows}
    wrong = set()
    for source, target in arrows:
        source_app, target_app = source.split(".")[0], target.split(".")[0]
        upward = _rank(target_app) < _rank(source_app)
        cycle = _rank(target_app) == _rank(source_app) and (target_app, source_app) in between_apps
        if upward or cycle:
            wrong.add((source, target))
    return wrong


def _listing(pairs: Iterable[tuple[str, str]]) -> str:
    return "\n".join(f"    ({source!r}, {target!r})," for source, target in sorted(pairs))


def test_every_app_has_a_layer():
    apps = {module.split(".")[0] for module in project_modules()}
    placed = {app for layer in LAYERS for app in layer}
    assert apps == placed, f"not in LAYERS: {sorted(apps - placed)}; in LAYERS but not found: {sorted(placed - apps)}"


def test_the_apps_import_downhill_except_the_known_arrows_which_only_go():
    arrows = import_graph()
    wrong = wrong_arrows(arrows)
    print(f"import graph: {len(arrows)} arrows between apps, {len(wrong)} upward or cyclic "
          f"({len(KNOWN_UPWARD)} known, {len(wrong - KNOWN_UPWARD)} new)")
    assert not wrong - KNOWN_UPWARD, (
        "Imports that point up the layers (or close a cycle) in tests/test_import_graph.py's LAYERS:\n"
        + _listing(wrong - KNOWN_UPWARD) + "\nMove the code down, or the import into the importing app."
    )
    assert not KNOWN_UPWARD - wrong, (
        "These known upward imports are gone: take them off KNOWN_UPWARD, so they cannot come back:\n"
        + _listing(KNOWN_UPWARD - wrong)
    )


KNOWN = ["targets", "targets.models", "targets.services", "targets.services.plans", "measures", "measures.models",
         "dashboard.charts", "reporting.models", "edge.transactions", "api.pagination"]


def test_the_checker_reports_a_synthetic_upward_import_at_module_level_and_in_a_function():
    source = (
        "from edge import transactions\n"  # downhill: fine
        "from ..models import Target\n"  # its own app
        "from measures.models import Measure\n"  # up
        "def delete(plan):\n"
        "    from dashboard import charts\n"  # up, hidden in a function
    )
    imported = imports_of("targets.services.plans", source, is_package=False, known=KNOWN)
    assert imported == {"edge.transactions", "targets.models", "measures.models", "dashboard.charts"}

    arrows = {("targets.services.plans", name) for name in imported if not name.startswith("targets.")}
    assert wrong_arrows(arrows) == {
        ("targets.services.plans", "measures.models"),
        ("targets.services.plans", "dashboard.charts"),
    }


def test_the_checker_reports_a_lazy_model_reference_up_and_a_cycle_within_a_layer():
    source = (
        "from django.db import models\n"
        "class Revision(models.Model):\n"
        '    round = models.ForeignKey("reporting.Round", on_delete=models.CASCADE)\n'
    )
    assert imports_of("targets.models", source, is_package=False, known=KNOWN) == {"reporting.models"}
    assert wrong_arrows({("targets.models", "reporting.models")}) == {("targets.models", "reporting.models")}

    # Same layer: one way is fine, both ways is a cycle and both arrows are reported.
    assert wrong_arrows({("access.views", "api.pagination")}) == set()
    both = {("access.views", "api.pagination"), ("api.permissions", "access.selectors")}
    assert wrong_arrows(both) == both


def test_a_module_of_an_unplaced_app_is_refused():
    with pytest.raises(KeyError, match="'briefings' has no place in LAYERS"):
        wrong_arrows({("briefings.tasks", "targets.models")})
