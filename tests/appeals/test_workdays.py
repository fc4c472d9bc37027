"""Working days for the 14-working-day deadline (9.9.6): Monday to Friday, without Indonesian
public holidays, joint leave (cuti bersama) and the LSP's own closure days; both deadlines counted
from the day after the receipt date in Asia/Jakarta."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from appeals.services import deadlines_from
from lsp_portal.workdays import add_working_days, is_working_day
from lsp_portal.workdays.models import ClosureDay

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")
UTC = datetime.UTC
D = datetime.date


def test_five_working_days_from_a_monday_is_the_next_monday():
    assert D(2026, 2, 2).weekday() == 0
    assert add_working_days(D(2026, 2, 2), 5) == D(2026, 2, 9)


def test_the_start_day_itself_is_not_counted():
    assert add_working_days(D(2026, 2, 2), 1) == D(2026, 2, 3)


def test_a_weekend_is_skipped():
    # Thursday 5 February: Friday 6 (1), Monday 9 (2), Tuesday 10 (3).
    assert add_working_days(D(2026, 2, 5), 2) == D(2026, 2, 9)
    assert add_working_days(D(2026, 2, 5), 3) == D(2026, 2, 10)
    # From a Saturday the count starts on Monday.
    assert add_working_days(D(2026, 2, 7), 1) == D(2026, 2, 9)


def test_lunar_new_year_and_its_joint_leave_are_not_working_days():
    # Friday 13 February 2026; Monday 16 (joint leave) and Tuesday 17 (Imlek) are holidays.
    assert not is_working_day(D(2026, 2, 16))
    assert not is_working_day(D(2026, 2, 17))
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 18)


def test_fourteen_working_days_across_nyepi_and_idul_fitri_2026():
    # Received Tuesday 17 March 2026. 18-24 March: Nyepi, Idul Fitri and joint leave (21/22 is a
    # weekend). Then 25, 26, 27 Mar (3); 30, 31 Mar, 1, 2 Apr (7); 3 Apr Good Friday;
    # 6-10 Apr (12); 13, 14 Apr (14).
    for day in range(18, 25):
        assert not is_working_day(D(2026, 3, day))
    assert not is_working_day(D(2026, 4, 3))
    assert add_working_days(D(2026, 3, 17), 14) == D(2026, 4, 14)


def test_deadlines_from_a_receipt_before_idul_fitri():
    received = datetime.datetime(2026, 3, 17, 10, 0, tzinfo=JAKARTA)
    assert deadlines_from(received) == (D(2026, 3, 24), D(2026, 4, 14))


def test_an_lsp_closure_day_shifts_the_deadline_by_one_day():
    assert add_working_days(D(2026, 2, 2), 5) == D(2026, 2, 9)
    ClosureDay.objects.create(date=D(2026, 2, 4), description="Dies Natalis UPJ")
    assert not is_working_day(D(2026, 2, 4), frozenset({D(2026, 2, 4)}))
    assert add_working_days(D(2026, 2, 2), 5) == D(2026, 2, 10)


def test_a_closure_day_on_a_weekend_or_outside_the_period_changes_nothing():
    ClosureDay.objects.create(date=D(2026, 2, 7), description="Sabtu: kantor tutup")
    ClosureDay.objects.create(date=D(2026, 2, 2), description="Hari penerimaan itu sendiri")
    ClosureDay.objects.create(date=D(2026, 2, 20), description="Setelah tenggat")
    assert add_working_days(D(2026, 2, 2), 5) == D(2026, 2, 9)


def test_a_closure_day_moves_the_14_working_day_deadline_of_an_appeal():
    received = datetime.datetime(2026, 3, 17, 10, 0, tzinfo=JAKARTA)
    ClosureDay.objects.create(date=D(2026, 4, 8), description="Rapat kerja LSP")
    assert deadlines_from(received) == (D(2026, 3, 24), D(2026, 4, 15))


def test_a_friday_evening_receipt_in_jakarta():
    # Friday 27 November 2026, 20:30 WIB (13:30 UTC). 7 days: Friday 4 December. 14 working days
    # from Monday 30 November: 30 Nov, 1-4 Dec (5), 7-11 Dec (10), 14-17 Dec (14).
    received = datetime.datetime(2026, 11, 27, 13, 30, tzinfo=UTC)
    assert received.astimezone(JAKARTA).hour == 20
    assert deadlines_from(received) == (D(2026, 12, 4), D(2026, 12, 17))


def test_a_receipt_after_midnight_in_jakarta_counts_from_the_local_date():
    # Saturday 28 November 2026, 00:30 WIB is still Friday 17:30 in UTC: the local date counts.
    received = datetime.datetime(2026, 11, 27, 17, 30, tzinfo=UTC)
    assert received.astimezone(JAKARTA).date() == D(2026, 11, 28)
    completion_due, decision_due = deadlines_from(received)
    assert completion_due == D(2026, 12, 5)
    # Saturday: the 14 working days start on Monday 30 November, as from the Friday evening.
    assert decision_due == D(2026, 12, 17)
