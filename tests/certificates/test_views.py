"""The certificate pages: the access matrix (anonymous -> login, outsider -> 404, wrong role -> 403,
GET on a POST-only view -> 405), the holder and staff completing the hand-over through the pages,
the downloads, the applicant's tracker, and public verification without login that shows only
name, scheme, number, dates, scope and status (never NIK, birth date, contacts)."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone, translation

from certificates.models import Certificate
from lsp_portal.dates import format_date
from tests.certificates.conftest import FEE, POINTS

JAKARTA = ZoneInfo("Asia/Jakarta")
UNKNOWN_TOKEN = "5f0c6a8e-3b1d-4c2e-9a7f-0123456789ab"
# alice's personal data from tests.conftest.PERSONAL, in the forms a page could show them.
PRIVATE = [
    "3174015201020001",
    "2002-01-12",
    "12 Januari 2002",
    "12 January 2002",
    "0812 3456 7890",
    "081234567890",
    "alice@example.org",
    "Jl. Merdeka",
]


def urls(certificate):
    pk = certificate.pk
    return {
        "mine": ("get", reverse("certificates:mine")),
        "detail": ("get", reverse("certificates:detail", args=[pk])),
        "agree": ("post", reverse("certificates:agree", args=[pk])),
        "record_fee": ("post", reverse("certificates:record_fee", args=[pk])),
        "download": ("get", reverse("certificates:download", args=[pk, "certificate"])),
        "download_card": ("get", reverse("certificates:download", args=[pk, "card"])),
        "registry": ("get", reverse("certificates:registry")),
    }


def call(client, certificate, name, data=None):
    method, url = urls(certificate)[name]
    return getattr(client, method)(url, data or {})


def local_date(day):
    with translation.override(settings.LANGUAGE_CODE):
        return format_date(day)


# --- Access ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login(client, pending):
    login_url = resolve_url(settings.LOGIN_URL)
    for name in urls(pending):
        response = call(client, pending, name, {"points": POINTS, "amount": FEE})
        assert response.status_code == 302, name
        assert response["Location"].startswith(login_url), name
    pending.refresh_from_db()
    assert pending.agreement_signed_at is None
    assert pending.fee_paid_at is None


def test_another_applicant_cannot_see_the_certificate(login, bob, rendered):
    client = login(bob)
    for name in ("detail", "agree", "download", "download_card"):
        assert call(client, rendered, name, {"points": POINTS}).status_code == 404, name
    assert rendered.number not in client.get(reverse("certificates:mine")).content.decode()


def test_another_applicant_cannot_sign_a_pending_certificate(login, bob, pending):
    assert call(login(bob), pending, "agree", {"points": POINTS}).status_code == 404
    pending.refresh_from_db()
    assert pending.agreement_signed_at is None


def test_the_registry_and_the_fee_are_refused_to_other_roles(login, alice, assessor, pending):
    assert call(login(assessor), pending, "registry").status_code == 403
    assert call(login(alice), pending, "registry").status_code == 403
    assert call(login(alice), pending, "record_fee", {"amount": FEE}).status_code == 403
    pending.refresh_from_db()
    assert pending.fee_paid_at is None


def test_staff_cannot_sign_the_agreement_for_the_holder(login, staff, pending):
    response = call(login(staff), pending, "agree", {"points": POINTS})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.agreement_signed_at is None


def test_get_on_a_post_only_view_is_refused(login, alice, staff, pending):
    assert login(alice).get(urls(pending)["agree"][1]).status_code == 405
    assert login(staff).get(urls(pending)["record_fee"][1]).status_code == 405
    pending.refresh_from_db()
    assert pending.agreement_signed_at is None
    assert pending.fee_paid_at is None


# --- The hand-over through the pages ---------------------------------------------------------


def test_the_pending_certificate_page_asks_each_for_their_part(login, alice, staff, pending):
    holder_page = login(alice).get(urls(pending)["detail"][1]).content.decode()
    assert 'data-testid="sign-agreement"' in holder_page
    assert all(f'value="{point}"' in holder_page for point in POINTS)
    assert 'data-testid="record-fee"' not in holder_page
    staff_page = login(staff).get(urls(pending)["detail"][1]).content.decode()
    assert 'data-testid="record-fee"' in staff_page
    assert 'value="350000"' in staff_page
    assert 'data-testid="sign-agreement"' not in staff_page


def test_the_holder_signs_the_agreement_through_the_page(login, alice, pending):
    response = call(login(alice), pending, "agree", {"points": POINTS})
    assert response.status_code == 302
    assert response["Location"] == pending.get_absolute_url()
    pending.refresh_from_db()
    assert pending.agreement_signed_at is not None
    assert pending.status == Certificate.Status.PENDING


def test_an_agreement_missing_a_point_is_not_recorded(login, alice, pending):
    response = call(login(alice), pending, "agree", {"points": POINTS[:3]})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.agreement_signed_at is None
    page = login(alice).get(pending.get_absolute_url()).content.decode()
    assert 'data-testid="sign-agreement"' in page, "the form is offered again"


def test_staff_record_the_fee_through_the_page(login, staff, pending):
    response = call(login(staff), pending, "record_fee", {"amount": "350000"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.fee_amount == FEE
    assert pending.fee_recorded_by == staff


def test_a_wrong_or_missing_amount_is_not_recorded(login, staff, pending):
    for amount in ("300000", ""):
        response = call(login(staff), pending, "record_fee", {"amount": amount})
        assert response.status_code == 302, amount
    pending.refresh_from_db()
    assert pending.fee_paid_at is None
    assert pending.fee_amount is None


def test_the_hand_over_through_the_pages_issues_and_renders_the_certificate(
    login, alice, staff, pending, signatory, celery_eager, django_capture_on_commit_callbacks
):
    call(login(alice), pending, "agree", {"points": POINTS})
    with django_capture_on_commit_callbacks(execute=True):
        call(login(staff), pending, "record_fee", {"amount": "350000"})
    pending.refresh_from_db()
    assert pending.status == Certificate.Status.ACTIVE
    page = login(alice).get(pending.get_absolute_url()).content.decode()
    assert f'data-testid="certificate-number">{pending.number}<' in page
    assert local_date(pending.valid_until) in page
    assert 'data-testid="download-certificate"' in page
    assert 'data-testid="download-card"' in page
    assert reverse("certificates:verify_token", args=[pending.token]) in page


@pytest.mark.parametrize(("name", "kind"), [("download", "certificate"), ("download_card", "card")])
def test_the_holder_downloads_the_certificate_and_the_card(login, alice, rendered, name, kind):
    response = call(login(alice), rendered, name)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert f"{kind}-{rendered.number.replace('/', '-')}.pdf" in response["Content-Disposition"]


def test_a_pending_certificate_has_nothing_to_download(login, alice, staff, pending):
    for user in (alice, staff):
        client = login(user)
        assert call(client, pending, "download").status_code == 404
        assert call(client, pending, "download_card").status_code == 404
    page = login(alice).get(pending.get_absolute_url()).content.decode()
    assert 'data-testid="download-certificate"' not in page


def test_the_holder_lists_her_certificates_and_others_see_none(login, alice, bob, issued):
    mine = login(alice).get(reverse("certificates:mine")).content.decode()
    assert issued.number in mine
    assert issued.scheme_name in mine
    theirs = login(bob).get(reverse("certificates:mine")).content.decode()
    assert issued.number not in theirs


@pytest.mark.parametrize("who", ["staff", "director"])
def test_staff_and_the_director_see_the_registry(request, login, issued, who):
    page = login(request.getfixturevalue(who)).get(reverse("certificates:registry"))
    assert page.status_code == 200
    html = page.content.decode()
    assert issued.number in html
    assert "Alice Applicant" in html
    pending_only = login(request.getfixturevalue(who)).get(
        reverse("certificates:registry"), {"status": "pending"}
    )
    assert issued.number not in pending_only.content.decode()


def test_the_tracker_asks_for_the_agreement_then_shows_the_certificate_done(
    login, alice, staff, pending, signatory
):
    client = login(alice)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-step="certificate" data-state="attention"' in html
    call(client, pending, "agree", {"points": POINTS})
    html = client.get(reverse("dashboard")).content.decode()
    assert 'data-step="certificate" data-state="current"' in html
    call(login(staff), pending, "record_fee", {"amount": "350000"})
    html = login(alice).get(reverse("dashboard")).content.decode()
    assert 'data-step="certificate" data-state="done"' in html


# --- Public verification ---------------------------------------------------------------------


def test_anyone_verifies_a_certificate_by_its_number(client, issued):
    response = client.get(reverse("certificates:verify"), {"number": issued.number})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="valid">Berlaku<' in html
    assert issued.number in html
    assert 'data-testid="public-holder">Alice Applicant<' in html
    assert issued.scheme_name in html
    assert issued.scheme_number in html
    assert local_date(issued.issued_on) in html
    assert local_date(issued.valid_until) in html
    assert all(unit.code in html for unit in issued.scope.all())


def test_the_qr_link_shows_the_certificate(client, issued):
    response = client.get(reverse("certificates:verify_token", args=[issued.token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="valid">Berlaku<' in html
    assert issued.number in html
    assert "Alice Applicant" in html


def test_the_verification_data_for_machines(client, issued, scheme):
    response = client.get(reverse("certificates:verify_json", args=[issued.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {
        "number",
        "holder",
        "scheme",
        "scheme_number",
        "issued_on",
        "valid_until",
        "status",
        "status_label",
        "scope",
        "found",
    }
    assert data["found"] is True
    assert data["number"] == issued.number
    assert data["holder"] == "Alice Applicant"
    assert (data["scheme"], data["scheme_number"]) == (scheme.name, scheme.document_number)
    assert data["issued_on"] == issued.issued_on.isoformat()
    assert data["valid_until"] == issued.valid_until.isoformat()
    assert (data["status"], data["status_label"]) == ("valid", "Berlaku")
    assert data["scope"] == [
        {"code": unit.code, "title": unit.title} for unit in scheme.units.order_by("number")
    ]


def test_verification_reveals_no_personal_data(client, issued, recommended):
    application = recommended.application
    assert application.nik == PRIVATE[0], "the holder's data the pages must not show"
    pages = {
        "number": client.get(reverse("certificates:verify"), {"number": issued.number}),
        "token": client.get(reverse("certificates:verify_token", args=[issued.token])),
        "json": client.get(reverse("certificates:verify_json", args=[issued.token])),
    }
    for page, response in pages.items():
        assert response.status_code == 200, page
        body = response.content.decode()
        if page == "json":
            body = json.dumps(response.json(), ensure_ascii=False)
        assert "Alice Applicant" in body, page
        assert [private for private in PRIVATE if private in body] == [], page


def test_an_unknown_number_is_a_plain_not_found(client, issued):
    response = client.get(reverse("certificates:verify"), {"number": "99999/LSP-UPJ/MHP/I/2026"})
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="not-found"' in html
    assert 'data-testid="verification"' not in html
    assert 'name="number"' in html, "the search form, not the error page"
    assert "Alice Applicant" not in html


@pytest.mark.parametrize("which", ["unknown", "pending"])
def test_an_unknown_or_pending_token_is_a_plain_not_found(client, pending, which):
    token = UNKNOWN_TOKEN if which == "unknown" else pending.token
    response = client.get(reverse("certificates:verify_token", args=[token]))
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="not-found"' in html
    assert 'name="number"' in html
    assert "Alice Applicant" not in html
    response = client.get(reverse("certificates:verify_json", args=[token]))
    assert response.status_code == 404
    assert response.json() == {"found": False}


def test_verification_says_expired_from_the_day_after_valid_until_in_jakarta(client, issued):
    """The last day counts in Jakarta: 00:30 the next day there is still that day in UTC."""
    url = reverse("certificates:verify_json", args=[issued.token])
    last_day = issued.valid_until
    with time_machine.travel(
        datetime.datetime.combine(last_day, datetime.time(23, 50), tzinfo=JAKARTA), tick=False
    ):
        assert client.get(url).json()["status_label"] == "Berlaku"
    next_day = last_day + datetime.timedelta(days=1)
    with time_machine.travel(
        datetime.datetime.combine(next_day, datetime.time(0, 30), tzinfo=JAKARTA), tick=False
    ):
        data = client.get(url).json()
    assert (data["status"], data["status_label"]) == ("expired", "Kedaluwarsa")


@pytest.mark.parametrize("path", ["/verify/abc/", "/verify/abc.json", "/verify/" + "9" * 40 + "/"])
def test_a_malformed_token_is_plainly_not_found(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    if path.endswith(".json"):
        assert response.json() == {"found": False}
    else:
        assert 'data-testid="not-found"' in response.content.decode()


def test_an_overlong_number_is_searched_and_not_found(client, db):
    response = client.get("/verify/", {"number": "X" * 200})
    assert response.status_code == 404
    assert 'data-testid="not-found"' in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Verification is cached; a change shows at once
# ---------------------------------------------------------------------------------------------


def test_a_freeze_shows_on_verification_at_once_although_it_was_cached(
    client, staff, issued, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from certificates import services

    token_url = reverse("certificates:verify_json", args=[issued.token])
    assert client.get(token_url).json()["status"] == "valid"
    assert client.get(reverse("certificates:verify"), {"number": issued.number}).status_code == 200
    with django_assert_num_queries(0):  # served from the cache
        assert client.get(token_url).json()["status"] == "valid"

    with django_capture_on_commit_callbacks(execute=True):
        services.freeze(
            staff,
            issued,
            ground="a",
            reason="Dipakai di luar ruang lingkup.",
            resolve_by=timezone.localdate() + datetime.timedelta(days=14),
        )

    assert client.get(token_url).json()["status"] == "frozen"
    page = client.get(reverse("certificates:verify"), {"number": issued.number})
    assert 'data-status="frozen"' in page.content.decode()


def test_a_token_looked_up_before_the_issue_is_found_once_issued(
    client, alice, staff, pending, signatory, django_capture_on_commit_callbacks
):
    from certificates import services

    url = reverse("certificates:verify_json", args=[pending.token])
    assert client.get(url).status_code == 404  # pending: not found (and remembered)
    services.sign_agreement(alice, pending, points=POINTS)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_fee(staff, pending, amount=FEE)
    response = client.get(url)
    assert response.status_code == 200
    assert response.json()["number"] == Certificate.objects.get(pk=pending.pk).number
