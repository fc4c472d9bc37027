"""The appeal stage, built through the services so the fixtures follow the real rules: bob's case
decided Belum Kompeten and published (the appeal window of 9.9.2 opens) -> filed (FR-AK-04) ->
appointed (the `appeal` user, Abe of the Tim Banding, appointed by staff) -> with_finding.

The decisions fixtures live in tests/decisions/conftest.py and are only visible there; the helper
functions are imported and the few fixtures this stage needs are built here.
"""

import pytest
from django.contrib.auth.models import Group

from appeals import services
from appeals.inputs import AppealInput
from decisions import services as decision_services
from decisions.models import Decision
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from tests.conftest import make_user
from tests.decisions.conftest import make_member, meeting_through_minutes, recommended_case

FORM = {
    "process_explained": True,
    "discussed_with_assessor": True,
    "involve_other_person": False,
    "other_person": "",
    "reasons": "Asesor tidak memberi kesempatan menunjukkan portofolio untuk unit pelayanan.",
}
FINDING = "Asesor tidak memeriksa bukti portofolio yang diajukan asesi untuk unit 3."
ANSWER = "Temuan tim banding diterima: asesmen diulang dengan asesor lain."


def appeal_form(**overrides):
    """FR-AK-04 for the service: FORM with `overrides` replaced."""
    return AppealInput(**{**FORM, **overrides})


def file_for(user, decision, **overrides):
    """`user` files FR-AK-04 against `decision`, without attachments."""
    return services.file_appeal(user, decision, appeal_form(**overrides), attachments=[])


def give_role(user, role):
    """`user` also holds `role` (a person may hold several); a fresh copy, roles not cached."""
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)


def publish(staff, director, members, cases, *, title="Rapat Tim Teknis"):
    """A meeting deciding `cases` as recommended, its minutes signed, its decree signed: the
    decisions are published."""
    minutes = meeting_through_minutes(staff, members, cases, title=title)
    return decision_services.sign_decree(director, decision_services.draft_decree(staff, minutes))


@pytest.fixture
def technical2(db):
    return make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)


@pytest.fixture
def members(technical, technical2):
    """The technical team (9.4.2): Tia (the `technical` user) and Tono."""
    return [make_member(technical), make_member(technical2, "Praktisi CRM, penyusun skema MHP.")]


@pytest.fixture
def bk_case(bob, staff, assessor, assessor_profile, tuk):
    """bob's case, assessed by Ana (the `assessor` user) and recommended Belum Kompeten."""
    return recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")


@pytest.fixture
def bk_decision(staff, director, members, bk_case):
    """bob's published Belum Kompeten decision: the appeal window is open."""
    publish(staff, director, members, [bk_case])
    return Decision.objects.select_related("assessment__application").get(assessment=bk_case)


@pytest.fixture
def filed(bob, bk_decision):
    """bob's appeal, received, no team yet."""
    return file_for(bob, bk_decision)


@pytest.fixture
def appointed(staff, appeal, filed):
    """bob's appeal under review by Abe (the `appeal` user), appointed by staff."""
    services.appoint(staff, filed, appeal)
    filed.refresh_from_db()
    return filed


@pytest.fixture
def with_finding(appeal, appointed):
    """Abe recorded his finding (unfair treatment: upheld recommended)."""
    services.record_finding(appeal, appointed, text=FINDING, recommendation="upheld")
    appointed.refresh_from_db()
    return appointed
