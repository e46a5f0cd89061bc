"""Recompute requests: the outbox the core writes and the snapshots app consumes.

The service that changes a figure, a target or a plan calls `recompute_request` in the same
transaction: a row in the outbox (`RecomputeRequest`), the derived rows marked awaiting
recompute (by the markers the app that keeps them registers: `outdated_marker_register`), and
the plan's data version bumped. After the commit the request is sent to the workers by task
NAME (the tasks live in `snapshots.tasks`; a name needs no import, so the core never imports
the app above it). If the broker is down, or a message is lost, or a worker dies, the request
stays, and `requests_sweep` (every few minutes) sends it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from targets.models import RecomputeRequest
from targets.services.locks import plans_lock_for_change, versions_bump

logger = logging.getLogger(__name__)

# What marks derived rows awaiting recompute, registered by the app that keeps them (the
# snapshots app, from its AppConfig.ready()): called with (plan_id=..., target_ids=None for the
# whole plan) in the request's own transaction.
_outdated_markers: list[Callable[..., object]] = []


def outdated_marker_register(mark: Callable[..., object]) -> None:
    """Registers `mark(plan_id=..., target_ids=...)`, called by every `recompute_request`
    in its transaction. Registering the same function twice keeps one."""
    if mark not in _outdated_markers:
        _outdated_markers.append(mark)


TARGET_TASK = "snapshots.refresh_target_snapshots"
PLAN_TASK = "snapshots.refresh_plan_snapshots"
# A request not done within this time is sent again: longer than a recompute takes, short
# enough that a lost message or a dead worker heals within minutes.
REQUEST_RESEND_AFTER = timedelta(minutes=5)


# --- requests (the outbox) -------------------------------------------------------------

def recompute_request(*, plan_id: int, target_ids: Iterable[int] | None = None) -> None:
    """Records, in the current transaction, that these targets' snapshots (by default the
    whole plan's) must be recomputed, marks what is derived from them awaiting recompute, and sends the request
    to the workers once the transaction commits.

    Guarantees: if the transaction commits, the request is stored with the change (it
    survives a broker that is down and a worker that dies); if it rolls back, nothing was
    requested. Repeated requests for the same target are one row, and one message per
    transaction. The plan's data version is bumped with the change (its entries, its
    snapshots' marks), so ETags and cached pages change when the change commits, not only
    when its recompute runs. The plan row is locked before anything is written (the lock
    order: `plans_lock_for_change`).
    """
    plans_lock_for_change([plan_id])
    now = timezone.now()
    ids = None if target_ids is None else sorted(set(target_ids))
    keys: list[tuple[str, int, int | None]] = [(f"plan:{plan_id}", plan_id, None)] if ids is None else [
        (f"target:{target_id}", plan_id, target_id) for target_id in ids
    ]
    RecomputeRequest.objects.bulk_create(
        [RecomputeRequest(key=key, plan_id=plan, target_id=target, requested_at=now) for key, plan, target in keys],
        update_conflicts=True, unique_fields=["key"], update_fields=["requested_at", "plan"],
    )
    for mark in _outdated_markers:
        mark(plan_id=plan_id, target_ids=ids)
    versions_bump([plan_id])
    _publish_on_commit([key for key, _plan, _target in keys])


class _Pending:
    """The requests of one transaction, sent together once it commits."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.sent = False

    def send(self) -> None:
        self.sent = True
        requests_publish(sorted(self.keys))


def _publish_on_commit(keys: list[str]) -> None:
    """One message per request and transaction, sent after the commit: a worker must never
    read figures that may still roll back. Requests join the transaction's pending batch
    while its callback is still due (not sent, not dropped by a rolled-back savepoint)."""
    connection = transaction.get_connection()
    pending: _Pending | None = getattr(connection, "_recompute_pending", None)
    due = pending is not None and not pending.sent and any(
        callback is pending.send for _savepoints, callback, _robust in connection.run_on_commit
    )
    if not due or pending is None:
        pending = connection._recompute_pending = _Pending()
        transaction.on_commit(pending.send, robust=True)
    pending.keys.update(keys)


def requests_publish(keys: Iterable[str]) -> int:
    """Sends these requests to the workers (without a broker: runs them here). Never raises:
    a request that cannot be sent stays in the outbox for the sweep. Gives up on the rest at
    the first broker error, so that a broker that is down or frozen costs the caller one
    send's timeout (settings: CELERY_BROKER_TRANSPORT_OPTIONS), not one per request.
    Returns how many were sent."""
    from celery import current_app
    from kombu.exceptions import OperationalError as BrokerUnavailable

    keys = list(keys)
    sent = 0
    for position, key in enumerate(keys):
        kind, _, number = key.partition(":")
        task, argument = (TARGET_TASK, "target_id") if kind == "target" else (PLAN_TASK, "plan_id")
        try:
            # By name: the task module imports the services, never the other way round. A web
            # process has not imported the task modules yet; the app's autodiscovery does.
            if task not in current_app.tasks:
                current_app.loader.import_default_modules()
            current_app.tasks[task].apply_async(kwargs={argument: int(number)})
        except BrokerUnavailable:
            # After the commit the change is saved and cannot be refused: a broker that is down
            # leaves the requests for the sweep, not an error page, and is not tried again now.
            logger.exception("Could not send the recompute %s; the sweep will send it and %d more again",
                             key, len(keys) - position - 1)
            break
        except Exception:
            # A failed in-process run (no broker): this request stays for the sweep, the others go on.
            logger.exception("Could not send the recompute %s; the sweep will send it again", key)
            continue
        sent += 1
    return sent


def requests_sweep(*, older_than: timedelta = REQUEST_RESEND_AFTER) -> int:
    """Sends again every request neither done nor sent within `older_than` (a lost message,
    a dead worker, a broker that was down). Two sweeps at once never send the same request
    twice (rows claimed under a lock, skipping those another sweep holds). Returns how many
    were sent."""
    from django.db import connection
    from django.db.models import Q

    now = timezone.now()
    cutoff = now - older_than
    with transaction.atomic():
        due = RecomputeRequest.objects.filter(
            Q(published_at__isnull=True) | Q(published_at__lt=cutoff), requested_at__lt=cutoff
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        keys = list(due.values_list("key", flat=True))
        RecomputeRequest.objects.filter(key__in=keys).update(published_at=now)
    return requests_publish(keys)
