"""API views for work areas, measures and measure updates (see targets.api.views)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from api.errors import service_errors
from api.pagination import ListMixin
from api.params import ID_PATTERN
from measures import selectors, services
from measures.api.filters import AreaFilter, MeasureFilter
from measures.api.serializers import AreaSerializer, MeasureSerializer, MeasureUpdateSerializer
from measures.models import Measure, MeasureUpdate
from targets.api.freshness import plans_changed, shared_list


class AreaViewSet(ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    list_version = shared_list(plans_changed)  # areas, measures and their updates bump their plan's version
    ordering_fields = ["number", "id"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return selectors.areas_all()


class MeasureViewSet(ListMixin, viewsets.ReadOnlyModelViewSet):
    """Measures with their updates. Updates are written at /measures/{id}/updates/."""

    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
    list_version = shared_list(plans_changed)
    ordering_fields = ["number", "status", "due_date"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return selectors.measures_with_updates()


MEASURE_ID = OpenApiParameter("measure_id", int, OpenApiParameter.PATH, description="The measure's id.")


@extend_schema_view(
    list=extend_schema(parameters=[MEASURE_ID]),
    create=extend_schema(parameters=[MEASURE_ID]),
    retrieve=extend_schema(parameters=[MEASURE_ID]),
    partial_update=extend_schema(parameters=[MEASURE_ID]),
    destroy=extend_schema(parameters=[MEASURE_ID]),
)
class MeasureUpdateViewSet(
    ListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A measure's dated updates. Writing needs the data-entry role; an update carrying a
    status moves the measure to it."""

    serializer_class = MeasureUpdateSerializer
    filter_backends = []
    lookup_value_regex = ID_PATTERN

    def get_measure(self) -> Measure:
        if not hasattr(self, "_measure"):
            self._measure = get_object_or_404(Measure, pk=self.kwargs["measure_id"])
        return self._measure

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no measure in the address
            return MeasureUpdate.objects.none()
        return selectors.measure_updates_of(measure=self.get_measure())

    def perform_create(self, serializer):
        with service_errors():
            serializer.instance = services.measure_update_create(
                measure=self.get_measure(), **serializer.validated_data, entered_by=self.request.user
            )

    def partial_update(self, request, *args, **kwargs):
        update = self.get_object()
        serializer = self.get_serializer(update, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for field, value in serializer.validated_data.items():
            setattr(update, field, value)
        with service_errors():
            update = services.measure_update_save(update=update, user=request.user)
        return Response(self.get_serializer(update).data)

    def perform_destroy(self, instance):
        with service_errors():
            services.measure_update_delete(update=instance, user=self.request.user)
