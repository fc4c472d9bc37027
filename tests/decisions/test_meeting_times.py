"""A meeting opens from its scheduled time, and its minutes tell the real times (issue 13.2).

A meeting planned for later could be opened at once; its minutes then said it was held at the
scheduled time while the audit trail had it opened and closed earlier. Now it opens at most
MEETING_OPEN_EARLY_MINUTES (30) before its scheduled time, and the Berita Acara (9.4.4) state when
it was opened and closed. The clock is stopped on 2 December 2026 in Jakarta and moved by hand.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from decisions import services
from decisions.documents import minutes_data
from decisions.models import Meeting
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError

from .conftest import BASIS

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
MORNING = datetime.datetime(2026, 12, 2, 8, 0, tzinfo=WIB)
SCHEDULED = datetime.datetime(2026, 12, 2, 10, 0, tzinfo=WIB)


@pytest.fixture(autouse=True)
def clock():
    """08:00 WIB on 2 December 2026 while the fixtures are built; tests move it."""
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def ten_oclock(staff, member1, member2, recommended):
    """A meeting planned for 10:00 WIB, its members invited."""
    return services.plan_meeting(
        staff,
        title="Rapat Tim Teknis Pagi",
        scheduled_at=SCHEDULED,
        location="Ruang Rapat LSP",
        is_online=False,
        members=[member1, member2],
        assessments=[recommended],
    )


def state(meeting):
    meeting = Meeting.objects.get(pk=meeting.pk)
    return (
        meeting.status,
        meeting.opened_at,
        sorted((a.member_id, a.present) for a in meeting.attendances.all()),
        AuditEvent.objects.for_object(meeting).count(),
    )


def test_a_meeting_cannot_be_opened_earlier_than_the_setting_allows(
    clock, staff, member1, member2, ten_oclock
):
    clock.move_to(SCHEDULED - datetime.timedelta(minutes=31))
    before = state(ten_oclock)
    with pytest.raises(RuleError) as refused:
        services.open_meeting(staff, ten_oclock, [member1, member2])
    assert refused.value.message == (
        "Rapat dijadwalkan pada 2 Des 2026 10.00 WIB; "
        "rapat dapat dibuka mulai 2 Des 2026 09.30 WIB."
    )
    assert state(ten_oclock) == before


def test_a_meeting_opens_from_its_scheduled_time_less_the_setting(
    clock, staff, member1, member2, ten_oclock
):
    clock.move_to(SCHEDULED - datetime.timedelta(minutes=30))
    meeting = services.open_meeting(staff, ten_oclock, [member1, member2])
    assert meeting.status == Meeting.Status.HELD
    assert Meeting.objects.get(pk=meeting.pk).opened_at == SCHEDULED - datetime.timedelta(
        minutes=30
    )


def test_with_the_setting_at_zero_a_meeting_opens_on_the_minute(
    clock, settings, staff, member1, member2, ten_oclock
):
    settings.MEETING_OPEN_EARLY_MINUTES = 0
    clock.move_to(SCHEDULED - datetime.timedelta(minutes=1))
    with pytest.raises(RuleError):
        services.open_meeting(staff, ten_oclock, [member1, member2])
    clock.move_to(SCHEDULED)
    assert services.open_meeting(staff, ten_oclock, [member1, member2]).opened_at == SCHEDULED


def test_a_late_meeting_can_still_be_opened(clock, staff, member1, member2, ten_oclock):
    clock.move_to(SCHEDULED + datetime.timedelta(days=1))
    assert services.open_meeting(staff, ten_oclock, [member1, member2]).status == "held"


def test_the_staff_page_says_when_the_meeting_can_open_instead_of_the_button(
    clock, client, staff, member1, ten_oclock
):
    client.force_login(staff)
    url = ten_oclock.get_absolute_url()
    page = client.get(url).content.decode()
    assert 'data-testid="open-meeting"' not in page
    assert 'data-testid="opens-at"' in page
    assert "rapat dapat dibuka mulai 2 Des 2026 09.30 WIB" in page
    before = state(ten_oclock)
    response = client.post(
        reverse("decisions:meeting_open", args=[ten_oclock.pk]), {"present": [member1.pk]}
    )
    assert response.status_code == 302
    assert "rapat dapat dibuka mulai 2 Des 2026 09.30 WIB" in client.get(url).content.decode()
    assert state(ten_oclock) == before

    clock.move_to(SCHEDULED - datetime.timedelta(minutes=10))
    client.force_login(staff)  # (a staff session ends after 30 idle minutes)
    page = client.get(url).content.decode()
    assert 'data-testid="open-meeting"' in page
    assert 'data-testid="opens-at"' not in page


def test_the_minutes_state_the_real_opening_and_closing_times(
    clock, staff, technical, member1, member2, ten_oclock, recommended
):
    clock.move_to(SCHEDULED + datetime.timedelta(minutes=20))  # the team came late
    services.open_meeting(staff, ten_oclock, [member1, member2])
    clock.move_to(SCHEDULED + datetime.timedelta(minutes=45))
    services.decide(technical, ten_oclock, recommended, result="K", basis=BASIS)
    clock.move_to(SCHEDULED + datetime.timedelta(minutes=80))
    minutes = services.close_meeting(staff, ten_oclock)

    data = minutes_data(minutes)
    assert data["held_on"] == "2 Des 2026"
    assert data["scheduled_at"] == "2 Des 2026 10.00 WIB"
    assert data["opened_at"] == "2 Des 2026 10.20 WIB"
    assert data["closed_at"] == "2 Des 2026 11.20 WIB"
    assert data["agenda"][0]["decided_at"] == "2 Des 2026 10.45 WIB"
    # ... the moments the audit trail recorded
    events = {e.action: e.created_at for e in AuditEvent.objects.for_object(ten_oclock)}
    assert events["meeting.opened"] == SCHEDULED + datetime.timedelta(minutes=20)
    assert events["meeting.closed"] == SCHEDULED + datetime.timedelta(minutes=80)

    with translation.override("en"):  # the minutes are Indonesian whatever the language
        html = render_to_string(minutes.pdf_template, minutes.pdf_context())
    text = " ".join(html.split())
    assert "Pada 2 Des 2026 telah dilaksanakan rapat tim teknis" in text
    assert (
        "Rapat dibuka pada 2 Des 2026 10.20 WIB dan ditutup pada 2 Des 2026 11.20 WIB "
        "(dijadwalkan 2 Des 2026 10.00 WIB)"
    ) in text
