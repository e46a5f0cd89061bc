"""What "changed" means for each API list: the parts of its ETag (`api.conditional`) and
the version its cached bytes are kept under (`api.listcache`). Each costs one small read."""

from api.conditional import freshness
from targets import permissions, selectors
from targets.progress.dates import zone_today


def plans_changed(request) -> tuple:
    # One rule for targets and snapshots: they belong to a plan, and every change to them (or
    # to the figures they read) bumps its plan's data version in the change's own transaction.
    return selectors.plans_data_versions()


def observations_changed(request) -> tuple:
    # From the figures this reader may see: another agency's draft moves no one else's ETag.
    # A reader who sees approved figures only: their version, which reads no figure.
    pending_agency_ids = permissions.pending_figures_agency_ids(getattr(request, "user", None))
    if pending_agency_ids == frozenset():
        return selectors.published_figures_version()
    return selectors.observations_last_changed(pending_agency_ids=pending_agency_ids)


def published_observations_changed(request) -> tuple:
    # A target's figures are the approved ones (selectors.observations_of), for every reader;
    # so are an indicator's in the list of indicators.
    return selectors.published_figures_version()


def shared_list(changed):
    """A list's `list_version` (`api.pagination.ListMixin`): `changed`'s parts and today's
    date (a plan's status is of today) for a reader who sees approved figures only, who then
    shares the cached list with every such reader; None for a reader who may see unapproved
    figures (a zone administrator, an agency's data entry), whose list is read for them."""

    def version(request) -> tuple | None:
        if permissions.pending_figures_agency_ids(getattr(request, "user", None)) != frozenset():
            return None
        return (*freshness(request, changed), zone_today())

    return staticmethod(version)
