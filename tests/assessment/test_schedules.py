"""Assessment events (issue 16, step 1): the rules of an event (TUK verified on its date 9.3.2,
qualified assessors 9.2.2, registration window, quota), placing eligible applications (9.1.6) all
or none with balanced assessors, an applicant joining an open event, cancelling; through the
services and the pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from assessment import services as assessment_services
from assessment.models import Assessment, Schedule, ScheduleCandidate
from assessment.schedules import services
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from registration import services as registration_services
from tests.conftest import fill_application, make_user, run_concurrently
from tests.fixtures_assessment import make_assessor, record_all_k, today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """The refusals are matched in English (their msgids); the pages show them in Indonesian."""
    with translation.override("en"):
        yield


def at(days, hour):
    day = today() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def event_input(scheme, tuk, assessors, **values):
    data = {
        "scheme": scheme,
        "tuk": tuk,
        "starts_at": at(3, 9),
        "ends_at": at(3, 15),
        "mode": Schedule.Mode.ON_SITE,
        "meeting_link": "",
        "assessors": list(assessors),
        "quota": 5,
        "registration_opens": today() - datetime.timedelta(days=1),
        "registration_closes": today() + datetime.timedelta(days=2),
        "funding_source": Schedule.Funding.SELF,
        "bnsp_code": "",
    }
    data.update(values)
    return services.ScheduleInput(**data)


def eligible_application(staff, scheme, number):
    user = make_user(f"cand{number}@example.org", f"Calon {number}", Role.APPLICANT)
    application = fill_application(user, registration_services.start_application(user, scheme))
    application = registration_services.submit(user, application, agreed=True)
    return user, registration_services.confirm_eligible(staff, application)


@pytest.fixture
def event(staff, scheme, tuk, assessor_profile, assessor2_profile):
    return services.create_schedule(
        staff, event_input(scheme, tuk, [assessor_profile, assessor2_profile])
    )


def refused(call, match):
    with pytest.raises(RuleError, match=match):
        call()


# --- the event's rules --------------------------------------------------------------------------


def test_staff_create_an_event_and_it_is_audited(staff, event, assessor_profile):
    event.refresh_from_db()
    assert event.quota == 5 and event.created_by == staff
    assert assessor_profile in event.assessors.all()
    assert AuditEvent.objects.for_object(event).filter(action="schedule.created").exists()


def test_a_tuk_not_verified_on_the_event_date_is_refused(
    staff, scheme, lapsed_tuk, tuk, assessor_profile
):
    lapsed = event_input(scheme, lapsed_tuk, [assessor_profile])
    refused(lambda: services.create_schedule(staff, lapsed), "9.3.2")
    # Verified today but lapsed before the event's date.
    tuk.verified_until = today() + datetime.timedelta(days=1)
    tuk.save()
    refused(
        lambda: services.create_schedule(staff, event_input(scheme, tuk, [assessor_profile])),
        "9.3.2",
    )
    assert not Schedule.objects.exists()


def test_an_assessor_whose_registration_lapses_before_the_event_is_refused(
    staff, scheme, tuk, assessor2
):
    lapsing = make_assessor(
        assessor2, scheme, "MET.1", valid_until=today() + datetime.timedelta(days=1)
    )
    refused(lambda: services.create_schedule(staff, event_input(scheme, tuk, [lapsing])), "9.2.2")


def test_the_window_quota_link_and_code_rules(staff, scheme, tuk, assessor_profile, settings):
    settings.SCHEDULE_MAX_CANDIDATES_PER_ASSESSOR = 2
    one = [assessor_profile]
    cases = [
        ({"registration_closes": today() + datetime.timedelta(days=4)}, "on or before"),
        ({"ends_at": at(3, 8)}, "end after"),
        ({"quota": 3}, "at most 2"),
        ({"mode": Schedule.Mode.REMOTE}, "meeting link"),
        ({"mode": Schedule.Mode.REMOTE, "meeting_link": "not a link"}, "valid web address"),
    ]
    for values, match in cases:
        refused(
            lambda values=values: services.create_schedule(
                staff, event_input(scheme, tuk, one, quota=values.pop("quota", 2), **values)
            ),
            match,
        )
    services.create_schedule(staff, event_input(scheme, tuk, one, quota=2, bnsp_code="J-1"))
    refused(
        lambda: services.create_schedule(
            staff, event_input(scheme, tuk, one, quota=2, bnsp_code="J-1")
        ),
        "already used",
    )
    remote = services.create_schedule(
        staff,
        event_input(
            scheme, tuk, one, quota=2, mode="remote", meeting_link="https://meet.example.org/x"
        ),
    )
    assert remote.meeting_link == "https://meet.example.org/x"
    assert Schedule.objects.count() == 2


def test_only_staff_create_events(alice, scheme, tuk, assessor_profile):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_schedule(alice, event_input(scheme, tuk, [assessor_profile]))


# --- placing candidates -------------------------------------------------------------------------


def test_staff_place_candidates_balanced_and_assigned(staff, scheme, event):
    applications = [eligible_application(staff, scheme, n)[1] for n in range(3)]
    seats = services.place_candidates(staff, event, applications)
    assert len(seats) == 3
    loads = sorted(
        ScheduleCandidate.objects.filter(schedule=event)
        .values_list("assessor", flat=True)
        .order_by()
    )
    assert sorted(loads.count(a) for a in set(loads)) == [1, 2]
    for seat in ScheduleCandidate.objects.filter(schedule=event):
        current = Assessment.objects.get(application=seat.application, is_current=True)
        assert current.assessor_id == seat.assessor_id
        assert current.status == Assessment.Status.ASSIGNED


def test_placing_is_all_or_nothing(staff, scheme, event, bob):
    ready = eligible_application(staff, scheme, 1)[1]
    not_confirmed = fill_application(bob, registration_services.start_application(bob, scheme))
    refused(lambda: services.place_candidates(staff, event, [ready, not_confirmed]), "9.1.6")
    assert not ScheduleCandidate.objects.exists()
    assert not Assessment.objects.filter(application=ready).exists()


def test_the_quota_holds_and_cannot_be_lowered_below_the_placed(
    staff, scheme, tuk, event, assessor_profile, assessor2_profile
):
    applications = [eligible_application(staff, scheme, n)[1] for n in range(6)]
    refused(lambda: services.place_candidates(staff, event, applications), "5 seat")
    services.place_candidates(staff, event, applications[:4])
    pair = [assessor_profile, assessor2_profile]
    refused(
        lambda: services.update_schedule(staff, event, event_input(scheme, tuk, pair, quota=3)),
        "4 candidates",
    )
    # An application is in one event at a time.
    other = services.create_schedule(staff, event_input(scheme, tuk, pair))
    refused(lambda: services.place_candidates(staff, other, applications[:1]), "already has a seat")


def test_an_already_assigned_application_keeps_its_assessor(
    staff, assigned, event, assessor_profile
):
    (seat,) = services.place_candidates(staff, event, [assigned.application])
    assert seat.assessor == assessor_profile
    assert Assessment.objects.filter(application=assigned.application).count() == 1


# --- the applicant joins ------------------------------------------------------------------------


def test_an_eligible_applicant_joins_an_open_event_once(alice, staff, eligible, event):
    seat = services.join_schedule(alice, event)
    assert seat.application == eligible and seat.placed_by == alice
    assert Assessment.objects.get(application=eligible, is_current=True).assessor == seat.assessor
    refused(lambda: services.join_schedule(alice, event), "already has a seat")


def test_joining_outside_the_window_or_a_full_event_is_refused(
    alice, staff, scheme, tuk, eligible, assessor_profile
):
    later = services.create_schedule(
        staff,
        event_input(
            scheme,
            tuk,
            [assessor_profile],
            registration_opens=today() + datetime.timedelta(days=1),
        ),
    )
    refused(lambda: services.join_schedule(alice, later), "opens on")
    full = services.create_schedule(staff, event_input(scheme, tuk, [assessor_profile], quota=1))
    services.place_candidates(staff, full, [eligible_application(staff, scheme, 1)[1]])
    refused(lambda: services.join_schedule(alice, full), "full")
    assert not ScheduleCandidate.objects.filter(application=eligible).exists()


def test_an_applicant_not_yet_eligible_cannot_join(bob, scheme, event):
    fill_application(bob, registration_services.start_application(bob, scheme))
    refused(lambda: services.join_schedule(bob, event), "9.1.6")


# --- cancelling ---------------------------------------------------------------------------------


def test_cancelling_releases_the_seats_until_a_result_is_recorded(
    staff, assessor, scheme, tuk, eligible, event, assessor_profile, reviewed
):
    services.place_candidates(staff, event, [eligible])
    refused(lambda: services.cancel_schedule(staff, event, reason=" "), "reason")
    record_all_k(assessor, reviewed)
    refused(lambda: services.cancel_schedule(staff, event, reason="TUK banjir"), "recorded")
    other = services.create_schedule(staff, event_input(scheme, tuk, [assessor_profile]))
    bobs = eligible_application(staff, scheme, 9)[1]
    services.place_candidates(staff, other, [bobs])
    services.cancel_schedule(staff, other, reason="TUK banjir")
    other.refresh_from_db()
    assert other.is_cancelled
    assert not ScheduleCandidate.objects.filter(application=bobs, is_active=True).exists()
    services.place_candidates(staff, event, [bobs])  # free to take another seat


# --- the pages ----------------------------------------------------------------------------------


def test_staff_create_an_event_through_the_form(login, staff, scheme, tuk, assessor_profile):
    client = login(staff)
    response = client.post(
        reverse("assessment:schedule_new"),
        {
            "scheme": scheme.pk,
            "tuk": tuk.pk,
            "starts_at": at(3, 9).astimezone().strftime("%Y-%m-%dT%H:%M"),
            "ends_at": at(3, 15).astimezone().strftime("%Y-%m-%dT%H:%M"),
            "mode": "on_site",
            "assessors": [assessor_profile.pk],
            "quota": 4,
            "registration_opens": today().isoformat(),
            "registration_closes": (today() + datetime.timedelta(days=2)).isoformat(),
            "funding_source": "04",
            "bnsp_code": "",
        },
    )
    event = Schedule.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.quota == 4
    listing = client.get(reverse("assessment:schedule_list"))
    assert event.reference in listing.content.decode()


def test_a_refused_event_is_shown_as_a_message(login, staff, scheme, lapsed_tuk, assessor_profile):
    response = login(staff).post(
        reverse("assessment:schedule_new"),
        {
            "scheme": scheme.pk,
            "tuk": lapsed_tuk.pk,
            "starts_at": at(3, 9).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": at(3, 15).strftime("%Y-%m-%dT%H:%M"),
            "mode": "on_site",
            "assessors": [assessor_profile.pk],
            "quota": 4,
            "registration_opens": today().isoformat(),
            "registration_closes": today().isoformat(),
            "funding_source": "04",
        },
    )
    assert response.status_code == 200
    assert "tidak terverifikasi" in response.content.decode()  # in Indonesian, citing 9.3.2
    assert "9.3.2" in response.content.decode()
    assert not Schedule.objects.exists()


def test_staff_place_in_bulk_from_the_event_page(login, staff, eligible, event):
    client = login(staff)
    page = client.get(reverse("assessment:schedule_detail", args=[event.pk])).content.decode()
    assert eligible.reference in page
    client.post(
        reverse("assessment:schedule_place", args=[event.pk]), {"applications": [eligible.pk]}
    )
    seat = ScheduleCandidate.objects.get(schedule=event)
    assert seat.application == eligible
    page = client.get(reverse("assessment:schedule_detail", args=[event.pk])).content.decode()
    assert seat.assessor.user.full_name in page


def test_the_applicant_joins_from_the_open_events_page(login, alice, eligible, event):
    client = login(alice)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert reverse("assessment:schedules_open") in dashboard
    page = client.get(reverse("assessment:schedules_open")).content.decode()
    assert reverse("assessment:schedule_join", args=[event.pk]) in page
    response = client.post(reverse("assessment:schedule_join", args=[event.pk]))
    assert response.status_code == 302
    assert ScheduleCandidate.objects.filter(schedule=event, application=eligible).exists()
    page = client.get(reverse("assessment:schedules_open")).content.decode()
    assert event.reference in page


def test_applicants_and_assessors_do_not_reach_the_staff_pages(login, alice, assessor, event):
    for user in (alice, assessor):
        client = login(user)
        assert client.get(reverse("assessment:schedule_list")).status_code == 403
        assert client.get(reverse("assessment:schedule_detail", args=[event.pk])).status_code == 403


# --- the quota under real concurrency ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twelve_applicants_racing_for_five_seats_get_exactly_five(
    staff, scheme, tuk, assessor_profile
):
    event = services.create_schedule(staff, event_input(scheme, tuk, [assessor_profile], quota=5))
    racers = [eligible_application(staff, scheme, n) for n in range(12)]
    outcomes = run_concurrently(
        *[
            (lambda user=user: services.join_schedule(user, Schedule.objects.get(pk=event.pk)))
            for user, _application in racers
        ]
    )
    assert outcomes.count("ok") == 5 and outcomes.count("refused") == 7
    assert ScheduleCandidate.objects.filter(schedule=event, is_active=True).count() == 5
    assert Assessment.objects.filter(application__schedule_seats__schedule=event).count() == 5
    assert AuditEvent.objects.filter(action="schedule.joined").count() == 5


def test_the_event_page_offers_only_applications_that_can_take_a_seat(
    login, staff, scheme, event, recommended, assessor2
):
    """An application already assessed is not offered; one with no assessor yet is; one held by
    an assessor outside the event is not."""
    waiting = eligible_application(staff, scheme, 1)[1]
    elsewhere = eligible_application(staff, scheme, 2)[1]
    outsider = make_user("assessor3@example.org", "Umar Outsider", Role.ASSESSOR)
    assessment_services.assign(staff, elsewhere, make_assessor(outsider, scheme, "MET.3"))
    page = login(staff).get(reverse("assessment:schedule_detail", args=[event.pk]))
    html = page.content.decode()
    assert waiting.reference in html
    assert recommended.application.reference not in html
    assert elsewhere.reference not in html
