"""The hand-over happens once, also when the holder signs and staff record the fee at the same
moment, and certificate numbers never repeat when two certificates are completed at once. Two real
PostgreSQL connections (threads); the certificate's and the counter's row locks serialise them."""

import pytest

from certificates import services
from certificates.models import Certificate, CertificateCard, CertificateCounter
from lsp_portal.audit.models import AuditEvent
from tests.certificates.conftest import FEE, POINTS, certificate_of, sign_decree_for
from tests.conftest import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def fresh(certificate):
    return Certificate.objects.get(pk=certificate.pk)


def test_signing_and_recording_the_fee_at_once_issue_the_certificate_once(
    alice, staff, pending, signatory
):
    outcomes = run_concurrently(
        lambda: services.sign_agreement(alice, fresh(pending), points=POINTS),
        lambda: services.record_fee(staff, fresh(pending), amount=FEE),
    )
    assert outcomes == ["ok", "ok"]
    pending.refresh_from_db()
    assert pending.status == Certificate.Status.ACTIVE
    assert pending.sequence == 1
    assert pending.number.startswith("00001/LSP-UPJ/MHP/")
    assert CertificateCounter.objects.get(year=pending.year).last == 1
    assert CertificateCard.objects.filter(certificate=pending).count() == 1
    issued = AuditEvent.objects.for_object(pending).filter(action="certificate.issued")
    assert issued.count() == 1


def test_two_certificates_completed_at_once_get_different_numbers(
    alice, bob, staff, director, members, recommended, bobs_recommended, signatory
):
    sign_decree_for(staff, director, members, [recommended, bobs_recommended])
    alices, bobs = certificate_of(recommended), certificate_of(bobs_recommended)
    services.sign_agreement(alice, alices, points=POINTS)
    services.sign_agreement(bob, bobs, points=POINTS)
    outcomes = run_concurrently(
        lambda: services.record_fee(staff, fresh(alices), amount=FEE),
        lambda: services.record_fee(staff, fresh(bobs), amount=FEE),
    )
    assert outcomes == ["ok", "ok"]
    certificates = list(Certificate.objects.order_by("sequence"))
    assert [c.status for c in certificates] == [Certificate.Status.ACTIVE] * 2
    assert [c.sequence for c in certificates] == [1, 2]
    assert [c.number[:6] for c in certificates] == ["00001/", "00002/"]
    assert CertificateCounter.objects.get(year=certificates[0].year).last == 2


def test_the_fee_recorded_twice_at_once_is_recorded_once(staff, pending):
    outcomes = run_concurrently(
        lambda: services.record_fee(staff, fresh(pending), amount=FEE),
        lambda: services.record_fee(staff, fresh(pending), amount=FEE),
    )
    assert outcomes == ["ok", "refused"]
    events = AuditEvent.objects.for_object(pending).filter(action="certificate.fee_recorded")
    assert events.count() == 1


def test_create_pending_called_twice_at_once_yields_one_certificate(pending):
    decision = pending.decision
    pending.delete()
    outcomes = run_concurrently(
        lambda: services.create_pending(decision),
        lambda: services.create_pending(decision),
    )
    assert outcomes == ["ok", "ok"]
    certificate = Certificate.objects.get(decision=decision)
    assert certificate.scope.count() == 15
    events = AuditEvent.objects.for_object(certificate).filter(action="certificate.pending")
    assert events.count() == 1
