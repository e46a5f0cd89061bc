"""The reporting pages. Thin: each view finds the set, asks `reporting.permissions` whether
the person may act, calls one service and shows its errors. The form carries the set's
version, so an action on a set someone else changed meanwhile is refused by the service
("someone else acted first; reload") instead of overwriting their work."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from access.permissions import approval_check, is_zone_administrator
from reporting import grid, pages_selectors, services, uploads
from reporting.completeness import completeness_figure
from reporting.models import State
from reporting.permissions import round_set_entry_check
from reporting.selectors import round_closed_message, round_completeness, round_set_grid, round_status
from site_shell.charts import Chart
from targets.models import Observation

EDITABLE = (State.NOT_STARTED, State.DRAFT, State.RETURNED)


def reporting_page(view):
    """Signed-in users only (others go to the sign-in page); a refusal from the permission
    rules is this site's 403 page, in the reader's language."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return render(request, "reporting/forbidden.html", {"reason": str(refusal)}, status=403)
        except BadVersion:
            return HttpResponseBadRequest(_("The form lost the set's version; reload the page and try again."))

    return wrapper


def _posted_version(request) -> int:
    """The set version the form was rendered with. A form that lost it is a broken page, not a
    person's mistake: a bad request with its own message, rather than the services' field error."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        raise BadVersion from None


class BadVersion(Exception):
    pass


def _error_parts(error: ValidationError, codes) -> tuple[dict, list[str], bool]:
    """A service's refusal as (errors by row code and field, general messages, stale?)."""
    if getattr(error, "code", None) == "stale":
        return {}, list(error.messages), True
    if not hasattr(error, "error_dict"):
        return {}, list(error.messages), False
    by_row, general = {}, []
    for code, fields in services.row_errors(error).items():
        if code in codes:
            by_row[code] = fields
        else:
            general += [message for messages_ in fields.values() for message in messages_]
    return by_row, general, False


@reporting_page
@require_safe
def rounds(request):
    if not pages_selectors.may_report(request.user):
        raise PermissionDenied(_("Only agency members and zone administrators take part in reporting rounds."))
    return render(request, "reporting/rounds.html", {
        "rounds": pages_selectors.rounds_for_user(request.user),
        "administrator": is_zone_administrator(request.user),
    })


def _set_page(request, round_set, *, posted=None, errors=None, general=None, stale=False, status=200):
    rows = grid.grid_rows_shown(round_set_grid(round_set), posted=posted, errors=errors)
    status_ = round_status(round_set.round)
    return render(request, "reporting/set.html", {
        "round_set": round_set, "round": round_set.round, "rows": rows, "round_status": status_,
        "closed_message": round_closed_message(status_) if status_.closed else "",
        "editable": round_set.state in EDITABLE and not status_.closed, "general_errors": general or [],
        "stale": stale,
        "qualifiers": Observation.Qualifier.choices, "confidences": Observation.Confidence.choices,
        "upload_limit_mb": uploads.upload_limit_bytes() // (1024 * 1024),
        "administrator": is_zone_administrator(request.user),
    }, status=status)


@reporting_page
@require_http_methods(["GET", "HEAD", "POST"])
def set_entry(request, round_code, agency_code):
    round_set = pages_selectors.round_set_by_codes(round_code, agency_code)
    round_set_entry_check(user=request.user, round_set=round_set)
    if request.method != "POST":
        return _set_page(request, round_set)
    codes = list(round_set.entries.values_list("indicator__code", flat=True))
    rows = grid.rows_from_form(request.POST, codes)
    submitting = request.POST.get("action") == "submit"
    try:
        if submitting:
            grid.round_set_save_and_submit(round_set=round_set, rows=rows, user=request.user,
                                           expected_version=_posted_version(request))
        else:
            services.round_set_save_draft(round_set=round_set, rows=rows, user=request.user,
                                          expected_version=_posted_version(request))
    except ValidationError as error:
        by_row, general, stale = _error_parts(error, codes)
        round_set.refresh_from_db()
        return _set_page(request, round_set, posted=request.POST, errors=by_row, general=general, stale=stale,
                         status=409 if stale else 400)
    messages.success(request, _("The set is submitted for approval.") if submitting else _("Draft saved."))
    return redirect("reporting:set", round_code=round_code, agency_code=agency_code)


def _round_page(request, round_, *, errors_for=None, general=None, stale=False, status=200):
    return render(request, "reporting/round.html", {
        "round": round_, "round_status": round_status(round_), "sets": pages_selectors.round_sets_for_approval(round_),
        "errors_for": errors_for, "general_errors": general or [], "stale": stale,
    }, status=status)


@reporting_page
@require_safe
def round_detail(request, round_code):
    approval_check(user=request.user)
    return _round_page(request, pages_selectors.round_by_code(round_code))


@reporting_page
@require_POST
def set_approve(request, round_code, agency_code):
    round_set = pages_selectors.round_set_by_codes(round_code, agency_code)
    approval_check(user=request.user)
    # A reason per empty row ("<code>-without"): the service refuses an empty row without one.
    empty = round_set.entries.filter(observation__isnull=True).values_list("indicator__code", flat=True)
    without = {code: request.POST.get(f"{code}-without", "") for code in empty}
    try:
        services.round_set_approve(round_set=round_set, user=request.user, expected_version=_posted_version(request),
                                   without=without)
    except ValidationError as error:
        _rows, general, stale = _error_parts(error, ())
        return _round_page(request, round_set.round, errors_for=round_set.pk, general=general, stale=stale,
                           status=409 if stale else 400)
    messages.success(request, _("%(agency)s: set approved; its figures are published.") % {"agency": round_set.agency})
    return redirect("reporting:round", round_code=round_code)


@reporting_page
@require_POST
def set_return(request, round_code, agency_code):
    round_set = pages_selectors.round_set_by_codes(round_code, agency_code)
    approval_check(user=request.user)
    codes = list(round_set.entries.values_list("indicator__code", flat=True))
    comments = {code: request.POST.get(f"{code}-comment", "") for code in codes}
    try:
        services.round_set_return(round_set=round_set, user=request.user, expected_version=_posted_version(request),
                                  comments=comments)
    except ValidationError as error:
        _rows, general, stale = _error_parts(error, ())
        return _round_page(request, round_set.round, errors_for=round_set.pk, general=general, stale=stale,
                           status=409 if stale else 400)
    messages.success(request, _("%(agency)s: set returned with your comments.") % {"agency": round_set.agency})
    return redirect("reporting:round", round_code=round_code)


@reporting_page
@require_safe
def set_template(request, round_code, agency_code):
    round_set = pages_selectors.round_set_by_codes(round_code, agency_code)
    round_set_entry_check(user=request.user, round_set=round_set)
    response = HttpResponse(
        uploads.round_set_workbook(round_set),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{uploads.template_filename(round_set)}.xlsx"'
    return response


@reporting_page
@require_safe
def set_template_csv(request, round_code, agency_code):
    round_set = pages_selectors.round_set_by_codes(round_code, agency_code)
    round_set_entry_check(user=request.user, round_set=round_set)
    response = HttpResponse(uploads.round_set_csv(round_set), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{uploads.template_filename(round_set)}.csv"'
    return response


@reporting_page
@require_POST
def set_upload(request, round_code, agency_code):
    round_set = pages_selectors.round_set_by_codes(round_code, agency_code)
    round_set_entry_check(user=request.user, round_set=round_set)
    codes = list(round_set.entries.values_list("indicator__code", flat=True))
    try:
        uploads.round_set_upload(round_set=round_set, upload=request.FILES.get("file"), user=request.user,
                                 expected_version=_posted_version(request))
    except ValidationError as error:
        by_row, general, stale = _error_parts(error, codes)
        round_set.refresh_from_db()
        return _set_page(request, round_set, errors=by_row, general=general, stale=stale,
                         status=409 if stale else 400)
    messages.success(request, _("File read: every row is saved as a draft. Check the grid, then submit."))
    return redirect("reporting:set", round_code=round_code, agency_code=agency_code)


@reporting_page
@require_safe
def completeness(request, round_code):
    round_ = pages_selectors.round_by_code(round_code)
    if not pages_selectors.may_see_round(request.user, round_):
        raise PermissionDenied(_("Only the round's agencies and zone administrators see its completeness."))
    rows = round_completeness(round_)
    chart: Chart = completeness_figure(round_=round_, rows=rows)
    return render(request, "reporting/completeness.html", {
        "round": round_, "rows": rows, "chart": chart,
        "round_url": reverse("reporting:round", args=[round_.code]),
        "administrator": is_zone_administrator(request.user),
    })
