"""Admin for agencies, indicators with their figures, and the figures' revisions (read only)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from access.read_only_admin import ReadOnlyAdminMixin
from targets import permissions, selectors, services, validation
from targets.admin.base import ServiceAdmin, Writes, _quantity
from targets.models import Agency, Indicator, Observation, ObservationRevision
from targets.review import UNDER_REVIEW


class UnderReviewRefusalMixin:
    """A figure held by a submitted reporting set is frozen (`targets.review`): the services
    refuse the write with ValidationError "under_review" from inside the admin's transaction,
    which rolls everything back. Shown here as the admin's error message on the page the person
    came from, instead of a server error; nothing was changed."""

    def _refusing_under_review(self, request, call):
        from django.contrib import messages
        from django.http import HttpResponseRedirect

        try:
            return call()
        except ValidationError as error:
            if getattr(error, "code", None) != UNDER_REVIEW:
                raise
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusing_under_review(
            request, lambda: super(UnderReviewRefusalMixin, self).changeform_view(request, object_id, form_url,
                                                                                  extra_context))

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusing_under_review(
            request, lambda: super(UnderReviewRefusalMixin, self).delete_view(request, object_id, extra_context))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        return self._refusing_under_review(
            request, lambda: super(UnderReviewRefusalMixin, self).history_form_view(request, object_id, version_id,
                                                                                    extra_context))

    def response_action(self, request, queryset):
        return self._refusing_under_review(
            request, lambda: super(UnderReviewRefusalMixin, self).response_action(request, queryset))


def _visible_figures(queryset, user):
    """The figures of `queryset` that `user` may see (`permissions.pending_figures_agency_ids`):
    another agency's drafts stay out of the list, the change form and the indicator's page."""
    agency_ids = permissions.pending_figures_agency_ids(user)
    if agency_ids is None:
        return queryset
    return queryset & selectors.observations_visible(pending_agency_ids=agency_ids)


class IndicatorSplitForm(forms.Form):
    code = forms.SlugField(label=_("code of the new indicator"), max_length=60)
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=300)
    name_en = forms.CharField(label=_("name (English)"), max_length=300)
    scope = forms.ChoiceField(
        label=_("the definition that breaks away"),
        help_text=_("Its figures and the targets that count it move to the new indicator, whose own scope it becomes."),
    )
    since = forms.DateField(
        label=_("from the period ending"), required=False,
        help_text=_("Empty: every figure of that definition. Otherwise only figures for periods ending on or after it."),
    )

    def __init__(self, *args, scopes: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [(scope, scope) for scope in scopes]


class ObservationForm(forms.ModelForm):
    """The change form and the indicator page's inline. `is_synthetic` is shown read-only, and
    a hand-made POST that carries it anyway is refused rather than silently ignored; a figure
    far outside what its indicator allows asks for the confirmation box (targets.validation)."""

    confirm_outlier = forms.BooleanField(
        label=_("confirm this figure"), required=False,
        help_text=_("Tick to save a figure that looks implausible (see the warning) but is right."),
    )

    def clean(self):
        try:
            validation.validate_synthetic_flag_absent(self.data, key=self.add_prefix("is_synthetic"))
        except ValidationError as error:
            # The field is not on this form, so the message goes to the form as a whole.
            raise ValidationError(error.messages) from None
        return super().clean()

    def _post_clean(self):
        super()._post_clean()
        if not self.errors:
            try:
                validation.validate_plausible(self.instance, confirmed=self.cleaned_data.get("confirm_outlier", False))
            except ValidationError as error:
                self._update_errors(error)


class ObservationInlineFormSet(BaseInlineFormSet):
    """Two rows of one form for the same period get the project's duplicate message
    (targets.validation), also when a row has another error; never Django's generic
    "Please correct the duplicate data for period_end"."""

    def validate_unique(self):
        seen = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            period_end = form.cleaned_data.get("period_end")
            if period_end is None or "period_end" in form.errors:
                continue
            if period_end in seen:
                value = seen[period_end].cleaned_data.get("value")
                error = validation.observation_duplicate_error(
                    indicator=self.instance, period_end=period_end,
                    value="—" if value is None else f"{value.normalize():f}")
                form.add_error("period_end", error.message_dict["period_end"])
            else:
                seen[period_end] = form
        # The rows' other unique rules (none today) still go through Django's check.
        super().validate_unique()


class ObservationInline(admin.StackedInline):
    model = Observation
    form = ObservationForm
    formset = ObservationInlineFormSet
    extra = 0
    fields = (
        ("period_end", "value", "qualifier"), "scope",
        ("source_title", "source_url"),
        "quote", "definition_note", ("confidence", "confidence_note"), ("status", "is_synthetic"), "confirm_outlier",
    )
    readonly_fields = ("status", "is_synthetic")

    def get_queryset(self, request):
        return _visible_figures(super().get_queryset(request), request.user)
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["value"].help_text = _("In %(unit)s.") % {"unit": obj.get_unit_display()}
        return formset


@admin.register(Indicator)
class IndicatorAdmin(UnderReviewRefusalMixin, ServiceAdmin):
    list_display = ("code", "__str__", "unit", "kind", "scope", "reporting_period", "agency", "agency_provisional")
    list_filter = ("kind", "unit", "reporting_period", "agency", "agency_provisional")
    list_select_related = ("agency",)
    search_fields = ("code", "name_zh", "name_en", "definition_zh", "definition_en")
    inlines = [ObservationInline]
    fieldsets = (
        (None, {"fields": ("code", ("name_zh", "name_en"), "zh_is_translation", "unit", "kind",
                           "reporting_period", ("agency", "agency_provisional"))}),
        (_("Definition"), {"fields": ("scope", "definition_zh", "definition_en")}),
    )

    actions = ["split_indicator"]

    service_module = services
    writes = {
        Indicator: Writes("indicator", "indicator_save"),
        Observation: Writes("observation", "observation_save", "observation_delete", with_user=True),
    }

    def get_urls(self):
        from django.urls import path

        return [
            path("<path:object_id>/split/", self.admin_site.admin_view(self.split_view), name="targets_indicator_split"),
            *super().get_urls(),
        ]

    def may_split(self, request) -> bool:
        return request.user.is_active and request.user.has_perms(services.SPLIT_PERMISSIONS)

    @admin.action(description=_("Split the selected indicator at a break in its definition"))
    def split_indicator(self, request, queryset):
        from django.contrib import messages
        from django.shortcuts import redirect

        if not self.may_split(request):
            raise PermissionDenied
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one indicator to split."), messages.ERROR)
            return None
        return redirect("admin:targets_indicator_split", queryset.get().pk)

    def split_view(self, request, object_id):
        """A form: the new indicator's code and names, the definition (scope) that breaks away,
        and optionally the first period it covers; then `services.indicator_split`."""
        from django.contrib.admin.utils import unquote
        from django.http import Http404
        from django.shortcuts import redirect
        from django.template.response import TemplateResponse

        if not self.may_split(request):
            raise PermissionDenied
        indicator = self.get_object(request, unquote(object_id))
        if indicator is None:
            raise Http404(_("No such indicator."))
        scopes = sorted({o or indicator.scope for o in indicator.observations.values_list("scope", flat=True)}
                        | {t or indicator.scope for t in indicator.targets.values_list("scope", flat=True)})
        form = IndicatorSplitForm(request.POST or None, scopes=[s for s in scopes if s != indicator.scope])
        if request.method == "POST" and form.is_valid():
            try:
                new = services.indicator_split(indicator=indicator, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, field_messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_messages)
            else:
                self.message_user(request, _("“%(old)s” was split: “%(new)s” now holds the figures and targets of "
                                             "its definition.") % {"old": indicator, "new": new})
                return redirect("admin:targets_indicator_change", new.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": indicator,
                   "form": form, "title": _("Split “%(indicator)s”") % {"indicator": indicator}}
        return TemplateResponse(request, "admin/targets/indicator/split.html", context,
                                status=400 if request.method == "POST" else 200)

    def save_formset(self, request, form, formset, change):
        # Not the base's: each row passes its own "confirm outlier" to the service.
        changed = formset.save(commit=False)
        for observation in formset.deleted_objects:
            services.observation_delete(observation=observation, user=request.user)
        for form_of_row in formset.forms:
            observation = form_of_row.instance
            if observation in changed:
                services.observation_save(
                    observation=observation, user=request.user,
                    confirm_outlier=form_of_row.cleaned_data.get("confirm_outlier", False),
                )


@admin.register(Observation)
class ObservationAdmin(UnderReviewRefusalMixin, ServiceAdmin):
    list_display = (
        "indicator", "period_end", "value_with_unit", "status_shown", "qualifier", "scope", "confidence",
        "is_synthetic", "source_title", "entered_by", "entered_at",
    )
    list_filter = ("status", "indicator", "indicator__agency", "indicator__unit", "qualifier", "confidence",
                   "is_synthetic")
    search_fields = ("indicator__code", "indicator__name_zh", "indicator__name_en", "source_title", "quote")
    list_select_related = ("indicator", "entered_by")
    date_hierarchy = "period_end"
    form = ObservationForm
    autocomplete_fields = ("indicator",)
    readonly_fields = ("status", "approved_by", "approved_at", "revisions_shown", "is_synthetic", "entered_by",
                       "entered_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("indicator", ("period_end", "value", "qualifier"), "scope", "confirm_outlier")}),
        (_("Source"), {"fields": ("source_title", "source_url", "quote", "definition_note", ("confidence", "confidence_note"))}),
        (_("Approval"), {
            "fields": ("status", ("approved_by", "approved_at"), "revisions_shown"),
            "description": _("A data-entry user's figure is submitted and counts once a zone administrator "
                             "approves it (the list's action, or the reporting round); a zone administrator's "
                             "figure is approved at once."),
        }),
        (_("Record"), {"fields": ("is_synthetic", "entered_by", "entered_at", "updated_at")}),
    )
    actions = ["approve_selected"]

    def get_queryset(self, request):
        return _visible_figures(super().get_queryset(request), request.user)

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # simple_history shows a figure's versions from its history table, not through
        # get_queryset: another agency's unapproved figure (or version) is refused there too.
        return super().has_view_history_or_change_history_permission(request, obj) and (
            obj is None or permissions.may_see_figure(request.user, obj))

    @admin.display(description=_("value"), ordering="value")
    def value_with_unit(self, obj):
        return _quantity(obj.value, obj.indicator.unit)

    @admin.display(description=_("approval status"), ordering="status")
    def status_shown(self, obj):
        # Drafts and submitted figures are marked: they count nowhere until approved.
        if obj.status == Observation.Status.APPROVED:
            return obj.get_status_display()
        return f"⚠ {obj.get_status_display()}"

    @admin.display(description=_("revisions"))
    def revisions_shown(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        from django.utils.html import format_html_join
        from django.utils.safestring import mark_safe

        revisions = obj.revisions.select_related("observation__indicator")
        return format_html_join(mark_safe("<br>"), "{}", ((revision.describe(),) for revision in revisions)) or "—"

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not permissions.is_zone_administrator(request.user):
            actions.pop("approve_selected", None)
        return actions

    @admin.action(description=_("Approve the selected submitted figures (a figure beside an approved one revises it)"))
    def approve_selected(self, request, queryset):
        from django.contrib import messages

        if not permissions.is_zone_administrator(request.user):
            raise PermissionDenied
        # Submitted ones only: a draft is still being written (in a reporting round, its agency's).
        pending = list(queryset.filter(status=Observation.Status.SUBMITTED))
        try:
            for observation in pending:
                services.observation_approve(observation=observation, user=request.user)
        except ValidationError as error:
            # response_action runs in one transaction (HistoryAdmin): raising undoes every approval.
            if getattr(error, "code", None) == UNDER_REVIEW:
                raise  # a figure of a submitted set is approved with its set (UnderReviewRefusalMixin says so)
            raise PermissionDenied(" ".join(error.messages)) from None
        self.message_user(request, _("%(count)d figures approved.") % {"count": len(pending)}, messages.SUCCESS)

    def get_readonly_fields(self, request, obj=None):
        # A figure stays with its indicator (targets.validation): not offered on the change form.
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, "indicator") if obj is not None else readonly

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "value" in form.base_fields:
            form.base_fields["value"].help_text = (
                _("In %(unit)s.") % {"unit": obj.indicator.get_unit_display()} if obj
                else _("In the indicator's unit (shown in the indicator list); money in 亿元 (100 million RMB).")
            )
        return form

    service_module = services
    writes = {Observation: Writes("observation", "observation_save", "observation_delete",
                                  with_user=True, related=("indicator",))}

    def save_model(self, request, obj, form, change):
        # Not the base's: the form's "confirm outlier" goes to the service.
        services.observation_save(observation=obj, user=request.user,
                                  confirm_outlier=form.cleaned_data.get("confirm_outlier", False))


@admin.register(Agency)
class AgencyAdmin(ServiceAdmin):
    list_display = ("code", "__str__", "short_name_zh", "short_name_en", "contact_email")
    search_fields = ("code", "name_zh", "name_en", "short_name_zh", "short_name_en")
    filter_horizontal = ("members",)
    fields = ("code", ("name_zh", "name_en"), ("short_name_zh", "short_name_en"), "contact_email", "members")

    service_module = services
    writes = {Agency: Writes("agency", "agency_save")}


@admin.register(ObservationRevision)
class ObservationRevisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: revisions are written by the approval of a changed figure."""

    list_display = ("observation", "previous_value", "new_value", "revised_at", "revised_by", "reason")
    list_filter = ("observation__indicator",)
    list_select_related = ("observation__indicator", "revised_by")
    search_fields = ("observation__indicator__code", "reason")
    date_hierarchy = "revised_at"
