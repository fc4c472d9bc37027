# ruff: noqa: E501 - the table of routes x roles is wider than a line, and easier read that way
"""Every URL pattern of the portal x every role -> the declared outcome (7.1.3: records stay
confidential; every state change is checked on the server).

ROUTES declares, for each named route, the method it is probed with and what each of the ten
roles gets. `test_every_route_is_declared` walks the URLconf and fails for a route that is not in
the table, so a new view cannot ship unchecked. The admin site's routes are checked by one rule
(only `is_staff` users get in; the others are sent to the admin login).

The world is one of each thing, built through the services: alice's case decided Kompeten with
her certificate issued and rendered, bob's decided Belum Kompeten and appealed with an
attachment, both in one meeting of Tia and Tono whose minutes and decree are signed and rendered.
"applicant" is the owner of the thing a route is about (alice; bob on appeal routes); "other
applicant" is carol, who has an application of her own. "undeclared" is Umar, an assessor assigned
to dewi's case who has not declared impartiality (9.2.2): his column is probed on dewi's case and
application, and no page may show him dewi's FR-APL-01/02 data
(`test_an_undeclared_assessor_sees_none_of_the_applicants_data`). Each request runs inside a transaction
that is rolled back, so a POST that is allowed (and changes something) leaves the world as it was
for the next probe.

Outcomes: "ok" (2xx, or a redirect that is not to the login page), "login" (redirected to log
in), 403, 404, 405.

The matrix runs as production does: TWO_FACTOR_REQUIRED on, and staff and the director (the
TWO_FACTOR_ROLES) past the second step - the `client` here is a VerifiedClient, whose force_login
also stores a confirmed authenticator app in the session as django_otp.login() does. What they get
before the second step is `test_before_the_second_step_staff_and_the_director_reach_only_its_pages`.
"""

import datetime

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from appeals import services as appeal_services
from appeals.inputs import AppealInput
from appeals.models import AnswerLetter, Appeal
from assessment import services as assessment_services
from assessment.inputs import ProcessReviewInput
from assessment.models import AssessmentReport, CompetencyRecord, PlanDocument
from assessment.schedules import services as schedule_services
from certificates import services as certificate_services
from certificates.models import Certificate, Signatory
from certificates.tasks import render_certificate
from decisions import services as decision_services
from decisions.models import Decree, Meeting, Minutes
from lsp_portal import pdf
from lsp_portal.accounts.roles import Role
from lsp_portal.accounts.tokens import email_confirmation_token, invitation_token
from lsp_portal.files import check_upload
from registration import apl02
from registration import services as registration_services
from registration.inputs import SelfAssessmentInput
from tests.conftest import fill_application, make_user, pdf_upload
from tests.decisions.conftest import make_member, meeting_through_minutes, recommended_case
from tests.fixtures_assessment import make_assessor
from tests.twofactor.helpers import VerifiedClient, app_for

DEWIS_NOTE = "Catatan FR-APL-02 Dewi: portofolio CRM di PT Contoh"

ROLES = (
    "anonymous",
    "applicant",
    "other_applicant",
    "staff",
    "assessor",
    "other_assessor",
    "undeclared",
    "technical",
    "appeal",
    "director",
)

# route name -> (method, the roles' outcomes in ROLES' order)
ROUTES = {}


def route(name, method, outcomes):
    row = tuple(outcomes.split())
    assert len(row) == len(ROLES), name
    ROUTES[name] = (method, row)


# --- public and account pages ---------------------------------------------------------------------
#     name                                       method    anon  appl  other staff asr   asr2  undcl tech  bnd   dir
route("home",                                    "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("favicon",                                 "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("dashboard",                               "get",   "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("set_language",                            "post",  "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:signup",                         "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:signup_done",                    "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:confirm_email",                  "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:confirmation_resend",            "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:confirmation_resend_done",       "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:login",                          "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:logout",                         "post",  "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:password_reset",                 "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:password_reset_done",            "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:password_reset_confirm",         "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:password_reset_complete",        "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:password_change",                "get",   "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:password_change_done",           "get",   "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:invitation",                     "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("accounts:people",                         "get",   "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("accounts:person_invite",                  "get",   "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("accounts:person_detail",                  "get",   "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("accounts:person_grant",                   "post",  "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("accounts:person_remove_role",             "post",  "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("accounts:person_deactivate",              "post",  "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("accounts:person_reactivate",              "post",  "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("accounts:person_resend_invitation",       "post",  "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("twofactor:verify",                        "get",   "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("twofactor:setup",                         "get",   "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("twofactor:recovery_codes",                "get",   "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("twofactor:regenerate",                    "post",  "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("twofactor:disable",                       "post",  "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("twofactor:security",                      "get",   "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip

# --- registration (9.1) ---------------------------------------------------------------------------
#     name                                       method    anon  appl  other staff asr   asr2  undcl tech  bnd   dir
route("registration:scheme_detail",              "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("registration:application_start",          "post",  "login ok    ok    403   403   403   403   403   403   403")  # fmt: skip
route("registration:application_detail",         "get",   "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("registration:application_personal",       "get",   "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("registration:application_experience",     "get",   "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("registration:experience_delete",          "post",  "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("registration:application_documents",      "get",   "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("registration:document_delete",            "post",  "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("registration:document_file",              "get",   "login ok    404   ok    ok    404   404   404   404   404")  # fmt: skip
route("registration:application_self_assessment", "get",   "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("registration:application_submit",         "post",  "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("registration:application_withdraw",       "post",  "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("registration:scheme_standard",            "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("registration:scheme_standard_export",     "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("registration:scheme_standard_unit",       "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("registration:review_queue",               "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("registration:review_detail",              "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("registration:review_decide",              "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip

# --- assessment (9.2-9.3) -------------------------------------------------------------------------
#     name                                       method    anon  appl  other staff asr   asr2  undcl tech  bnd   dir
route("assessment:staff_overview",               "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:assessor_cases",               "get",   "login 403   403   403   ok    ok    ok    403   403   403")  # fmt: skip
route("assessment:assign",                       "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:detail",                       "get",   "login ok    404   ok    ok    404   ok    403   403   403")  # fmt: skip
route("assessment:reassign",                     "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:declare_impartiality",         "post",  "login 403   403   403   ok    404   ok    403   403   403")  # fmt: skip
route("assessment:plan",                         "get",   "login 403   403   403   ok    404   ok    403   403   403")  # fmt: skip
route("assessment:agree",                        "post",  "login ok    404   403   ok    404   ok    403   403   403")  # fmt: skip
route("assessment:plan_document",                "get",   "login ok    404   ok    ok    404   404   403   403   403")  # fmt: skip
route("assessment:adjustment",                   "get",   "login ok    404   ok    ok    404   ok    403   403   403")  # fmt: skip
route("assessment:evidence",                     "get",   "login 403   403   403   ok    404   ok    403   403   403")  # fmt: skip
route("assessment:results",                      "get",   "login 403   403   403   ok    404   ok    403   403   403")  # fmt: skip
route("assessment:observation",                  "get",   "login 403   403   403   ok    404   ok    403   403   403")  # fmt: skip
route("assessment:instruments",                  "get",   "login 403   403   403   ok    404   ok    403   403   403")  # fmt: skip
route("assessment:submit",                       "post",  "login 403   403   403   ok    404   ok    403   403   403")  # fmt: skip
route("assessment:sign",                         "post",  "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("assessment:decline",                      "post",  "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("assessment:feedback",                     "get",   "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("assessment:process_review",               "get",   "login 403   403   ok    ok    404   ok    403   403   403")  # fmt: skip
route("assessment:retry_pdf",                    "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:record_pdf",                   "get",   "login ok    404   ok    ok    404   404   403   403   403")  # fmt: skip
route("assessment:report_pdf",                   "get",   "login 403   403   ok    ok    404   404   403   403   403")  # fmt: skip
route("assessment:review_pdf",                   "get",   "login 403   403   ok    ok    404   404   403   403   403")  # fmt: skip
route("assessment:instrument_bank",              "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:instrument_bank_export",       "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:instrument_bank_unit",         "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:schedule_list",                "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:schedule_new",                 "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:schedule_detail",              "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:schedule_edit",                "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:schedule_place",               "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:schedule_cancel",              "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("assessment:schedules_open",               "get",   "login ok    ok    403   403   403   403   403   403   403")  # fmt: skip
route("assessment:schedule_join",                "post",  "login ok    ok    403   403   403   403   403   403   403")  # fmt: skip

# --- decisions (9.4) ------------------------------------------------------------------------------
#     name                                       method    anon  appl  other staff asr   asr2  undcl tech  bnd   dir
route("decisions:meeting_list",                  "get",   "login 403   403   ok    403   403   403   ok    403   ok")  # fmt: skip
route("decisions:meeting_new",                   "get",   "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("decisions:meeting_detail",                "get",   "login 403   403   ok    403   403   403   ok    403   ok")  # fmt: skip
route("decisions:meeting_open",                  "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("decisions:meeting_close",                 "post",  "login 403   403   ok    403   403   403   ok    403   403")  # fmt: skip
route("decisions:meeting_cancel",                "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("decisions:case",                          "get",   "login 403   403   ok    403   403   403   ok    403   ok")  # fmt: skip
route("decisions:decide",                        "post",  "login 403   403   403   403   403   403   ok    403   403")  # fmt: skip
route("decisions:declare_conflict",              "post",  "login 403   403   403   403   403   403   ok    403   403")  # fmt: skip
route("decisions:minutes_sign",                  "post",  "login 403   403   403   403   403   403   ok    403   403")  # fmt: skip
route("decisions:decree_draft",                  "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("decisions:decree_sign",                   "post",  "login 403   403   403   403   403   403   403   403   ok")  # fmt: skip
route("decisions:document_pdf",                  "get",   "login 403   403   ok    403   403   403   ok    403   ok")  # fmt: skip
route("decisions:case_document",                 "get",   "login 403   403   ok    403   403   403   ok    403   ok")  # fmt: skip
route("decisions:retry_pdf",                     "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("decisions:my_decision",                   "get",   "login ok    404   403   403   403   403   403   403   403")  # fmt: skip

# --- certificates (9.4.6-9.8) ---------------------------------------------------------------------
#     name                                       method    anon  appl  other staff asr   asr2  undcl tech  bnd   dir
route("certificates:mine",                       "get",   "login ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("certificates:registry",                   "get",   "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("certificates:detail",                     "get",   "login ok    404   ok    404   404   404   404   404   ok")  # fmt: skip
route("certificates:agree",                      "post",  "login ok    404   403   404   404   404   404   404   403")  # fmt: skip
route("certificates:record_fee",                 "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("certificates:action",                     "post",  "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("certificates:download",                   "get",   "login ok    404   ok    404   404   404   404   404   ok")  # fmt: skip
route("certificates:verify",                     "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("certificates:verify_token",               "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip
route("certificates:verify_json",                "get",   "ok    ok    ok    ok    ok    ok    ok    ok    ok    ok")  # fmt: skip

# --- appeals (9.9): the applicant is bob, the appellant -------------------------------------------
#     name                                       method    anon  appl  other staff asr   asr2  undcl tech  bnd   dir
route("appeals:list",                            "get",   "login 403   403   ok    403   403   403   403   ok    ok")  # fmt: skip
route("appeals:file",                            "get",   "login ok    404   403   403   403   403   403   403   403")  # fmt: skip
route("appeals:detail",                          "get",   "login ok    404   ok    403   403   403   403   ok    ok")  # fmt: skip
route("appeals:appoint",                         "post",  "login 403   403   ok    403   403   403   403   403   ok")  # fmt: skip
route("appeals:finding",                         "post",  "login 403   403   403   403   403   403   403   ok    403")  # fmt: skip
route("appeals:answer",                          "post",  "login 403   403   403   403   403   403   403   403   ok")  # fmt: skip
route("appeals:retry_letter",                    "post",  "login 403   403   ok    403   403   403   403   403   403")  # fmt: skip
route("appeals:letter",                          "get",   "login ok    404   ok    403   403   403   403   ok    ok")  # fmt: skip
route("appeals:attachment",                      "get",   "login ok    404   ok    403   403   403   403   ok    ok")  # fmt: skip


# --- the world ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture
def client():
    """Staff and the director pass the second step at force_login (see the module docstring)."""
    return VerifiedClient()


@pytest.fixture
def world(alice, bob, staff, assessor, assessor_profile, assessor2, scheme, tuk, technical):
    staff.is_staff = True  # Admin LSP keep the reference data in the admin site
    staff.save(update_fields=["is_staff"])
    make_assessor(assessor2, scheme, "MET.000.009999.2024")
    tono = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
    members = [make_member(technical), make_member(tono, "Praktisi CRM.")]
    director = make_user("director@example.org", "Dina Director", Role.DIRECTOR)
    appeal_member = make_user("appeal@example.org", "Abe Appeal", Role.APPEAL_TEAM)
    carol = make_user("carol@example.org", "Carol Applicant", Role.APPLICANT)
    fill_application(carol, registration_services.start_application(carol, scheme))

    # 9.2.2: dewi's case is assigned to Umar, who has not yet declared impartiality.
    umar = make_user("assessor3@example.org", "Umar Undeclared", Role.ASSESSOR)
    dewi = make_user("dewi@example.org", "Dewi Applicant", Role.APPLICANT)
    dewis = fill_application(dewi, registration_services.start_application(dewi, scheme))
    letter = dewis.documents.get(requirement__code="surat-magang")
    registration_services.save_self_assessment(
        dewi,
        dewis,
        {
            key: SelfAssessmentInput(answer="K", note=DEWIS_NOTE, evidence=letter)
            for key in apl02.answer_keys(dewis)
        },
    )
    dewis = registration_services.confirm_eligible(
        staff, registration_services.submit(dewi, dewis, agreed=True)
    )
    undeclared = assessment_services.assign(
        staff, dewis, make_assessor(umar, scheme, "MET.000.007777.2024")
    )

    alices = recommended_case(alice, staff, assessor, assessor_profile, tuk, result="K")
    bobs = recommended_case(bob, staff, assessor, assessor_profile, tuk, result="BK")
    # alice's FR.AK.02, FR.AK.05 and FR.AK.06, rendered as the Celery tasks do.
    pdf.render_and_store(AssessmentReport.objects.get(assessment=alices))
    pdf.render_and_store(CompetencyRecord.objects.get(assessment=alices))
    review = assessment_services.review_process(
        assessor, alices, ProcessReviewInput(principles={"plan": ("valid", "fair")})
    )
    pdf.render_and_store(review)
    minutes = meeting_through_minutes(staff, members, [alices, bobs])
    decree = decision_services.sign_decree(director, decision_services.draft_decree(staff, minutes))
    for document in (Minutes.objects.get(pk=minutes.pk), Decree.objects.get(pk=decree.pk)):
        pdf.render_and_store(document)
    for document in PlanDocument.objects.filter(assessment=alices):
        pdf.render_and_store(document)  # FR.MAPA.01 and FR.AK.01

    Signatory.objects.create(name="Dr. Ratna Sari, M.M.", title="Direktur LSP UPJ")
    certificate = Certificate.objects.get(decision__assessment=alices)
    certificate_services.sign_agreement(
        alice, certificate, points=["9.8.1", "9.8.2", "9.8.3", "9.8.4"]
    )
    certificate_services.record_fee(staff, certificate, amount=350_000)
    certificate = Certificate.objects.get(pk=certificate.pk)
    render_certificate.apply(args=[certificate.pk], throw=True)

    bobs_decision = bobs.decision
    appeal = appeal_services.file_appeal(
        bob,
        bobs_decision,
        AppealInput(
            process_explained=True,
            discussed_with_assessor=False,
            involve_other_person=False,
            other_person="",
            reasons="Portofolio saya tidak diperiksa.",
        ),
        attachments=[check_upload(pdf_upload("bukti.pdf"))],
    )
    appeal_services.appoint(staff, appeal, appeal_member)
    appeal_services.record_finding(
        appeal_member, appeal, text="Portofolio telah diperiksa.", recommendation="dismissed"
    )
    appeal_services.answer(director, appeal, outcome="dismissed", reasons="Keputusan tetap.")
    pdf.render_and_store(AnswerLetter.objects.get(appeal=appeal))

    # An upcoming assessment event at the TUK with both assessors (issue 16), no candidate yet.
    starts = timezone.make_aware(
        datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=3), datetime.time(9)
        )
    )
    schedule = schedule_services.create_schedule(
        staff,
        schedule_services.ScheduleInput(
            scheme=scheme,
            tuk=tuk,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=6),
            mode="on_site",
            meeting_link="",
            assessors=[assessor_profile],
            quota=5,
            registration_opens=timezone.localdate(),
            registration_closes=timezone.localdate() + datetime.timedelta(days=2),
            funding_source="04",
        ),
    )

    application = alices.application
    return {
        "users": {
            "applicant": alice,
            "other_applicant": carol,
            "staff": staff,
            "assessor": assessor,
            "other_assessor": assessor2,
            "undeclared": umar,
            "technical": technical,
            "appeal": appeal_member,
            "director": director,
        },
        "bob": bob,
        "application": application,
        "assessment": alices,
        "meeting": Meeting.objects.get(pk=minutes.meeting_id),
        "decision": alices.decision,
        "certificate": certificate,
        "appeal": Appeal.objects.get(pk=appeal.pk),
        "schedule": schedule,
        "undeclared": {"application": dewis, "assessment": undeclared},
    }


def view_of(world, role):
    """The world as `role` probes it: the undeclared assessor's routes are about dewi's case."""
    if role != "undeclared":
        return world
    return {**world, **world["undeclared"]}


def arguments(name, world):
    """The URL arguments of `name` in the world."""
    application, assessment = world["application"], world["assessment"]
    meeting, certificate, appeal = world["meeting"], world["certificate"], world["appeal"]
    alice, carol = world["users"]["applicant"], world["users"]["other_applicant"]
    by_kind = {
        "accounts:password_reset_confirm": [
            urlsafe_base64_encode(force_bytes(alice.pk)),
            default_token_generator.make_token(alice),
        ],
        "accounts:confirm_email": [
            urlsafe_base64_encode(force_bytes(alice.pk)),
            email_confirmation_token.make_token(alice),
        ],
        "accounts:invitation": [
            urlsafe_base64_encode(force_bytes(alice.pk)),
            invitation_token.make_token(alice),
        ],
        # The people pages are probed on carol (an applicant): granting her the appeal-team role,
        # removing it (she holds none: a refusal), deactivating her...
        "accounts:person_detail": [carol.pk],
        "accounts:person_grant": [carol.pk, "appeal-team"],
        "accounts:person_remove_role": [carol.pk, "appeal-team"],
        "accounts:person_deactivate": [carol.pk],
        "accounts:person_reactivate": [carol.pk],
        "accounts:person_resend_invitation": [carol.pk],
        "assessment:assign": [application.pk],
        "assessment:plan_document": [assessment.pk, "ak01"],
        "assessment:retry_pdf": [assessment.pk, "ak02"],
        "assessment:observation": [assessment.pk, assessment.application.scheme.units.first().pk],
        "assessment:instruments": [assessment.pk, assessment.application.scheme.units.first().pk],
        "decisions:case": [meeting.pk, assessment.pk],
        "decisions:decide": [meeting.pk, assessment.pk],
        "decisions:declare_conflict": [meeting.pk, assessment.pk],
        "decisions:document_pdf": [meeting.pk, "minutes"],
        "decisions:case_document": [meeting.pk, assessment.pk, "ak05"],
        "decisions:retry_pdf": [meeting.pk, "minutes"],
        "decisions:my_decision": [world["decision"].pk],
        "appeals:file": [appeal.decision_id],
        "appeals:attachment": [appeal.pk, appeal.attachments.get().pk],
        "certificates:action": [certificate.pk, "freeze"],
        "certificates:download": [certificate.pk, "certificate"],
        "certificates:verify_token": [certificate.token],
        "certificates:verify_json": [certificate.token],
        "registration:scheme_detail": [application.scheme.code],
        "registration:application_start": [application.scheme.code],
        "registration:scheme_standard": [application.scheme.code],
        "registration:scheme_standard_export": [application.scheme.code],
        "registration:scheme_standard_unit": [
            application.scheme.code,
            application.scheme.units.first().pk,
        ],
        "assessment:instrument_bank": [application.scheme.code],
        "assessment:instrument_bank_export": [application.scheme.code],
        "assessment:instrument_bank_unit": [
            application.scheme.code,
            application.scheme.units.first().pk,
        ],
        "registration:experience_delete": [application.pk, application.experiences.get().pk],
        "registration:document_delete": [application.pk, application.documents.first().pk],
        "registration:document_file": [application.documents.first().pk],
        "registration:review_detail": [application.pk],
        "registration:review_decide": [application.pk],
    }
    if name in by_kind:
        return by_kind[name]
    if name.startswith("assessment:schedule") and "<" in url_patterns()[name]:
        return [world["schedule"].pk]
    app = name.split(":")[0]
    pattern = url_patterns()[name]
    if "<" not in pattern:
        return []
    return [{"assessment": assessment, "decisions": meeting, "appeals": appeal,
             "certificates": certificate, "registration": application}[app].pk]  # fmt: skip


def url_patterns():
    """name -> route pattern, for every named route outside the admin site."""
    found = {}

    def walk(patterns, prefix, namespace):
        for item in patterns:
            if isinstance(item, URLResolver):
                inner = item.namespace or namespace
                if namespace and item.namespace:
                    inner = f"{namespace}:{item.namespace}"
                walk(item.url_patterns, prefix + str(item.pattern), inner)
            elif isinstance(item, URLPattern):
                name = f"{namespace}:{item.name}" if namespace else item.name
                found[name] = prefix + str(item.pattern)

    walk(get_resolver().url_patterns, "", None)
    return found


def outcome(response):
    code = response.status_code
    if code in (301, 302, 303):
        location = response["Location"]
        return "login" if location.startswith(reverse("accounts:login")) else "ok"
    if 200 <= code < 300:
        return "ok"
    return str(code)


def probe(client, user, method, url):
    """The outcome of one request, with whatever it changed rolled back."""
    client.logout()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        response = getattr(client, method)(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return outcome(response)


# --- the tests ---------------------------------------------------------------------------------


def test_every_route_is_declared():
    routes = {name for name in url_patterns() if not name.startswith("admin:")}
    assert routes - set(ROUTES) == set(), "declare the new routes in ROUTES"
    assert set(ROUTES) - routes == set(), "routes declared that no longer exist"


def test_each_role_gets_the_declared_outcome_on_every_route(client, world):
    client.raise_request_exception = False  # a 500 is an outcome to report, not a crash
    users = {"anonymous": None, **world["users"]}
    found, wrong = {}, []
    for name, (method, expected) in ROUTES.items():
        # The appeal routes are about bob's appeal: he is their applicant.
        owner = {"applicant": world["bob"]} if name.startswith("appeals:") else {}
        row = tuple(
            probe(
                client,
                {**users, **owner}[role],
                method,
                reverse(name, args=arguments(name, view_of(world, role))),
            )
            for role in ROLES
        )
        found[name] = (method, row)
        wrong += [
            f"{name} {role}: expected {want}, got {got}"
            for role, want, got in zip(ROLES, expected, row, strict=True)
            if want != got
        ]
    table = "\n".join(
        "route({:42} {:8} {})".format(
            f'"{name}",', f'"{method}",', '"' + " ".join(f"{cell:5}" for cell in row).strip() + '"'
        )
        for name, (method, row) in found.items()
    )
    assert not wrong, "\n".join(wrong) + "\n\nWhat each role got:\n" + table


# Pages that are also forms: probed with GET in ROUTES, and their POST must be refused alike.
FORMS = {
    "accounts:signup", "accounts:password_reset", "accounts:password_change",
    "twofactor:verify", "twofactor:setup",
    "accounts:confirmation_resend", "accounts:person_invite",
    "appeals:file", "assessment:assign", "assessment:reassign", "assessment:plan", "assessment:adjustment",
    "assessment:evidence", "assessment:results", "assessment:observation", "assessment:instruments",
    "assessment:feedback",
    "decisions:meeting_new", "assessment:process_review",
    "registration:application_personal", "registration:application_experience",
    "registration:application_documents", "registration:application_self_assessment",
    "registration:scheme_standard", "assessment:instrument_bank",
    "registration:scheme_standard_unit", "assessment:instrument_bank_unit",
    "assessment:schedule_new", "assessment:schedule_edit",
}  # fmt: skip


def test_a_form_refuses_a_post_from_each_role_its_page_refuses(client, world):
    users = {"anonymous": None, **world["users"], "applicant": world["users"]["applicant"]}
    wrong = []
    for name in sorted(FORMS):
        owner = {"applicant": world["bob"]} if name.startswith("appeals:") else {}
        for role, expected in zip(ROLES, ROUTES[name][1], strict=True):
            if expected == "ok":
                continue
            url = reverse(name, args=arguments(name, view_of(world, role)))
            got = probe(client, {**users, **owner}[role], "post", url)
            if got != expected:
                wrong.append(f"{name} {role}: page {expected}, POST {got}")
    assert not wrong, "\n".join(wrong)


def test_a_state_change_is_never_reached_by_get(client, world):
    """A link or an <img> must not change anything: each POST route answers GET with 405, for
    the role that may use it."""
    users = {"anonymous": None, **world["users"]}
    for name, (method, outcomes) in ROUTES.items():
        if method != "post" or name == "set_language":  # Django's: a GET only redirects
            continue
        role = ROLES[outcomes.index("ok")]
        user = world["bob"] if name.startswith("appeals:") and role == "applicant" else users[role]
        url = reverse(name, args=arguments(name, view_of(world, role)))
        assert probe(client, user, "get", url) == "405", name


def test_an_undeclared_assessor_sees_none_of_the_applicants_data(client, world):
    """9.2.2 on every page at once: each page Umar may open (his column says "ok"), on dewi's case
    and application, neither shows her FR-APL-02 notes nor links her uploaded documents. Declared,
    the case and evidence pages show them all (the check can fail)."""
    umar, dewis = world["users"]["undeclared"], world["undeclared"]["application"]
    markers = [DEWIS_NOTE] + [
        reverse("registration:document_file", args=[pk])
        for pk in dewis.documents.values_list("pk", flat=True)
    ]
    client.force_login(umar)
    shown, seen = [], 0
    for name, (method, outcomes) in ROUTES.items():
        if method != "get" or outcomes[ROLES.index("undeclared")] != "ok":
            continue
        url = reverse(name, args=arguments(name, view_of(world, "undeclared")))
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        page = b"".join(response.streaming_content) if response.streaming else response.content
        shown += [f"{url}: {marker}" for marker in markers if marker.encode() in page]
        seen += 1
    assert seen >= 10
    assert shown == []
    case = world["undeclared"]["assessment"]
    assessment_services.declare_impartiality(umar, case)
    pages = "".join(
        client.get(reverse(name, args=[case.pk])).content.decode()
        for name in ("assessment:detail", "assessment:evidence")
    )
    assert [marker for marker in markers if marker not in pages] == []


def test_no_page_for_a_signed_in_user_may_be_stored(client, world):
    """Pages show NIK, addresses, results: every answer to a signed-in user, on every GET route
    it opens for them (pages, files, PDFs, exports), says no-store and private."""
    users = {**world["users"]}
    stored = []
    checked = 0
    for name, (method, outcomes) in ROUTES.items():
        if method != "get":
            continue
        for role, expected in zip(ROLES, outcomes, strict=True):
            if expected != "ok" or role == "anonymous":
                continue
            owner = {"applicant": world["bob"]} if name.startswith("appeals:") else {}
            client.force_login({**users, **owner}[role])
            response = client.get(reverse(name, args=arguments(name, view_of(world, role))))
            control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
            if not {"no-store", "private"} <= control:
                stored.append(f"{name} {role}: {response.get('Cache-Control')}")
            checked += 1
    assert checked >= 150
    assert stored == []


PROJECT_APPS = {"registration", "assessment", "decisions", "certificates", "appeals"}
PROJECT_APPS |= {"accounts", "audit", "outbox", "ops"}


def store_extreme_dates(end):
    """Every date and time of every row of the portal's own models set to the first (`end` 0) or
    last (1) value a person may enter (lsp_portal/dates.py), through the base manager (audit
    events are append-only to the portal's own code). Returns the number of fields set."""
    from django.apps import apps as django_apps
    from django.db import models as django_models
    from django.utils import timezone

    from lsp_portal import dates

    jakarta = timezone.get_default_timezone()
    fields = 0
    for model in django_apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.proxy:
            continue
        values = {}
        for field in model._meta.concrete_fields:
            if not isinstance(field, django_models.DateField):
                continue
            kinds = [v.kind for v in field.validators if isinstance(v, dates.DateRangeValidator)]
            day = dates.date_range(kinds[0] if kinds else "event")[end]
            if isinstance(field, django_models.DateTimeField):
                clock = datetime.time(0, 0) if end == 0 else datetime.time(23, 59, 59)
                values[field.name] = datetime.datetime.combine(day, clock, tzinfo=jakarta)
            else:
                values[field.name] = day
        if values and model._base_manager.exists():
            model._base_manager.update(**values)
            fields += len(values)
    return fields


@pytest.mark.parametrize("end", [0, 1], ids=["first allowed", "last allowed"])
def test_every_page_renders_with_the_extreme_dates_a_person_may_enter(client, world, end):
    """A year-1 meeting made the meeting pages fail for everyone: with every date of every model
    at the first, then the last value allowed, each page still opens for each role it opens for."""
    client.raise_request_exception = False
    assert store_extreme_dates(end) >= 60
    users = {**world["users"]}
    wrong = []
    for name, (method, outcomes) in ROUTES.items():
        if method != "get":
            continue
        for role, expected in zip(ROLES, outcomes, strict=True):
            if expected != "ok" or role == "anonymous" and name.startswith("accounts:"):
                continue
            owner = {"applicant": world["bob"]} if name.startswith("appeals:") else {}
            user = {"anonymous": None, **users, **owner}[role]
            url = reverse(name, args=arguments(name, view_of(world, role)))
            got = probe(client, user, "get", url)
            if got != RULED_BY_DATE.get((name, role, end), "ok"):
                wrong.append(f"{name} {role}: {got}")
    assert wrong == []


# What the extreme dates change by rule, not by failure: valid until 1 Jan 2000, alice's
# certificate has expired, and only staff download an expired certificate (9.5.3).
RULED_BY_DATE = {
    ("certificates:download", "applicant", 0): "403",
    ("certificates:download", "director", 0): "403",
}


def admin_urls():
    """The admin site's pages: its index, each app's index, and for every registered model its
    list, add form, and the change, history and delete pages of its first object."""
    from django.contrib import admin

    urls = [reverse("admin:index"), reverse("admin:password_change")]
    labels = set()
    for model in admin.site._registry:
        meta = model._meta
        labels.add(meta.app_label)
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        first = model.objects.order_by("pk").first()
        key = first.pk if first else 1
        urls += [
            reverse(f"{prefix}_{page}", args=[key]) for page in ("change", "history", "delete")
        ]
    urls += [reverse("admin:app_list", args=[label]) for label in sorted(labels)]
    return urls


def test_only_staff_users_reach_the_admin_site(client, world):
    """The admin site's routes, by one rule: everyone but `is_staff` users (Admin LSP) is sent to
    the admin login; staff get the page or a permission refusal, never a server error."""
    client.raise_request_exception = False
    users = {"anonymous": None, **world["users"]}
    logins = (reverse("admin:login"), reverse("accounts:login"))
    urls = admin_urls()
    assert len(urls) >= 60
    wrong = []
    for url in urls:
        for role in ROLES:
            client.logout()
            if users[role] is not None:
                client.force_login(users[role])
            with transaction.atomic():
                response = client.get(url)
                transaction.set_rollback(True)
            if role == "staff":
                # 403/404: a model or app whose permission Admin LSP do not hold
                if response.status_code not in (200, 302, 403, 404):
                    wrong.append(f"{url} staff: {response.status_code}")
            elif not (response.status_code == 302 and response["Location"].startswith(logins)):
                wrong.append(f"{url} {role}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_every_form_and_state_change_needs_the_csrf_token(world):
    """A POST from another site (no CSRF token) is refused with 403 on every route that takes a
    POST, for a role that may use it."""
    client = Client(enforce_csrf_checks=True)
    users = {"anonymous": None, **world["users"]}
    posts = [name for name, (method, _) in ROUTES.items() if method == "post"]
    checked = 0
    for name in posts + sorted(FORMS):
        outcomes = ROUTES[name][1]
        role = ROLES[outcomes.index("ok")]
        user = world["bob"] if name.startswith("appeals:") and role == "applicant" else users[role]
        url = reverse(name, args=arguments(name, view_of(world, role)))
        assert probe(client, user, "post", url) == "403", name
        checked += 1
    assert checked == len(posts) + len(FORMS)


def test_before_the_second_step_staff_and_the_director_reach_only_its_pages(world):
    """After the password alone, every route - JSON, files, POSTs and the admin site included -
    sends staff (who set up an app) to the code page and the director (who did not) to the setup,
    except the public pages, logging out and that page itself."""
    client = Client()
    client.raise_request_exception = False
    staff, director = world["users"]["staff"], world["users"]["director"]
    app_for(staff)
    public = {name for name, (_method, row) in ROUTES.items() if row[0] == "ok"}
    requests = [
        (name, method, reverse(name, args=arguments(name, world)))
        for name, (method, _row) in ROUTES.items()
    ] + [("admin", "get", url) for url in admin_urls()]
    wrong = []
    for user, step in ((staff, "twofactor:verify"), (director, "twofactor:setup")):
        target = reverse(step)
        for name, method, url in requests:
            client.logout()
            client.force_login(user)
            with transaction.atomic():
                response = getattr(client, method)(url)
                transaction.set_rollback(True)
            sent = response.status_code == 302 and response["Location"].startswith(target)
            if sent is (name in public | {"accounts:logout", step}):
                wrong.append(f"{user.email} {method.upper()} {url}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
