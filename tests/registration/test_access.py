"""The access matrix of every registration view: anonymous -> login, wrong role -> 403, someone
else's application -> 404, wrong method -> 405, and the role's success path."""

import pytest
from django.urls import reverse

from registration.models import Application

# (name, method, role that may use it, takes alice's application)
APPLICANT_VIEWS = [
    ("registration:application_detail", "get"),
    ("registration:application_personal", "get"),
    ("registration:application_experience", "get"),
    ("registration:application_documents", "get"),
    ("registration:application_self_assessment", "get"),
    ("registration:application_submit", "post"),
    ("registration:application_withdraw", "post"),
]
STAFF_VIEWS = [
    ("registration:review_detail", "get"),
    ("registration:review_decide", "post"),
]
POST_ONLY = [
    ("registration:application_submit", [1]),
    ("registration:application_withdraw", [1]),
    ("registration:review_decide", [1]),
    ("registration:experience_delete", [1, 1]),
    ("registration:document_delete", [1, 1]),
    ("registration:application_start", ["mhp"]),
]


def call(client, method, url):
    return getattr(client, method)(url)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/review/",
        "/applications/1/",
        "/applications/1/personal/",
        "/documents/1/",
    ],
)
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("url", ["/", "/schemes/mhp/", "/accounts/login/", "/accounts/signup/"])
def test_public_pages_need_no_login(client, db, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name,method", APPLICANT_VIEWS)
def test_applicant_views_refuse_other_roles(
    login, submitted, staff, assessor, director, name, method
):
    for user in (staff, assessor, director):
        response = call(login(user), method, reverse(name, args=[submitted.pk]))
        assert response.status_code == 403, (name, user)


@pytest.mark.parametrize("name,method", APPLICANT_VIEWS)
def test_another_applicants_application_is_not_found(login, bob, complete_draft, name, method):
    response = call(login(bob), method, reverse(name, args=[complete_draft.pk]))
    assert response.status_code == 404
    assert Application.objects.get(pk=complete_draft.pk).status == "draft"


@pytest.mark.parametrize("name,method", APPLICANT_VIEWS[:5])
def test_applicant_sees_own_pages(login, alice, complete_draft, name, method):
    response = call(login(alice), method, reverse(name, args=[complete_draft.pk]))
    assert response.status_code == 200
    assert complete_draft.reference.encode() in response.content


@pytest.mark.parametrize("name,method", [*STAFF_VIEWS, ("registration:review_queue", "get")])
def test_staff_views_refuse_other_roles(login, submitted, alice, assessor, technical, name, method):
    args = [] if name.endswith("queue") else [submitted.pk]
    for user in (alice, assessor, technical):
        assert call(login(user), method, reverse(name, args=args)).status_code == 403


def test_staff_review_of_a_missing_application_is_not_found(login, staff, db):
    assert login(staff).get(reverse("registration:review_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("name,args", POST_ONLY)
def test_state_changing_views_accept_post_only(login, alice, staff, name, args):
    user = staff if name.startswith("registration:review") else alice
    response = login(user).get(reverse(name, args=args))
    assert response.status_code == 405


def test_document_file_for_owner_and_staff_only(login, alice, bob, staff, assessor, complete_draft):
    document = complete_draft.documents.first()
    url = reverse("registration:document_file", args=[document.pk])
    for user, expected in ((alice, 200), (staff, 200), (bob, 404), (assessor, 404)):
        assert login(user).get(url).status_code == expected, user


def test_dashboard_sends_staff_to_the_queue(login, staff):
    response = login(staff).get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("registration:review_queue")


def test_dashboard_sends_the_appeal_team_to_their_appeals(login, appeal):
    response = login(appeal).get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:list")
    assert login(appeal).get(response["Location"]).status_code == 200


def test_dashboard_sends_the_team_and_the_director_to_the_meetings(login, technical, director):
    for user in (technical, director):
        response = login(user).get(reverse("dashboard"))
        assert response["Location"] == reverse("decisions:meeting_list")


def test_dashboard_sends_assessors_to_their_cases(login, assessor):
    response = login(assessor).get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment:assessor_cases")
