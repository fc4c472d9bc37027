"""Pages of the assessment events: staff plan them and place candidates; an eligible applicant
joins an open one. Thin: the rules are in schedules/services.py; a refusal is a message."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lsp_portal.accounts.decorators import role_required
from lsp_portal.accounts.roles import Role
from lsp_portal.errors import RuleError
from registration.models import Application

from ..models import Assessment, Assessor
from . import services
from .forms import CancelForm, PlaceForm, ScheduleForm
from .models import Schedule, ScheduleCandidate


def _day_bounds(day):
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def _listed():
    return (
        Schedule.objects.with_counts()
        .select_related("scheme", "tuk")
        .prefetch_related(Prefetch("assessors", queryset=Assessor.objects.select_related("user")))
    )


@require_GET
@role_required(Role.STAFF)
def schedule_list(request):
    """Upcoming events, those of today, and past ones (latest first, 50 a page)."""
    today_start, tomorrow = _day_bounds(timezone.localdate())
    events = _listed()
    past = events.filter(starts_at__lt=today_start).order_by("-starts_at", "-pk")
    return render(
        request,
        "assessment/schedule_list.html",
        {
            "today": events.filter(starts_at__gte=today_start, starts_at__lt=tomorrow),
            "upcoming": events.filter(starts_at__gte=tomorrow),
            "past": Paginator(past, 50).get_page(request.GET.get("past")),
        },
    )


def _input(form):
    data = form.cleaned_data
    return services.ScheduleInput(
        scheme=data["scheme"],
        tuk=data["tuk"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        mode=data["mode"],
        meeting_link=data["meeting_link"] or "",
        assessors=list(data["assessors"]),
        quota=data["quota"],
        registration_opens=data["registration_opens"],
        registration_closes=data["registration_closes"],
        funding_source=data["funding_source"],
        bnsp_code=data["bnsp_code"] or "",
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def schedule_new(request):
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            schedule = services.create_schedule(request.user, _input(form))
        except RuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The assessment event was created."))
            return redirect("assessment:schedule_detail", schedule.pk)
    return render(request, "assessment/schedule_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@role_required(Role.STAFF)
def schedule_edit(request, pk):
    schedule = get_object_or_404(Schedule.objects.select_related("scheme"), pk=pk)
    form = ScheduleForm(request.POST or None, initial=ScheduleForm.initial_of(schedule))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_schedule(request.user, schedule, _input(form))
        except RuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The assessment event was saved."))
            return redirect("assessment:schedule_detail", schedule.pk)
    return render(request, "assessment/schedule_form.html", {"form": form, "schedule": schedule})


def _placeable(schedule):
    """Eligible applications of the event's scheme with no seat in an event (9.1.6): with no
    assessor yet, or an assessment in progress held by one of the event's assessors."""
    seated = ScheduleCandidate.objects.filter(application=OuterRef("pk"), is_active=True)
    current = Assessment.objects.filter(application=OuterRef("pk"), is_current=True)
    held_here = current.exclude(status=Assessment.Status.RECOMMENDED).filter(
        assessor__in=schedule.assessors.all()
    )
    return (
        Application.objects.filter(status=Application.Status.ELIGIBLE, scheme_id=schedule.scheme_id)
        .alias(seated=Exists(seated), assessed=Exists(current), held_here=Exists(held_here))
        .filter(Q(assessed=False) | Q(held_here=True), seated=False)
        .order_by("reviewed_at", "pk")
    )


@require_GET
@role_required(Role.STAFF)
def schedule_detail(request, pk):
    schedule = get_object_or_404(_listed(), pk=pk)
    candidates = schedule.candidates.filter(is_active=True).select_related(
        "application", "assessor__user"
    )
    placeable = _placeable(schedule)[:200]
    return render(
        request,
        "assessment/schedule_detail.html",
        {
            "schedule": schedule,
            "candidates": candidates,
            "place_form": PlaceForm(applications=placeable),
            "cancel_form": CancelForm(),
        },
    )


@require_POST
@role_required(Role.STAFF)
def schedule_place(request, pk):
    schedule = get_object_or_404(Schedule, pk=pk)
    form = PlaceForm(request.POST, applications=_placeable(schedule))
    if not form.is_valid():
        messages.error(request, _("Choose at least one eligible application to place."))
    else:
        try:
            seats = services.place_candidates(
                request.user, schedule, list(form.cleaned_data["applications"])
            )
        except RuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)s candidate(s) placed.") % {"count": len(seats)})
    return redirect("assessment:schedule_detail", schedule.pk)


@require_POST
@role_required(Role.STAFF)
def schedule_cancel(request, pk):
    schedule = get_object_or_404(Schedule, pk=pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for cancelling."))
    else:
        try:
            services.cancel_schedule(request.user, schedule, reason=form.cleaned_data["reason"])
        except RuleError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The assessment event was cancelled."))
    return redirect("assessment:schedule_detail", schedule.pk)


@require_GET
@role_required(Role.APPLICANT)
def schedules_open(request):
    """The applicant's seat, and the open events of the schemes of their eligible applications."""
    assessed = Assessment.objects.filter(
        application=OuterRef("pk"), is_current=True, status=Assessment.Status.RECOMMENDED
    )
    eligible = (
        Application.objects.filter(applicant=request.user, status=Application.Status.ELIGIBLE)
        .alias(assessed=Exists(assessed))
        .filter(assessed=False)
    )
    seats = ScheduleCandidate.objects.filter(
        application__applicant=request.user, is_active=True
    ).select_related("schedule__scheme", "schedule__tuk", "assessor__user")
    seated = {seat.application_id for seat in seats}
    waiting = [a for a in eligible if a.pk not in seated]
    events = (
        _listed()
        .open_for_registration()
        .filter(scheme_id__in={a.scheme_id for a in waiting}, starts_at__gt=timezone.now())
        .order_by("starts_at", "pk")
    )
    return render(
        request,
        "assessment/schedules_open.html",
        {"seats": seats, "events": events, "eligible": eligible},
    )


@require_POST
@role_required(Role.APPLICANT)
def schedule_join(request, pk):
    schedule = get_object_or_404(Schedule.objects.active(), pk=pk)
    try:
        services.join_schedule(request.user, schedule)
    except RuleError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("You have a seat in the assessment event."))
    return redirect("assessment:schedules_open")
