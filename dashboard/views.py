"""The officials' pages. Each view parses its input, calls selectors, builds charts from
the stored rows and renders; none recomputes progress."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from dashboard import charts
from dashboard.forms import AsOfForm
from dashboard.selectors import (
    as_of_resolve,
    measures_read,
    overview_read,
    target_by_code,
    target_detail_read,
)
from measures.models import Measure
from targets.explain import snapshot_explanation
from targets.selectors import plan_default


def read_access(view):
    """Open to anyone when PUBLIC_READ is on; otherwise only to signed-in users."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PUBLIC_READ and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return view(request, *args, **kwargs)

    return require_safe(wrapper)


def _as_of(request, plan):
    """(form, AsOf). With a date that cannot be read, the form carries the error and the
    picker still offers the dates that exist; the page then shows no figures."""
    form = AsOfForm(request.GET)
    requested = form.cleaned_data["as_of"] if form.is_valid() else None
    return form, as_of_resolve(plan=plan, requested=requested)


def _page(request, template, context, *, form, as_of):
    context.update(as_of_form=form, as_of=as_of)
    return render(request, template, context, status=400 if form.errors else 200)


@read_access
def overview(request):
    plan = plan_default()
    if plan is None:
        return render(request, "dashboard/no_plan.html")
    form, as_of = _as_of(request, plan)
    context = {"plan": plan}
    if not form.errors and as_of.has_snapshot:
        data = overview_read(plan=plan, as_of=as_of.date)
        context.update(overview=data, status_chart=charts.status_figure(status_counts=data.status_counts))
    return _page(request, "dashboard/overview.html", context, form=form, as_of=as_of)


@read_access
def target_detail(request, code):
    target = target_by_code(code=code)
    if target is None:
        raise Http404("No target with this code.")
    plan = target.objective.plan
    form, as_of = _as_of(request, plan)
    context = {"plan": plan, "target": target}
    if not form.errors:
        detail = target_detail_read(target=target, as_of=as_of.date if as_of.has_snapshot else None)
        context["detail"] = detail
        if as_of.has_snapshot and not target.is_qualitative:
            context["values_chart"] = charts.target_figure(
                target=target, entries=detail.entries, snapshot=detail.snapshot
            )
        if len(detail.history) > 1:
            context["history_chart"] = charts.history_figure(target=target, history=detail.history)
        if detail.snapshot is not None:
            context["explanation"] = snapshot_explanation(detail.snapshot)
    return _page(request, "dashboard/target_detail.html", context, form=form, as_of=as_of)


@read_access
def measures(request):
    plan = plan_default()
    if plan is None:
        return render(request, "dashboard/no_plan.html")
    form, as_of = _as_of(request, plan)
    context = {"plan": plan}
    if not form.errors and (as_of.has_snapshot or not as_of.dates):
        areas = measures_read(plan=plan, as_of=as_of.date)
        context.update(areas=areas, status_labels=Measure.Status.choices)
        if any(group.status_counts for group in areas):
            context["measures_chart"] = charts.measures_figure(areas=areas, status_labels=Measure.Status.choices)
    return _page(request, "dashboard/measures.html", context, form=form, as_of=as_of)
