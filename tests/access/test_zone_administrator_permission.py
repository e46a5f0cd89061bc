"""The zone administrator's role is a permission of access's own, `access.administer_zone`
(issue 17: it was reporting's `approve_roundset`), granted by roles sync (`setup_roles`).
The data migration that copied the old grants went with the migrations' squash (issue 17)."""

import pytest

from access.permissions import ZONE_ADMINISTRATOR_PERMISSION, is_zone_administrator

pytestmark = pytest.mark.django_db


def test_it_is_the_zone_administrators_and_no_one_elses(zone_admin, data_entry_user, viewer):
    assert ZONE_ADMINISTRATOR_PERMISSION == "access.administer_zone"
    assert is_zone_administrator(zone_admin)
    assert not is_zone_administrator(data_entry_user) and not is_zone_administrator(viewer)
