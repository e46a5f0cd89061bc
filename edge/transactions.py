"""Write conflicts: a deadlock or a serialization failure is retried once, and then told as what it is.

Every write that touches a plan's derived rows takes the plan rows first, in id order
(`targets.services.locks.plans_lock`, `plans_lock_for_change`), so saves and the recompute do
not deadlock. Should two transactions still cross (a path that locks in another order, a
future one), PostgreSQL ends one of them with a deadlock (40P01) or, under a stricter
isolation, a serialization failure (40001): the whole transaction was rolled back and can
simply run again. `conflicts_retried` does that once, around the outermost transaction of a
write; a second failure is a `WriteConflict`, which the request edge answers with 503 "the
change met another one at the same moment; send it again" and a short Retry-After
(`edge.middleware`), never with "the database cannot be reached".
"""

from __future__ import annotations

import copy
import functools
import itertools
import logging
import random
import threading
import time

from django.db import OperationalError, models, transaction

logger = logging.getLogger(__name__)

# deadlock_detected, serialization_failure (PostgreSQL's SQLSTATE codes).
CONFLICT_CODES = frozenset({"40P01", "40001"})
# A conflict is over once the other transaction commits: seconds, not the minute of a restart.
RETRY_AFTER_SECONDS = 2


class WriteConflict(Exception):
    """A write ended twice in a deadlock or serialization failure: nothing was written, and
    sending it again will most likely succeed. Not an OperationalError: the database is up."""


class _Counter:
    """How many conflicts were retried in this process (read by the benchmark and tests)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.value = 0

    def add(self) -> None:
        with self._lock:
            self.value += 1


RETRIED = _Counter()


def is_write_conflict(error: BaseException) -> bool:
    """A deadlock or serialization failure, as Django raises it (an OperationalError whose
    cause is psycopg2's DeadlockDetected or SerializationFailure, or psycopg 3's)."""
    if isinstance(error, WriteConflict):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__ or error
    code = getattr(cause, "pgcode", None) or getattr(cause, "sqlstate", None)
    return code in CONFLICT_CODES


def conflicts_retried(function):
    """Runs a write's outermost transaction once more if it ends in a deadlock or a
    serialization failure; a second one raises WriteConflict. Put it above
    `@transaction.atomic`. Called inside another transaction it adds nothing: only the
    outermost transaction can be run again, and it is the outermost caller's to retry.

    The model instances passed in are restored to what they were before the first try (a
    try that rolled back may have given them a primary key or a status)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        if transaction.get_connection().in_atomic_block:
            return function(*args, **kwargs)
        saved = _instances_saved(args, kwargs)
        try:
            return function(*args, **kwargs)
        except OperationalError as error:
            if not is_write_conflict(error):
                raise
            logger.warning("%s met a write conflict (%s); trying once more", function.__qualname__,
                           str(error).strip().partition("\n")[0])
        RETRIED.add()
        _instances_restore(saved)
        # A moment's jitter, so that two retried writers do not meet again at the same instant.
        time.sleep(random.uniform(0.01, 0.05))  # noqa: S311 (jitter, not a secret)
        try:
            return function(*args, **kwargs)
        except OperationalError as error:
            if not is_write_conflict(error):
                raise
            raise WriteConflict(str(error).strip().partition("\n")[0]) from error

    return wrapper


def _instances_saved(args, kwargs) -> list[tuple[models.Model, dict]]:
    saved = []
    for value in itertools.chain(args, kwargs.values()):
        if isinstance(value, models.Model):
            state = dict(value.__dict__)
            state["_state"] = copy.copy(value._state)
            state["_state"].fields_cache = dict(value._state.fields_cache)
            saved.append((value, state))
    return saved


def _instances_restore(saved: list[tuple[models.Model, dict]]) -> None:
    for instance, state in saved:
        instance.__dict__.clear()
        instance.__dict__.update(state)
        instance._state = copy.copy(state["_state"])
        instance._state.fields_cache = dict(state["_state"].fields_cache)
