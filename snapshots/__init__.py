"""The snapshot machinery (issue 17: `targets` split by concept): what the progress engine
computes per target and date — snapshots, roll-ups, the plan calendar — how it is kept fresh
from the core's recompute requests (the outbox in `targets.services.requests`), the registry of
what each app derives per plan and date, verification, the tasks, the admin and the API.

It sits above `targets` and imports it; the core never imports this app: it requests
recomputes by writing its outbox and sending task names.
"""
