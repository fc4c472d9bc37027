"""Staff keep the LSP's closure days in the admin (9.9.6 working days); appeals themselves change
only through the audited services; celery beat runs the deadline notices."""

import datetime

from django.conf import settings
from django.urls import reverse

from lsp_portal.workdays import add_working_days
from lsp_portal.workdays.models import ClosureDay


def test_staff_add_a_closure_day_in_the_admin_and_it_is_not_a_working_day(login, staff):
    staff.is_staff = True
    staff.save()
    client = login(staff)
    monday = datetime.date(2026, 11, 30)
    before = add_working_days(datetime.date(2026, 11, 27), 1)
    assert before == monday
    response = client.post(
        reverse("admin:workdays_closureday_add"),
        {"date": "2026-11-30", "description": "Dies Natalis universitas"},
    )
    assert response.status_code == 302
    assert ClosureDay.objects.get().description == "Dies Natalis universitas"
    assert add_working_days(datetime.date(2026, 11, 27), 1) == monday + datetime.timedelta(days=1)


def test_appeals_are_read_only_in_the_admin(login, staff):
    staff.is_staff = True
    staff.save()
    client = login(staff)
    assert client.get(reverse("admin:appeals_appeal_changelist")).status_code == 200
    assert client.get(reverse("admin:appeals_appeal_add")).status_code == 403


def test_celery_beat_runs_the_appeal_deadline_notices():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "appeals.tasks.appeal_deadline_notices" in tasks
