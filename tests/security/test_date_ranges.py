"""A stored date must not break pages for everyone. The attack: staff plan a technical-team meeting
for 0001-01-01; it was stored, and the meeting list and page then answered 500 for staff, the
team and the director, and the meeting could be neither opened nor cancelled. Every date a person
enters now has a range (lsp_portal/dates.py, settings DATE_INPUT_MIN_YEAR / _MAX_YEAR and
PERSON_DATE_MIN_YEAR), checked by the form and again by the service; pages with every date at the
extremes allowed are rendered in tests/security/test_route_matrix.py."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from assessment import services as assessment_services
from assessment.models import TUK, PlanItem
from certificates import services as certificate_services
from certificates.models import Certificate
from decisions import services as decision_services
from decisions.models import Meeting, TechnicalTeamMember
from lsp_portal.accounts.roles import Role
from lsp_portal.errors import RuleError
from registration import services as registration_services
from registration.inputs import ExperienceInput
from registration.models import Experience
from tests.conftest import PERSONAL, make_user, personal_input
from tests.fixtures_assessment import plan_header, plan_items

JAKARTA = timezone.get_default_timezone()
YEAR_1 = "Masukkan tanggal antara 1 Jan 2000 dan 31 Des 2100."


@pytest.fixture
def members(technical):
    tono = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
    return [
        TechnicalTeamMember.objects.create(user=user, qualification="Asesor MHP")
        for user in (technical, tono)
    ]


def plan_through_the_form(client, members, recommended, when):
    return client.post(
        reverse("decisions:meeting_new"),
        {
            "title": "Rapat Tim Teknis",
            "scheduled_at": when,
            "location": "Ruang Rapat LSP",
            "members": [m.pk for m in members],
            "assessments": [recommended.pk],
        },
    )


def test_a_meeting_in_year_1_is_refused_and_nothing_is_stored(client, staff, members, recommended):
    client.force_login(staff)
    response = plan_through_the_form(client, members, recommended, "0001-01-01T00:00")
    assert response.status_code == 200
    assert YEAR_1 in response.content.decode()
    assert not Meeting.objects.exists()
    # The meeting pages keep working for everyone.
    assert client.get(reverse("decisions:meeting_list")).status_code == 200


@pytest.mark.parametrize(
    ("when", "stored"),
    [("1999-12-31T23:59", False), ("2000-01-01T00:00", True), ("2100-12-31T23:59", True),
     ("2101-01-01T00:00", False)],
)  # fmt: skip
def test_the_meeting_form_takes_exactly_the_allowed_range(
    client, staff, members, recommended, when, stored
):
    client.force_login(staff)
    response = plan_through_the_form(client, members, recommended, when)
    assert Meeting.objects.exists() is stored
    if stored:
        meeting = Meeting.objects.get()
        assert client.get(meeting.get_absolute_url()).status_code == 200
        assert client.get(reverse("decisions:meeting_list")).status_code == 200
    else:
        assert YEAR_1 in response.content.decode()


def test_the_service_refuses_a_year_1_meeting_too(staff, members, recommended):
    with pytest.raises(RuleError) as refused:
        decision_services.plan_meeting(
            staff,
            title="Rapat",
            scheduled_at=datetime.datetime(1, 1, 1, tzinfo=JAKARTA),
            location="Ruang Rapat LSP",
            is_online=False,
            members=members,
            assessments=[recommended],
        )
    assert YEAR_1 in refused.value.message
    assert not Meeting.objects.exists()


def test_a_test_date_outside_the_range_is_refused_by_the_service(assessor, declared, tuk):
    items = plan_items(declared, tuk, date=datetime.date(2101, 1, 1))
    with pytest.raises(RuleError):
        assessment_services.set_plan(assessor, declared, items, header=plan_header())
    assert not PlanItem.objects.exists()


def test_a_freeze_resolved_by_year_9999_is_refused(staff, issued_certificate):
    with pytest.raises(RuleError):
        certificate_services.freeze(
            staff,
            issued_certificate,
            ground="a",
            reason="Tidak memenuhi persyaratan.",
            resolve_by=datetime.date(9999, 12, 31),
        )
    assert Certificate.objects.get(pk=issued_certificate.pk).resolve_by is None


@pytest.mark.parametrize(
    "birth_date",
    [datetime.date(1899, 12, 31), datetime.date(1, 1, 1), "today", "tomorrow"],
)
def test_a_date_of_birth_outside_the_range_is_refused_by_the_service(alice, draft, birth_date):
    today = timezone.localdate()
    birth_date = {"today": today, "tomorrow": today + datetime.timedelta(days=1)}.get(
        birth_date, birth_date
    )
    with pytest.raises(RuleError):
        registration_services.save_personal_data(
            alice, draft, personal_input(birth_date=birth_date)
        )
    draft.refresh_from_db()
    assert draft.birth_date is None


def test_a_date_of_birth_form_in_year_1_is_refused_with_a_message(client, alice, draft):
    client.force_login(alice)
    response = client.post(
        reverse("registration:application_personal", args=[draft.pk]),
        {**PERSONAL, "birth_date": "0001-01-01"},
    )
    assert "Masukkan tanggal lahir antara 1 Jan 1900 dan" in response.content.decode()
    draft.refresh_from_db()
    assert draft.birth_date is None


def test_an_internship_starting_in_1899_is_refused_by_the_service(alice, draft, scheme):
    with pytest.raises(RuleError):
        registration_services.add_experience(
            alice,
            draft,
            ExperienceInput(
                organisation="PT Contoh",
                field=scheme.experience_fields.first(),
                role="Magang",
                start_date=datetime.date(1899, 12, 31),
                end_date=datetime.date(2024, 4, 30),
                hours=400,
            ),
        )
    assert not Experience.objects.exists()


def test_the_admin_refuses_a_tuk_verified_until_year_3000(client, staff):
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="assessment", content_type__model="tuk")
    )
    client.force_login(staff)
    response = client.post(
        reverse("admin:assessment_tuk_add"),
        {
            "name": "TUK Uji",
            "address": "Jl. Uji 1",
            "kind": TUK.Kind.SEWAKTU,
            "verified_by": staff.pk,
            "verified_on": "2026-01-01",
            "verified_until": "3000-01-01",
        },
    )
    assert response.status_code == 200
    assert YEAR_1 in response.content.decode()
    assert not TUK.objects.exists()
