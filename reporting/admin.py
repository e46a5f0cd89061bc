"""Admin for reporting rounds: zone administrators open a round and follow its sets and their
audit here; the sets' states change only through `reporting.services` (the pages and the API),
so the sets are shown read only."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from access.permissions import is_zone_administrator
from access.read_only_admin import ReadOnlyAdminMixin
from reporting import services
from reporting.models import ReminderSent, RevisionRound, Round, RoundSet, RoundState, RoundStateChange, StateChange
from reporting.selectors import round_status


class RoundSetInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RoundSet
    extra = 0
    can_delete = False
    fields = ("agency", "state", "version", "submitted_at", "submitted_by", "approved_at", "approved_by")
    readonly_fields = fields
    show_change_link = False


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("code", "__str__", "plan", "period_end", "opens_on", "due_on", "grace_days", "round_state")
    list_filter = ("plan",)
    search_fields = ("code", "name_zh", "name_en")
    date_hierarchy = "period_end"
    filter_horizontal = ("indicators",)
    inlines = [RoundSetInline]
    fields = ("code", ("name_zh", "name_en"), "plan", ("period_start", "period_end"), ("opens_on", "due_on"),
              "grace_days", "round_state", "indicators", "state_audit", "audit")
    readonly_fields = ("round_state", "state_audit", "audit")
    actions = ["close_rounds", "reopen_rounds"]

    def get_inlines(self, request, obj):
        # The sets exist once the round does (round_create makes them).
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        # What the sets were built from stays as it was: a new period or other indicators is a
        # new round. Names and dates may change.
        if obj is not None:
            return ("code", "plan", "period_start", "period_end", "indicators", "round_state", "state_audit", "audit")
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "grace_days" in form.base_fields:
            form.base_fields["grace_days"].required = False  # left empty: no grace period
        if obj is None and "indicators" in form.base_fields:
            form.base_fields["indicators"].required = False
            form.base_fields["indicators"].help_text = _(
                "Empty: every indicator of the plan (or of the plans in force) reported for a period ending on "
                "the period end; one set per responsible agency is created.")
        return form

    def has_add_permission(self, request):
        return is_zone_administrator(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_zone_administrator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # A round's audit and the figures' link to it are the record of the collection.
        return False

    def save_model(self, request, obj, form, change):
        if obj.grace_days is None:
            obj.grace_days = 0
        if change:
            services.round_update(round_=obj, user=request.user)
            return
        created = services.round_create(
            code=obj.code, name_zh=obj.name_zh, name_en=obj.name_en, plan=obj.plan, period_start=obj.period_start,
            period_end=obj.period_end, opens_on=obj.opens_on, due_on=obj.due_on, grace_days=obj.grace_days,
            indicators=list(form.cleaned_data.get("indicators") or []) or None, user=request.user,
        )
        obj.pk, obj._state.adding = created.pk, False

    def save_related(self, request, form, formsets, change):
        # The service set the indicators and created the sets; the inline is read only.
        return

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as error:
            # round_create's own checks (no indicator, one without an agency) as a message.
            from django.contrib import messages
            from django.shortcuts import redirect

            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.get_full_path())

    @admin.display(description=_("state"))
    def round_state(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        status = round_status(obj)
        return RoundState(status.state).label

    def _round_action(self, request, queryset, act, done):
        """Runs `act` on each selected round through its service; a refusal is a message."""
        changed = 0
        for round_ in queryset.order_by("code"):
            try:
                act(round_)
            except PermissionDenied as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return
            except ValidationError as error:
                self.message_user(request, f"{round_.code}: {' '.join(error.messages)}", messages.WARNING)
                continue
            changed += 1
        if changed:
            self.message_user(request, done % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Close the selected rounds now"))
    def close_rounds(self, request, queryset):
        self._round_action(request, queryset, lambda round_: services.round_close(round_=round_, user=request.user),
                           _("%(count)d round(s) closed."))

    @admin.action(description=_("Reopen the selected rounds (until an administrator closes them)"))
    def reopen_rounds(self, request, queryset):
        self._round_action(request, queryset, lambda round_: services.round_reopen(round_=round_, user=request.user),
                           _("%(count)d round(s) reopened."))

    def get_actions(self, request):
        # Closing and reopening are the zone administrator's (the services check it again).
        actions = super().get_actions(request)
        if not is_zone_administrator(request.user):
            actions.pop("close_rounds", None)
            actions.pop("reopen_rounds", None)
        return actions

    @admin.display(description=_("audit: closing and reopening"))
    def state_audit(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        changes = RoundStateChange.objects.filter(round=obj).select_related("actor").order_by("at", "id")
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (change.at.strftime("%Y-%m-%d %H:%M"), change.get_from_state_display(), change.get_to_state_display(),
                 change.reopened_until or "—", change.actor or "—", change.comment)
                for change in changes
            ),
        )
        return format_html("<table>{}</table>", rows) if rows else "—"

    @admin.display(description=_("audit: every state change"))
    def audit(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        changes = StateChange.objects.filter(set__round=obj).select_related(
            "set__agency", "actor", "entry__indicator").order_by("at", "id")
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
            (
                (change.at.strftime("%Y-%m-%d %H:%M"), change.set.agency.code,
                 change.entry.indicator.code if change.entry_id else "—", change.get_from_state_display(),
                 change.get_to_state_display(), change.actor or "—", change.comment)
                for change in changes
            ),
        )
        return format_html("<table>{}</table>", rows) if rows else "—"


@admin.register(RevisionRound)
class RevisionRoundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: written by a set's approval that revised an approved figure."""

    list_display = ("revision", "round")
    list_filter = ("round",)
    list_select_related = ("revision__observation__indicator", "round")
    search_fields = ("revision__observation__indicator__code", "round__code")


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: written by the reminder job."""

    list_display = ("round", "agency", "kind", "sent_on")
    list_filter = ("round", "agency", "kind")
