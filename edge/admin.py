"""Admin pieces that answer hand-made ids with a form error or a 404 instead of a 500.

`KeyInputAdminMixin` goes first in the bases of every admin of ours that has foreign keys or
a change history (targets.admin, measures.admin).
"""

from django.contrib.admin import widgets
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import Http404


def is_key(field, value) -> bool:
    """Whether `value` could be a value of the model field `field` (a primary or other key):
    of the right type and, for integers, within the database column's range."""
    try:
        field.run_validators(field.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    return True


class AutocompleteSelect(widgets.AutocompleteSelect):
    """Django's autocomplete widget shows the chosen row again when a form comes back with
    errors, by looking the raw value up: `target=abc` raised ValueError there (a 500)
    although the form had already said "Select a valid choice". Values that cannot be a key
    are left out; the field's own error is shown."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key_field = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, [v for v in value if v in ("", None) or is_key(key_field, v)], attr)


class KeyInputAdminMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # django-simple-history's pages look the ids in their address up unchecked:
    # /history/abc/ raised ValueError.
    def history_view(self, request, object_id, extra_context=None):
        if not is_key(self.model._meta.pk, unquote(object_id)):
            raise Http404
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        if not (is_key(self.model._meta.pk, unquote(object_id)) and is_key(history._meta.pk, version_id)):
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)
