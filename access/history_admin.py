"""The admin base for every model with a change history (django-simple-history).

simple_history's history form (`<id>/history/<history_id>/`) is a change form: posted,
it saves the old version over the record. The library lets anyone who may *view* the
record post it; here posting needs what the change form needs, and everyone else sees
the old version read-only, as Django's own change form shows it to a viewer.
"""

from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose revert needs the change permission (403 otherwise).

    A revert saves through the admin's own `save_model` (and so through the same service
    as the change form), in one transaction. List actions ("delete selected") run in one
    transaction too, so that a record the services refuse half-way leaves nothing done,
    not even the log entries written before the deletions.
    """

    def response_action(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        historical = self._historical_record(object_id, version_id)
        if request.method not in ("GET", "HEAD"):
            if not self.may_revert(request, historical.instance):
                raise PermissionDenied
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().history_form_view(request, object_id, version_id, extra_context)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def may_revert(self, request, obj) -> bool:
        """The change form's permission; restoring a record deleted since also needs the add
        permission, because the save creates it again."""
        if not self.has_change_permission(request, obj):
            return False
        exists = self.model._default_manager.filter(pk=obj.pk).exists()
        return exists or self.has_add_permission(request)

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.may_revert(request, obj)

    def render_history_view(self, request, template, context, **kwargs):
        obj = context.get("original")
        if template == self.object_history_form_template and obj is not None and not self.may_revert(request, obj):
            context["adminform"] = self._read_only_form(request, obj)
        return super().render_history_view(request, template, context, **kwargs)

    def _read_only_form(self, request, obj):
        # As Django's change view builds it for a user who may only view: a form without
        # fields, every field of the fieldsets shown as text.
        fieldsets = list(self.get_fieldsets(request, obj))
        form_class = self.get_form(request, obj, change=True, fields=flatten_fieldsets(fieldsets))
        return helpers.AdminForm(
            form_class(instance=obj), fieldsets, {}, flatten_fieldsets(fieldsets), model_admin=self
        )

    def _historical_record(self, object_id, version_id):
        """The historical row, or 404 — also for ids that are not numbers (the URL takes
        any text), which would otherwise fail in the database query."""
        history_model = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        pk_field = self.model._meta.pk
        try:
            pk = pk_field.to_python(unquote(object_id))
            history_id = history_model._meta.pk.to_python(version_id)
        except ValidationError:
            raise Http404 from None
        record = history_model._default_manager.filter(**{pk_field.attname: pk, "history_id": history_id}).first()
        if record is None:
            raise Http404
        return record
