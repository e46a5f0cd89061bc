"""The officials' pages. Each view parses its input and hands `dashboard.pagecache` the
function that builds the page's body from selectors and charts; the body is cached by the
plan's data version, and the frame around it is rendered per request. None recomputes
progress."""

from functools import wraps
from math import ceil

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from api.throttling import PdfAnonThrottle, PdfUserThrottle
from dashboard import charts, pdf
from dashboard.forms import AsOfForm, OverviewForm
from dashboard.pagecache import PageBody, page_response
from dashboard.selectors import (
    STATUSES,
    as_of_resolve,
    indicator_by_code,
    indicator_detail_read,
    measures_read,
    overview_read,
    overview_targets,
    plan_by_id,
    plan_shown,
    plans_listed,
    target_by_code,
    target_by_id,
    target_detail_read,
    target_shown,
)
from measures.models import Measure
from reporting.selectors import targets_round_state
from site_shell.context_processors import banner_known
from snapshots.explain import snapshot_explanation
from targets.progress.dates import zone_today
from targets.selectors import synthetic_data_exists

# Up to this many targets the overview lists them all under their objectives (the real plan
# has 16); above it each objective is summed up, its targets a click away, a page at a time.
OVERVIEW_INLINE_TARGETS = 60
TARGETS_PER_PAGE = 50


def read_access(view):
    """Open to anyone when PUBLIC_READ is on; otherwise only to signed-in users."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PUBLIC_READ and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return view(request, *args, **kwargs)

    return require_safe(wrapper)


def _form(request, form_class):
    """The page's input as a form, or None for an address without a query: the common case
    is then answered without building one."""
    return form_class(request.GET) if request.GET else None


def _params(form) -> dict:
    """What the body depends on: the parsed input, or the raw input when it cannot be parsed
    (such an answer is never cached)."""
    if form is None:
        return {}
    if form.is_valid():
        return dict(form.cleaned_data)
    return {"invalid": form.data.urlencode()}


def _requested(form):
    return form.cleaned_data.get("as_of") if form is not None and form.is_valid() else None


def _body(template: str, context: dict, *, form, as_of, title: str = "", charts_drawn: bool = False,
          status: int | None = None, cacheable: bool = True) -> PageBody:
    """The body rendered without the request: nothing in it may depend on who reads it.
    Only answers for a date the plan has (or the newest) are cached: other dates are cheap
    to answer and would only fill the cache."""
    context.update(as_of_form=form, as_of=as_of)
    status = status or (400 if form.errors else 200)
    return PageBody(
        status=status, main=render_to_string(template, context), title=title, charts=charts_drawn,
        cacheable=cacheable and (as_of.requested is None or as_of.has_snapshot),
    )


def _plan_page(request, *, code: str | None, page: str, form_class, build):
    """A page of a plan (the overview, the measures) — the plan with `code`, or the plan in
    force: `build(plan, form)` makes its body when no cached one will do."""
    shown = plan_shown(code=code)
    if shown is None:
        if code is not None:
            raise Http404("No plan with this code.")
        return render(request, "dashboard/no_plan.html")
    banner_known(request, shown.synthetic_data_present)
    form = _form(request, form_class)

    def body() -> PageBody:
        plan = plan_by_id(shown.id)
        if plan is None:  # deleted since the first read
            raise Http404("No plan.")
        return build(plan, form or form_class(request.GET))

    params = _params(form)
    if page == "overview":
        # The overview shows each target's latest reporting round state, which changes without
        # the plan's data (a set submitted or returned): its token keys the cached body too.
        params = {**params, "rounds": shown.rounds_token}
    return page_response(request, plan_id=shown.id, version=shown.data_version, page=page, params=params,
                         build=body, as_of_requested=_requested(form), plan_code=shown.code)


@read_access
def overview(request):
    """`/`: the overview of the plan in force (else the newest), with a picker for the others."""
    return _plan_page(request, code=None, page="overview", form_class=OverviewForm, build=_overview_body)


@read_access
def plan_overview(request, plan_code):
    return _plan_page(request, code=plan_code, page="overview", form_class=OverviewForm, build=_overview_body)


@read_access
def plans(request):
    """Every plan of the zone with its period and status. Not cached: one small query."""
    banner_known(request, synthetic_data_exists())
    return render(request, "dashboard/plans.html", {"plans": plans_listed(today=zone_today())})


def _overview_body(plan, form) -> PageBody:
    as_of = as_of_resolve(plan=plan, requested=_requested(form))
    wanted = form.cleaned_data if form.is_valid() else {}
    keep = [(name, wanted[name]) for name in ("objective", "status") if wanted.get(name)]
    context = {"plan": plan, "as_of_keep": keep, "mode": None, "plan_choices": plans_listed(today=zone_today())}
    errors = [str(error) for name, field_errors in form.errors.items() if name != "as_of" for error in field_errors]
    if not form.errors and as_of.has_snapshot:
        data = overview_read(plan=plan, as_of=as_of.date)
        objective = None
        if wanted.get("objective"):
            objective = next((g.objective for g in data.objectives if g.objective.number == wanted["objective"]), None)
            if objective is None:
                errors.append(_("This plan has no objective %(number)s.") % {"number": wanted["objective"]})
        if not errors:
            context.update(overview=data, status_chart=charts.status_figure(status_counts=data.status_counts))
            context.update(_overview_listing(plan, as_of, data, objective=objective, status=wanted.get("status") or None,
                                             page=wanted.get("page")))
    context["filter_errors"] = errors
    _round_states_attach(plan, context)
    listing = context.get("listing")
    return _body("dashboard/overview_main.html", context, form=form, as_of=as_of, charts_drawn="overview" in context,
                 status=400 if errors or form.errors else 200,
                 cacheable=listing is None or listing["page"] == (wanted.get("page") or 1))


def _round_states_attach(plan, context) -> None:
    """Each listed target's latest reporting round state ("2025 annual: awaiting the S&T
    bureau"), from `reporting.selectors.targets_round_state` (two queries)."""
    listed = [target for group in context["overview"].objectives for target in group.targets] \
        if context.get("mode") == "inline" else list(context.get("listing", {}).get("targets", []))
    if not listed:
        return
    states = targets_round_state(plan)
    for target in listed:
        target.round_state = states.get(target.pk, "")


def _overview_listing(plan, as_of, data, *, objective, status, page) -> dict:
    """Which targets the overview lists: all of them under their objectives for a small
    plan; none (each objective summed up) for a large one; or one page of those chosen."""
    if objective is None and status is None and page is None:
        if data.target_count > OVERVIEW_INLINE_TARGETS:
            return {"mode": "summary"}
        by_objective = {group.objective.pk: group for group in data.objectives}
        for target in overview_targets(plan=plan, as_of=as_of.date):
            by_objective[target.objective_id].targets.append(target)
        return {"mode": "inline"}
    total = data.count(objective=objective, status=status)
    pages = max(1, ceil(total / TARGETS_PER_PAGE))
    shown = min(page or 1, pages)  # past the last page (the list shrank since): the last page
    offset = (shown - 1) * TARGETS_PER_PAGE
    targets = overview_targets(plan=plan, as_of=as_of.date, objective=objective, status=status, offset=offset,
                               limit=TARGETS_PER_PAGE)
    return {"mode": "list", "listing": {
        "targets": targets, "objective": objective, "status": status,
        "status_label": dict(STATUSES).get(status, ""), "show_objective": objective is None,
        "page": shown, "pages": pages, "total": total, "first": offset + 1, "last": offset + len(targets),
    }}


@read_access
def target_detail(request, plan_code, code):
    shown = target_shown(code=code, plan_code=plan_code)
    if shown is None:
        raise Http404("No target with this code in this plan.")
    banner_known(request, shown.synthetic_data_present)
    form = _form(request, AsOfForm)

    def body() -> PageBody:
        target = target_by_id(shown.id)
        if target is None:  # deleted since the first read
            raise Http404("No target.")
        return _target_body(target.plan, target, form or AsOfForm(request.GET))

    return page_response(request, plan_id=shown.plan_id, version=shown.data_version, page=f"target:{shown.id}",
                         params=_params(form), build=body, as_of_requested=_requested(form), plan_code=shown.plan_code)


def _with_query(request, url: str) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


@read_access
def target_moved(request, code):
    """`/targets/<code>/` from before plans had addresses of their own: target codes are
    unique per plan, so the address moved under its plan (the newest plan with the code)."""
    target = target_by_code(code=code)
    if target is None:
        raise Http404("No target with this code.")
    return HttpResponsePermanentRedirect(
        _with_query(request, reverse("dashboard:target", args=[target.plan.code, target.code])))


@read_access
def measures_moved(request):
    """`/measures/`: the measures of the plan shown at `/` (which changes over time: 302)."""
    shown = plan_shown()
    if shown is None:
        return render(request, "dashboard/no_plan.html")
    return HttpResponseRedirect(_with_query(request, reverse("dashboard:plan_measures", args=[shown.code])))


def _target_body(plan, target, form) -> PageBody:
    as_of = as_of_resolve(plan=plan, requested=_requested(form))
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
    return _body("dashboard/target_detail_main.html", context, form=form, as_of=as_of, title=str(target),
                 charts_drawn="values_chart" in context or "history_chart" in context)


@read_access
def plan_measures(request, plan_code):
    return _plan_page(request, code=plan_code, page="measures", form_class=AsOfForm, build=_measures_body)


def _measures_body(plan, form) -> PageBody:
    as_of = as_of_resolve(plan=plan, requested=_requested(form))
    context = {"plan": plan}
    if not form.errors and (as_of.has_snapshot or not as_of.dates):
        areas = measures_read(plan=plan, as_of=as_of.date)
        context.update(areas=areas, status_labels=Measure.Status.choices)
        if any(group.status_counts for group in areas):
            context["measures_chart"] = charts.measures_figure(areas=areas, status_labels=Measure.Status.choices)
    return _body("dashboard/measures_main.html", context, form=form, as_of=as_of, title=_("Measures"),
                 charts_drawn="measures_chart" in context)


@read_access
def indicator_detail(request, code):
    """An indicator's whole series, every plan's targets on it drawn beside it. Not cached:
    three small queries."""
    indicator = indicator_by_code(code=code)
    if indicator is None:
        raise Http404("No indicator with this code.")
    banner_known(request, synthetic_data_exists())
    detail = indicator_detail_read(indicator=indicator)
    return render(request, "dashboard/indicator.html", {
        "indicator": indicator, "detail": detail,
        "chart": charts.indicator_figure(detail=detail) if detail.observations or detail.targets else None,
    })


@require_safe
def favicon(request):
    """`/favicon.ico`, which browsers ask for by themselves: the site's icon (by its hashed
    static name, which changes with it: a redirect that may be kept a day, not for ever)."""
    response = HttpResponseRedirect(static("site_shell/favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


# The only query parameter that changes a printed page (the links to the PDFs carry no other):
# the rest are ignored, so that `?x=1`, `?x=2`, … are one page and one cached PDF, not a new
# print each. The plan, the target and the language are in the address and the page.
PDF_PARAMETERS = ("as_of",)
PDF_THROTTLES = (PdfAnonThrottle, PdfUserThrottle)


def _pdf_throttled(request) -> HttpResponse | None:
    """429 with Retry-After once the client has asked for too many PDFs (counted like the
    API's requests, per address or per user: api.throttling)."""
    for throttle_class in PDF_THROTTLES:
        throttle = throttle_class()
        if not throttle.allow_request(request, None):
            wait = ceil(throttle.wait() or 1)
            response = HttpResponse(
                _("Too many PDFs asked for. Please try again in %(seconds)d seconds.") % {"seconds": wait},
                status=429, content_type="text/plain; charset=utf-8")
            response["Retry-After"] = str(wait)
            return response
    return None


def _as_pdf(request, page_view, filename: str, *args, charts: bool):
    """The page `page_view` answers, printed as a PDF: the same HTML and print stylesheet
    (dashboard.pdf), rendered from PDF_PARAMETERS alone. Its errors (404, a date that cannot be
    read) are the page's own; a client over its PDF limit gets 429; no browser, one too slow,
    or another PDF being printed is a 503 with Retry-After."""
    throttled = _pdf_throttled(request)
    if throttled is not None:
        return throttled
    kept = QueryDict(mutable=True)
    for name in PDF_PARAMETERS:
        if name in request.GET:
            kept[name] = request.GET[name]
    request.GET = kept
    request.META["QUERY_STRING"] = kept.urlencode()
    for header in ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"):
        request.META.pop(header, None)  # the page itself, never a 304
    page = page_view(request, *args)
    if page.status_code != 200 or not page.get("Content-Type", "").startswith("text/html"):
        return page
    try:
        document = pdf.pdf_for_page(html=page.content.decode(), charts=charts)
    except pdf.PdfUnavailable as unavailable:
        path, _pdf, rest = request.get_full_path().rpartition("pdf/")
        response = render(request, "dashboard/pdf_unavailable.html",
                          {"page_url": path + rest, "busy": isinstance(unavailable, pdf.PdfBusy)}, status=503)
        # Busy: the print under way ends within the time limit.
        response["Retry-After"] = str(settings.PDF_TIMEOUT_SECONDS if isinstance(unavailable, pdf.PdfBusy) else 60)
        return response
    as_of = request.GET.get("as_of", "")
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}{"-" + as_of if as_of else ""}.pdf"'
    response["Cache-Control"] = "private, no-cache"
    return response


@read_access
def plan_overview_pdf(request, plan_code):
    # Its status chart is for screens only (print.css): the table beside it has the counts.
    return _as_pdf(request, plan_overview, plan_code, plan_code, charts=False)


@read_access
def target_pdf(request, plan_code, code):
    return _as_pdf(request, target_detail, f"{plan_code}-{code}", plan_code, code, charts=True)
