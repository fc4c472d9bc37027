"""Staff manage people in the portal (issue 13.7): invite by e-mail, grant and remove roles with
each role's registry data, deactivate; every change audited and e-mailed to the person, checked
on the server - all through the pages staff use."""

import ast
import datetime
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessment.models import Assessor
from decisions.models import Attendance, Meeting, TechnicalTeamMember
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from tests.conftest import PASSWORD, make_user, run_outbox_jobs
from tests.decisions.conftest import make_member, member1, member2, planned_meeting, technical2

# The decision stage's fixtures, for the technical team's meetings.
__all__ = ["member1", "member2", "planned_meeting", "technical2"]

NEW_PASSWORD = "Undangan-Kuat-2026"
MET = "MET.000.004512 2021"


def person_url(person, name="accounts:person_detail", *args):
    return reverse(name, args=[person.pk, *args])


def in_days(days):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def invite(client, email="rudi@example.org", name="Rudi Hartono"):
    return client.post(reverse("accounts:person_invite"), {"email": email, "full_name": name})


def grant_assessor(client, person, scheme, **changes):
    data = {
        "assessor-registration_number": MET,
        "assessor-registration_valid_until": in_days(365),
        "assessor-schemes": [scheme.pk],
        **changes,
    }
    return client.post(person_url(person, "accounts:person_grant", "assessor"), data)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def logs_in(client, email, password):
    """The log-in form, as a person uses it (axes needs the request)."""
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def events(person, action):
    return AuditEvent.objects.for_object(person).filter(action=action)


def mails_to(email):
    run_outbox_jobs()
    return [m for m in mail.outbox if m.to == [email]]


@pytest.fixture
def rudi(db):
    return make_user("rudi@example.org", "Rudi Hartono")


# --- invitations ---------------------------------------------------------------------------------


def test_an_invited_person_sets_a_password_from_the_emailed_link_and_logs_in(client, login, staff):
    login(staff)
    response = invite(client, email=" Rudi@Example.org ")
    person = User.objects.get(email="rudi@example.org")
    assert response.url == person_url(person)
    assert not person.has_usable_password() and person.role_names == frozenset()
    assert events(person, "account.invited").get().actor == staff

    (message,) = mails_to("rudi@example.org")
    assert "Rudi Hartono" in message.body
    link = re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)
    client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.url == reverse("accounts:login")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert events(person, "account.invitation_accepted").exists()
    assert logs_in(client, "rudi@example.org", NEW_PASSWORD)
    client.logout()
    assert client.get(link, follow=True).context["validlink"] is False  # the link works once


def test_an_invited_person_cannot_log_in_before_choosing_a_password(client, login, staff):
    login(staff)
    invite(client)
    client.logout()
    assert not logs_in(client, "rudi@example.org", "")
    assert not logs_in(client, "rudi@example.org", "!")


def test_inviting_an_address_that_has_an_account_is_refused(client, login, staff, alice):
    login(staff)
    response = invite(client, email="ALICE@example.org", name="Someone Else")
    assert response.status_code == 200
    assert "alice@example.org" in response.content.decode()
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1
    assert run_outbox_jobs() == []


def test_a_new_invitation_voids_the_links_sent_before(client, login, staff):
    login(staff)
    invite(client)
    person = User.objects.get(email="rudi@example.org")
    (first,) = mails_to(person.email)
    client.post(person_url(person, "accounts:person_resend_invitation"))
    second = mails_to(person.email)[-1]
    links = [re.search(r"(/accounts/invitation/\S+/)", m.body).group(1) for m in (first, second)]
    client.logout()
    assert client.get(links[0], follow=True).context["validlink"] is False
    assert client.get(links[1], follow=True).context["validlink"] is True
    assert events(person, "account.invitation_resent").count() == 1


# --- roles with their registry data ---------------------------------------------------------


def test_a_granted_assessor_is_registered_told_and_offered_where_staff_assign(
    client, login, staff, rudi, scheme, eligible
):
    login(staff)
    response = grant_assessor(
        client, rudi, scheme, **{"assessor-registration_number": " met.000.004512  2021"}
    )
    assert response.url == person_url(rudi)
    rudi = User.objects.get(pk=rudi.pk)
    assert rudi.has_role(Role.ASSESSOR)
    profile = Assessor.objects.get(user=rudi)
    assert profile.registration_number == MET and list(profile.schemes.all()) == [scheme]
    event = events(rudi, "account.role_granted").get()
    assert event.data["role"] == Role.ASSESSOR and event.data["registration_number"] == MET
    (message,) = mails_to(rudi.email)
    assert "Asesor" in message.subject
    page = client.get(reverse("assessment:assign", args=[eligible.pk])).content.decode()
    assert f"Rudi Hartono - {MET}" in page


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"assessor-registration_number": "12345"}, "MET.000.004512 2021"),
        ({"assessor-registration_number": "MET.000.4512 2021"}, "MET.000.004512 2021"),
        ({"assessor-registration_valid_until": "lapsed"}, "(9.2.2)"),
        ({"assessor-registration_number": "taken"}, "belongs to another assessor"),
        ({"assessor-schemes": []}, "field is required"),
    ],
    ids=["not a MET number", "short serial", "lapsed", "another's number", "no scheme"],
)
def test_bad_met_data_is_refused_with_a_message_and_nothing_is_saved(
    client, login, staff, rudi, scheme, assessor_profile, settings, changes, error
):
    settings.LANGUAGE_CODE = "en"
    client.cookies["django_language"] = "en"
    if changes.get("assessor-registration_valid_until") == "lapsed":
        changes["assessor-registration_valid_until"] = in_days(-1)
    if changes.get("assessor-registration_number") == "taken":
        changes["assessor-registration_number"] = assessor_profile.registration_number
    login(staff)
    response = grant_assessor(client, rudi, scheme, **changes)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.get(pk=rudi.pk).has_role(Role.ASSESSOR)
    assert not Assessor.objects.filter(user=rudi).exists()
    assert not events(rudi, "account.role_granted").exists()
    assert run_outbox_jobs() == []


def test_a_granted_technical_team_member_can_be_put_in_a_meeting(
    client, login, staff, rudi, technical, recommended
):
    login(staff)
    url = person_url(rudi, "accounts:person_grant", "technical-team")
    refused = client.post(url, {"technical-team-qualification": "  "})
    assert refused.status_code == 200 and not TechnicalTeamMember.objects.filter(user=rudi)
    client.post(url, {"technical-team-qualification": "Praktisi CRM, 10 tahun di komite skema."})
    member = TechnicalTeamMember.objects.get(user=rudi)
    assert member.is_active and User.objects.get(pk=rudi.pk).has_role(Role.TECHNICAL_TEAM)
    assert "Tim Teknis" in mails_to(rudi.email)[0].subject

    response = client.post(
        reverse("decisions:meeting_new"),
        {
            "title": "Rapat Tim Teknis",
            "scheduled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "location": "Ruang Rapat LSP",
            "members": [make_member(technical).pk, member.pk],
            "assessments": [recommended.pk],
        },
    )
    meeting = Meeting.objects.get()
    assert response.url == reverse("decisions:meeting_detail", args=[meeting.pk])
    assert Attendance.objects.filter(meeting=meeting, member=member).exists()


def test_the_appeal_team_role_needs_no_data_and_is_granted_and_removed(client, login, staff, rudi):
    login(staff)
    client.post(person_url(rudi, "accounts:person_grant", "appeal-team"))
    assert User.objects.get(pk=rudi.pk).has_role(Role.APPEAL_TEAM)
    again = client.post(person_url(rudi, "accounts:person_grant", "appeal-team"), follow=True)
    assert any("sudah" in m for m in messages_of(again))
    client.post(person_url(rudi, "accounts:person_remove_role", "appeal-team"))
    assert not User.objects.get(pk=rudi.pk).has_role(Role.APPEAL_TEAM)
    assert events(rudi, "account.role_granted").count() == 1
    assert events(rudi, "account.role_removed").count() == 1
    assert len(mails_to(rudi.email)) == 2


def test_an_assessor_with_open_cases_keeps_the_role_until_they_are_reassigned(
    client, login, staff, assessor, assessor2, assessor2_profile, assigned
):
    login(staff)
    refused = client.post(
        person_url(assessor, "accounts:person_remove_role", "assessor"), follow=True
    )
    assert any("1 asesmen" in m for m in messages_of(refused))
    assert User.objects.get(pk=assessor.pk).has_role(Role.ASSESSOR)
    deactivation = client.post(person_url(assessor, "accounts:person_deactivate"), follow=True)
    assert any("1 asesmen" in m for m in messages_of(deactivation))
    assert User.objects.get(pk=assessor.pk).is_active

    # Without open cases the role goes; the record stays for the history, inactive.
    client.post(person_url(assessor2, "accounts:person_remove_role", "assessor"))
    assert not User.objects.get(pk=assessor2.pk).has_role(Role.ASSESSOR)
    assessor2_profile.refresh_from_db()
    assert assessor2_profile.is_active is False
    assert events(assessor2, "account.role_removed").get().data["role"] == Role.ASSESSOR
    assert AuditEvent.objects.for_object(assessor2_profile).filter(action="assessor.retired")
    assert len(mails_to(assessor2.email)) == 1


def test_a_member_of_a_meeting_not_yet_ended_keeps_the_role(client, login, staff, planned_meeting):
    member = planned_meeting.attendances.first().member
    login(staff)
    page = client.get(person_url(member.user)).content.decode()
    assert planned_meeting.title in page  # the page says why before anyone tries
    response = client.post(
        person_url(member.user, "accounts:person_remove_role", "technical-team"), follow=True
    )
    assert any(planned_meeting.title in m for m in messages_of(response))
    member.refresh_from_db()
    assert member.is_active and User.objects.get(pk=member.user_id).has_role(Role.TECHNICAL_TEAM)


# --- who may -----------------------------------------------------------------------------------


def test_only_the_director_grants_the_staff_and_director_roles(
    client, login, staff, director, rudi
):
    login(staff)
    assert client.post(person_url(rudi, "accounts:person_grant", "staff")).status_code == 403
    assert client.post(person_url(rudi, "accounts:person_grant", "director")).status_code == 403
    assert "grant-staff" not in client.get(person_url(rudi)).content.decode()
    login(director)
    client.post(person_url(rudi, "accounts:person_grant", "staff"))
    rudi = User.objects.get(pk=rudi.pk)
    assert rudi.has_role(Role.STAFF) and rudi.is_staff  # Admin LSP also open the admin site
    assert client.get(reverse("accounts:people")).status_code == 200


def test_nobody_locks_themselves_out(client, login, staff, director):
    login(staff)
    response = client.post(person_url(staff, "accounts:person_deactivate"), follow=True)
    assert any("akun Anda sendiri" in m for m in messages_of(response))
    assert User.objects.get(pk=staff.pk).is_active
    assert client.post(person_url(staff, "accounts:person_remove_role", "staff")).status_code == 403
    assert client.post(person_url(director, "accounts:person_deactivate")).status_code == 403
    login(director)
    response = client.post(
        person_url(director, "accounts:person_remove_role", "director"), follow=True
    )
    assert any("peran Anda sendiri" in m for m in messages_of(response))
    assert User.objects.get(pk=director.pk).has_role(Role.DIRECTOR)
    assert not AuditEvent.objects.filter(action__startswith="account.").exists()


def test_other_roles_cannot_open_or_use_the_people_pages(client, login, assessor, alice, rudi):
    for user in (assessor, alice):
        login(user)
        assert client.get(reverse("accounts:people")).status_code == 403
        assert (
            client.post(person_url(rudi, "accounts:person_grant", "appeal-team")).status_code == 403
        )
        assert client.post(person_url(rudi, "accounts:person_deactivate")).status_code == 403
    assert User.objects.get(pk=rudi.pk).role_names == frozenset()


# --- deactivation ---------------------------------------------------------------------------------


def test_a_deactivated_person_is_logged_out_and_cannot_log_in_until_reactivated(
    client, login, staff, alice
):
    alices = type(client)()
    alices.force_login(alice)
    assert alices.get(reverse("dashboard")).status_code == 200
    login(staff)
    client.post(person_url(alice, "accounts:person_deactivate"), {"reason": "Meninggalkan LSP"})
    assert not User.objects.get(pk=alice.pk).is_active
    assert alices.get(reverse("dashboard")).url.startswith(reverse("accounts:login"))
    assert not logs_in(alices, alice.email, PASSWORD)
    assert events(alice, "account.deactivated").get().reason == "Meninggalkan LSP"

    client.post(person_url(alice, "accounts:person_reactivate"))
    assert logs_in(alices, alice.email, PASSWORD)
    assert User.objects.get(pk=alice.pk).has_role(Role.APPLICANT)  # the roles stayed
    assert events(alice, "account.reactivated").exists()
    subjects = [m.subject for m in mails_to(alice.email)]
    assert len(subjects) == 2 and "dinonaktifkan" in subjects[0]


# --- the list ---------------------------------------------------------------------------------


def test_the_people_list_searches_filters_and_pages(client, login, staff, assessor, alice):
    for i in range(30):
        make_user(f"orang{i:02d}@example.org", f"Orang Contoh {i:02d}", Role.APPLICANT)
    login(staff)
    invite(client, email="baru@example.org", name="Baru Diundang")
    client.post(person_url(alice, "accounts:person_deactivate"))
    url = reverse("accounts:people")

    def emails(**params):
        return [p.email for p in client.get(url, params).context["page"]]

    assert emails(q="ANA ASSES") == ["assessor@example.org"]
    assert emails(q="orang2") == [f"orang2{i}@example.org" for i in range(10)]
    assert emails(role=Role.ASSESSOR) == ["assessor@example.org"]
    assert emails(role="none") == ["baru@example.org"]
    assert emails(status="invited") == ["baru@example.org"]
    assert emails(status="inactive") == ["alice@example.org"]
    first = client.get(url)
    assert first.context["page"].paginator.count == 34 and len(first.context["page"]) == 25
    assert "1 / 2" in first.content.decode()
    assert len(client.get(url, {"page": 2}).context["page"]) == 9


def test_the_kernel_knows_no_stage():
    """lsp_portal.accounts (the management commands aside, which drive the stages) imports no
    stage app: the stages register their roles in role_hooks."""
    stages = {"registration", "assessment", "decisions", "certificates", "appeals"}
    root = Path(__file__).resolve().parents[2] / "lsp_portal" / "accounts"
    found = []
    for path in root.rglob("*.py"):
        if "management" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in stages]
    assert found == []
