"""The bulk data generator (issue 8, lsp_site/datagen.py): generated cases look like real
ones to the pages that show them, pass the models' own validation, keep the workflow's order of
events and take unique numbers from the year counters; bench_generate refuses production."""

import datetime
import io
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from appeals.models import (
    AnswerLetter,
    AnswerLetterCounter,
    Appeal,
    Attachment,
    Finding,
    TeamMember,
)
from assessment.models import (
    Assessment,
    AssessmentReport,
    Assessor,
    Assignment,
    EvidenceReview,
    Feedback,
    PlanItem,
    Schedule,
    ScheduleCandidate,
    UnitResult,
)
from certificates.models import Certificate, CertificateCard, CertificateCounter, CertificateWarning
from decisions.models import (
    AgendaItem,
    Attendance,
    Decision,
    Decree,
    DecreeCounter,
    Meeting,
    Minutes,
    MinutesSignature,
)
from lsp_portal.accounts.models import User
from lsp_portal.audit.models import AuditEvent
from lsp_site import cloning, datagen
from registration.models import Application, Document, Experience, SelfAssessment
from tests.conftest import ensure_seed_data

pytestmark = pytest.mark.django_db


def ok(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def cast(db):
    return datagen.world()


@pytest.mark.parametrize("stage", datagen.STAGES)
def test_every_stage_opens_on_the_pages_of_its_people(client, cast, stage):
    applications = datagen.make_cases(3, stage)
    assert len(applications) == 3
    staff = cast.staff[0]
    for application in applications:
        case = application.case
        login(client, application.applicant)
        ok(client, reverse("dashboard"))
        ok(client, reverse("registration:application_detail", args=[application.pk]))
        login(client, staff)
        ok(client, reverse("registration:review_queue"), status=application.status)
        ok(client, reverse("registration:review_detail", args=[application.pk]))
        for document in application.documents.all()[:2]:
            response = client.get(reverse("registration:document_file", args=[document.pk]))
            assert response.status_code == 200
            assert b"".join(response.streaming_content)[:4] in (b"%PDF", b"\xff\xd8\xff\xe0")
        if case.assessment is None:
            continue
        detail = reverse("assessment:detail", args=[case.assessment.pk])
        ok(client, reverse("assessment:staff_overview"))
        ok(client, detail)
        login(client, application.applicant)
        ok(client, detail)
        if case.assessment.is_current:
            login(client, case.assessment.assessor.user)
            ok(client, reverse("assessment:assessor_cases"))
            ok(client, detail)
        if case.meeting is not None:
            login(client, staff)
            ok(client, reverse("decisions:meeting_list"))
            ok(client, reverse("decisions:meeting_detail", args=[case.meeting.pk]))
            login(client, cast.director)
            ok(client, reverse("decisions:meeting_list"))
        if case.decision is not None:
            login(client, application.applicant)
            ok(client, reverse("decisions:my_decision", args=[case.decision.pk]))
        if case.certificate is not None:
            login(client, application.applicant)
            ok(client, reverse("certificates:mine"))
            ok(client, reverse("certificates:detail", args=[case.certificate.pk]))
            login(client, staff)
            ok(client, reverse("certificates:registry"))
            ok(client, reverse("certificates:detail", args=[case.certificate.pk]))
            if case.certificate.number:
                client.logout()
                token = case.certificate.token
                ok(client, reverse("certificates:verify_token", args=[token]))
                ok(client, reverse("certificates:verify"), number=case.certificate.number)
                data = ok(client, reverse("certificates:verify_json", args=[token])).json()
                assert data["number"] == case.certificate.number
        if case.appeal is not None:
            login(client, staff)
            ok(client, reverse("appeals:list"))
            ok(client, reverse("appeals:detail", args=[case.appeal.pk]))
            login(client, application.applicant)
            ok(client, reverse("appeals:detail", args=[case.appeal.pk]))
            for member in case.appeal.team.all():
                login(client, member.user)
                ok(client, reverse("appeals:list"))
                ok(client, reverse("appeals:detail", args=[case.appeal.pk]))


def test_stages_reach_the_states_of_the_workflow(cast):
    expected = {
        "draft": ("draft", None, None, None),
        "submitted": ("submitted", None, None, None),
        "eligible": ("eligible", None, None, None),
        "recommended": ("eligible", "recommended", None, None),
        "decided_k": ("eligible", "recommended", "K", "pending"),
        "decided_bk": ("eligible", "recommended", "BK", None),
        "certified": ("eligible", "recommended", "K", "active"),
    }
    for stage, (status, assessment, result, certificate) in expected.items():
        variant = "active" if stage == "certified" else None
        for application in datagen.make_cases(2, stage, variant=variant):
            case = application.case
            assert application.status == status
            assert (case.assessment.status if case.assessment else None) == assessment
            assert (case.decision.result if case.decision else None) == result
            assert (case.certificate.status if case.certificate else None) == certificate
            if case.decision:
                assert case.decision.published_at is not None
                assert case.meeting.status == Meeting.Status.DECREE_ISSUED
    assigned = datagen.make_cases(4, "assigned")
    assert {a.case.assessment.status for a in assigned} <= {
        "assigned",
        "plan_agreed",
        "evidence_reviewed",
    }
    upheld = datagen.make_cases(1, "appealed", variant="upheld")[0]
    attempts = list(upheld.assessments.order_by("attempt"))
    assert [(a.attempt, a.is_current) for a in attempts] == [(1, False), (2, True)]
    assert upheld.case.appeal.outcome == Appeal.Outcome.UPHELD
    assert attempts[1].assigned_at > upheld.case.appeal.answered_at
    assert attempts[1].decision.meeting != attempts[0].decision.meeting


def test_a_case_keeps_the_order_of_the_workflow_in_working_hours(cast):
    now = timezone.now()
    application = datagen.make_cases(1, "certified", variant="revoked")[0]
    case = application.case
    assessment, decision, certificate = case.assessment, case.decision, case.certificate
    moments = [
        application.applicant.date_joined,
        application.created_at,
        application.submitted_at,
        application.reviewed_at,
        assessment.assigned_at,
        assessment.impartiality_declared_at,
        assessment.plan_set_at,
        max(assessment.applicant_agreed_at, assessment.assessor_agreed_at),
        assessment.evidence_reviewed_at,
        assessment.submitted_at,
        case.meeting.created_at,
        case.meeting.scheduled_at,
        decision.decided_at,
        decision.published_at,
        certificate.created_at,
        max(certificate.agreement_signed_at, certificate.fee_paid_at),
        certificate.revoked_at,
    ]
    assert moments == sorted(moments)
    assert moments[-1] < now
    # A generated meeting opens as open_meeting allows (not before its scheduled time less
    # MEETING_OPEN_EARLY_MINUTES), and its decisions fall between its opening and closing.
    meeting = case.meeting
    assert meeting.opens_at <= meeting.opened_at <= decision.decided_at <= meeting.closed_at
    assert decision.published_at == case.meeting.minutes.decree.signed_at
    plan_day = assessment.plan.first().date
    assert timezone.localdate(assessment.plan_set_at) <= plan_day
    # Results are recorded from the planned test day on (record_results refuses them before);
    # when agreeing and the evidence review took long, the recipe records them on a later day.
    assert plan_day <= timezone.localdate(assessment.results.first().recorded_at)
    assert certificate.issued_on == timezone.localdate(
        max(certificate.agreement_signed_at, certificate.fee_paid_at)
    )
    assert certificate.warnings.exists()
    events = AuditEvent.objects.filter(created_at__isnull=False)
    for event in events:
        assert 7 <= timezone.localtime(event.created_at).hour < 21, event
    actions = [e.action for e in AuditEvent.objects.for_object(application).order_by("created_at")]
    assert actions[0] == "application.created"
    assert actions[-2:] == ["application.eligible", "decision.published"]
    trail = [e.action for e in AuditEvent.objects.for_object(certificate).order_by("created_at")]
    assert trail[0] == "certificate.pending"
    assert "certificate.issued" in trail
    assert trail.index("certificate.warned") < trail.index("certificate.revoked")


MODELS = [
    User,
    Application,
    Experience,
    Document,
    SelfAssessment,
    Assessor,
    Assessment,
    Assignment,
    PlanItem,
    EvidenceReview,
    UnitResult,
    Feedback,
    AssessmentReport,
    Meeting,
    Attendance,
    AgendaItem,
    Decision,
    Minutes,
    MinutesSignature,
    Decree,
    Certificate,
    CertificateCard,
    CertificateWarning,
    Appeal,
    Attachment,
    TeamMember,
    Finding,
    AnswerLetter,
    AuditEvent,
]


def test_generated_rows_pass_the_models_validation(cast):
    # Fixed seeds: by default the seed is the application sequence, which other tests move, and
    # some draws (an appeal's attachment: one in two) then left a model without rows.
    datagen.make_cases(2, "draft", variant="self_assessment", seed=1)
    datagen.make_cases(2, "assigned", variant="plan_agreed", seed=1)
    datagen.make_cases(3, "certified", variant="revoked", seed=1)
    datagen.make_cases(2, "appealed", variant="dismissed", seed=1)
    datagen.make_cases(1, "decided_k", seed=1)
    for model in MODELS:
        rows = list(model.objects.order_by("-pk")[:5])
        assert rows, model
        for row in rows:
            # A pending certificate has no number yet (NULL), as the services leave it.
            exclude = ["number"] if isinstance(row, Certificate) and row.number is None else []
            row.full_clean(exclude=exclude)


@pytest.mark.parametrize(
    ("variant", "status"),
    [
        ("active", "valid"),
        ("expired", "expired"),
        ("frozen", "frozen"),
        ("restored", "valid"),
        ("revoked", "revoked"),
    ],
)
def test_verification_shows_the_status_of_a_generated_certificate(client, cast, variant, status):
    certificate = datagen.make_cases(1, "certified", variant=variant)[0].case.certificate
    data = ok(client, reverse("certificates:verify_json", args=[certificate.token])).json()
    assert data["status"] == status
    assert data["valid_until"] == certificate.valid_until.isoformat()
    assert (certificate.valid_until < timezone.localdate()) == (variant == "expired")
    page = ok(client, reverse("certificates:verify_token", args=[certificate.token]))
    assert str(Certificate.PublicStatus(status).label) in page.content.decode()


def test_cases_for_one_applicant_assessor_and_meeting(client, cast):
    applicant = User.objects.create_user(email="nadia@example.org", full_name="Nadia Rahmawati")
    assessor = cast.assessors[0]
    first = datagen.make_cases(1, "certified", applicant=applicant, variant="active")[0]
    meeting = first.case.meeting
    more = datagen.make_cases(2, "decided_bk", applicant=applicant, meeting=meeting)
    assert {a.case.meeting for a in more} == {meeting}
    assert len({a.scheme_id for a in [first, *more]}) == 3
    assert meeting.agenda.count() == 3
    assert [i.order for i in meeting.agenda.all()] == [1, 2, 3]
    assert all(a.case.decision.published_at == first.case.decision.published_at for a in more)
    with pytest.raises(ValueError, match="every scheme"):
        datagen.make_cases(1, "submitted", applicant=applicant)
    cases = datagen.make_cases(4, "assigned", assessor=assessor, variant="plan_agreed")
    assert {a.case.assessment.assessor for a in cases} == {assessor}
    login(client, assessor.user)
    page = ok(client, reverse("assessment:assessor_cases"))
    for application in cases:
        assert application.case.assessment.reference in page.content.decode()
    login(client, applicant)
    page = ok(client, reverse("dashboard")).content.decode()
    assert all(a.reference in page or a.scheme.name in page for a in [first, *more])


def test_generate_gives_every_stage_with_unique_numbers(cast):
    summary = datagen.generate(300, seed=7, analyze=False)
    assert all(summary["stages"][stage] > 0 for stage in datagen.STAGES), summary["stages"]
    assert sum(summary["stages"].values()) == 300
    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert set(statuses) == {s.value for s in Application.Status}
    assert Certificate.objects.exclude(status="pending").count() > 100
    assert Appeal.objects.exists()
    for model, counter in (
        (Decree, DecreeCounter),
        (Certificate, CertificateCounter),
        (AnswerLetter, AnswerLetterCounter),
    ):
        numbers = list(model.objects.exclude(number=None).values_list("number", flat=True))
        assert len(numbers) == len(set(numbers)), model
        pairs = list(model.objects.exclude(number=None).values_list("year", "sequence"))
        assert len(pairs) == len(set(pairs))
        highest = Counter()
        for year, sequence in pairs:
            highest[year] = max(highest[year], sequence)
        assert dict(counter.objects.values_list("year", "last")) == dict(highest), model
    niks = list(Application.objects.exclude(nik="").values_list("nik", flat=True))
    assert len(niks) == len(set(niks))
    tokens = list(Certificate.objects.values_list("token", flat=True))
    assert len(tokens) == len(set(tokens))
    # One current assessment per application, and every decision on its meeting's agenda.
    current = Counter(
        Assessment.objects.filter(is_current=True).values_list("application_id", flat=True)
    )
    assert max(current.values()) == 1
    assert not Decision.objects.exclude(
        assessment__agenda_items__meeting=datagen.models.F("meeting")
    ).exists()
    # The COPY path wrote the big tables: the rows read back as the models expect.
    event = AuditEvent.objects.filter(action="application.submitted").first()
    assert isinstance(event.data["eligibility"], dict)
    assert Document.objects.filter(file=datagen.SAMPLE_PDF).count() > 1000
    # Every generated account confirmed its address, on the day it joined (issue 12.7).
    assert User.objects.count() > 300
    assert not User.objects.filter(email_confirmed_at__isnull=True).exists()
    assert not User.objects.exclude(email_confirmed_at=datagen.models.F("date_joined")).exists()


def test_bench_targets_open_for_their_users(client, cast):
    datagen.generate(120, seed=3, analyze=False)
    targets = datagen.bench_targets()
    applicant = User.objects.get(pk=targets["applicant"]["id"])
    assert applicant.applications.count() == 3
    response = client.post(
        reverse("accounts:login"),
        {"username": targets["applicant"]["email"], "password": targets["password"]},
    )
    assert response.status_code == 302
    ok(client, reverse("dashboard"))
    login(client, User.objects.get(pk=targets["staff"]["id"]))
    ok(client, reverse("registration:review_queue"), **targets["review_queue_filter"])
    ok(client, reverse("certificates:registry"), **targets["registry_filter"])
    ok(client, reverse("assessment:detail", args=[targets["assessment_id"]]))
    ok(client, reverse("registration:review_detail", args=[targets["application_id"]]))
    login(client, User.objects.get(pk=targets["assessor"]["id"]))
    assert targets["assessor"]["open_cases"] > 0
    ok(client, reverse("assessment:assessor_cases"))
    client.logout()
    data = ok(client, reverse("certificates:verify_json", args=[targets["certificate"]["token"]]))
    assert data.json()["number"] == targets["certificate"]["number"]
    assert data.json()["status"] == "valid"


def test_a_copy_reads_back_the_captured_texts_and_details(cast):
    """The COPY text of lsp_site.cloning: a captured row with tabs, new lines, backslashes,
    braces and non-ASCII text, and nested JSON details, reads back the same in each copy, with
    its moments shifted by the copy's days and the captured row itself rolled back."""
    user = cast.staff[0]
    tricky = "tab\there, new\nline, back\\slash, {braces} {0}, ümlaut"
    data = {"nested": {"list": [1, "two\t"], "none": None}, "flag": True, "text": "{x}"}

    def build():
        return AuditEvent.objects.create(
            actor=user,
            action="test.copy",
            content_type_id=cast.content_types[User],
            object_id=str(user.pk),
            object_repr=tricky,
            reason="r\\n",
            data=data,
        )

    captured = cloning.capture(build, lambda event: {})
    template = cloning.Template(
        captured,
        application_model=Application,
        meeting_model=Meeting,
        applicant_id=None,
        person_fields={},
        person_tokens={},
        remappable=[],
        name_tokens=[],
        order_field=(AgendaItem, "order"),
        number_fields={},
        samples={"pdf": datagen.SAMPLE_PDF, "image": datagen.SAMPLE_JPEG},
        sample_files=cast.samples,
        cutoff=None,
    )
    writer = cloning.Writer(datagen._Ids(), {}, random.Random(1))  # noqa: S311 - test data
    writer.group(template, [cloning.Copy(days=-3), cloning.Copy(days=-5)])
    writer.flush()
    original = captured.rows[AuditEvent][0]
    copies = list(AuditEvent.objects.filter(action="test.copy").order_by("created_at"))
    assert [c.created_at for c in copies] == [
        original["created_at"] - datetime.timedelta(days=days) for days in (5, 3)
    ]
    for copy in copies:
        assert (copy.object_repr, copy.reason, copy.data) == (tricky, "r\\n", data)
        assert (copy.actor_id, copy.object_id) == (user.pk, str(user.pk))


def test_flush_removes_generated_data_and_keeps_the_rest(cast, alice):
    datagen.make_cases(2, "certified", variant="active")
    datagen.make_cases(1, "appealed", variant="dismissed")
    assert datagen.generated_applications() == 3
    # An assessment event of the generated staff with a generated application in it (issue 16).
    eligible = datagen.make_cases(1, "eligible")[0]
    starts = timezone.now() + datetime.timedelta(days=3)
    event = Schedule.objects.create(
        scheme=eligible.scheme,
        tuk=cast.tuks[0],
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=6),
        quota=5,
        registration_opens=timezone.localdate(),
        registration_closes=timezone.localdate(),
        created_by=cast.staff[0],
    )
    event.assessors.add(cast.assessors[0])
    ScheduleCandidate.objects.create(
        schedule=event,
        application=eligible,
        assessor=cast.assessors[0],
        placed_by=cast.staff[0],
        placed_at=timezone.now(),
    )
    deleted = datagen.flush()
    assert deleted["registration.Application"] == 4
    assert deleted["assessment.Schedule"] == 1 and deleted["assessment.ScheduleCandidate"] == 1
    assert not User.objects.filter(email__endswith="@gen.example").exists()
    assert not Certificate.objects.exists() and not Meeting.objects.exists()
    assert User.objects.filter(pk=alice.pk).exists()
    assert dict(CertificateCounter.objects.values_list("year", "last")) == dict.fromkeys(
        CertificateCounter.objects.values_list("year", flat=True), 0
    )


def test_bench_generate_refuses_without_debug_and_reports(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("bench_generate", "--applications", "20")
    out = io.StringIO()
    call_command("bench_generate", "--applications", "20", "--i-know", "--no-analyze", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1].startswith("generated_applications=20 seconds=")
    assert any("registration_application" in line for line in lines)
    with pytest.raises(CommandError, match="--flush"):
        call_command("bench_generate", "--applications", "20", "--i-know", stdout=io.StringIO())
    call_command(
        "bench_generate",
        "--applications",
        "20",
        "--i-know",
        "--flush",
        "--no-analyze",
        stdout=io.StringIO(),
    )
    assert datagen.generated_applications() == 20


@pytest.mark.django_db(transaction=True)
def test_generate_writes_its_batches_on_a_second_connection():
    ensure_seed_data()
    out = io.StringIO()
    summary = datagen.generate(150, seed=5, batch_size=40, stdout=out, analyze=False)
    assert out.getvalue().count("applications,") >= 4
    assert datagen.generated_applications() == 150
    assert summary["rows_total"] == sum(summary["rows"].values())
    assert Application.objects.count() == 150
    numbers = list(Certificate.objects.exclude(number=None).values_list("number", flat=True))
    assert numbers and len(numbers) == len(set(numbers))
    for model, counter in ((Certificate, CertificateCounter), (Decree, DecreeCounter)):
        highest = dict(
            model.objects.exclude(number=None)
            .values("year")
            .annotate(n=datagen.models.Max("sequence"))
            .values_list("year", "n")
        )
        assert dict(counter.objects.values_list("year", "last")) == highest


def test_recommendations_on_a_planned_meeting(client, cast):
    staff = cast.staff[0]
    meeting = Meeting.objects.create(
        title="Rapat Tim Teknis berikutnya",
        scheduled_at=timezone.now() + datetime.timedelta(days=3),
        location="Ruang Rapat LSP",
        quorum=2,
        planned_by=staff,
    )
    applications = datagen.make_cases(2, "recommended", meeting=meeting)
    assert [a.case.meeting for a in applications] == [meeting, meeting]
    assert all(a.case.assessment.submitted_at < meeting.created_at for a in applications)
    assert meeting.agenda.count() == 2 and not Decision.objects.filter(meeting=meeting).exists()
    login(client, staff)
    ok(client, reverse("decisions:meeting_detail", args=[meeting.pk]))
    with pytest.raises(ValueError, match="decree is signed"):
        datagen.make_cases(1, "decided_k", meeting=meeting)


GENERATOR_MODULES = ("lsp_site/datagen.py", "lsp_site/recipes.py", "lsp_site/cloning.py")
STATE_FIELDS = {"status", "from_status", "to_status", "pdf_status", "outcome", "result", "answer"}


def _literals(path):
    """The generator's string literals outside docstrings, each with how it is used: as a
    keyword argument (its name), a dict value (its key), compared with an attribute (its name),
    else None."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(path).read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    uses = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant):
            uses[id(node.value)] = node.arg
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and isinstance(value, ast.Constant):
                    uses[id(value)] = key.value
        elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute):
            for value in node.comparators:
                uses[id(value)] = node.left.attr
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                yield node.value, uses.get(id(node)), node.lineno


def test_the_generator_names_no_status_audit_action_or_reference_format():
    """Issue 14: the services write the workflow; the generator only builds cases through them
    and copies what they wrote. So no status value is set or compared there, no audit action is
    named, and no reference format (APL-000001, ...) is spelt out."""
    from django.apps import apps

    from lsp_portal.audit import labels

    actions = set(labels._ACTIONS)
    for model in apps.get_models():
        table = getattr(model, "TRANSITIONS", None)
        if table is not None:
            actions |= set(table)
    assert len(actions) > 40
    prefixes = {
        Application(pk=1).reference[:4],
        Assessment(pk=1).reference[:4],
        Meeting(pk=1).reference[:4],
        Appeal(pk=1, received_at=timezone.now()).reference[:4],
    }
    found = []
    for path in GENERATOR_MODULES:
        for text, use, line in _literals(path):
            if text in actions:
                found.append(f"{path}:{line} audit action {text!r}")
            if any(text.startswith(p) for p in prefixes):
                found.append(f"{path}:{line} reference format {text!r}")
            if use in STATE_FIELDS:
                found.append(f"{path}:{line} {use}={text!r}")
    assert not found, found


def test_a_capture_worker_builds_the_case_again_after_its_connection_broke(monkeypatch):
    """A worker whose connection answered out of turn ("no results to fetch") reconnects and
    builds the case again; a fault that stays is raised after five attempts."""
    from django.db import ProgrammingError

    built = cloning.Captured(rows={}, result=None)
    attempts = []

    def flaky(world_, code, stage, variant, **options):
        attempts.append((code, stage, variant))
        if len(attempts) == 1:
            raise ProgrammingError("no results to fetch")
        return datagen._Capture(
            captured=built, person={}, assessor_ids=(1,), applicant_id=1, last_step=None
        )

    closed = []
    monkeypatch.setattr(datagen, "_capture", flaky)
    monkeypatch.setattr(datagen.connection, "close", lambda: closed.append(True))
    monkeypatch.setitem(datagen._FORKED, "world", object())
    capture = datagen._capture_job(("mhp", "draft", "plain", {}))
    assert capture.captured is built and len(attempts) == 2 and closed == [True]

    def broken(world_, code, stage, variant, **options):
        raise ProgrammingError("relation does not exist")

    monkeypatch.setattr(datagen, "_capture", broken)
    with pytest.raises(ProgrammingError):
        datagen._capture_job(("mhp", "draft", "plain", {}))
    assert len(closed) == 1 + 4
