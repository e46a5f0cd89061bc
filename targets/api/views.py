"""API views for plans, objectives, targets, progress entries and snapshots.

Thin: reads go through `targets.selectors`, writes through `targets.services`, whose
ValidationError becomes a 400 (see `api.errors`).
"""

import datetime as dt
from functools import cached_property

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.conditional import conditional_on
from api.errors import service_errors
from api.pagination import AsOfPagination, ListMixin
from api.params import ID_PATTERN, CodeOrIdLookupMixin, as_of_parameter, date_param
from targets import selectors, services
from targets.api import filters
from targets.api.serializers import (
    EntrySerializer,
    ObjectiveSerializer,
    PlanSerializer,
    SnapshotDetailSerializer,
    SnapshotHistorySerializer,
    SnapshotSerializer,
    TargetDetailSerializer,
    TargetSerializer,
)


def plans_changed() -> tuple:
    # One rule for every list here: targets, figures and snapshots all belong to a plan, and
    # every change to them bumps its plan's data version in the change's own transaction.
    return selectors.plans_data_versions()


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Plans")),
    retrieve=extend_schema(parameters=[OpenApiParameter("code_or_id", str, OpenApiParameter.PATH)]),
)
class PlanViewSet(ListMixin, CodeOrIdLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filterset_class = filters.PlanFilter
    ordering_fields = ["code", "published_on", "target_date"]

    def get_queryset(self):
        return selectors.plans_all()


class ObjectiveViewSet(ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ObjectiveSerializer
    filterset_class = filters.ObjectiveFilter
    ordering_fields = ["number", "id"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return selectors.objectives_all()


AS_OF_LATEST = gettext_lazy("As-of date (YYYY-MM-DD) of the snapshots shown; default: the newest date with snapshots.")


@extend_schema_view(
    list=extend_schema(parameters=[as_of_parameter(AS_OF_LATEST)]),
    retrieve=extend_schema(
        parameters=[as_of_parameter(AS_OF_LATEST), OpenApiParameter("code_or_id", str, OpenApiParameter.PATH)]
    ),
)
@conditional_on(plans_changed, name="list")
@conditional_on(plans_changed, name="snapshots")
@conditional_on(plans_changed, name="entries")
class TargetViewSet(ListMixin, CodeOrIdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Targets, each with its snapshot on the as-of date; their entries and snapshot history."""

    serializer_class = TargetSerializer
    filterset_class = filters.TargetFilter
    ordering_fields = ["code", "order", "name_en", "name_zh", "target_value", "baseline_date"]
    # Read by the view itself, beside the filters (api.query).
    query_parameters = ("as_of",)

    @cached_property
    def as_of(self) -> dt.date | None:
        return date_param(self.request, "as_of") or selectors.snapshot_latest_date()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation reads no data
            return selectors.targets_all().none()
        if self.action in ("list", "retrieve"):
            return selectors.targets_with_snapshot(as_of=self.as_of)
        return selectors.targets_all()  # the address names a target; its snapshot is not shown

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TargetDetailSerializer
        return self.serializer_class

    def get_object(self):
        target = super().get_object()
        target.items_in_order = selectors.target_items_of(target=target)
        return target

    @extend_schema(
        summary=gettext_lazy("A target's progress entries"),
        parameters=[OpenApiParameter("code_or_id", str, OpenApiParameter.PATH)],
        responses=EntrySerializer(many=True),  # a page of them, like every list
    )
    @action(detail=True, methods=["get"], serializer_class=EntrySerializer, filter_backends=[], query_parameters=())
    def entries(self, request, code_or_id=None):
        target = self.get_object()
        return self.list_response(selectors.entries_of(target=target).select_related("target"))

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


@conditional_on(plans_changed, name="list")
class EntryViewSet(
    ListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Progress entries. Writing needs the data-entry role; a write queues the recompute.

    PATCH changes the given fields; PUT is not offered (an entry's target cannot change).
    """

    serializer_class = EntrySerializer
    filterset_class = filters.EntryFilter
    ordering_fields = ["period_end", "value", "target__code", "updated_at"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return selectors.entries_all()

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.progress_entry_create(
                **serializer.validated_data, entered_by=self.request.user
            )

    @extend_schema(request=EntrySerializer(partial=True))
    def partial_update(self, request, *args, **kwargs):
        entry = self.get_object()
        serializer = self.get_serializer(entry, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            entry = services.progress_entry_update(entry=entry, data=serializer.validated_data, user=request.user)
        return Response(self.get_serializer(entry).data)

    def perform_destroy(self, instance):
        with service_errors():
            services.progress_entry_delete(entry=instance, user=self.request.user)


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


