"""API views for targets, each with its snapshot on an as-of date, and for the snapshots.

Thin: reads go through `snapshots.selectors` and `targets.selectors`. The targets' list lives
here, not in the core's API, because each target is shown with its snapshot (issue 17: the
core imports nothing above it).
"""

import datetime as dt
from functools import cached_property

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action

from api.conditional import conditional_on
from api.pagination import AsOfPagination, ListMixin
from api.params import ID_PATTERN, CodeOrIdLookupMixin, as_of_parameter, date_param
from snapshots import selectors
from snapshots.api import filters
from snapshots.api.serializers import (
    SnapshotDetailSerializer,
    SnapshotHistorySerializer,
    SnapshotSerializer,
    TargetDetailSerializer,
    TargetSerializer,
)
from targets import selectors as target_selectors
from targets.api.freshness import plans_changed, published_observations_changed, shared_list
from targets.api.serializers import ObservationSerializer

AS_OF_LATEST = gettext_lazy("As-of date (YYYY-MM-DD) of the snapshots shown; default: the newest date with snapshots.")


@extend_schema_view(
    list=extend_schema(parameters=[as_of_parameter(AS_OF_LATEST)]),
    retrieve=extend_schema(
        parameters=[as_of_parameter(AS_OF_LATEST), OpenApiParameter("code_or_id", str, OpenApiParameter.PATH)]
    ),
)
@conditional_on(plans_changed, name="list")
@conditional_on(plans_changed, name="snapshots")
@conditional_on(published_observations_changed, name="observations")
class TargetViewSet(ListMixin, CodeOrIdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Targets, each with its snapshot on the as-of date; their indicator's figures and their
    snapshot history. Codes are unique within a plan: filter by `plan` where two plans share one."""

    serializer_class = TargetSerializer
    filterset_class = filters.TargetFilter
    list_version = shared_list(plans_changed)
    ordering_fields = ["code", "order", "name_en", "name_zh", "target_value", "baseline_date"]
    # Read by the view itself, beside the filters (api.query).
    query_parameters = ("as_of",)

    @cached_property
    def as_of(self) -> dt.date | None:
        return date_param(self.request, "as_of") or selectors.snapshot_latest_date()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation reads no data
            return target_selectors.targets_all().none()
        if self.action in ("list", "retrieve"):
            return selectors.targets_with_snapshot(as_of=self.as_of)
        return target_selectors.targets_all()  # the address names a target; its snapshot is not shown

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TargetDetailSerializer
        return self.serializer_class

    def get_object(self):
        target = super().get_object()
        target.items_in_order = target_selectors.target_items_of(target=target)
        return target

    @extend_schema(
        summary=gettext_lazy("The figures of a target's indicator (every scope; `other_scope` marks context)"),
        parameters=[OpenApiParameter("code_or_id", str, OpenApiParameter.PATH)],
        responses=ObservationSerializer(many=True),  # a page of them, like every list
    )
    @action(detail=True, methods=["get"], serializer_class=ObservationSerializer, filter_backends=[],
            query_parameters=())
    def observations(self, request, code_or_id=None):
        target = self.get_object()
        return self.list_response(target_selectors.observations_of(target=target))

    @extend_schema(
        summary=gettext_lazy("A target's snapshot history"),
        parameters=[
            OpenApiParameter("code_or_id", str, OpenApiParameter.PATH),
            OpenApiParameter("since", OpenApiTypes.DATE, description=gettext_lazy("First as-of date (inclusive).")),
            OpenApiParameter("until", OpenApiTypes.DATE, description=gettext_lazy("Last as-of date (inclusive).")),
        ],
        responses=SnapshotHistorySerializer(many=True),
    )
    @action(
        detail=True, methods=["get"], serializer_class=SnapshotHistorySerializer, filter_backends=[],
        query_parameters=("since", "until"),
    )
    def snapshots(self, request, code_or_id=None):
        since, until = date_param(request, "since"), date_param(request, "until")
        target = self.get_object()
        return self.list_response(
            selectors.snapshot_history(target=target, since=since, until=until).select_related("target")
        )


@extend_schema_view(
    list=extend_schema(
        parameters=[as_of_parameter(gettext_lazy(
            "As-of date (YYYY-MM-DD); default: the newest date with snapshots. A date with no "
            "snapshots gives an empty list, with the date in `as_of`."
        ))],
    ),
)
@conditional_on(plans_changed, name="list")
class SnapshotViewSet(ListMixin, viewsets.ReadOnlyModelViewSet):
    """Snapshots of every target on one as-of date. Written only by the progress engine."""

    serializer_class = SnapshotSerializer
    filterset_class = filters.SnapshotFilter
    list_version = shared_list(plans_changed)
    pagination_class = AsOfPagination
    ordering_fields = ["target__code", "status", "progress", "expected", "ratio"]
    query_parameters = ("as_of",)
    lookup_value_regex = ID_PATTERN

    @cached_property
    def as_of(self) -> dt.date | None:
        return date_param(self.request, "as_of") or selectors.snapshot_latest_date()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation reads no data
            return selectors.snapshots_all().none()
        if self.action == "list":
            if self.as_of is None:
                return selectors.snapshots_all().none()
            return selectors.snapshots_on(as_of=self.as_of)
        return selectors.snapshots_all()

    def get_serializer_class(self):
        return SnapshotDetailSerializer if self.action == "retrieve" else SnapshotSerializer

    def paginate_queryset(self, queryset):
        if self.paginator is not None:
            self.paginator.as_of = self.as_of
        return super().paginate_queryset(queryset)
