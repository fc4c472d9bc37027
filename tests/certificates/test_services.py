"""The certificate rules (9.4.6-9.4.7, 9.8): a pending certificate for each competent decision of a
signed decree, handed over only after the holder signed the certificate-use agreement and staff
recorded the fee; then numbered per year, dated (valid 3 years, 29 February -> 28 February, in
Asia/Jakarta), signed by the current signatory, scoped to the units found Kompeten, and audited."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from certificates import services
from certificates.models import (
    Certificate,
    CertificateCard,
    CertificateCounter,
    Signatory,
    add_years,
)
from decisions import services as decision_services
from decisions.models import Decision
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from tests.certificates.conftest import FEE, POINTS, certificate_of, sign_decree_for
from tests.decisions.conftest import meeting_through_minutes, recommended_case

JAKARTA = ZoneInfo("Asia/Jakarta")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
Status = Certificate.Status


def at(*args):
    """A moment on the wall clock of Jakarta, with time frozen there."""
    return time_machine.travel(datetime.datetime(*args, tzinfo=JAKARTA), tick=False)


def actions(certificate):
    return list(
        AuditEvent.objects.for_object(certificate).order_by("pk").values_list("action", flat=True)
    )


def unchanged_pending(certificate):
    """Nothing of the hand-over happened: still pending, no number, no date, no counter."""
    certificate.refresh_from_db()
    assert certificate.status == Status.PENDING
    assert certificate.number is None
    assert certificate.issued_on is None
    assert certificate.valid_until is None
    assert certificate.signatory is None
    assert not CertificateCounter.objects.exists()
    assert not CertificateCard.objects.filter(certificate=certificate).exists()


@pytest.fixture
def two_pending(staff, director, members, recommended, bobs_recommended):
    """alice's and bob's pending certificates, from one decree."""
    sign_decree_for(staff, director, members, [recommended, bobs_recommended])
    return certificate_of(recommended), certificate_of(bobs_recommended)


def complete(alice, staff, certificate):
    services.sign_agreement(alice, certificate, points=POINTS)
    services.record_fee(staff, certificate, amount=FEE)
    certificate.refresh_from_db()
    return certificate


# --- The pending certificate -----------------------------------------------------------------


def test_no_certificate_exists_before_the_decree_is_signed(staff, members, recommended):
    minutes = meeting_through_minutes(staff, members, [recommended])
    decision_services.draft_decree(staff, minutes)
    decision = Decision.objects.get(assessment=recommended)
    assert decision.result == "K"
    assert not Certificate.objects.exists()
    assert services.create_pending(decision) is None
    assert not Certificate.objects.exists()


def test_signing_the_decree_creates_one_pending_certificate_for_the_holder(
    alice, scheme, signed_decree, recommended
):
    certificate = Certificate.objects.get()
    application = recommended.application
    assert certificate.decision == Decision.objects.get(assessment=recommended)
    assert certificate.holder == alice
    assert certificate.holder_name == application.full_name == "Alice Applicant"
    assert certificate.scheme_name == scheme.name
    assert certificate.scheme_number == scheme.document_number
    assert certificate.status == Status.PENDING
    assert certificate.number is None
    assert certificate.agreement_signed_at is None
    assert certificate.fee_paid_at is None
    assert actions(certificate) == ["certificate.pending"]


def test_the_scope_of_the_pending_certificate_is_the_units_found_kompeten(
    scheme, pending, recommended
):
    competent = set(recommended.results.filter(result="K").values_list("unit", flat=True))
    assert len(competent) == scheme.units.count() == 15
    assert set(pending.scope.values_list("pk", flat=True)) == competent


def test_a_belum_kompeten_decision_creates_no_certificate(
    staff, director, members, recommended, bob, assessor, assessor_profile, tuk
):
    bobs_case = recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")
    sign_decree_for(staff, director, members, [recommended, bobs_case])
    assert Decision.objects.get(assessment=bobs_case).result == "BK"
    assert Decision.objects.get(assessment=bobs_case).published_at is not None
    assert list(Certificate.objects.values_list("holder__email", flat=True)) == [
        "alice@example.org"
    ]
    assert services.create_pending(Decision.objects.get(assessment=bobs_case)) is None
    assert not Certificate.objects.filter(holder=bob).exists()


def test_create_pending_again_returns_the_same_certificate(pending):
    again = services.create_pending(pending.decision)
    assert again.pk == pending.pk
    assert Certificate.objects.count() == 1
    assert pending.scope.count() == 15
    assert actions(pending) == ["certificate.pending"]


# --- The certificate-use agreement (9.8) -----------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "staff"])
def test_only_the_holder_signs_the_agreement(request, who, pending):
    with pytest.raises(PermissionDenied):
        services.sign_agreement(request.getfixturevalue(who), pending, points=POINTS)
    pending.refresh_from_db()
    assert pending.agreement_signed_at is None
    assert actions(pending) == ["certificate.pending"]


@pytest.mark.parametrize(
    "points",
    [
        [],
        ["9.8.1", "9.8.2", "9.8.3", "9.8.5"],
        ["9.8.1", "9.8.2", "9.8.3", "9.8.4", "9.8.4"],
    ],
    ids=["none", "wrong-fourth", "repeated"],
)
def test_the_agreement_needs_exactly_the_four_points(alice, pending, points):
    with pytest.raises(RuleError):
        services.sign_agreement(alice, pending, points=points)
    pending.refresh_from_db()
    assert pending.agreement_signed_at is None
    assert actions(pending) == ["certificate.pending"]


def test_the_holder_signs_the_agreement_with_its_time(alice, pending):
    with at(2026, 6, 1, 9, 30):
        services.sign_agreement(alice, pending, points=list(reversed(POINTS)))
    pending.refresh_from_db()
    assert timezone.localtime(pending.agreement_signed_at) == datetime.datetime(
        2026, 6, 1, 9, 30, tzinfo=JAKARTA
    )
    assert pending.status == Status.PENDING, "the fee is still missing"
    assert pending.number is None
    event = AuditEvent.objects.for_object(pending).get(action="certificate.agreement_signed")
    assert event.actor == alice


def test_the_agreement_cannot_be_signed_twice(alice, pending):
    services.sign_agreement(alice, pending, points=POINTS)
    pending.refresh_from_db()
    first = pending.agreement_signed_at
    with pytest.raises(RuleError):
        services.sign_agreement(alice, pending, points=POINTS)
    pending.refresh_from_db()
    assert pending.agreement_signed_at == first
    assert actions(pending).count("certificate.agreement_signed") == 1


# --- The fee (8.1) ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "director"])
def test_only_staff_record_the_fee(request, who, pending):
    with pytest.raises(PermissionDenied):
        services.record_fee(request.getfixturevalue(who), pending, amount=FEE)
    pending.refresh_from_db()
    assert pending.fee_paid_at is None
    assert pending.fee_amount is None


@pytest.mark.parametrize("amount", [300_000, 350_001])
def test_the_fee_must_equal_the_fee_of_the_scheme(staff, pending, scheme, amount):
    assert scheme.fee == FEE
    with pytest.raises(RuleError) as refused:
        services.record_fee(staff, pending, amount=amount)
    assert "350.000" in refused.value.message
    pending.refresh_from_db()
    assert pending.fee_paid_at is None
    assert pending.fee_amount is None
    assert pending.fee_recorded_by is None
    assert actions(pending) == ["certificate.pending"]


def test_staff_record_the_fee_with_amount_time_and_who(staff, pending):
    with at(2026, 6, 2, 14, 0):
        services.record_fee(staff, pending, amount=FEE)
    pending.refresh_from_db()
    assert pending.fee_amount == 350_000
    assert pending.fee_recorded_by == staff
    assert timezone.localtime(pending.fee_paid_at) == datetime.datetime(
        2026, 6, 2, 14, 0, tzinfo=JAKARTA
    )
    assert pending.status == Status.PENDING, "the agreement is still missing"
    assert pending.number is None
    event = AuditEvent.objects.for_object(pending).get(action="certificate.fee_recorded")
    assert event.actor == staff
    assert event.data["amount"] == FEE


def test_the_fee_cannot_be_recorded_twice(staff, pending):
    services.record_fee(staff, pending, amount=FEE)
    pending.refresh_from_db()
    first = pending.fee_paid_at
    with pytest.raises(RuleError):
        services.record_fee(staff, pending, amount=FEE)
    pending.refresh_from_db()
    assert pending.fee_paid_at == first
    assert actions(pending).count("certificate.fee_recorded") == 1


# --- Issuing (9.4.6-9.4.7) -------------------------------------------------------------------


@pytest.mark.parametrize("order", ["agreement-first", "fee-first"])
def test_the_certificate_is_issued_once_both_requirements_are_met(
    alice, staff, pending, signatory, order
):
    steps = [
        lambda: services.sign_agreement(alice, pending, points=POINTS),
        lambda: services.record_fee(staff, pending, amount=FEE),
    ]
    if order == "fee-first":
        steps.reverse()
    steps[0]()
    unchanged_pending(pending)
    with at(2026, 7, 15, 10, 0):
        steps[1]()
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE
    assert pending.number == "00001/LSP-UPJ/MHP/VII/2026"
    assert (pending.year, pending.sequence) == (2026, 1)
    assert pending.issued_on == datetime.date(2026, 7, 15)
    assert pending.valid_until == datetime.date(2029, 7, 15)
    assert pending.signatory == signatory
    assert pending.public_status == Certificate.PublicStatus.VALID
    assert CertificateCard.objects.filter(certificate=pending).exists()


def test_the_number_matches_the_configured_pattern(alice, staff, pending, signatory):
    certificate = complete(alice, staff, pending)
    today = timezone.localdate()
    assert settings.CERTIFICATE_NUMBER_PATTERN == "{seq:05d}/LSP-UPJ/{scheme}/{roman_month}/{year}"
    assert re.fullmatch(r"00001/LSP-UPJ/MHP/[IVX]+/\d{4}", certificate.number)
    assert certificate.number == f"00001/LSP-UPJ/MHP/{ROMAN[today.month - 1]}/{today.year}"
    assert certificate.issued_on == today
    assert certificate.valid_until == add_years(today, 3)


def test_the_number_follows_a_changed_pattern(alice, staff, pending, signatory, settings):
    settings.CERTIFICATE_NUMBER_PATTERN = "SK-{scheme}-{year}-{month:02d}-{seq:04d}"
    with at(2026, 3, 9, 8, 0):
        certificate = complete(alice, staff, pending)
    assert certificate.number == "SK-MHP-2026-03-0001"


def test_the_next_certificate_gets_the_next_number(alice, bob, staff, two_pending, signatory):
    alices, bobs = two_pending
    with at(2026, 8, 3, 9, 0):
        complete(alice, staff, alices)
        complete(bob, staff, bobs)
    assert alices.number == "00001/LSP-UPJ/MHP/VIII/2026"
    assert bobs.number == "00002/LSP-UPJ/MHP/VIII/2026"
    assert CertificateCounter.objects.get(year=2026).last == 2


def test_the_running_number_starts_again_in_a_new_jakarta_year(
    alice, bob, staff, two_pending, signatory
):
    """00:10 on 1 January in Jakarta is still 31 December in UTC: the new year counts here."""
    alices, bobs = two_pending
    with at(2027, 12, 31, 23, 30):
        complete(alice, staff, alices)
    with at(2028, 1, 1, 0, 10):
        complete(bob, staff, bobs)
    assert alices.number == "00001/LSP-UPJ/MHP/XII/2027"
    assert bobs.number == "00001/LSP-UPJ/MHP/I/2028"
    assert bobs.issued_on == datetime.date(2028, 1, 1)
    assert bobs.valid_until == datetime.date(2031, 1, 1)


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (datetime.date(2026, 7, 15), 3, datetime.date(2029, 7, 15)),
        (datetime.date(2028, 2, 29), 3, datetime.date(2031, 2, 28)),
        (datetime.date(2028, 2, 29), 4, datetime.date(2032, 2, 29)),
    ],
)
def test_add_years_keeps_the_day_and_turns_29_february_into_28(day, years, expected):
    assert add_years(day, years) == expected


def test_a_certificate_issued_on_29_february_is_valid_until_28_february(
    alice, staff, pending, signatory
):
    """00:30 on 29 February in Jakarta is 28 February 17:30 in UTC."""
    with at(2028, 2, 29, 0, 30):
        certificate = complete(alice, staff, pending)
    assert certificate.issued_on == datetime.date(2028, 2, 29)
    assert certificate.valid_until == datetime.date(2031, 2, 28)
    assert certificate.number == "00001/LSP-UPJ/MHP/II/2028"


def test_the_validity_comes_from_the_scheme(alice, staff, pending, signatory, scheme):
    scheme.validity_years = 5
    scheme.save(update_fields=["validity_years"])
    with at(2026, 7, 15, 10, 0):
        certificate = complete(alice, staff, pending)
    assert certificate.valid_until == datetime.date(2031, 7, 15)


@pytest.mark.parametrize("designated", ["nobody", "only a former one"])
def test_without_a_current_signatory_the_fee_is_kept_and_the_issue_waits(
    alice, staff, pending, designated
):
    if designated == "only a former one":
        Signatory.objects.create(name="Drs. Lama", title="Direktur (2020-2024)", is_current=False)
    services.sign_agreement(alice, pending, points=POINTS)
    services.record_fee(staff, pending, amount=FEE)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert (pending.number, pending.issued_on) == (None, None)
    assert pending.fee_paid_at is not None, "the payment is recorded all the same"
    assert "certificate.waiting_for_signatory" in actions(pending)
    assert "certificate.issued" not in actions(pending)


def test_naming_a_signatory_issues_the_certificates_that_waited(alice, staff, pending):
    services.sign_agreement(alice, pending, points=POINTS)
    services.record_fee(staff, pending, amount=FEE)
    signatory = Signatory.objects.create(name="Dr. Ratna Sari, M.M.", title="Direktur LSP UPJ")
    assert services.issue_waiting(staff) == 1
    pending.refresh_from_db()
    assert pending.status == Status.ACTIVE
    assert pending.signatory == signatory
    assert pending.sequence == 1
    assert services.issue_waiting(staff) == 0  # nothing waits any more


def test_an_issued_certificate_keeps_its_signatory_when_a_new_one_is_designated(issued, signatory):
    signatory.is_current = False
    signatory.save(update_fields=["is_current"])
    Signatory.objects.create(name="Prof. Baru", title="Direktur LSP UPJ")
    issued.refresh_from_db()
    assert issued.signatory == signatory


def test_every_step_of_the_hand_over_is_audited(alice, staff, issued):
    events = list(AuditEvent.objects.for_object(issued).order_by("pk"))
    assert [(e.action, e.actor) for e in events] == [
        ("certificate.pending", None),
        ("certificate.agreement_signed", alice),
        ("certificate.fee_recorded", staff),
        ("certificate.issued", staff),
    ]
    assert events[0].to_status == Status.PENDING
    issued_event = events[-1]
    assert (issued_event.from_status, issued_event.to_status) == (Status.PENDING, Status.ACTIVE)
    assert issued_event.data["number"] == issued.number


def test_an_issued_certificate_is_not_issued_again(alice, staff, issued):
    number = issued.number
    with pytest.raises(RuleError):
        services.sign_agreement(alice, issued, points=POINTS)
    with pytest.raises(RuleError):
        services.record_fee(staff, issued, amount=FEE)
    issued.refresh_from_db()
    assert issued.number == number
    assert CertificateCounter.objects.get(year=issued.year).last == 1
    assert actions(issued).count("certificate.issued") == 1
