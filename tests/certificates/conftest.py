"""The certificate stage, built through the services so the fixtures follow the real rules:
signed decree (alice Kompeten) -> pending certificate -> agreement signed / fee recorded -> issued.

The decisions fixtures live in tests/decisions/conftest.py and are only visible there; the helper
functions are imported and the few fixtures this stage needs are built here. `signatory` is the
current designated signatory (9.4.6), kept by staff in the admin (there is no service for it).
"""

import subprocess

import pytest

from certificates import services
from certificates.models import Certificate, Signatory
from decisions import services as decision_services
from lsp_portal.accounts.roles import Role
from tests.conftest import make_user
from tests.decisions.conftest import make_member, meeting_through_minutes, recommended_case

POINTS = ["9.8.1", "9.8.2", "9.8.3", "9.8.4"]
FEE = 350_000


@pytest.fixture
def members(technical):
    """The technical team (9.4.2): Tia (the `technical` user) and Tono."""
    tono = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
    return [make_member(technical), make_member(tono, "Praktisi CRM, penyusun skema MHP.")]


def sign_decree_for(staff, director, members, cases, *, title="Rapat Tim Teknis"):
    """A meeting deciding `cases` as recommended, its minutes signed, its decree signed."""
    minutes = meeting_through_minutes(staff, members, cases, title=title)
    return decision_services.sign_decree(director, decision_services.draft_decree(staff, minutes))


def certificate_of(assessment):
    return Certificate.objects.get(decision__assessment=assessment)


@pytest.fixture
def bobs_recommended(bob, staff, assessor, assessor_profile, tuk):
    return recommended_case(bob, staff, assessor, assessor_profile, tuk)


@pytest.fixture
def signed_decree(staff, director, members, recommended):
    """The director signed the decree declaring alice Kompeten."""
    return sign_decree_for(staff, director, members, [recommended])


@pytest.fixture
def pending(signed_decree, recommended):
    """alice's pending certificate: nothing of 9.4.7 done yet."""
    return certificate_of(recommended)


@pytest.fixture
def signatory(db):
    return Signatory.objects.create(name="Dr. Ratna Sari, M.M.", title="Direktur LSP UPJ")


@pytest.fixture
def issued(alice, staff, pending, signatory):
    """alice's certificate, issued: she signed the agreement, then staff recorded the fee (the
    render task is not run: on_commit callbacks do not fire in a plain db test)."""
    services.sign_agreement(alice, pending, points=POINTS)
    services.record_fee(staff, pending, amount=FEE)
    pending.refresh_from_db()
    return pending


@pytest.fixture
def rendered(alice, staff, pending, signatory, celery_eager, django_capture_on_commit_callbacks):
    """alice's issued certificate with its PDF and card rendered by the Celery task."""
    services.sign_agreement(alice, pending, points=POINTS)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_fee(staff, pending, amount=FEE)
    pending.refresh_from_db()
    return pending


def pdf_text(path):
    """The PDF's text as pdftotext lays it out, whitespace runs folded to single spaces."""
    output = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(output.split())


def pdf_info(path):
    output = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, check=True, text=True
    ).stdout
    return dict(
        (key.strip(), value.strip())
        for key, value in (line.split(":", 1) for line in output.splitlines() if ":" in line)
    )
