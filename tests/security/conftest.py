"""Cases the attacks start from, built through the services."""

import pytest

from certificates import services as certificate_services
from certificates.models import Certificate, Signatory
from decisions import services as decision_services
from lsp_portal.accounts.roles import Role
from tests.conftest import make_user
from tests.decisions.conftest import make_member, meeting_through_minutes, recommended_case


def certify(applicant, staff, assessor, assessor_profile, tuk, technical, director):
    """`applicant` assessed, decided Kompeten at a meeting of Tia and Tono, the decree signed,
    the use agreement signed and the fee recorded: an issued certificate."""
    case = recommended_case(applicant, staff, assessor, assessor_profile, tuk)
    tono = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
    minutes = meeting_through_minutes(staff, [make_member(technical), make_member(tono)], [case])
    decision_services.sign_decree(director, decision_services.draft_decree(staff, minutes))
    Signatory.objects.get_or_create(name="Dr. Ratna Sari, M.M.", title="Direktur LSP UPJ")
    certificate = Certificate.objects.get(decision__assessment=case)
    certificate_services.sign_agreement(
        applicant, certificate, points=["9.8.1", "9.8.2", "9.8.3", "9.8.4"]
    )
    certificate_services.record_fee(staff, certificate, amount=350_000)
    return Certificate.objects.get(pk=certificate.pk)


@pytest.fixture
def issued_certificate(alice, staff, assessor, assessor_profile, tuk, technical, director):
    return certify(alice, staff, assessor, assessor_profile, tuk, technical, director)


@pytest.fixture
def one_rate_limit_window():
    """The clock stands still, half-way through an hour and 30 seconds into a minute, for tests
    that count requests against a fixed-window rate limit (lsp_portal/ratelimit.py): run in real
    time on a loaded machine, 31 requests could straddle a minute and start a new count."""
    import datetime
    import time

    import time_machine

    now = time.time()
    moment = datetime.datetime.fromtimestamp(now - now % 3600 + 1830, tz=datetime.UTC)
    with time_machine.travel(moment, tick=False):
        yield moment
