# ruff: noqa: E501 - the tables of pages and refused posts are wider than a line, and easier read that way
"""A locked record renders as a read-only document (issue 13.5): a page of a record that can no
longer change offers no form posting to a state change its service would refuse, shows no inputs
outside the forms still allowed, and says why it is locked and since when.

`state_changing_forms(html, url)` is the reusable part: the POST forms of a page whose action
resolves (django.urls.resolve) to one of the portal's routes, the kernel's forms of every page
(language switch, log-out) left out; `loose_controls` the inputs outside a given set of forms.
PAGES is the table: (who, page of a record in a given state) -> exactly the forms offered there. A
locked row lists only the forms the services still accept in that state (freezing an issued
certificate, signing closed minutes); an open row is the same page of a record still open, which
must offer its forms - so a template that hid every form would fail here too. The assessment
stage's pages (the results page after submission, 9.3.5) are added to PAGES the same way.

The records are built through the services: the route matrix's world (alice's case decided
Kompeten in a meeting whose minutes are final and decree signed, her certificate issued; bob's
appeal answered) and, beside it, the same kinds of record still open: a meeting in session with a
case to decide (erin), a closed meeting whose minutes wait for signatures (hana), and from a
third meeting a published Belum Kompeten decision appealed and under review (fajar) and a
certificate waiting for its requirements (gita).
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
import time_machine
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from appeals import services as appeal_services
from appeals.inputs import AppealInput
from appeals.models import Appeal
from certificates.models import Certificate
from decisions import services as decision_services
from decisions.models import Meeting, TechnicalTeamMember
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from tests.conftest import make_user
from tests.decisions.conftest import BASIS, meeting_through_minutes, plan, recommended_case
from tests.security.test_route_matrix import world  # noqa: F401 - the fixture, built once here

# Forms of the page layout itself, on every page: they change no record.
KERNEL_ROUTES = frozenset({"set_language", "accounts:logout"})


@dataclass(frozen=True)
class PostForm:
    route: str  # the route's name, with its word arguments: "certificates:action[freeze]"
    path: str  # the path the form posts to
    element: object = field(compare=False, repr=False)  # the <form> element (lxml)


def _label(match):
    """The route's name, with the arguments that are words (not pks) appended: one name for
    each action of a route such as certificates:action/<name>/."""
    words = [str(v) for v in match.kwargs.values() if not str(v).isdigit()]
    return match.view_name + "".join(f"[{word}]" for word in words)


def _post_route(form, url):
    """The route label a POST `form` of the page at `url` posts to (None for a GET form)."""
    if (form.get("method") or "get").lower() != "post":
        return None
    path = urlsplit(urljoin(url, form.get("action") or url)).path
    try:
        return _label(resolve(path)), path
    except Resolver404:
        raise AssertionError(f"{url}: a form posts to {path}, which no route answers") from None


def state_changing_forms(html, url):
    """The POST forms of the page `html` (served at `url`) whose action resolves to a route of
    the portal, except the kernel's (KERNEL_ROUTES). A form without an action posts to the page
    itself. A POST form to a path that resolves to no route fails the test: nothing may post
    where no view answers."""
    found = []
    for form in lxml.html.document_fromstring(html).iter("form"):
        posted = _post_route(form, url)
        if posted is None or posted[0] in KERNEL_ROUTES:
            continue
        found.append(PostForm(posted[0], posted[1], form))
    return found


def loose_controls(html, url, allowed=frozenset()):
    """The controls a person could fill in or press in the page's <main> that belong to no form
    posting to one of the `allowed` route labels: inputs (not hidden), selects, textareas and
    submit buttons. GET forms (filters, searches) and plain buttons (closing a message) change
    nothing and are left out. On a read-only document with nothing allowed this is empty."""
    main = lxml.html.document_fromstring(html).find(".//main")
    loose = []
    for control in main.iter("input", "select", "textarea", "button"):
        kind = (control.get("type") or "").lower()
        if (control.tag, kind) in (("input", "hidden"), ("button", "button")):
            continue
        form = next(control.iterancestors("form"), None)
        if form is not None:
            posted = _post_route(form, url)
            if posted is None or posted[0] in allowed:
                continue
        loose.append(f"<{control.tag} name={control.get('name')!r}>")
    return loose


# --- the table ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    what: str  # the record, its state and the page
    role: str  # a key of the users of `pages_world`
    url: object  # url(world) -> the page's path
    offers: frozenset = frozenset()  # the state-changing forms the page must offer (route labels)
    locked: bool = True  # a locked row offers exactly `offers`, and says why it is locked
    since: bool = True  # the locked note says since when
    days_later: int = 0  # the page seen this many days from now (an expired certificate)

    @property
    def id(self):
        return f"{self.what} [{self.role}]"


def meeting_page(key):
    return lambda w: reverse("decisions:meeting_detail", args=[w[key].pk])


def case_page(meeting_key, case_key):
    return lambda w: reverse("decisions:case", args=[w[meeting_key].pk, w[case_key].pk])


def appeal_page(key):
    return lambda w: reverse("appeals:detail", args=[w[key].pk])


def certificate_page(key):
    return lambda w: reverse("certificates:detail", args=[w[key].pk])


def forms(*labels):
    return frozenset(labels)


THREE_YEARS_AND_A_DAY = 3 * 366 + 1

PAGES = [
    # Final minutes, decree signed (9.4.4-9.4.5): nothing on the meeting or its cases changes.
    Page("final minutes: meeting page", "staff", meeting_page("meeting")),
    Page("final minutes: meeting page", "technical", meeting_page("meeting")),
    Page("final minutes: meeting page", "director", meeting_page("meeting")),
    Page("final minutes: case page", "staff", case_page("meeting", "assessment")),
    Page("final minutes: case page", "technical", case_page("meeting", "assessment")),
    Page("final minutes: case page", "director", case_page("meeting", "assessment")),
    # Closed meeting: the decisions are fixed; a member present still signs the minutes.
    Page("closed meeting: meeting page", "technical", meeting_page("closed_meeting"), forms("decisions:minutes_sign")),
    Page("closed meeting: meeting page", "staff", meeting_page("closed_meeting")),
    Page("closed meeting: case page", "technical", case_page("closed_meeting", "closed_case")),
    Page("closed meeting: case page", "staff", case_page("closed_meeting", "closed_case")),
    # Answered appeal (9.9.7): no appointment, finding or answer after the director's answer.
    Page("answered appeal", "staff", appeal_page("appeal")),
    Page("answered appeal", "director", appeal_page("appeal")),
    Page("answered appeal", "appeal", appeal_page("appeal")),
    Page("answered appeal", "appellant", appeal_page("appeal")),
    # Issued certificate: the requirements' forms are gone; the actions of 9.5 the services
    # accept remain (staff warn and freeze; the director revokes only after a warning or an
    # overdue freeze, so not here).
    Page("issued certificate", "staff", certificate_page("certificate"), forms("certificates:action[warn]", "certificates:action[freeze]")),
    Page("issued certificate", "director", certificate_page("certificate")),
    Page("issued certificate", "holder", certificate_page("certificate")),
    Page("expired certificate", "staff", certificate_page("certificate"), since=False, days_later=THREE_YEARS_AND_A_DAY),
    Page("expired certificate", "director", certificate_page("certificate"), since=False, days_later=THREE_YEARS_AND_A_DAY),
    # The same pages of records still open offer their forms.
    Page("meeting in session: case page", "technical", case_page("open_meeting", "open_case"), forms("decisions:decide", "decisions:declare_conflict"), locked=False),
    Page("meeting in session: meeting page", "staff", meeting_page("open_meeting"), forms("decisions:meeting_open", "decisions:meeting_cancel"), locked=False),
    Page("appeal under review", "director", appeal_page("open_appeal"), forms("appeals:answer"), locked=False),
    Page("appeal under review", "appeal", appeal_page("open_appeal"), forms("appeals:finding"), locked=False),
    Page("appeal under review", "staff", appeal_page("open_appeal"), forms("appeals:appoint"), locked=False),
    Page("pending certificate", "holder_pending", certificate_page("pending_certificate"), forms("certificates:agree"), locked=False),
    Page("pending certificate", "staff", certificate_page("pending_certificate"), forms("certificates:record_fee"), locked=False),
]  # fmt: skip


@pytest.fixture
def pages_world(world, staff, assessor, assessor_profile, tuk, technical):  # noqa: F811
    """The route matrix's world, and beside it records of the same kinds still open."""
    director = world["users"]["director"]
    tono = User.objects.get(email="technical2@example.org")
    members = list(TechnicalTeamMember.objects.filter(user__in=[technical, tono]))
    people = {
        name: make_user(f"{name}@example.org", f"{name.title()} Applicant", Role.APPLICANT)
        for name in ("erin", "hana", "fajar", "gita")
    }

    def case(name, result="K"):
        return recommended_case(people[name], staff, assessor, assessor_profile, tuk, result=result)

    # A meeting in session, erin's case not decided yet.
    erins = case("erin")
    open_meeting = decision_services.open_meeting(
        staff, plan(staff, members, [erins], title="Rapat berjalan"), members
    )
    # A closed meeting: hana's case decided, the minutes not signed yet.
    hanas = case("hana")
    closed = decision_services.open_meeting(
        staff, plan(staff, members, [hanas], title="Rapat ditutup"), members
    )
    decision_services.decide(technical, closed, hanas, result="K", basis=BASIS)
    decision_services.close_meeting(staff, closed)
    # Fajar (Belum Kompeten) and gita (Kompeten) decided, the decree signed: fajar appeals and
    # the team has a finding; gita's certificate waits for her agreement and the fee.
    fajars, gitas = case("fajar", "BK"), case("gita")
    minutes = meeting_through_minutes(staff, members, [fajars, gitas], title="Rapat ketiga")
    decision_services.sign_decree(director, decision_services.draft_decree(staff, minutes))
    appeal_member = world["users"]["appeal"]
    make_user("appeal2@example.org", "Bima Banding", Role.APPEAL_TEAM)
    appeal = appeal_services.file_appeal(
        people["fajar"],
        fajars.decision,
        AppealInput(
            process_explained=True,
            discussed_with_assessor=True,
            involve_other_person=False,
            other_person="",
            reasons="Observasi tidak mencakup unit 3.",
        ),
        attachments=[],
    )
    appeal_services.appoint(staff, appeal, appeal_member)
    appeal_services.record_finding(
        appeal_member, appeal, text="Unit 3 diobservasi.", recommendation="dismissed"
    )
    return {
        **world,
        "users": {
            **world["users"],
            "appellant": world["bob"],
            "holder": world["users"]["applicant"],
            "holder_pending": people["gita"],
        },
        "open_meeting": Meeting.objects.get(pk=open_meeting.pk),
        "open_case": erins,
        "closed_meeting": Meeting.objects.get(pk=closed.pk),
        "closed_case": hanas,
        "open_appeal": Appeal.objects.get(pk=appeal.pk),
        "pending_certificate": Certificate.objects.get(decision__assessment=gitas),
    }


def look(client, w, page):
    """The page as its role sees it: (html, url)."""
    url = page.url(w)
    when = timezone.now() + datetime.timedelta(days=page.days_later)
    with time_machine.travel(when, tick=False) if page.days_later else _nothing():
        client.force_login(w["users"][page.role])
        response = client.get(url)
    assert response.status_code == 200, f"{page.id}: {response.status_code}"
    return response.content.decode(), url


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_each_page_of_a_locked_record_offers_only_what_its_service_still_accepts(
    client, pages_world
):
    """Every locked row: exactly the forms listed (none for most), no input outside them, and
    the line saying why the record is locked and since when. Every open row: its forms."""
    wrong = []
    for page in PAGES:
        html, url = look(client, pages_world, page)
        found = state_changing_forms(html, url)
        routes = {form.route for form in found}
        if page.locked:
            if routes != page.offers:
                wrong.append(f"{page.id}: offers {sorted(routes)}, expected {sorted(page.offers)}")
            loose = loose_controls(html, url, page.offers)
            if loose:
                wrong.append(f"{page.id}: inputs in the read-only document: {loose}")
            if 'data-testid="locked-note"' not in html:
                wrong.append(f"{page.id}: no line saying why the record is locked")
            elif page.since and 'data-testid="locked-since"' not in html:
                wrong.append(f"{page.id}: the locked line does not say since when")
        else:
            if not page.offers <= routes:
                wrong.append(
                    f"{page.id}: offers {sorted(routes)}, lacks {sorted(page.offers - routes)}"
                )
            if 'data-testid="locked-note"' in html:
                wrong.append(f"{page.id}: an open record is said to be locked")
    assert not wrong, "\n".join(wrong)


# What the locked pages no longer offer, posted anyway: each service refuses and nothing changes.
# (route, its arguments in the world, who posts, the data a filled-in form would send)
REFUSED = [
    ("decisions:decide", lambda w: [w["meeting"].pk, w["assessment"].pk], "technical", {"result": "BK", "basis": "Diubah.", "reason": "Diubah."}),
    ("decisions:declare_conflict", lambda w: [w["closed_meeting"].pk, w["closed_case"].pk], "technical", {"note": "Keluarga."}),
    ("decisions:meeting_open", lambda w: [w["closed_meeting"].pk], "staff", {"present": []}),
    ("decisions:meeting_cancel", lambda w: [w["meeting"].pk], "staff", {"reason": "Batal."}),
    ("decisions:meeting_close", lambda w: [w["open_meeting"].pk], "staff", {}),
    ("decisions:minutes_sign", lambda w: [w["meeting"].pk], "technical", {}),
    ("appeals:appoint", lambda w: [w["appeal"].pk], "staff", {"member": "appeal2"}),
    ("appeals:finding", lambda w: [w["appeal"].pk], "appeal", {"text": "Lagi.", "recommendation": "upheld"}),
    ("appeals:answer", lambda w: [w["appeal"].pk], "director", {"outcome": "upheld", "reasons": "Diubah.", "confirm": "on"}),
    ("certificates:agree", lambda w: [w["certificate"].pk], "holder", {"points": ["9.8.1", "9.8.2", "9.8.3", "9.8.4"]}),
    ("certificates:record_fee", lambda w: [w["certificate"].pk], "staff", {"amount": 350000}),
    ("certificates:action", lambda w: [w["certificate"].pk, "revoke"], "director", {"reason": "Dicabut."}),
]  # fmt: skip


def test_what_a_locked_page_does_not_offer_its_service_refuses(client, pages_world):
    """The premise of the table: each form a locked page leaves out would be refused - posted
    anyway, the service answers with its reason (in Indonesian) and records nothing."""
    w = pages_world
    appeal2 = User.objects.get(email="appeal2@example.org")
    wrong = []
    for name, args, role, data in REFUSED:
        data = {k: (appeal2.pk if v == "appeal2" else v) for k, v in data.items()}
        client.force_login(w["users"][role])
        before = AuditEvent.objects.count()
        response = client.post(reverse(name, args=args(w)), data, follow=True)
        errors = [m.message for m in response.context["messages"] if m.level_tag == "error"]
        if response.status_code != 200 or not errors:
            wrong.append(f"{name} by {role}: {response.status_code}, no refusal shown")
        if AuditEvent.objects.count() != before:
            wrong.append(f"{name} by {role}: something was recorded")
    assert not wrong, "\n".join(wrong)


def test_the_helper_finds_the_state_changing_forms_and_leaves_out_the_kernel_ones(db):
    page = reverse("decisions:meeting_detail", args=[7])
    html = f"""<html><body>
      <form action="{reverse("set_language")}" method="post"><button name="language">EN</button></form>
      <form action="{reverse("accounts:logout")}" method="post"><button>Out</button></form>
      <main>
        <form method="get"><input name="q"></form>
        <form action="{reverse("decisions:meeting_close", args=[7])}" method="post"><button>Close</button></form>
        <form action="../7/" method="POST"><button>Self</button></form>
        <form action="{reverse("certificates:action", args=[3, "freeze"])}" method="post">
          <input type="hidden" name="csrfmiddlewaretoken"><textarea name="reason"></textarea></form>
        <input name="stray"><button type="button">x</button>
      </main></body></html>"""
    found = state_changing_forms(html, page)
    assert [form.route for form in found] == [
        "decisions:meeting_close",
        "decisions:meeting_detail",
        "certificates:action[freeze]",
    ]
    assert loose_controls(html, page, {"certificates:action[freeze]"}) == [
        "<button name=None>",
        "<button name=None>",
        "<input name='stray'>",
    ]
    assert loose_controls(html, page, {form.route for form in found}) == ["<input name='stray'>"]
    with pytest.raises(AssertionError, match="no route answers"):
        state_changing_forms('<form method="post" action="/nowhere/"></form>', page)
