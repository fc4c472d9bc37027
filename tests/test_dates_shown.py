"""Every date a person reads is the Asia/Jakarta date, in one format (issue 13.1).

The clock is stopped at 1 December 2026 17:30 UTC, which is 2 December 2026 00:30 WIB: a date
printed on the UTC clock reads "1 Des 2026" there, and an ISO date ("2026-12-02") is a database
value leaking into a sentence. The world is the route matrix's (built through the services: a
meeting with minutes and decree, alice's certificate, bob's appeal with its answer letter), plus a
second meeting whose decree waits for the director, a warning, a frozen certificate and a closure
day. Everything that turns it into text is checked: the pages each role reaches, the documents
(PDF templates and one real PDF), the e-mails, every model's str() and the admin's columns, the
refusals, and the exports.
"""

import datetime
import io
import re
import subprocess
from html.parser import HTMLParser

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from appeals.models import AnswerLetter
from assessment import services as assessment_services
from certificates import services as certificate_services
from certificates.models import Certificate, CertificateCard
from decisions import services as decision_services
from decisions.models import Decree, Meeting, Minutes, MinutesSignature, TechnicalTeamMember
from lsp_portal import exports
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from lsp_portal.pdf import render_pdf
from lsp_portal.workdays.models import ClosureDay
from tests.conftest import make_user, run_outbox_jobs
from tests.decisions.conftest import meeting_through_minutes, recommended_case
from tests.fixtures_assessment import (
    all_results,
    make_assessor,
    make_tuk,
    plan_header,
    plan_items,
    reviews,
)
from tests.security.test_route_matrix import ROLES, ROUTES, arguments, view_of, world

__all__ = ["world"]  # the route matrix's world, used as a fixture here

NIGHT = datetime.datetime(2026, 12, 1, 17, 30, tzinfo=datetime.UTC)  # 2 Des 2026 00:30 WIB
TODAY = re.compile(r"(?<!\d)2 Des 2026")
NOW = "2 Des 2026 00.30 WIB"
UTC_DAY = re.compile(r"(?<!\d)1 Des 2026")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(autouse=True)
def night():
    """The clock stands at 00:30 WIB while the world is built and read (autouse: set before any
    other fixture of this module makes a row)."""
    with time_machine.travel(NIGHT, tick=False):
        yield


class _Text(HTMLParser):
    """The text a person reads on a page: no tags, attributes (input values), scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self._hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def text_of(html):
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def assert_local(text, where):
    """No UTC date and no ISO date in `text`."""
    assert not UTC_DAY.search(text), f"{where}: a UTC date: {text[:3000]}"
    assert not ISO_DATE.search(text), f"{where}: an ISO date {ISO_DATE.search(text)[0]!r}"


@pytest.fixture
def dated(world, staff, assessor, assessor_profile, tuk):
    """The route matrix's world, and what else shows a date: a meeting whose decree waits for the
    director (his banner), a warning, a frozen certificate, a closure day."""
    erin = make_user("erin@example.org", "Erin Applicant", Role.APPLICANT)
    case = recommended_case(erin, staff, assessor, assessor_profile, tuk)
    members = list(TechnicalTeamMember.objects.all())
    minutes = meeting_through_minutes(staff, members, [case], title="Rapat Tim Teknis Malam")
    decision_services.draft_decree(staff, minutes)
    certificate = world["certificate"]
    certificate_services.warn(staff, certificate, ground="a", text="Logo dipakai pada brosur.")
    ClosureDay.objects.create(date=timezone.localdate(), description="Dies natalis")
    return {**world, "second_meeting": Meeting.objects.get(pk=minutes.meeting_id)}


def get_text(client, user, url, *, language=None):
    client.logout()  # (which also forgets the cookies)
    if user is not None:
        client.force_login(user)
    if language is not None:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    return text_of(response.content.decode())


# --- pages --------------------------------------------------------------------------------------


def test_no_page_any_role_reaches_shows_a_utc_or_iso_date(client, dated):
    users = {"anonymous": None, **dated["users"]}
    checked = 0
    for name, (method, outcomes) in ROUTES.items():
        if method != "get":
            continue
        owner = {"applicant": dated["bob"]} if name.startswith("appeals:") else {}
        for role, expected in zip(ROLES, outcomes, strict=True):
            if expected != "ok":
                continue
            url = reverse(name, args=arguments(name, view_of(dated, role)))
            text = get_text(client, {**users, **owner}[role], url)
            if text is not None:
                assert_local(text, f"{name} as {role}")
                checked += 1
    assert checked > 150


MAIN_PAGES = [
    # (role, route, what it must show)
    ("staff", "decisions:meeting_list", NOW),
    ("staff", "decisions:meeting_detail", NOW),
    ("technical", "decisions:meeting_detail", NOW),
    ("technical", "decisions:case", NOW),
    ("director", "decisions:meeting_list", "Rapat Tim Teknis Malam (2 Des 2026)"),
    ("applicant", "decisions:my_decision", NOW),
    ("applicant", "registration:application_detail", NOW),
    ("staff", "registration:review_detail", NOW),
    ("staff", "assessment:detail", NOW),
    ("applicant", "assessment:detail", NOW),
    ("applicant", "certificates:detail", "2 Des 2029"),
    ("staff", "certificates:detail", NOW),
    ("staff", "certificates:registry", "2 Des 2029"),
    ("anonymous", "certificates:verify_token", "2 Des 2026"),
    ("bob", "appeals:detail", NOW),
    ("staff", "appeals:detail", NOW),
    ("appeal", "appeals:detail", NOW),
    ("staff", "appeals:list", "2 Des 2026"),
]


def test_the_main_pages_show_the_jakarta_date_in_one_format(client, dated):
    users = {"anonymous": None, **dated["users"], "bob": dated["bob"]}
    missing = []
    for role, name, shown in MAIN_PAGES:
        text = get_text(client, users[role], reverse(name, args=arguments(name, dated)))
        assert text is not None, name
        assert_local(text, name)
        if shown not in text:
            missing.append(f"{name} as {role}: no {shown!r} in {text[:2000]}")
    assert not missing, "\n".join(missing)


def test_in_english_a_page_shows_the_english_date_and_time(client, dated):
    meeting = dated["meeting"]
    text = get_text(client, dated["users"]["staff"], meeting.get_absolute_url(), language="en")
    assert "2 Dec 2026 00:30 WIB" in text
    assert "Des 2026" not in text
    certificate = dated["certificate"]
    url = reverse("certificates:detail", args=[certificate.pk])
    text = get_text(client, dated["users"]["staff"], url, language="en")
    assert "Valid until 2 Dec 2029" in text


# --- documents ----------------------------------------------------------------------------------


def documents(dated):
    meeting = dated["meeting"]
    return {
        "minutes": Minutes.objects.get(meeting=meeting),
        "decree": Decree.objects.get(minutes__meeting=meeting),
        "answer letter": AnswerLetter.objects.get(appeal=dated["appeal"]),
        "certificate": Certificate.objects.get(pk=dated["certificate"].pk),
        "card": CertificateCard.objects.get(certificate=dated["certificate"]),
    }


def test_every_official_document_is_dated_on_the_jakarta_clock(dated, tmp_path):
    shown = {
        "minutes": [NOW, "Rapat dibuka pada 2 Des 2026 00.30 WIB"],
        "decree": ["tanggal 2 Des 2026"],
        "answer letter": [f"{settings.LSP_CITY}, 2 Des 2026", "diterima LSP pada 2 Des 2026"],
        "certificate": ["Diterbitkan 2 Des 2026", "Berlaku sampai dengan 2 Des 2029"],
        "card": ["Berlaku s.d. 2 Des 2029"],
    }
    for name, document in documents(dated).items():
        with translation.override("en"):  # official documents stay Indonesian whatever is active
            html = render_to_string(document.pdf_template, document.pdf_context())
        text = text_of(html)
        for expected in shown[name]:
            assert expected in text, (name, text)
        assert_local(text, name)

    # ... and the answer letter as the PDF the appellant gets, read back by pdftotext
    letter = documents(dated)["answer letter"]
    path = tmp_path / "answer.pdf"
    path.write_bytes(render_pdf(letter.pdf_template, letter.pdf_context()))
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert f"Tanggal : {settings.LSP_CITY}, 2 Des 2026" in text
    assert "diterima LSP pada 2 Des 2026" in text
    assert_local(text, "answer letter PDF")


# --- e-mails ------------------------------------------------------------------------------------


def test_every_email_gives_jakarta_dates_in_one_format(dated):
    certificate = Certificate.objects.get(pk=dated["certificate"].pk)
    certificate_services.freeze(
        dated["users"]["staff"],
        certificate,
        ground="a",
        reason="Logo dipakai pada brosur.",
        resolve_by=timezone.localdate() + datetime.timedelta(days=14),
    )
    mail.outbox.clear()
    run_outbox_jobs()
    texts = {}
    for message in mail.outbox:
        html = message.alternatives[0][0] if message.alternatives else ""
        texts.setdefault(message.subject, []).append(
            f"{message.subject}\n{message.body}\n{text_of(html)}"
        )
    assert len(texts) >= 8, sorted(texts)
    for subject, bodies in texts.items():
        for text in bodies:
            assert_local(text, subject)
    everything = "\n".join(t for bodies in texts.values() for t in bodies)
    assert f"on {NOW}" in everything or f"pada {NOW}" in everything  # the meeting's subject
    assert "3 Des 2026 00.30 WIB" in everything  # the end of the appeal window (24 hours)
    assert "9 Des 2026" in everything  # the appeal's 7-day deadline, from the Jakarta date
    assert "16 Des 2026" in everything  # the freeze's resolve-by date


# --- model texts --------------------------------------------------------------------------------

OUR_APPS = ("appeals", "assessment", "certificates", "decisions", "registration", "lsp_portal")


def test_no_model_text_or_admin_column_is_a_utc_or_iso_date(client, dated):
    from django.apps import apps

    seen = 0
    for model in apps.get_models():
        if not model.__module__.startswith(OUR_APPS):
            continue
        for obj in model.objects.all()[:200]:
            assert_local(str(obj), f"{model.__name__} {obj.pk}")
            seen += 1
    assert seen > 100
    meeting = dated["meeting"]
    assert str(meeting) == f"{meeting.title} (2 Des 2026)"
    assert NOW in str(MinutesSignature.objects.filter(minutes__meeting=meeting).first())
    assert str(AuditEvent.objects.filter(action="meeting.planned").first()).startswith(NOW)
    assert str(ClosureDay.objects.get()) == "2 Des 2026 Dies natalis"
    assert TODAY.search(str(dated["assessment"].plan.first()))
    assert TODAY.search(str(dated["certificate"].warnings.get()))
    with translation.override("en"):
        assert str(meeting) == f"{meeting.title} (2 Dec 2026)"

    client.force_login(User.objects.create_superuser(email="root@example.org", password="x" * 12))
    text = text_of(client.get(reverse("admin:audit_auditevent_changelist")).content.decode())
    assert NOW in text
    assert_local(text, "audit admin")
    text = text_of(client.get(reverse("admin:workdays_closureday_changelist")).content.decode())
    assert "2 Des 2026" in text


# --- refusals -----------------------------------------------------------------------------------


def test_no_refusal_prints_an_iso_date(staff, assessor, declared, tuk):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    lapsed = make_tuk(staff, start=yesterday - datetime.timedelta(days=300), end=yesterday)
    with pytest.raises(RuleError) as refused:
        assessment_services.set_plan(
            assessor, declared, plan_items(declared, lapsed), header=plan_header()
        )
    message = refused.value.message
    assert "tidak terverifikasi pada 2 Des 2026 (terverifikasi" in message, message
    assert "s.d. 1 Des 2026)" in message, message
    assert not ISO_DATE.search(message), message

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assessment_services.set_plan(
        assessor, declared, plan_items(declared, tuk, date=tomorrow), header=plan_header()
    )
    applicant = declared.application.applicant
    assessment_services.agree_plan(applicant, declared, plan=True, confidentiality=True)
    assessment_services.agree_plan(assessor, declared, plan=True, confidentiality=True)
    assessment_services.review_evidence(assessor, declared, reviews(declared), proceed=True)
    with pytest.raises(RuleError) as refused:
        assessment_services.record_results(assessor, declared, all_results(declared))
    assert "dijadwalkan pada 3 Des 2026;" in refused.value.message, refused.value.message
    assert not ISO_DATE.search(refused.value.message)


def test_a_lapsed_registration_is_refused_with_its_date_as_people_write_it(
    staff, eligible, assessor2
):
    lapsed = make_assessor(
        assessor2,
        eligible.scheme,
        "MET.000.000001.2020",
        valid_until=timezone.localdate() - datetime.timedelta(days=1),
    )
    with pytest.raises(RuleError) as refused:
        assessment_services.assign(staff, eligible, lapsed)
    assert "kedaluwarsa pada 1 Des 2026;" in refused.value.message, refused.value.message
    assert not ISO_DATE.search(refused.value.message)


# --- exports ------------------------------------------------------------------------------------


def _body(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_csv_keeps_iso_dates_and_writes_times_on_the_jakarta_clock():
    response = exports.csv_response(
        "x.csv", ["day", "moment"], [[datetime.date(2026, 12, 2), timezone.now()]]
    )
    assert _body(response).splitlines()[1] == "2026-12-02,2026-12-02T00:30:00+07:00"


def test_xlsx_keeps_typed_dates_shown_as_people_read_them_and_local_times():
    from openpyxl import load_workbook

    response = exports.xlsx_response(
        "x.xlsx", ["day", "moment"], [[datetime.date(2026, 12, 2), timezone.now()]], title="x"
    )
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    day, moment = sheet["A2"], sheet["B2"]
    assert day.value == datetime.datetime(2026, 12, 2, 0, 0)  # a date cell (Excel has no pure date)
    assert day.is_date and day.number_format == "d mmm yyyy"
    assert moment.value == datetime.datetime(2026, 12, 2, 0, 30)
    assert moment.is_date and moment.number_format == "d mmm yyyy hh:mm"
