"""What the targets app's model admins share: the quantity shown in the unit, and the base
whose saves and deletes go through the services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from access.history_admin import HistoryAdmin
from edge.admin import KeyInputAdminMixin
from targets.language import active_language
from targets.units import format_quantity


def _quantity(value, unit):
    return format_quantity(value, unit, active_language())


@dataclass(frozen=True)
class Writes:
    """How the admin writes one model: `save` and `delete` are its services, called with the
    object as `keyword` (and the signed-in person as `user` when `with_user`). `related` is
    what a bulk delete reads with each object (the services follow those relations)."""

    keyword: str
    save: Callable[..., object]
    delete: Callable[..., object] | None = None
    with_user: bool = False
    related: tuple[str, ...] = ()

    def arguments(self, obj, request) -> dict:
        return {self.keyword: obj, **({"user": request.user} if self.with_user else {})}


class ServiceAdmin(KeyInputAdminMixin, HistoryAdmin):
    """A model admin whose every write goes through the services named in `writes` (by model:
    the page's own and its inlines'): a save, a delete, each object of a bulk delete and each
    row of an inline, one at a time, so that each gets the services' rules and follow-up (the
    recompute requests) as through the API. A model with no delete service is deleted the
    admin's way."""

    writes: dict[type, Writes] = {}

    def save_model(self, request, obj, form, change):
        writes = self.writes[type(obj)]
        writes.save(**writes.arguments(obj, request))

    def delete_model(self, request, obj):
        writes = self.writes[type(obj)]
        if writes.delete is None:
            return super().delete_model(request, obj)
        writes.delete(**writes.arguments(obj, request))

    def delete_queryset(self, request, queryset):
        writes = self.writes[queryset.model]
        if writes.delete is None:
            return super().delete_queryset(request, queryset)
        for obj in queryset.select_related(*writes.related) if writes.related else queryset:
            writes.delete(**writes.arguments(obj, request))

    def save_formset(self, request, form, formset, change):
        writes = self.writes[formset.model]
        changed = formset.save(commit=False)  # what fills formset.deleted_objects
        for obj in formset.deleted_objects:
            writes.delete(**writes.arguments(obj, request))
        for obj in changed:
            writes.save(**writes.arguments(obj, request))
