"""The registry of what each app derives per plan and date (issue 17: one pipeline for
everything derived).

The snapshot pipeline (`snapshots.services.refresh`) owns each plan's calendar. Whatever an
app stores per plan and date — the core's target snapshots with their roll-ups, measures'
area roll-ups — registers here once, from its AppConfig.ready(), as a `Deriver`; the
pipeline then computes it on the plan's dates whenever the plan is recomputed (a plan's
request, the nightly run, a history built), prunes what is off the calendar, and verifies it
against a fresh computation. So the pipeline runs an app's derived data without naming the app:
the arrow points from the app down to this registry, never up.

A deriver's three functions, all keyword-only:
- `compute(dates_of={plan_id: [date, …]}) -> int`: computes and stores its rows for these
  plans on these dates (replacing any stored), in the caller's transaction; rows written.
- `prune(plan_id=, keep=[date, …]) -> int`: deletes its rows of the plan on dates not in
  `keep` (the calendar); rows deleted.
- `verify(plan_id=, dates=[date, …], repair=False) -> list[dict]`: recomputes its rows of the
  plan on these dates in memory and lists each one that differs from the stored (missing
  included) as {"deriver", "subject", "as_of", "fields": {field: (stored, computed)}}; with
  `repair`, stores the fresh rows of those that differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Deriver:
    name: str
    compute: Callable[..., int]
    prune: Callable[..., int]
    verify: Callable[..., list[dict]]


# In registration order (the apps' order in INSTALLED_APPS): the core's own first.
_registry: dict[str, Deriver] = {}


def deriver_register(*, name: str, compute: Callable[..., int], prune: Callable[..., int],
                     verify: Callable[..., list[dict]]) -> Deriver:
    """Registers what an app derives per plan and date under `name` ("app.thing").

    Guarantees: one deriver per name; registering a name again replaces it in its place (an
    AppConfig.ready() run twice, a test's stand-in), so nothing is ever computed twice."""
    deriver = Deriver(name=name, compute=compute, prune=prune, verify=verify)
    _registry[name] = deriver
    return deriver


def deriver_unregister(name: str) -> None:
    """Removes a deriver (a test's stand-in); an unknown name is no error."""
    _registry.pop(name, None)


def derivers() -> list[Deriver]:
    """Every registered deriver, in registration order."""
    return list(_registry.values())
