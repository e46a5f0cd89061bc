"""API views for plans, objectives, targets, indicators, observations and snapshots.

Thin: reads go through `targets.selectors`, writes through `targets.services`, whose
ValidationError becomes a 400 (see `api.errors`).
"""


from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from api.conditional import conditional_on
from api.errors import service_errors
from api.pagination import ListMixin
from api.params import ID_PATTERN, CodeOrIdLookupMixin
from targets import permissions, selectors, services
from targets.api import filters
from targets.api.freshness import (
    observations_changed,
    plans_changed,
    published_observations_changed,
    shared_list,
)
from targets.api.serializers import (
    IndicatorSerializer,
    ObjectiveSerializer,
    ObservationInputSerializer,
    ObservationSerializer,
    PlanSerializer,
)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Plans")),
    retrieve=extend_schema(parameters=[OpenApiParameter("code_or_id", str, OpenApiParameter.PATH)]),
)
class PlanViewSet(ListMixin, CodeOrIdLookupMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filterset_class = filters.PlanFilter
    list_version = shared_list(plans_changed)
    ordering_fields = ["code", "published_on", "target_date"]

    def get_queryset(self):
        return selectors.plans_all()


class ObjectiveViewSet(ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ObjectiveSerializer
    filterset_class = filters.ObjectiveFilter
    list_version = shared_list(plans_changed)
    ordering_fields = ["number", "id"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        return selectors.objectives_all()


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("code_or_id", str, OpenApiParameter.PATH)]),
)
class IndicatorViewSet(ListMixin, CodeOrIdLookupMixin, viewsets.ReadOnlyModelViewSet):
    """Indicators: quantities measured over time, independent of any plan, each with its
    figures and the targets of every plan that use it."""

    serializer_class = IndicatorSerializer
    filterset_class = filters.IndicatorFilter
    # Each with its approved figures and its targets: the figures' version holds the plans'.
    list_version = shared_list(published_observations_changed)
    ordering_fields = ["code", "name_en", "name_zh"]

    def get_queryset(self):
        return selectors.indicators_all()


@conditional_on(observations_changed, name="list")
class ObservationViewSet(
    ListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Observations: the figures of indicators. Writing needs the data-entry role and, for a
    data-entry user, membership of the indicator's agency; their figure is *submitted* and
    counts once a zone administrator approves it (a change to an approved figure is stored as
    the proposal beside it and answered with that proposal). A zone administrator's write is
    approved at once. Unapproved figures are seen by zone administrators and by the data-entry
    members of the indicator's agency; everyone else sees approved figures only; `status` filters.
    A figure under review in a reporting round (its set submitted) is frozen: changing or
    deleting it, or adding one for its indicator and period, is a 409. A write asks for the recompute of every target on the indicator. A
    figure the plausibility check questions needs `"confirm_outlier": true`.

    PATCH changes the given fields; PUT is not offered (a figure stays with its indicator).
    """

    serializer_class = ObservationSerializer
    filterset_class = filters.ObservationFilter
    list_version = shared_list(observations_changed)
    ordering_fields = ["period_end", "value", "indicator__code", "updated_at"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self):
        # Drafts and submitted figures are not published: a zone administrator sees them all,
        # a data-entry user their own agency's; everyone else, approved figures only. Detail,
        # change and delete read through here too: another agency's draft is a 404.
        return selectors.observations_all(
            pending_agency_ids=permissions.pending_figures_agency_ids(self.request.user))

    def get_serializer_class(self):
        return ObservationInputSerializer if self.request.method in ("POST", "PATCH") else ObservationSerializer

    @extend_schema(request=ObservationInputSerializer, responses={201: ObservationSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ObservationInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        confirm = data.pop("confirm_outlier", False)
        with service_errors():
            observation = services.observation_create(**data, entered_by=request.user, confirm_outlier=confirm)
        return Response(ObservationSerializer(observation).data, status=201)

    @extend_schema(request=ObservationInputSerializer(partial=True), responses=ObservationSerializer)
    def partial_update(self, request, *args, **kwargs):
        observation = self.get_object()
        serializer = ObservationInputSerializer(observation, data=request.data, partial=True,
                                                context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        confirm = data.pop("confirm_outlier", False)
        with service_errors():
            observation = services.observation_update(observation=observation, data=data, user=request.user,
                                                      confirm_outlier=confirm)
        return Response(ObservationSerializer(observation).data)

    def perform_destroy(self, instance):
        with service_errors():
            services.observation_delete(observation=instance, user=self.request.user)
