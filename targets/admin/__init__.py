"""Admin for zone administrators: plans with their objectives and targets, indicators with
their observations, named items with their dated updates, snapshots (read only).

Every save and delete goes through `targets.services`, so the admin applies the same rules
and triggers the same follow-up (the recompute requests) as the API and the commands.

The model admins live in modules by concept, like the models (issue 17); importing them here
registers them when Django discovers `targets.admin`.
"""

from targets.admin import indicators, plans  # noqa: F401  (registers the model admins)
