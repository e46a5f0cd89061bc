"""API views of reporting rounds: rounds with their sets, rows and audit; one agency's set;
its actions (save, submit, approve, return) through `reporting.services`.

Reading needs a signed-in user who may view rounds (every role): the sets name the people who
acted. Acting needs what the service checks (`reporting.permissions`): membership of the set's
agency for save and submit, the zone administrator's role for approve and return.

A round's own actions, close and reopen, are the zone administrator's (`access.permissions`).
A closed round refuses save and submit with 409 and who can reopen it; approval and return
of submitted sets go on.

Answers: 200 with the set after an action; a repeat of one's own submit or approval (same
version as the first time) is answered 200 with the set unchanged. 409 when the set moved on
(a stale version: someone else acted first; or the set is not in a state that allows the
action, e.g. approving an approved set); 400 for bad input (no version, no comment, a bad
row: keys "<indicator code>.<field>"); 403 without the permission.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions as drf_permissions
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.errors import CONFLICT_CODES as SERVICE_CONFLICT_CODES
from api.errors import Conflict, validation_error_detail
from api.pagination import ListMixin
from api.params import CODE_OR_ID_PATTERN
from reporting import selectors, services
from reporting.api.serializers import (
    RoundCloseInputSerializer,
    RoundReopenInputSerializer,
    RoundSerializer,
    RoundSetSerializer,
    SetActionInputSerializer,
    SetApproveInputSerializer,
    SetReturnInputSerializer,
    SetSaveInputSerializer,
)
from reporting.models import Round

# A set that moved on: its state or version is not what the caller acted on.
# "changed_since_submission": the figures differ from what was submitted (return the set).
# A closed round, and closing or reopening a round already so, are conflicts with its state too.
CONFLICT_CODES = {"stale", "already_approved", "wrong_state", "not_editable", "changed_since_submission",
                  "round_closed", "already_closed", "not_closed", *SERVICE_CONFLICT_CODES}


class MayViewRounds(drf_permissions.BasePermission):
    """Reading: signed-in users holding the view permission on rounds (all three roles).
    Writing: any signed-in user; the service decides (403 from its PermissionDenied)."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in drf_permissions.SAFE_METHODS:
            return user.has_perm("reporting.view_round")
        return True


def _acted(call):
    """Runs a service action: its ValidationError becomes 409 (the set moved on) or 400."""
    try:
        return call()
    except DjangoValidationError as error:
        if getattr(error, "code", None) in CONFLICT_CODES:
            raise Conflict(" ".join(error.messages)) from error
        raise ValidationError(validation_error_detail(error)) from error


ROUND_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The round's code.")
AGENCY = OpenApiParameter("agency", str, OpenApiParameter.PATH, description="The agency's code.")


@extend_schema_view(retrieve=extend_schema(parameters=[ROUND_CODE]))
class RoundViewSet(ListMixin, viewsets.ReadOnlyModelViewSet):
    """Reporting rounds, newest period first, each with its agencies' sets, their rows and the
    audit of every state change."""

    serializer_class = RoundSerializer
    permission_classes = [MayViewRounds]
    lookup_field = "code"
    lookup_value_regex = CODE_OR_ID_PATTERN
    filter_backends = []

    def get_queryset(self):
        return selectors.rounds_with_detail()

    def _round_answer(self, round_):
        return Response(RoundSerializer(self.get_queryset().get(pk=round_.pk)).data)

    @extend_schema(parameters=[ROUND_CODE], request=RoundCloseInputSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        """Closes the round now (zone administrators; 403 for others, 409 when it is already
        closed): its sets take no more drafts or submissions."""
        round_ = get_object_or_404(Round, code=self.kwargs["code"])
        data = _valid(RoundCloseInputSerializer, request)
        return self._round_answer(_acted(lambda: services.round_close(
            round_=round_, user=request.user, comment=data.get("comment", ""))))

    @extend_schema(parameters=[ROUND_CODE], request=RoundReopenInputSerializer, responses=RoundSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        """Reopens a closed round, optionally until a day (zone administrators; 403 for others,
        409 when it is not closed)."""
        round_ = get_object_or_404(Round, code=self.kwargs["code"])
        data = _valid(RoundReopenInputSerializer, request)
        return self._round_answer(_acted(lambda: services.round_reopen(
            round_=round_, user=request.user, until=data.get("until"), comment=data.get("comment", ""))))


@extend_schema_view(
    retrieve=extend_schema(parameters=[ROUND_CODE, AGENCY]),
)
class RoundSetViewSet(viewsets.GenericViewSet):
    """One agency's set in a round, and its actions."""

    serializer_class = RoundSetSerializer
    permission_classes = [MayViewRounds]
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return selectors.round_sets_with_detail()

    def get_object(self):
        round_set = get_object_or_404(self.get_queryset(), round__code=self.kwargs["code"],
                                      agency__code=self.kwargs["agency"])
        self.check_object_permissions(self.request, round_set)
        return round_set

    def retrieve(self, request, *args, **kwargs):
        return Response(RoundSetSerializer(self.get_object()).data)

    def _answer(self, round_set):
        return Response(RoundSetSerializer(self.get_queryset().get(pk=round_set.pk)).data)

    @extend_schema(parameters=[ROUND_CODE, AGENCY], request=SetSaveInputSerializer, responses=RoundSetSerializer)
    @action(detail=True, methods=["post"])
    def save(self, request, *args, **kwargs):
        round_set = self.get_object()
        data = _valid(SetSaveInputSerializer, request)
        return self._answer(_acted(lambda: services.round_set_save_draft(
            round_set=round_set, rows=data["rows"], user=request.user, expected_version=data["version"])))

    @extend_schema(parameters=[ROUND_CODE, AGENCY], request=SetActionInputSerializer, responses=RoundSetSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        round_set = self.get_object()
        data = _valid(SetActionInputSerializer, request)
        return self._answer(_acted(lambda: services.round_set_submit(
            round_set=round_set, user=request.user, expected_version=data["version"])))

    @extend_schema(parameters=[ROUND_CODE, AGENCY], request=SetApproveInputSerializer, responses=RoundSetSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        round_set = self.get_object()
        data = _valid(SetApproveInputSerializer, request)
        return self._answer(_acted(lambda: services.round_set_approve(
            round_set=round_set, user=request.user, expected_version=data["version"], without=data.get("without"))))

    @extend_schema(parameters=[ROUND_CODE, AGENCY], request=SetReturnInputSerializer, responses=RoundSetSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, *args, **kwargs):
        round_set = self.get_object()
        data = _valid(SetReturnInputSerializer, request)
        return self._answer(_acted(lambda: services.round_set_return(
            round_set=round_set, user=request.user, expected_version=data["version"], comments=data["comments"])))


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
