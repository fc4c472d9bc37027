"""Decree numbers never repeat (9.4.5), also when the director signs two decrees at the same
moment, and a decree signed twice at once (a double click, two tabs) is signed once. Two real
PostgreSQL connections (threads); the counter's and the decree's row locks serialise them."""

import pytest
from django.utils import timezone

from decisions import services
from decisions.models import Decision, Decree, DecreeCounter
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from tests.conftest import make_user, run_concurrently
from tests.decisions.conftest import meeting_through_minutes, recommended_case

pytestmark = pytest.mark.django_db(transaction=True)

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def number(seq, signed_at):
    local = timezone.localtime(signed_at)
    return f"{seq:03d}/SK/LSP-UPJ/{ROMAN[local.month - 1]}/{local.year}"


@pytest.fixture
def two_drafts(staff, member1, member2, recommended, bobs_recommended):
    """Two decrees drafted from the final minutes of two different meetings."""
    first = meeting_through_minutes(staff, [member1, member2], [recommended], title="Rapat I")
    second = meeting_through_minutes(staff, [member1, member2], [bobs_recommended], title="II")
    return services.draft_decree(staff, first), services.draft_decree(staff, second)


def test_two_decrees_signed_at_once_get_different_numbers(director, two_drafts):
    first, second = two_drafts
    outcomes = run_concurrently(
        lambda: services.sign_decree(director, Decree.objects.get(pk=first.pk)),
        lambda: services.sign_decree(director, Decree.objects.get(pk=second.pk)),
    )
    assert outcomes == ["ok", "ok"]
    decrees = list(Decree.objects.order_by("sequence"))
    assert [d.sequence for d in decrees] == [1, 2]
    assert [d.number for d in decrees] == [
        number(1, decrees[0].signed_at),
        number(2, decrees[1].signed_at),
    ]
    assert {d.status for d in decrees} == {Decree.Status.SIGNED}
    assert DecreeCounter.objects.get(year=decrees[0].year).last == 2
    assert Decision.objects.published().count() == 2


def test_two_decrees_signed_at_once_later_in_the_year_get_the_next_two_numbers(
    staff, director, member1, member2, two_drafts, assessor, assessor_profile, tuk
):
    """The first decree of the year creates the year's counter; afterwards only the counter's row
    lock keeps two signings apart."""
    carol = make_user("carol@example.org", "Citra Applicant", Role.APPLICANT)
    carols_case = recommended_case(carol, staff, assessor, assessor_profile, tuk)
    minutes = meeting_through_minutes(staff, [member1, member2], [carols_case], title="Rapat 0")
    earlier = services.sign_decree(director, services.draft_decree(staff, minutes))
    first, second = two_drafts
    outcomes = run_concurrently(
        lambda: services.sign_decree(director, Decree.objects.get(pk=first.pk)),
        lambda: services.sign_decree(director, Decree.objects.get(pk=second.pk)),
    )
    assert outcomes == ["ok", "ok"]
    decrees = list(Decree.objects.exclude(pk=earlier.pk).order_by("sequence"))
    assert [d.sequence for d in decrees] == [2, 3]
    assert [d.number for d in decrees] == [
        number(2, decrees[0].signed_at),
        number(3, decrees[1].signed_at),
    ]
    assert DecreeCounter.objects.get(year=earlier.year).last == 3


def test_one_decree_signed_twice_at_once_is_signed_once(director, two_drafts):
    decree = two_drafts[0]
    outcomes = run_concurrently(
        lambda: services.sign_decree(director, Decree.objects.get(pk=decree.pk)),
        lambda: services.sign_decree(director, Decree.objects.get(pk=decree.pk)),
    )
    assert outcomes == ["ok", "refused"]
    decree.refresh_from_db()
    assert decree.status == Decree.Status.SIGNED
    assert decree.number == number(1, decree.signed_at)
    assert DecreeCounter.objects.get(year=decree.year).last == 1
    meeting = decree.minutes.meeting
    assert AuditEvent.objects.for_object(meeting).filter(action="decree.signed").count() == 1
    assert AuditEvent.objects.filter(action="decision.published").count() == 1
    assert not Decree.objects.get(pk=two_drafts[1].pk).number
