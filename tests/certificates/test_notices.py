"""Daily notices (celery beat): expiry 90 and 30 days ahead (9.6, 9.7) and the daily reminder for
an overdue freeze (9.5.4) - each sent once however often the task runs; and the CSV registry."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from certificates import services, tasks
from certificates.models import Certificate, Notice
from lsp_portal import exports


def move_validity(certificate, valid_until):
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=valid_until)


def run(today, capture):
    mail.outbox.clear()
    with capture(execute=True):
        result = services.send_daily_notices(today)
    return result


@pytest.fixture
def capture(django_capture_on_commit_callbacks, celery_eager):
    return django_capture_on_commit_callbacks


@pytest.mark.parametrize(
    "days_left,kind", [(90, "expiry_90"), (60, "expiry_90"), (30, "expiry_30"), (1, "expiry_30")]
)
def test_the_expiry_notice_goes_out_once(issued, alice, capture, days_left, kind):
    today = datetime.date(2027, 3, 1)
    move_validity(issued, today + datetime.timedelta(days=days_left))
    assert run(today, capture) == (1, 0)
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert "LSP P3" in mail.outbox[0].body
    assert list(Notice.objects.values_list("kind", flat=True)) == [kind]
    assert run(today, capture) == (0, 0)  # the task ran twice: one e-mail
    assert mail.outbox == []


def test_no_notice_before_90_days_or_after_expiry(issued, capture):
    today = datetime.date(2027, 3, 1)
    move_validity(issued, today + datetime.timedelta(days=91))
    assert run(today, capture) == (0, 0)
    move_validity(issued, today - datetime.timedelta(days=1))
    assert run(today, capture) == (0, 0)
    assert not Notice.objects.exists()


def test_the_30_day_notice_follows_the_90_day_one(issued, capture):
    valid_until = datetime.date(2027, 6, 1)
    move_validity(issued, valid_until)
    run(valid_until - datetime.timedelta(days=80), capture)
    run(valid_until - datetime.timedelta(days=20), capture)
    run(valid_until - datetime.timedelta(days=10), capture)
    assert sorted(Notice.objects.values_list("kind", flat=True)) == ["expiry_30", "expiry_90"]


def test_an_overdue_freeze_reminds_staff_and_director_once_a_day(issued, staff, director, capture):
    services.freeze(
        staff,
        issued,
        ground="a",
        reason="Klaim di luar ruang lingkup",
        resolve_by=timezone.localdate() + datetime.timedelta(days=7),
    )
    day = timezone.localdate() + datetime.timedelta(days=8)
    assert run(day, capture) == (0, 1)
    assert sorted(mail.outbox[0].to) == sorted([staff.email, director.email])
    assert run(day, capture) == (0, 0)  # same day again: nothing more
    assert run(day + datetime.timedelta(days=1), capture) == (0, 1)  # next day: again


def test_no_reminder_once_the_freeze_is_resolved(issued, staff, capture):
    services.freeze(
        staff,
        issued,
        ground="a",
        reason="Klaim di luar ruang lingkup",
        resolve_by=timezone.localdate() + datetime.timedelta(days=7),
    )
    services.restore(staff, issued, note="Diklarifikasi")
    assert run(timezone.localdate() + datetime.timedelta(days=8), capture) == (0, 0)


def test_the_beat_task_runs_the_notices(issued, capture):
    move_validity(issued, timezone.localdate() + datetime.timedelta(days=20))
    with capture(execute=True):
        result = tasks.daily_certificate_notices()
    assert result == {"expiry_notices": 1, "overdue_reminders": 0}


def test_staff_export_the_registry_as_csv(login, staff, issued):
    response = login(staff).get(reverse("certificates:registry"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())  # Excel then reads the file as UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["number", "holder", "scheme"]
    assert rows[1][0] == issued.number and rows[1][4] == "valid"
    assert len(rows[1][7].split()) == 15


def test_staff_export_the_registry_as_xlsx(login, staff, issued):
    from openpyxl import load_workbook

    response = login(staff).get(reverse("certificates:registry"), {"format": "xlsx"})
    assert response["Content-Type"] == exports.XLSX
    assert response["Content-Disposition"] == 'attachment; filename="certificates.xlsx"'
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:3] == ["number", "holder", "scheme"]
    assert rows[1][0] == issued.number and rows[1][4] == "valid"
    assert rows[1][5].date() == issued.issued_on  # a real date cell, not text
    assert len(rows[1][7].split()) == 15


def test_the_registry_filters_by_scheme(login, staff, issued, second_scheme):
    client = login(staff)
    html = client.get(
        reverse("certificates:registry"),
        {"scheme": issued.decision.assessment.application.scheme_id},
    ).content.decode()
    assert issued.number in html
    html = client.get(
        reverse("certificates:registry"), {"scheme": second_scheme.pk}
    ).content.decode()
    assert issued.number not in html


def test_applicants_cannot_export(login, alice, issued):
    assert login(alice).get(reverse("certificates:registry"), {"format": "csv"}).status_code == 403
