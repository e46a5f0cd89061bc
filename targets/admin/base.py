"""What the targets app's model admins share: the quantity shown in the unit, and the base
whose saves and deletes go through the services."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from django.core import checks

from access.history_admin import HistoryAdmin
from edge.admin import KeyInputAdminMixin
from targets.language import active_language
from targets.units import format_quantity


def _quantity(value, unit):
    return format_quantity(value, unit, active_language())


@dataclass(frozen=True)
class Writes:
    """How the admin writes one model: `save` and `delete` name its services (in the admin's
    `service_module`, looked up at each call), called with the object as `keyword` (and the
    signed-in person as `user` when `with_user`). `related` is what a bulk delete reads with
    each object (the services follow those relations)."""

    keyword: str
    save: str
    delete: str | None = None
    with_user: bool = False
    related: tuple[str, ...] = ()

    def arguments(self, obj, request) -> dict:
        return {self.keyword: obj, **({"user": request.user} if self.with_user else {})}


class ServiceAdmin(KeyInputAdminMixin, HistoryAdmin):
    """A model admin whose every write goes through the services named in `writes` (by model:
    the page's own and its inlines'): a save, a delete, each object of a bulk delete and each
    row of an inline, one at a time, so that each gets the services' rules and follow-up (the
    recompute requests) as through the API. A model with no delete service is deleted the
    admin's way. The system check names a service that `service_module` lacks."""

    service_module: ModuleType
    writes: dict[type, Writes] = {}

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        for model, writes in self.writes.items():
            for name in (writes.save, writes.delete):
                if name is not None and not callable(getattr(self.service_module, name, None)):
                    errors.append(checks.Error(
                        f"{self.service_module.__name__} has no service {name!r} to write {model.__name__}.",
                        obj=self.__class__, id="targets.E001"))
        return errors

    def _write(self, service: str, writes: Writes, obj, request) -> None:
        getattr(self.service_module, service)(**writes.arguments(obj, request))

    def save_model(self, request, obj, form, change):
        writes = self.writes[type(obj)]
        self._write(writes.save, writes, obj, request)

    def delete_model(self, request, obj):
        writes = self.writes[type(obj)]
        if writes.delete is None:
            return super().delete_model(request, obj)
        self._write(writes.delete, writes, obj, request)

    def delete_queryset(self, request, queryset):
        writes = self.writes[queryset.model]
        if writes.delete is None:
            return super().delete_queryset(request, queryset)
        for obj in queryset.select_related(*writes.related) if writes.related else queryset:
            self._write(writes.delete, writes, obj, request)

    def save_formset(self, request, form, formset, change):
        writes = self.writes[formset.model]
        changed = formset.save(commit=False)  # what fills formset.deleted_objects
        for obj in formset.deleted_objects:
            self._write(writes.delete, writes, obj, request)
        for obj in changed:
            self._write(writes.save, writes, obj, request)
