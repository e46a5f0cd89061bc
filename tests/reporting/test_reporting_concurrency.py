"""Two zone administrators acting on the same set at the same moment, for real: two threads,
two database connections. The set's row lock makes the second wait; it then finds the version
moved on and is told, and nothing of its action is written. PostgreSQL only (SQLite's
in-memory test database is not shared between connections)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from reporting import services
from reporting.models import RoundSet, State, StateChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database shared between connections")
def test_two_administrators_at_once_one_wins_the_other_is_told(zone):
    round_set = services.round_set_save_draft(
        round_set=zone["science_set"], user=zone["science_user"], expected_version=0,
        rows=[{"indicator": "patents", "value": "120", "source_title": "Bureau statistics"}])
    services.round_set_submit(round_set=round_set, user=zone["science_user"], expected_version=1)
    admins = [zone["admin"], UserFactory(is_staff=True, is_superuser=True)]
    start, outcomes = threading.Barrier(2), []

    def act(admin, approve):
        try:
            start.wait()
            if approve:
                services.round_set_approve(round_set=round_set, user=admin, expected_version=2,
                                           without={"achievements": "not collected in 2021"})
            else:
                services.round_set_return(round_set=round_set, user=admin, expected_version=2,
                                          comments={"patents": "Check the source."})
            outcomes.append("done")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(admin, approve))
               for admin, approve in zip(admins, (True, False), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["done", "stale"]
    final = RoundSet.objects.get(pk=round_set.pk)
    assert final.version == 3 and final.state in (State.APPROVED, State.RETURNED)
    assert StateChange.objects.filter(set=final, entry__isnull=True, from_state=State.SUBMITTED).count() == 1
