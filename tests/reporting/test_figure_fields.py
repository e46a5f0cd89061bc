"""A figure's editable fields are declared once (`Observation.EDITABLE_FIELDS`): the services,
the grid, the upload template and the API's input all take exactly those."""

from reporting import grid, uploads
from reporting.services import ROW_OBSERVATION_FIELDS
from targets.api.serializers import ObservationInputSerializer
from targets.models import Observation
from targets.services import OBSERVATION_FIELDS
from targets.services.observations import PROPOSAL_FIELDS


def test_every_entry_point_takes_the_declared_fields():
    declared = set(Observation.EDITABLE_FIELDS)
    assert set(OBSERVATION_FIELDS) == {"indicator", "period_end", *declared}
    assert set(PROPOSAL_FIELDS) == declared
    assert set(ROW_OBSERVATION_FIELDS) == declared
    assert set(grid.GRID_FIELDS) == {*declared, "revision_reason"}
    assert set(uploads.EDITABLE_FIELDS) == {*declared, "revision_reason"}
    assert declared <= set(ObservationInputSerializer.Meta.fields)
