# ruff: noqa: E501 - the table of pages is wider than a line, and easier read that way
"""Query counts of every list and detail page (issue 8): the number of database queries a page makes
does not grow with the number of rows it shows, and stays under a fixed bound.

PAGES declares each page once: the route, who asks, how its rows are made and the bound (the count
measured when the test was written, so that a new query fails here and is looked at). Each page is
built with 1 row, counted, grown to 50 rows (on lists: 50 applications, cases, meetings,
certificates, appeals; on detail pages what the page lists and what can vary: documents, audit
events, warnings, agenda items, team members...), counted again: both counts must be equal. Pages
where nothing varies (a scheme's 15 units are fixed) assert their bound only.

Rows come from the bulk generator (lsp_site.datagen.make_cases) or, for the rows a detail
page lists, from bulk_create. The caches (content types; in Redis the sessions, role names and
verification records) are cleared before each count: both counts start alike, and a bound is what
a page makes at worst, with a cold cache. QUERY_COUNTS=1 prints the counts measured.

`test_every_list_and_detail_page_is_counted` walks the URLconf: a GET route that is not in PAGES
must be in EXEMPT with its reason.
"""

import datetime
import os
import re
from collections import Counter
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appeals.models import Attachment, TeamMember
from assessment.models import (
    TUK,
    Assessment,
    Assessor,
    Assignment,
    InstrumentBank,
    InstrumentItem,
    ObservationRecord,
    PortfolioCheck,
    Schedule,
    ScheduleCandidate,
)
from certificates.models import CertificateWarning
from decisions.models import AgendaItem, Attendance, Decision, Meeting
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_site import datagen
from registration.models import KUK, Document, Element, Experience, Scheme, StandardVersion
from tests.conftest import ensure_seed_data
from tests.security.test_route_matrix import ROUTES, url_patterns

pytestmark = pytest.mark.django_db

SMALL, LARGE = 1, 50


@dataclass
class Page:
    route: str  # URL name
    who: str  # who asks (for the test id and the report)
    build: object  # build(state, n) -> (user or None, url, GET params): adds n rows to state
    bound: int  # the most queries the page may make (as measured)
    rows: str = ""  # what grows from 1 to 50; "" when nothing on the page varies

    @property
    def id(self):
        return f"{self.route}[{self.who}]"


# --- building blocks ----------------------------------------------------------------------------


def cast(s):
    if not hasattr(s, "cast"):
        ensure_seed_data()  # a transactional test before this one may have emptied the tables
        s.cast = datagen.world()
    return s.cast


def make(s, n, stage, **kwargs):
    """datagen.make_cases with a seed of its own for each call of a test: the same cases (stages,
    variants, schemes) on every run."""
    cast(s)
    s.calls = getattr(s, "calls", 0) + 1
    return datagen.make_cases(n, stage, seed=f"perf:{s.calls}", **kwargs)


def case(s, stage, **kwargs):
    return make(s, 1, stage, **kwargs)[0]


def new_user(s, role, local):
    cast(s)
    user = User.objects.create_user(
        email=f"{local}@perf.example", password=datagen.PASSWORD, full_name=local.title()
    )
    user.groups.set(Group.objects.filter(name=role))
    return user


def more_documents(application, n):
    """n more FR-APL-02 evidence files on the application (copies of its first document)."""
    first = application.documents.order_by("pk").first()
    Document.objects.bulk_create(
        Document(
            application=application,
            requirement=None,
            file=first.file.name,
            original_name=f"bukti-{i}.pdf",
            content_type=first.content_type,
            size=first.size,
            sha256=first.sha256,
        )
        for i in range(n)
    )


def more_experience(application, n):
    field = application.scheme.experience_fields.first()
    start = datetime.date(2023, 1, 2)
    Experience.objects.bulk_create(
        Experience(
            application=application,
            organisation=f"PT Contoh {i}",
            field=field if i % 2 else None,
            role="Magang",
            start_date=start,
            end_date=start + datetime.timedelta(days=30),
            hours=40,
        )
        for i in range(n)
    )


def more_assignments(assessment, n):
    """n earlier, ended assignments of the attempt (as if it had been reassigned n times)."""
    first = assessment.assignments.get()
    Assignment.objects.bulk_create(
        Assignment(
            assessment=assessment,
            assessor=first.assessor,
            assigned_by=first.assigned_by,
            started_at=first.started_at,
            ended_at=first.started_at,
            ended_by=first.assigned_by,
            end_reason=f"Alasan {i}",
        )
        for i in range(n)
    )


def more_events(obj, actor, n):
    """n more audit events in the history of `obj`, by `actor`."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action="perf.noted",
            content_type=content_type,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            reason=f"Catatan {i}",
        )
        for i in range(n)
    )


def more_assessors(s, scheme, n):
    start = getattr(s, "assessors_made", 0)
    s.assessors_made = start + n
    group = Group.objects.get(name=Role.ASSESSOR)
    users = User.objects.bulk_create(
        User(email=f"asesor-perf-{i}@perf.example", full_name=f"Asesor Perf {i:03d}")
        for i in range(start, start + n)
    )
    group.user_set.add(*users)
    assessors = Assessor.objects.bulk_create(
        Assessor(
            user=user,
            registration_number=f"MET.PERF.{i:05d}",
            registration_valid_until=timezone.localdate() + datetime.timedelta(days=365),
        )
        for i, user in zip(range(start, start + n), users, strict=True)
    )
    Assessor.schemes.through.objects.bulk_create(
        Assessor.schemes.through(assessor_id=a.pk, scheme_id=scheme.pk) for a in assessors
    )


def more_tuks(s, n):
    start = getattr(s, "tuks_made", 0)
    s.tuks_made = start + n
    today = timezone.localdate()
    TUK.objects.bulk_create(
        TUK(
            name=f"TUK Perf {i:03d}",
            address="Jl. Contoh",
            kind=TUK.Kind.choices[0][0],
            verified_by=cast(s).staff[0],
            verified_on=today - datetime.timedelta(days=10),
            verified_until=today + datetime.timedelta(days=300),
        )
        for i in range(start, start + n)
    )


def more_schemes(s, n):
    start = getattr(s, "schemes_made", 0)
    s.schemes_made = start + n
    Scheme.objects.bulk_create(
        Scheme(
            code=f"perf-{i}",
            document_number=f"PERF/{i}",
            name=f"Skema Perf {i:03d}",
            fee=100_000,
            eligible_study_programmes="Manajemen",
        )
        for i in range(start, start + n)
    )


def appealable(application):
    """Publish the application's decision an hour ago: within the window of an appeal (9.9.2)."""
    published = timezone.now() - datetime.timedelta(hours=1)
    Decision.objects.filter(pk=application.case.decision.pk).update(published_at=published)
    return application


def applicant_url(name, application):
    return reverse(name, args=[application.pk])


# --- registration -------------------------------------------------------------------------------


def home(s, n):
    cast(s)
    more_schemes(s, n)
    return None, reverse("home"), {}


def scheme_detail(s, n):
    cast(s)
    return None, reverse("registration:scheme_detail", args=["mhp"]), {}


def scheme_standard(route, unit=False):
    """A new version of mhp's standard with 1 element, then 50 (two KUK each): the page and
    the export prefetch them; the editor of the first unit (`unit`) shows its 1, then 4."""

    def build(s, n):
        staff = cast(s).staff[0]
        scheme = Scheme.objects.get(code="mhp")
        units = list(scheme.units.all())
        if not hasattr(s, "version"):
            last = scheme.standard_versions.order_by("-number").first()
            s.version = StandardVersion.objects.create(
                scheme=scheme, number=(last.number if last else 0) + 1, created_by=staff
            )
            s.elements = 0
        elements = Element.objects.bulk_create(
            Element(
                version=s.version,
                unit=units[i % len(units)],
                number=i // len(units) + 1,
                title=f"Elemen {i}",
            )
            for i in range(s.elements, s.elements + n)
        )
        s.elements += n
        KUK.objects.bulk_create(
            KUK(element=e, number=f"{e.number}.{j}", text=f"KUK {e.pk}.{j}", position=j)
            for e in elements
            for j in (1, 2)
        )
        return staff, reverse(route, args=["mhp", *([units[0].pk] if unit else [])]), {}

    return build


def instrument_bank(route, unit=False):
    """A new version of mhp's instrument bank with 1 item, then 50 (two KUK each, over the
    units and two instruments): the page and the export prefetch them; the editor of the
    first unit (`unit`) shows its 1, then 4."""

    def build(s, n):
        staff = cast(s).staff[0]
        scheme = Scheme.objects.get(code="mhp")
        standard = scheme.current_standard()
        units = list(scheme.units.all())
        kuks = {}
        for kuk in KUK.objects.filter(element__version=standard).select_related("element"):
            kuks.setdefault(kuk.element.unit_id, []).append(kuk)
        if not hasattr(s, "bank"):
            last = scheme.instrument_banks.order_by("-number").first()
            s.bank = InstrumentBank.objects.create(
                scheme=scheme,
                standard=standard,
                number=(last.number if last else 0) + 1,
                created_by=staff,
            )
            s.items = 0
        items = InstrumentItem.objects.bulk_create(
            InstrumentItem(
                bank=s.bank,
                unit=units[i % len(units)],
                kind=("IA.07", "IA.09")[i // len(units) % 2],
                number=i // (2 * len(units)) + 1,
                text=f"Pertanyaan {i}",
                guide=f"Jawaban {i}",
                minutes=10,
            )
            for i in range(s.items, s.items + n)
        )
        s.items += n
        InstrumentItem.kuks.through.objects.bulk_create(
            InstrumentItem.kuks.through(instrumentitem_id=item.pk, kuk_id=kuk.pk)
            for item in items
            for kuk in kuks[item.unit_id][:2]
        )
        return staff, reverse(route, args=["mhp", *([units[0].pk] if unit else [])]), {}

    return build


def dashboard(s, n):
    """1 application, then several: one open per scheme (certified, appealed and upheld with a
    reassessment, a recent Belum Kompeten still appealable) plus closed ones."""
    if not hasattr(s, "applicant"):
        s.applicant = new_user(s, Role.APPLICANT, "pemohon")
        case(s, "certified", applicant=s.applicant, variant="active")
    else:
        case(s, "appealed", applicant=s.applicant, variant="upheld")
        appealable(case(s, "decided_bk", applicant=s.applicant, variant="recent"))
        make(s, 3, "rejected", applicant=s.applicant)
        make(s, 3, "withdrawn", applicant=s.applicant)
    return s.applicant, reverse("dashboard"), {}


def own(stage, name, grow):
    """The applicant's own application, with `grow(application, n)` adding what varies."""
    name = f"registration:{name}"

    def build(s, n):
        if not hasattr(s, "application"):
            stage_name, variant = stage.split(":")
            s.application = case(s, stage_name, variant=variant)
            n -= 1
        grow(s.application, n)
        return s.application.applicant, applicant_url(name, s.application), {}

    return build


def nothing(application, n):
    pass


FILTER = {"status": "eligible", "scheme": "mhp", "q": "gen.example"}


def review_queue(params):
    def build(s, n):
        cast(s)
        stage = params.get("status", "submitted")
        make(s, n, stage, scheme="mhp" if "scheme" in params else None)
        query = dict(params)
        if "scheme" in query:
            query["scheme"] = Scheme.objects.get(code="mhp").pk
        return cast(s).staff[0], reverse("registration:review_queue"), query

    return build


def review_detail(s, n):
    if not hasattr(s, "application"):
        s.application = case(s, "submitted")
        n -= 1
    more_documents(s.application, n)
    more_experience(s.application, n)
    more_events(s.application, s.application.applicant, n)
    url = applicant_url("registration:review_detail", s.application)
    return cast(s).staff[0], url, {}


# --- assessment ---------------------------------------------------------------------------------


def staff_overview(s, n):
    for stage in ("eligible", "assigned", "recommended"):
        make(s, n, stage)
    return cast(s).staff[0], reverse("assessment:staff_overview"), {}


def assessor_cases(s, n):
    """The assessor's cases: open ones and, as many, recommended (closed) ones."""
    if not hasattr(s, "assessor"):
        s.assessor = new_user(s, Role.ASSESSOR, "asesor-perf")
        Assessor.objects.create(
            user=s.assessor,
            registration_number="MET.PERF.MAIN",
            registration_valid_until=timezone.localdate() + datetime.timedelta(days=365),
        )
    make(s, n, "assigned", assessor=s.assessor)
    make(s, n, "recommended", assessor=s.assessor)
    return s.assessor, reverse("assessment:assessor_cases"), {}


def assign(s, n):
    """An eligible application and the qualified assessors to choose from (with their
    workload)."""
    if not hasattr(s, "application"):
        s.application = case(s, "eligible", scheme="mhp")
    more_assessors(s, s.application.scheme, n)
    url = reverse("assessment:assign", args=[s.application.pk])
    return cast(s).staff[0], url, {}


def reassign(s, n):
    if not hasattr(s, "application"):
        s.application = case(s, "assigned", scheme="mhp", variant="plan_agreed")
    more_assessors(s, s.application.scheme, n)
    url = reverse("assessment:reassign", args=[s.application.case.assessment.pk])
    return cast(s).staff[0], url, {}


def assessment_detail(who):
    def build(s, n):
        if not hasattr(s, "application"):
            s.application = case(s, "assigned", variant="results_partial")
            n -= 1
        assessment = s.application.case.assessment
        more_documents(s.application, n)
        more_events(assessment, assessment.assessor.user, n)
        more_assignments(assessment, n)
        user = {
            "staff": cast(s).staff[0],
            "assessor": assessment.assessor.user,
            "applicant": s.application.applicant,
        }[who]
        return user, reverse("assessment:detail", args=[assessment.pk]), {}

    return build


def assessor_page(name, variant, grow=None):
    """The assessor's form page of their case at `variant`."""
    name = f"assessment:{name}"

    def build(s, n):
        if not hasattr(s, "application"):
            s.application = case(s, "assigned", variant=variant)
        assessment = s.application.case.assessment
        if grow:
            grow(s, n)
        return assessment.assessor.user, reverse(name, args=[assessment.pk]), {}

    return build


def observation(s, n):
    """FR.IA.01 of the first unit of an mhp case in the test phase: a new element of its pinned
    standard with n more KUK, each observed - the page prefetches the KUK and reads the records
    in one query."""
    if not hasattr(s, "application"):
        s.application = case(s, "assigned", variant="evidence_reviewed", scheme="mhp")
        s.elements_made = 0
    assessment = s.application.case.assessment
    unit = assessment.application.scheme.units.order_by("number").first()
    s.elements_made += 1
    element = Element.objects.create(
        version_id=assessment.application.standard_id,
        unit=unit,
        number=100 + s.elements_made,
        title=f"Elemen Perf {s.elements_made}",
    )
    kuks = KUK.objects.bulk_create(
        KUK(element=element, number=f"{element.number}.{j}", text=f"KUK {j}", position=9000 + j)
        for j in range(1, n + 1)
    )
    ObservationRecord.objects.bulk_create(
        ObservationRecord(
            assessment=assessment,
            kuk=kuk,
            achieved=True,
            recorded_by=assessment.assessor.user,
            recorded_at=timezone.now(),
        )
        for kuk in kuks
    )
    url = reverse("assessment:observation", args=[assessment.pk, unit.pk])
    return assessment.assessor.user, url, {}


def instruments(s, n):
    """The instrument page of the first unit of an mhp case in the test phase, with n more
    FR.IA.08 portfolio checks, each showing two KUK: the matrix, the bank items, the checks and
    their KUK are read in a fixed number of queries."""
    if not hasattr(s, "application"):
        s.application = case(s, "assigned", variant="evidence_reviewed", scheme="mhp")
    assessment = s.application.case.assessment
    unit = assessment.application.scheme.units.order_by("number").first()
    kuks = list(
        KUK.objects.filter(
            element__unit=unit, element__version_id=assessment.application.standard_id
        )[:2]
    )
    checks = PortfolioCheck.objects.bulk_create(
        PortfolioCheck(
            assessment=assessment,
            unit=unit,
            title=f"Bukti {i}",
            valid=True,
            authentic=True,
            current=True,
            sufficient=True,
            recorded_by=assessment.assessor.user,
            recorded_at=timezone.now(),
        )
        for i in range(n)
    )
    PortfolioCheck.kuks.through.objects.bulk_create(
        PortfolioCheck.kuks.through(portfoliocheck_id=check.pk, kuk_id=kuk.pk)
        for check in checks
        for kuk in kuks
    )
    url = reverse("assessment:instruments", args=[assessment.pk, unit.pk])
    return assessment.assessor.user, url, {}


def feedback(s, n):
    application = case(s, "recommended")
    url = reverse("assessment:feedback", args=[application.case.assessment.pk])
    return application.applicant, url, {}


def submitted_detail(s, n):
    """A submitted case's page for its assessor, with the FR.AK.05 report on it, and n more
    events in its history."""
    if not hasattr(s, "application"):
        s.application = case(s, "recommended")
    assessment = s.application.case.assessment
    more_events(assessment, assessment.assessor.user, n)
    return assessment.assessor.user, reverse("assessment:detail", args=[assessment.pk]), {}


def process_review(s, n):
    """FR.AK.06 of a submitted case, as its assessor opens it (the form; nothing grows)."""
    assessment = case(s, "recommended").case.assessment
    return assessment.assessor.user, reverse("assessment:process_review", args=[assessment.pk]), {}


# --- decisions ----------------------------------------------------------------------------------


def more_meetings(s, n):
    """n more meetings of every status, each with a case on its agenda and the member invited."""
    member = s.member
    recommended = make(s, 1, "recommended")[0].case.assessment
    statuses = [value for value, _label in Meeting.Status.choices]
    meetings = Meeting.objects.bulk_create(
        Meeting(
            title=f"Rapat Perf {i}",
            scheduled_at=timezone.now() - datetime.timedelta(days=i),
            location="Ruang Rapat",
            status=statuses[i % len(statuses)],
            quorum=2,
            planned_by=cast(s).staff[0],
        )
        for i in range(n)
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, assessment=recommended) for meeting in meetings
    )
    Attendance.objects.bulk_create(Attendance(meeting=m, member=member) for m in meetings)


def meeting_list(who):
    def build(s, n):
        if not hasattr(s, "member"):
            s.member = cast(s).members[0]
        more_meetings(s, n)
        make(s, n, "recommended")  # waiting for a meeting (staff)
        user = {"staff": cast(s).staff[0], "technical": s.member.user, "director": None}[who]
        return user or cast(s).director, reverse("decisions:meeting_list"), {}

    return build


def meeting_new(s, n):
    make(s, n, "recommended")
    return cast(s).staff[0], reverse("decisions:meeting_new"), {}


def meeting_detail(who):
    """A meeting whose decree is signed, with 1 and then 50 decided cases on it."""

    def build(s, n):
        if not hasattr(s, "meeting"):
            s.meeting = case(s, "decided_bk", variant="old").case.meeting
            n -= 1
        if n:
            make(s, n, "decided_bk", meeting=s.meeting, variant="old")
        more_events(s.meeting, cast(s).staff[0], n)
        if who == "technical":
            attendance = s.meeting.attendances.filter(present=True).select_related("member")
            user = attendance.first().member.user
        else:
            user = {"staff": cast(s).staff[0], "director": cast(s).director}[who]
        return user, reverse("decisions:meeting_detail", args=[s.meeting.pk]), {}

    return build


def decision_case(s, n):
    application = case(s, "decided_k", variant="no_fee")
    url = reverse(
        "decisions:case", args=[application.case.meeting.pk, application.case.assessment.pk]
    )
    return cast(s).staff[0], url, {}


def my_decision(s, n):
    application = case(s, "decided_bk", variant="recent")
    url = reverse("decisions:my_decision", args=[application.case.decision.pk])
    return application.applicant, url, {}


# --- certificates -------------------------------------------------------------------------------


def mine(s, n):
    """The holder's certificates: 1, then one in each scheme (with a reassessment)."""
    if not hasattr(s, "applicant"):
        s.applicant = new_user(s, Role.APPLICANT, "pemegang")
        case(s, "certified", applicant=s.applicant, variant="active")
    else:
        case(s, "certified", applicant=s.applicant, variant="frozen")
        case(s, "decided_k", applicant=s.applicant, variant="no_fee")
    return s.applicant, reverse("certificates:mine"), {}


def registry(params):
    def build(s, n):
        make(s, n, "certified")
        return cast(s).staff[0], reverse("certificates:registry"), params

    return build


def certificate_detail(who):
    def build(s, n):
        if not hasattr(s, "application"):
            s.application = case(s, "certified", variant="frozen")
            n -= 1
        certificate = s.application.case.certificate
        staff = cast(s).staff[0]
        CertificateWarning.objects.bulk_create(
            CertificateWarning(
                certificate=certificate, ground="a", text="Peringatan", issued_by=staff
            )
            for _i in range(n)
        )
        more_events(certificate, staff, n)
        user = {"staff": staff, "holder": s.application.applicant}[who]
        return user, reverse("certificates:detail", args=[certificate.pk]), {}

    return build


def verify(name):
    def build(s, n):
        certificate = case(s, "certified", variant="active").case.certificate
        if name == "certificates:verify":
            return None, reverse(name), {"number": certificate.number}
        return None, reverse(name, args=[certificate.token]), {}

    return build


# --- appeals ------------------------------------------------------------------------------------


def appeal_list(who):
    """Open appeals and answered ones; the team member is appointed to all of them."""

    def build(s, n):
        if not hasattr(s, "member"):
            s.member = new_user(s, Role.APPEAL_TEAM, "banding-perf")
        made = make(s, n, "appealed", variant="under_review")
        made += make(s, n, "appealed", variant="dismissed")
        TeamMember.objects.bulk_create(
            TeamMember(
                appeal=a.case.appeal,
                user=s.member,
                appointed_by=cast(s).staff[0],
                appointed_at=a.case.appeal.received_at,
            )
            for a in made
        )
        user = {"staff": cast(s).staff[0], "appeal": s.member, "director": cast(s).director}[who]
        return user, reverse("appeals:list"), {}

    return build


def appeal_detail(who):
    """An appeal under review, with 1 and then 50 attachments, team members and history
    events."""

    def build(s, n):
        if not hasattr(s, "application"):
            s.application = case(s, "appealed", variant="under_review")
            s.made = 0
        appeal = s.application.case.appeal
        first = appeal.attachments.first()
        Attachment.objects.bulk_create(
            Attachment(
                appeal=appeal,
                file=datagen.SAMPLE_PDF,
                original_name=f"lampiran-{i}.pdf",
                content_type="application/pdf",
                size=first.size if first else 100,
                sha256=first.sha256 if first else "0" * 64,
            )
            for i in range(n)
        )
        members = [new_user(s, Role.APPEAL_TEAM, f"tim-{s.made + i}") for i in range(n)]
        s.made += n
        TeamMember.objects.bulk_create(
            TeamMember(
                appeal=appeal, user=m, appointed_by=cast(s).staff[0], appointed_at=timezone.now()
            )
            for m in members
        )
        more_events(appeal, cast(s).staff[0], n)
        # Members not appointed yet: the staff's choice of whom to appoint, each checked for a
        # conflict (9.9.4).
        for i in range(n):
            new_user(s, Role.APPEAL_TEAM, f"calon-{s.made + i}")
        s.made += n
        user = {
            "staff": cast(s).staff[0],
            "appellant": s.application.applicant,
            "director": cast(s).director,
            "appeal": appeal.team.first().user,
        }[who]
        return user, reverse("appeals:detail", args=[appeal.pk]), {}

    return build


def appeal_file(s, n):
    application = appealable(case(s, "decided_bk", variant="recent"))
    url = reverse("appeals:file", args=[application.case.decision.pk])
    return application.applicant, url, {}


# --- accounts -----------------------------------------------------------------------------------


def security(s, n):
    """Whether two-factor sign-in is on: one user's own status, nothing that grows."""
    return new_user(s, Role.APPLICANT, "keamanan"), reverse("twofactor:security"), {}


def people(s, n):
    """n more people, each an assessor; the list searched for them (the cast is listed too)."""
    start = getattr(s, "people_made", 0)
    s.people_made = start + n
    users = User.objects.bulk_create(
        User(email=f"orang-perf-{i}@perf.example", full_name=f"Orang Perf {i:03d}")
        for i in range(start, start + n)
    )
    Group.objects.get(name=Role.ASSESSOR).user_set.add(*users)
    return cast(s).staff[0], reverse("accounts:people"), {"q": "orang-perf"}


def person_detail(s, n):
    """An assessor's person page (their registry record, whether it is in use) with n more
    events in their history."""
    if not hasattr(s, "person"):
        s.person = new_user(s, Role.ASSESSOR, "orang-rinci")
        profile = Assessor.objects.create(
            user=s.person,
            registration_number="MET.000.777777 2024",
            registration_valid_until=timezone.localdate() + datetime.timedelta(days=365),
        )
        profile.schemes.add(Scheme.objects.order_by("pk").first())
    more_events(s.person, cast(s).staff[0], n)
    return cast(s).staff[0], reverse("accounts:person_detail", args=[s.person.pk]), {}


# --- assessment events (issue 16) ----------------------------------------------------------------


def more_schedules(s, n, *, days, scheme_code="mhp"):
    """n events `days` from today at the world's first TUK, each with two of its assessors."""
    world = cast(s)
    scheme = world.schemes[scheme_code].scheme
    assessors = [a for a in world.assessors if scheme.pk in world.assessor_schemes.get(a.pk, ())]
    assessors = assessors or list(Assessor.objects.filter(schemes=scheme)[:2])
    day = timezone.localdate() + datetime.timedelta(days=days)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    events = Schedule.objects.bulk_create(
        Schedule(
            scheme=scheme,
            tuk=world.tuks[0],
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=6),
            quota=20,
            registration_opens=min(day, timezone.localdate()) - datetime.timedelta(days=7),
            registration_closes=day,
            created_by=world.staff[0],
        )
        for _ in range(n)
    )
    Schedule.assessors.through.objects.bulk_create(
        Schedule.assessors.through(schedule_id=e.pk, assessor_id=a.pk)
        for e in events
        for a in assessors[:2]
    )
    return events


def schedule_list(s, n):
    more_schedules(s, n, days=3)
    more_schedules(s, n, days=-10)
    return cast(s).staff[0], reverse("assessment:schedule_list"), {}


def schedule_form(name):
    def build(s, n):
        args = [more_schedules(s, 1, days=3)[0].pk] if name.endswith("edit") else []
        return cast(s).staff[0], reverse(f"assessment:{name}", args=args), {}

    return build


def schedule_detail(s, n):
    """An event with n candidates, and n eligible applications waiting to be placed."""
    if not hasattr(s, "event"):
        (s.event,) = more_schedules(s, 1, days=3)
    assessor = s.event.assessors.first()
    placed = make(s, n, "eligible", scheme="mhp")
    make(s, n, "eligible", scheme="mhp")
    ScheduleCandidate.objects.bulk_create(
        ScheduleCandidate(
            schedule=s.event,
            application=application,
            assessor=assessor,
            placed_by=cast(s).staff[0],
            placed_at=timezone.now(),
        )
        for application in placed
    )
    return cast(s).staff[0], reverse("assessment:schedule_detail", args=[s.event.pk]), {}


def schedules_open(s, n):
    """An eligible applicant and the open events of their scheme."""
    if not hasattr(s, "application"):
        s.application = case(s, "eligible", scheme="mhp")
    more_schedules(s, n, days=3)
    return s.application.applicant, reverse("assessment:schedules_open"), {}


# --- the table ----------------------------------------------------------------------------------

draft = "draft:self_assessment"  # an application with every part filled in, not yet submitted

# fmt: off
#     route                                          who               build                                                         bound rows (what grows from 1 to 50)
PAGES = [
    Page("home",                                     "anonymous",      home,                                                          1, "schemes"),
    Page("registration:scheme_detail",               "anonymous",      scheme_detail,                                                 5),
    Page("registration:scheme_standard",             "staff",          scheme_standard("registration:scheme_standard"),               8, "elements and KUK"),
    Page("registration:scheme_standard_export",      "staff",          scheme_standard("registration:scheme_standard_export"),        8, "elements and KUK"),
    Page("registration:scheme_standard_unit",        "staff",          scheme_standard("registration:scheme_standard_unit", True),    8, "the unit's elements and KUK"),
    Page("assessment:instrument_bank",               "staff",          instrument_bank("assessment:instrument_bank"),                 10, "items and KUK"),
    Page("assessment:instrument_bank_export",        "staff",          instrument_bank("assessment:instrument_bank_export"),         10, "items and KUK"),
    Page("assessment:instrument_bank_unit",          "staff",          instrument_bank("assessment:instrument_bank_unit", True),     10, "the unit's items and their KUK"),
    Page("dashboard",                                "applicant",      dashboard,                                                    10, "applications (1, then 9)"),
    Page("registration:application_detail",          "applicant",      own(draft, "application_detail", nothing),                   18),
    Page("registration:application_personal",        "applicant",      own(draft, "application_personal", nothing),                  6),
    Page("registration:application_experience",      "applicant",      own(draft, "application_experience", more_experience),        7, "experience"),
    Page("registration:application_documents",       "applicant",      own(draft, "application_documents", more_documents),          7, "documents"),
    Page("registration:application_self_assessment", "applicant",      own(draft, "application_self_assessment", more_documents),   12, "documents"),
    Page("registration:review_queue",                "staff",          review_queue({}),                                              7, "submitted applications"),
    Page("registration:review_queue",                "staff-filtered", review_queue(FILTER),                                          8, "eligible applications"),
    Page("registration:review_detail",               "staff",          review_detail,                                                20, "documents, experience, events"),
    Page("assessment:schedule_list",                 "staff",          schedule_list,                                                 9, "upcoming and past events"),
    Page("assessment:schedule_new",                  "staff",          schedule_form("schedule_new"),                                 6),
    Page("assessment:schedule_edit",                 "staff",          schedule_form("schedule_edit"),                                8),
    Page("assessment:schedule_detail",               "staff",          schedule_detail,                                               8, "candidates, eligible applications"),
    Page("assessment:schedules_open",                "applicant",      schedules_open,                                                7, "open events"),
    Page("assessment:staff_overview",                "staff",          staff_overview,                                                9, "waiting, in progress, ready"),
    Page("assessment:assessor_cases",                "assessor",       assessor_cases,                                                5, "open and submitted cases"),
    Page("assessment:assign",                        "staff",          assign,                                                        9, "qualified assessors"),
    Page("assessment:reassign",                      "staff",          reassign,                                                      6, "qualified assessors"),
    Page("assessment:detail",                        "staff",          assessment_detail("staff"),                                   16, "documents, events, assignments"),
    Page("assessment:detail",                        "assessor",       assessment_detail("assessor"),                                16, "documents, events"),
    Page("assessment:detail",                        "applicant",      assessment_detail("applicant"),                                9),
    Page("assessment:detail",                        "assessor-ak05",  submitted_detail,                                             29, "events"),
    Page("assessment:plan",                          "assessor",       assessor_page("plan", "declared", more_tuks),                 23, "TUKs"),
    Page("assessment:adjustment",                    "assessor",       assessor_page("adjustment", "declared"),                       4),
    Page("assessment:evidence",                      "assessor",       assessor_page("evidence", "plan_agreed"),                      7),
    Page("assessment:results",                       "assessor",       assessor_page("results", "evidence_reviewed"),                13),
    Page("assessment:observation",                   "assessor",       observation,                                                  10, "KUK and their records"),
    Page("assessment:instruments",                   "assessor",       instruments,                                                  21, "portfolio checks"),
    Page("assessment:feedback",                      "applicant",      feedback,                                                      4),
    Page("assessment:process_review",                "assessor",       process_review,                                                4),
    Page("decisions:meeting_list",                   "staff",          meeting_list("staff"),                                         6, "meetings, recommendations"),
    Page("decisions:meeting_list",                   "technical",      meeting_list("technical"),                                     5, "meetings"),
    Page("decisions:meeting_list",                   "director",       meeting_list("director"),                                      6, "meetings"),
    Page("decisions:meeting_new",                    "staff",          meeting_new,                                                   5, "recommendations"),
    Page("decisions:meeting_detail",                 "staff",          meeting_detail("staff"),                                      14, "decided cases, events"),
    Page("decisions:meeting_detail",                 "technical",      meeting_detail("technical"),                                  17, "decided cases, events"),
    Page("decisions:meeting_detail",                 "director",       meeting_detail("director"),                                   14, "decided cases, events"),
    Page("decisions:case",                           "staff",          decision_case,                                                30),
    Page("decisions:my_decision",                    "applicant",      my_decision,                                                   8),
    Page("certificates:mine",                        "holder",         mine,                                                          4, "certificates (1, then 3)"),
    Page("certificates:registry",                    "staff",          registry({}),                                                  7, "certificates"),
    Page("certificates:registry",                    "staff-csv",      registry({"format": "csv"}),                                   5, "certificates"),
    Page("certificates:registry",                    "staff-xlsx",     registry({"format": "xlsx"}),                                  5, "certificates"),
    Page("certificates:detail",                      "staff",          certificate_detail("staff"),                                  14, "warnings, events"),
    Page("certificates:detail",                      "holder",         certificate_detail("holder"),                                 10, "warnings"),
    Page("certificates:verify",                      "anonymous",      verify("certificates:verify"),                                 2),
    Page("certificates:verify_token",                "anonymous",      verify("certificates:verify_token"),                           2),
    Page("certificates:verify_json",                 "anonymous",      verify("certificates:verify_json"),                            2),
    Page("appeals:list",                             "staff",          appeal_list("staff"),                                          8, "open and answered appeals"),
    Page("appeals:list",                             "director",       appeal_list("director"),                                       8, "open and answered appeals"),
    Page("appeals:list",                             "appeal",         appeal_list("appeal"),                                         6, "open and answered appeals"),
    Page("appeals:detail",                           "staff",          appeal_detail("staff"),                                       14, "attachments, team, candidates, events"),
    Page("appeals:detail",                           "director",       appeal_detail("director"),                                    14, "attachments, team, candidates, events"),
    Page("appeals:detail",                           "appeal",         appeal_detail("appeal"),                                      12, "attachments, team, events"),
    Page("appeals:detail",                           "appellant",      appeal_detail("appellant"),                                    9, "attachments, team"),
    Page("appeals:file",                             "applicant",      appeal_file,                                                   6),
    Page("twofactor:security",                       "applicant",      security,                                                      4),
    Page("accounts:people",                          "staff",          people,                                                        6, "people"),
    Page("accounts:person_detail",                   "staff",          person_detail,                                                13, "events"),
]
# fmt: on

# GET routes that are neither a list nor a detail page.
EXEMPT = {
    "favicon": "a static file, no query",
    "accounts:signup": "a form; lists nothing",
    "accounts:signup_done": "a message",
    "accounts:confirm_email": "a button for one account; lists nothing",
    "accounts:confirmation_resend": "a form; lists nothing",
    "accounts:confirmation_resend_done": "a message",
    "accounts:login": "a form; lists nothing",
    "accounts:password_reset": "a form; lists nothing",
    "accounts:password_reset_done": "a message",
    "accounts:password_reset_confirm": "a form; lists nothing",
    "accounts:password_reset_complete": "a message",
    "accounts:password_change": "a form; lists nothing",
    "accounts:password_change_done": "a message",
    "accounts:invitation": "a form for one account; lists nothing",
    "accounts:person_invite": "a form; lists nothing",
    "twofactor:verify": "a form; lists nothing",
    "twofactor:setup": "a form and a QR code; lists nothing",
    "twofactor:recovery_codes": "the ten codes just made, once; nothing that grows",
    "registration:document_file": "a file download: one object, no page",
    "decisions:document_pdf": "a file download: one object, no page",
    "decisions:case_document": "a file download: one object, no page",
    "assessment:report_pdf": "a file download: one object, no page",
    "assessment:record_pdf": "a file download: one object, no page",
    "assessment:review_pdf": "a file download: one object, no page",
    "certificates:download": "a file download: one object, no page",
    "appeals:letter": "a file download: one object, no page",
    "assessment:plan_document": "a file download: one object, no page",
    "appeals:attachment": "a file download: one object, no page",
}


# --- counting -----------------------------------------------------------------------------------


def count(client, user, url, params):
    """The queries of one GET, from a cold start of the process-wide caches."""
    client.logout()
    if user is not None:
        client.force_login(user)
    ContentType.objects.clear_cache()
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        if hasattr(response, "streaming_content"):
            body = b"".join(response.streaming_content)
        else:
            body = response.content
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in captured.captured_queries], body


def shape(sql):
    """A query without its values: repeated shapes are what an N+1 looks like."""
    sql = re.sub(r"'[^']*'", "?", sql)
    sql = re.sub(r"\d+", "?", sql)  # numbers, also in server-side cursor names (sync_12)
    return re.sub(r"IN \([?, ]+\)", "IN (...)", sql)


def repeated(queries):
    return "\n".join(
        f"{n} x {sql[:300]}" for sql, n in Counter(map(shape, queries)).most_common() if n > 1
    )


@pytest.mark.parametrize("page", PAGES, ids=[p.id for p in PAGES])
def test_queries_do_not_grow_with_rows(client, page, capsys):
    s = SimpleNamespace()
    user, url, params = page.build(s, SMALL)
    one, small = count(client, user, url, params)
    fifty, large = one, small
    if page.rows:
        user, url, params = page.build(s, LARGE - SMALL)
        fifty, large = count(client, user, url, params)
    if os.environ.get("QUERY_COUNTS"):
        with capsys.disabled():
            print(f"\n{page.id:55} {len(one):4} {len(fifty) if page.rows else '':>4}")
    if page.rows:
        assert len(large) > len(small), f"{page.id}: the page does not show the {page.rows}"
        assert len(fifty) == len(one), (
            f"{page.id}: {len(one)} queries with 1 row, {len(fifty)} with 50 ({page.rows});"
            f" repeated with 50:\n{repeated(fifty)}"
        )
    assert len(one) <= page.bound, f"{page.id}: {len(one)} queries, bound {page.bound}"


def test_every_list_and_detail_page_is_counted():
    routes = {name for name in url_patterns() if not name.startswith("admin:")}
    # The methods are the route matrix's (tests/security); a route it does not know is a page.
    gets = {name for name in routes if ROUTES.get(name, ("get",))[0] == "get"}
    counted = {page.route for page in PAGES}
    assert gets - counted - set(EXEMPT) == set(), "add the page to PAGES (or EXEMPT, with why)"
    assert counted & set(EXEMPT) == set(), "a page is both counted and exempt"
    assert (counted | set(EXEMPT)) - gets == set(), "routes listed that are no GET pages"


# --- the pages paginated for this (issue 8) -----------------------------------------------------


def test_the_assessor_sees_open_cases_first_50_a_page(client):
    s = SimpleNamespace()
    assessor, url = assessor_cases(s, 30)[:2]  # 30 open and 30 submitted cases
    client.force_login(assessor)
    first = client.get(url)
    page = first.context["page"]
    assert (len(page), page.paginator.count) == (50, 60)
    submitted = [a.status == Assessment.Status.RECOMMENDED for a in page]
    assert submitted == [False] * 30 + [True] * 20
    assert "1 / 2" in first.content.decode()
    second = client.get(url, {"page": 2}).context["page"]
    assert [a.status for a in second] == [Assessment.Status.RECOMMENDED] * 10
    assert not {a.pk for a in page} & {a.pk for a in second}


def test_meetings_are_listed_latest_first_50_a_page(client):
    s = SimpleNamespace()
    s.member = cast(s).members[0]
    more_meetings(s, 60)
    client.force_login(cast(s).staff[0])
    page = client.get(reverse("decisions:meeting_list")).context["page"]
    assert len(page) == 50
    assert [m.scheduled_at for m in page] == sorted((m.scheduled_at for m in page), reverse=True)
    assert {m.case_count for m in page} == {1}
    rest = client.get(reverse("decisions:meeting_list"), {"page": 2}).context["page"]
    assert len(rest) == page.paginator.count - 50
