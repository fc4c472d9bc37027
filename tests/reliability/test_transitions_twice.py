"""Every state transition attempted twice at the same moment (a double click, two tabs, two staff
members) on PostgreSQL - two threads, two connections - makes one change and refuses the other
with a clear, translated message; the world afterwards is the one a single call leaves.

TRANSITIONS declares, per service function that changes a status or creates a one-per-thing
record, the state just before it (a stage of `World`, built through the services) and the call.
The parametrized test runs the call once inside a transaction that is rolled back (the state a
single call leaves), then twice at once, and compares. A few functions are idempotent or may be
repeated by design (`twice="same"` / `"edit"`, with the reason); they must still neither crash nor
leave more than a single call would. The meta-tests at the end fail when a public service function
that writes an audit event (itself, or through lsp_portal.transitions.apply) is neither in
TRANSITIONS nor in EXEMPT, or when an action of a model's declared table (`Model.TRANSITIONS`,
lsp_portal.transitions) has no case here, so a new transition cannot ship unchecked.
"""

import ast
import collections
import dataclasses
import datetime
import functools
import importlib
import inspect
import re
import threading
from collections.abc import Callable

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import trans_real

from appeals import services as appeals
from appeals.models import AnswerLetter
from assessment import services as assessment
from assessment.inputs import FeedbackAnswer, ProcessReviewInput
from assessment.models import Feedback
from certificates import services as certificates
from certificates.models import Certificate, Ground, Signatory
from decisions import services as decisions
from decisions.models import Decision, Minutes
from lsp_portal.accounts import services as accounts
from lsp_portal.accounts.models import User
from lsp_portal.accounts.roles import Role
from lsp_portal.audit.models import AuditEvent
from lsp_portal.errors import RuleError
from lsp_portal.files import check_upload
from lsp_portal.outbox.models import Message
from lsp_portal.transitions import Transitions
from registration import services as registration
from tests.appeals.conftest import ANSWER, FINDING, file_for, publish
from tests.certificates.conftest import FEE, POINTS, certificate_of, sign_decree_for
from tests.conftest import fill_application, make_user, pdf_upload
from tests.decisions.conftest import BASIS, make_member, plan, recommended_case
from tests.fixtures_assessment import all_results, observe_all, plan_header, plan_items, reviews

pytestmark = pytest.mark.django_db(transaction=True)

SERVICE_MODULES = ("registration", "assessment", "decisions", "certificates", "appeals")
# The kernel's services that change state (accounts: sign-up, people), checked alike; their rows
# (accounts, roles) are in the snapshot too.
KERNEL_SERVICE_MODULES = ("lsp_portal.accounts",)


# ---------------------------------------------------------------------------------------------
# The world: every stage built through the services, each once, on demand
# ---------------------------------------------------------------------------------------------


def fresh(obj):
    """A copy read from the database now: each thread works on its own instances."""
    return type(obj)._base_manager.get(pk=obj.pk)


class World:
    """alice's K case through every stage (registration -> assessment -> meeting -> decree ->
    certificate), bob's BK case for the appeal stage. Stages are cached: a stage used by a
    transition is built once, with whatever it needs before it."""

    CAST = (
        "alice",
        "bob",
        "staff",
        "assessor",
        "assessor2",
        "technical",
        "appeal",
        "director",
        "scheme",
        "assessor_profile",
        "assessor2_profile",
        "tuk",
    )

    def __init__(self, request):
        # The whole cast now, committed: a fixture first resolved inside a call would be created
        # in the rolled-back single call, or in a thread.
        for name in self.CAST:
            setattr(self, name, request.getfixturevalue(name))
        tono = make_user("technical2@example.org", "Tono Teknis", Role.TECHNICAL_TEAM)
        self.members = [make_member(self.technical), make_member(tono, "Praktisi CRM, MHP.")]

    def user(self, name):
        """A fresh copy of a cast member; "technical2" is Tono of the technical team."""
        return fresh(self.members[1].user if name == "technical2" else getattr(self, name))

    # People (issue 13.7): rudi holds no role; the invited person has no password yet
    @functools.cached_property
    def rudi(self):
        return make_user("rudi@example.org", "Rudi Hartono")

    @functools.cached_property
    def invited(self):
        return accounts.invite(
            self.staff, accounts.InviteInput(email="undang@example.org", full_name="Undang Baru")
        )

    @functools.cached_property
    def signed_up(self):
        accounts.sign_up(
            accounts.SignUpInput(
                email="daftar@example.org",
                full_name="Daftar Baru",
                password="Kuat-Sekali-2026",
                language="id",
            )
        )
        return User.objects.get(email="daftar@example.org")

    @functools.cached_property
    def appeal_member_rudi(self):
        return accounts.grant_role(self.staff, self.rudi, Role.APPEAL_TEAM)

    @functools.cached_property
    def deactivated_rudi(self):
        return accounts.deactivate(self.staff, self.rudi)

    # Registration (9.1)
    @functools.cached_property
    def draft(self):
        return registration.start_application(self.alice, self.scheme)

    @functools.cached_property
    def ktp(self):
        return self.scheme.required_documents.get(code="ktp")

    @functools.cached_property
    def uploaded_ktp(self):
        return registration.upload_document(
            self.alice, self.draft, self.ktp, check_upload(pdf_upload())
        )

    @functools.cached_property
    def complete_draft(self):
        return fill_application(self.alice, self.draft)

    @functools.cached_property
    def submitted(self):
        return registration.submit(self.alice, self.complete_draft, agreed=True)

    @functools.cached_property
    def eligible(self):
        return registration.confirm_eligible(self.staff, self.submitted)

    @functools.cached_property
    def withdrawn(self):
        return registration.withdraw(self.alice, self.submitted, reason="Pindah")

    # Assessment (9.2-9.3)
    @functools.cached_property
    def assigned(self):
        return assessment.assign(self.staff, self.eligible, self.assessor_profile)

    @functools.cached_property
    def planned(self):
        assessment.declare_impartiality(self.assessor, self.assigned)
        return assessment.set_plan(
            self.assessor, self.assigned, plan_items(self.assigned, self.tuk), header=plan_header()
        )

    @functools.cached_property
    def applicant_agreed(self):
        return assessment.agree_plan(self.alice, self.planned, plan=True, confidentiality=True)

    @functools.cached_property
    def agreed(self):
        return assessment.agree_plan(
            self.assessor, self.applicant_agreed, plan=True, confidentiality=True
        )

    @functools.cached_property
    def recorded(self):
        assessment.review_evidence(self.assessor, self.agreed, reviews(self.agreed), proceed=True)
        observe_all(self.assessor, self.agreed)
        return assessment.record_results(self.assessor, self.agreed, all_results(self.agreed))

    @functools.cached_property
    def recommended(self):
        return assessment.submit_recommendation(self.assessor, self.recorded)

    # Decisions (9.4)
    @functools.cached_property
    def planned_meeting(self):
        return plan(self.staff, self.members, [self.recommended])

    @functools.cached_property
    def open_meeting(self):
        return decisions.open_meeting(self.staff, self.planned_meeting, self.members)

    @functools.cached_property
    def decided(self):
        decisions.decide(
            self.technical, self.open_meeting, self.recommended, result="K", basis=BASIS
        )
        return self.open_meeting

    @functools.cached_property
    def minutes(self):
        """The minutes (Berita Acara) of the closed meeting, not signed yet."""
        return decisions.close_meeting(self.staff, self.decided)

    @functools.cached_property
    def minutes_signed_by_one(self):
        """Signed by Tia; Tono, the other member present, has still to sign."""
        decisions.sign_minutes(self.technical, self.minutes)
        return fresh(self.minutes)

    @functools.cached_property
    def final_minutes(self):
        for member in self.members:
            decisions.sign_minutes(member.user, self.minutes)
        return fresh(self.minutes)

    @functools.cached_property
    def draft_decree(self):
        return decisions.draft_decree(self.staff, self.final_minutes)

    @functools.cached_property
    def failed_minutes(self):
        """The render task gave up (it sets the status; here set directly, no task runs)."""
        Minutes.objects.filter(pk=self.minutes.pk).update(pdf_status="failed", pdf_error="boom")
        return fresh(self.minutes)

    @functools.cached_property
    def failed_decree(self):
        type(self.draft_decree).objects.filter(pk=self.draft_decree.pk).update(
            pdf_status="failed", pdf_error="boom"
        )
        return fresh(self.draft_decree)

    # Certificates (9.4.6-9.8)
    @functools.cached_property
    def pending(self):
        """alice's pending certificate: the decree is signed, nothing of 9.4.7 done yet."""
        sign_decree_for(self.staff, self.director, self.members, [self.recommended])
        return certificate_of(self.recommended)

    @functools.cached_property
    def published_without_certificate(self):
        """A published K decision whose certificate is not created yet (the hook's call)."""
        decision = self.pending.decision
        self.pending.delete()
        return decision

    @functools.cached_property
    def waiting_for_signatory(self):
        """Both requirements met while no signatory was designated; then staff name one."""
        certificates.sign_agreement(self.alice, self.pending, points=POINTS)
        certificates.record_fee(self.staff, self.pending, amount=FEE)
        Signatory.objects.create(name="Dr. Ratna Sari, M.M.", title="Direktur LSP UPJ")
        return fresh(self.pending)

    @functools.cached_property
    def issued(self):
        Signatory.objects.create(name="Dr. Ratna Sari, M.M.", title="Direktur LSP UPJ")
        certificates.sign_agreement(self.alice, self.pending, points=POINTS)
        certificates.record_fee(self.staff, self.pending, amount=FEE)
        return fresh(self.pending)

    @functools.cached_property
    def frozen(self):
        return certificates.freeze(
            self.staff,
            self.issued,
            ground=Ground.A,
            reason="Dipakai di luar lingkup",
            resolve_by=in_days(30),
        )

    @functools.cached_property
    def overdue(self):
        """Frozen, and the resolve-by date passed (time moved on)."""
        Certificate.objects.filter(pk=self.frozen.pk).update(resolve_by=in_days(-1))
        return fresh(self.frozen)

    @functools.cached_property
    def warned(self):
        certificates.warn(self.staff, self.issued, ground=Ground.A, text="Hentikan penggunaan.")
        return fresh(self.issued)

    @functools.cached_property
    def revoked(self):
        return certificates.revoke(self.director, self.warned, reason="Peringatan diabaikan")

    # Appeals (9.9)
    @functools.cached_property
    def bk_decision(self):
        """bob's published Belum Kompeten decision: the appeal window is open."""
        case = recommended_case(
            self.bob, self.staff, self.assessor, self.assessor_profile, self.tuk, result="BK"
        )
        publish(self.staff, self.director, self.members, [case])
        return Decision.objects.get(assessment=case)

    @functools.cached_property
    def filed(self):
        return file_for(self.bob, self.bk_decision)

    @functools.cached_property
    def with_finding(self):
        appeals.appoint(self.staff, self.filed, self.appeal)
        appeals.record_finding(self.appeal, self.filed, text=FINDING, recommendation="upheld")
        return fresh(self.filed)

    @functools.cached_property
    def failed_letter(self):
        appeals.answer(self.director, self.with_finding, outcome="dismissed", reasons=ANSWER)
        AnswerLetter.objects.filter(appeal=self.with_finding).update(
            pdf_status="failed", pdf_error="boom"
        )
        return AnswerLetter.objects.get(appeal=self.with_finding)


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Transition:
    func: str  # "<app>.<function>" in <app>/services.py
    stage: str  # the World stage just before the transition
    call: Callable  # call(world): the service call, with fresh objects (run in each thread)
    action: str  # the AuditEvent action it writes
    label: str = ""  # when one function has several transitions (e.g. each party)
    subject: Callable | str | None = "stage"  # the audited object; None: the call creates it
    twice: str = "refused"  # "refused" | "same": idempotent | "edit": repeating is allowed
    events: int = 1  # events of `action` after the two calls
    why: str = ""  # why twice is not "refused"

    @property
    def id(self):
        return f"{self.func}[{self.label}]" if self.label else self.func


def _stage(name):
    return lambda w: getattr(w, name)


T = Transition
TRANSITIONS = [
    # People (issue 13.7)
    T(
        "lsp_portal.accounts.invite",
        "staff",
        lambda w: accounts.invite(
            w.user("staff"), accounts.InviteInput(email="rudi2@example.org", full_name="Rudi Dua")
        ),
        "account.invited",
        subject=None,
    ),
    T(
        "lsp_portal.accounts.accept_invitation",
        "invited",
        lambda w: accounts.accept_invitation(fresh(w.invited), "Undangan-Kuat-2026"),
        "account.invitation_accepted",
    ),
    T(
        "lsp_portal.accounts.confirm_email",
        "signed_up",
        lambda w: accounts.confirm_email(fresh(w.signed_up)),
        "account.email_confirmed",
        twice="same",
        why="confirming twice changes nothing: the link's owner proved the address once",
    ),
    T(
        "lsp_portal.accounts.grant_role",
        "rudi",
        lambda w: accounts.grant_role(w.user("staff"), w.user("rudi"), Role.APPEAL_TEAM),
        "account.role_granted",
        label="Tim Banding, no registry data",
    ),
    T(
        "assessment.register_assessor",
        "rudi",
        lambda w: accounts.grant_role(
            w.user("staff"),
            w.user("rudi"),
            Role.ASSESSOR,
            assessment.AssessorRegistration(
                registration_number="MET.000.004512 2021",
                valid_until=in_days(365),
                schemes=(fresh(w.scheme),),
            ),
        ),
        "assessor.registered",
        subject=None,
    ),
    T(
        "decisions.register_member",
        "rudi",
        lambda w: accounts.grant_role(
            w.user("staff"),
            w.user("rudi"),
            Role.TECHNICAL_TEAM,
            decisions.MemberRegistration(qualification="Praktisi CRM, 10 tahun."),
        ),
        "technical_member.registered",
        subject=None,
    ),
    T(
        "lsp_portal.accounts.remove_role",
        "appeal_member_rudi",
        lambda w: accounts.remove_role(w.user("staff"), w.user("rudi"), Role.APPEAL_TEAM),
        "account.role_removed",
        label="Tim Banding",
    ),
    T(
        "assessment.retire_assessor",
        "assessor2_profile",
        lambda w: accounts.remove_role(w.user("staff"), w.user("assessor2"), Role.ASSESSOR),
        "assessor.retired",
    ),
    T(
        "decisions.retire_member",
        "members",
        lambda w: accounts.remove_role(w.user("staff"), w.user("technical2"), Role.TECHNICAL_TEAM),
        "technical_member.retired",
        subject=lambda w: w.members[1],
    ),
    T(
        "lsp_portal.accounts.deactivate",
        "rudi",
        lambda w: accounts.deactivate(w.user("staff"), w.user("rudi"), reason="Keluar"),
        "account.deactivated",
    ),
    T(
        "lsp_portal.accounts.reactivate",
        "deactivated_rudi",
        lambda w: accounts.reactivate(w.user("staff"), w.user("rudi")),
        "account.reactivated",
    ),
    # Registration (9.1)
    T(
        "registration.start_application",
        "scheme",
        lambda w: registration.start_application(w.user("alice"), fresh(w.scheme)),
        "application.created",
        subject=None,
        twice="same",
        why="one open application per scheme: starting again returns the same draft",
    ),
    T(
        "registration.upload_document",
        "draft",
        lambda w: registration.upload_document(
            w.user("alice"), fresh(w.draft), fresh(w.ktp), check_upload(pdf_upload())
        ),
        "document.uploaded",
        label="the last free place (KTP, 1 file)",
    ),
    T(
        "registration.remove_document",
        "uploaded_ktp",
        lambda w: registration.remove_document(w.user("alice"), fresh(w.draft), w.uploaded_ktp.pk),
        "document.removed",
        subject=_stage("draft"),
    ),
    T(
        "registration.submit",
        "complete_draft",
        lambda w: registration.submit(w.user("alice"), fresh(w.complete_draft), agreed=True),
        "application.submitted",
    ),
    T(
        "registration.withdraw",
        "submitted",
        lambda w: registration.withdraw(w.user("alice"), fresh(w.submitted), reason="Pindah"),
        "application.withdrawn",
    ),
    T(
        "registration.delete_expired_files",
        "withdrawn",
        lambda w: registration.delete_expired_files(
            now=timezone.now() + datetime.timedelta(days=settings.UPLOAD_RETENTION_DAYS + 1)
        ),
        "application.files_deleted",
        twice="same",
        why="a periodic job: the files of an application are deleted and recorded once",
    ),
    T(
        "registration.confirm_eligible",
        "submitted",
        lambda w: registration.confirm_eligible(w.user("staff"), fresh(w.submitted)),
        "application.eligible",
    ),
    T(
        "registration.request_revision",
        "submitted",
        lambda w: registration.request_revision(
            w.user("staff"), fresh(w.submitted), note="Unggah ulang KTP yang terbaca."
        ),
        "application.revision_requested",
    ),
    T(
        "registration.reject",
        "submitted",
        lambda w: registration.reject(w.user("staff"), fresh(w.submitted), reason="Bukan prodi"),
        "application.rejected",
    ),
    # Assessment (9.2-9.3)
    T(
        "assessment.assign",
        "eligible",
        lambda w: assessment.assign(w.user("staff"), fresh(w.eligible), fresh(w.assessor_profile)),
        "assessment.assigned",
        subject=None,
    ),
    T(
        "assessment.reassign",
        "assigned",
        lambda w: assessment.reassign(
            w.user("staff"), fresh(w.assigned), fresh(w.assessor2_profile), reason="Ana sakit"
        ),
        "assessment.reassigned",
    ),
    T(
        "assessment.declare_impartiality",
        "assigned",
        lambda w: assessment.declare_impartiality(w.user("assessor"), fresh(w.assigned)),
        "assessment.impartiality_declared",
    ),
    T(
        "assessment.agree_plan",
        "planned",
        lambda w: assessment.agree_plan(
            w.user("alice"), fresh(w.planned), plan=True, confidentiality=True
        ),
        "assessment.plan_agreed",
        label="the applicant, first",
    ),
    T(
        "assessment.agree_plan",
        "applicant_agreed",
        lambda w: assessment.agree_plan(
            w.user("assessor"), fresh(w.applicant_agreed), plan=True, confidentiality=True
        ),
        "assessment.plan_agreed",
        label="the assessor, second: plan agreed",
    ),
    T(
        "assessment.review_evidence",
        "agreed",
        lambda w: assessment.review_evidence(
            w.user("assessor"), fresh(w.agreed), reviews(w.agreed), proceed=True
        ),
        "assessment.evidence_reviewed",
        label="proceed",
    ),
    T(
        "assessment.submit_recommendation",
        "recorded",
        lambda w: assessment.submit_recommendation(w.user("assessor"), fresh(w.recorded)),
        "assessment.submitted",
    ),
    T(
        "assessment.sign_result",
        "recommended",
        lambda w: assessment.sign_result(w.user("alice"), fresh(w.recommended)),
        "assessment.result_signed",
    ),
    T(
        "assessment.decline_to_sign",
        "recommended",
        lambda w: assessment.decline_to_sign(
            w.user("alice"), fresh(w.recommended), comment="Waktu ujian dipotong."
        ),
        "assessment.signature_declined",
    ),
    T(
        "assessment.give_feedback",
        "recommended",
        lambda w: assessment.give_feedback(
            w.user("alice"),
            fresh(w.recommended),
            answers=[FeedbackAnswer(yes=True)] * len(Feedback.QUESTIONS),
            comment="Baik",
        ),
        "assessment.feedback_given",
    ),
    T(
        "assessment.review_process",
        "recommended",
        lambda w: assessment.review_process(
            w.user("assessor"),
            fresh(w.recommended),
            ProcessReviewInput(principles={"plan": ("valid",)}, dimensions=("task",)),
        ),
        "assessment.process_reviewed",
    ),
    # Decisions (9.4)
    T(
        "decisions.plan_meeting",
        "recommended",
        lambda w: plan(w.user("staff"), [fresh(m) for m in w.members], [fresh(w.recommended)]),
        "meeting.planned",
        label="the same case",
        subject=None,
    ),
    T(
        "decisions.open_meeting",
        "planned_meeting",
        lambda w: decisions.open_meeting(
            w.user("staff"), fresh(w.planned_meeting), [fresh(m) for m in w.members]
        ),
        "meeting.opened",
        twice="edit",
        why="the meeting opens once; during the session staff may record attendance again "
        "(meeting.attendance_updated), so the second call records the same attendance",
    ),
    T(
        "decisions.open_meeting",
        "open_meeting",
        lambda w: decisions.open_meeting(
            w.user("staff"), fresh(w.open_meeting), [fresh(m) for m in w.members]
        ),
        "meeting.attendance_updated",
        label="in session: attendance again",
        twice="edit",
        events=2,
        why="during the session staff may record attendance as often as members come and go; "
        "each recording is audited, the attendance rows are those of one call",
    ),
    T(
        "decisions.cancel_meeting",
        "planned_meeting",
        lambda w: decisions.cancel_meeting(
            w.user("staff"), fresh(w.planned_meeting), reason="Kuorum tidak tercapai"
        ),
        "meeting.cancelled",
    ),
    T(
        "decisions.declare_conflict",
        "open_meeting",
        lambda w: decisions.declare_conflict(
            w.user("technical2"), fresh(w.open_meeting), fresh(w.recommended), note="Sepupu"
        ),
        "meeting.conflict_declared",
        twice="same",
        why="declaring again is a silent no-op (get_or_create): one declaration, one event",
    ),
    T(
        "decisions.decide",
        "open_meeting",
        lambda w: decisions.decide(
            w.user("technical"),
            fresh(w.open_meeting),
            fresh(w.recommended),
            result="K",
            basis=BASIS,
        ),
        "decision.recorded",
        subject=_stage("recommended"),
        twice="edit",
        events=2,
        why="while the meeting is held a decision may be recorded again (it replaces the "
        "previous one, 9.4.1.b keeps each as an event): one Decision row, two events",
    ),
    T(
        "decisions.close_meeting",
        "decided",
        lambda w: decisions.close_meeting(w.user("staff"), fresh(w.decided)),
        "meeting.closed",
    ),
    T(
        "decisions.sign_minutes",
        "minutes",
        lambda w: decisions.sign_minutes(w.user("technical"), fresh(w.minutes)),
        "minutes.signed",
        label="the same member",
        subject=lambda w: w.minutes.meeting,
    ),
    T(
        "decisions.sign_minutes",
        "minutes_signed_by_one",
        lambda w: decisions.sign_minutes(w.user("technical2"), fresh(w.minutes_signed_by_one)),
        "minutes.final",
        label="the last member: minutes final",
        subject=lambda w: w.minutes.meeting,
    ),
    T(
        "decisions.draft_decree",
        "final_minutes",
        lambda w: decisions.draft_decree(w.user("staff"), fresh(w.final_minutes)),
        "decree.drafted",
        subject=lambda w: w.final_minutes.meeting,
    ),
    T(
        "decisions.sign_decree",
        "draft_decree",
        lambda w: decisions.sign_decree(w.user("director"), fresh(w.draft_decree)),
        "decree.signed",
        subject=lambda w: w.draft_decree.minutes.meeting,
    ),
    T(
        "decisions.retry_render",
        "failed_minutes",
        lambda w: decisions.retry_render(w.user("staff"), fresh(w.failed_minutes)),
        "pdf.retry",
        label="minutes",
    ),
    T(
        "decisions.retry_render",
        "failed_decree",
        lambda w: decisions.retry_render(w.user("staff"), fresh(w.failed_decree)),
        "pdf.retry",
        label="decree",
    ),
    # Certificates (9.4.6-9.8)
    T(
        "certificates.create_pending",
        "published_without_certificate",
        lambda w: certificates.create_pending(fresh(w.published_without_certificate)),
        "certificate.pending",
        subject=None,
        twice="same",
        why="called by the decree's hook, idempotent: one certificate per decision",
    ),
    T(
        "certificates.sign_agreement",
        "pending",
        lambda w: certificates.sign_agreement(w.user("alice"), fresh(w.pending), points=POINTS),
        "certificate.agreement_signed",
    ),
    T(
        "certificates.record_fee",
        "pending",
        lambda w: certificates.record_fee(w.user("staff"), fresh(w.pending), amount=FEE),
        "certificate.fee_recorded",
    ),
    T(
        "certificates.issue_waiting",
        "waiting_for_signatory",
        lambda w: certificates.issue_waiting(w.user("staff")),
        "certificate.issued",
        twice="same",
        why="a batch over the waiting certificates: a second run finds nothing left to issue",
    ),
    T(
        "certificates.freeze",
        "issued",
        lambda w: certificates.freeze(
            w.user("staff"),
            fresh(w.issued),
            ground=Ground.B,
            reason="Laporan penyalahgunaan",
            resolve_by=in_days(30),
        ),
        "certificate.frozen",
    ),
    T(
        "certificates.restore",
        "frozen",
        lambda w: certificates.restore(w.user("staff"), fresh(w.frozen), note="Sudah klarifikasi"),
        "certificate.restored",
    ),
    T(
        "certificates.revoke",
        "warned",
        lambda w: certificates.revoke(w.user("director"), fresh(w.warned), reason="Diabaikan"),
        "certificate.revoked",
    ),
    T(
        "certificates.reduce_scope",
        "overdue",
        lambda w: certificates.reduce_scope(
            w.user("staff"),
            fresh(w.overdue),
            remove_units=[w.overdue.scope.order_by("number").first()],
            reason="Unit 1 tidak dipenuhi",
        ),
        "certificate.scope_reduced",
    ),
    T(
        "certificates.record_return",
        "revoked",
        lambda w: certificates.record_return(w.user("staff"), fresh(w.revoked)),
        "certificate.returned",
    ),
    # Appeals (9.9)
    T(
        "appeals.file_appeal",
        "bk_decision",
        lambda w: file_for(w.user("bob"), fresh(w.bk_decision)),
        "appeal.filed",
        subject=None,
    ),
    T(
        "appeals.appoint",
        "filed",
        lambda w: appeals.appoint(w.user("staff"), fresh(w.filed), w.user("appeal")),
        "appeal.member_appointed",
        label="the same member",
    ),
    T(
        "appeals.answer",
        "with_finding",
        lambda w: appeals.answer(
            w.user("director"), fresh(w.with_finding), outcome="upheld", reasons=ANSWER
        ),
        "appeal.answered",
        label="upheld",
    ),
    T(
        "appeals.retry_letter",
        "failed_letter",
        lambda w: appeals.retry_letter(w.user("staff"), fresh(w.failed_letter)),
        "pdf.retry",
    ),
    T(
        "appeals.create_due_notices",
        "filed",
        lambda w: appeals.create_due_notices(w.filed.received_at + datetime.timedelta(days=6)),
        "appeal.notice",
        label="7-day deadline near",
        twice="same",
        why="a periodic job: each (appeal, kind) notice is recorded once however often it runs",
    ),
]

EXEMPT = {
    "lsp_portal.accounts.sign_up": "two sign-ups of one address at once make one account (the "
    "unique index decides); the other is answered as for an existing address - its own audit row "
    "and a note to the owner - by design, so that the answer never tells whether it exists (12.7)",
    "lsp_portal.accounts.resend_invitation": "sends a new link each time by design (the newest "
    "voids the earlier ones); staff resend when a person lost or let expire the first",
    "registration.save_self_assessment": "an edit: FR-APL-02 answers saved twice keep the last",
    "registration.import_units": "adds a new standard version each time by design (versions "
    "are never changed); two imports at once wait on the scheme's row lock and get the next two "
    "numbers",
    "registration.edit_unit": "adds a new standard version each time by design; a second save "
    "from the same form is refused as based on an older version (the scheme's row lock orders "
    "the two)",
    "assessment.set_plan": "an edit: the plan may be set again until both agree (agreements reset)",
    "assessment.record_adjustment": "an edit: FR.AK.07 saved twice keeps the last (one row per "
    "assessment, updated under the assessment's row lock until the first result)",
    "assessment.record_results": "an edit: results are saved, also partially, until submission",
    "assessment.record_valid_results": "an edit: the results page saved twice keeps the last",
    "assessment.record_observations": "an edit: FR.IA.01 saved twice keeps the last (one row "
    "per assessment and KUK, updated under the assessment's row lock until submission)",
    "assessment.record_instrument_items": "an edit: an item instrument saved twice keeps the "
    "last (one row per assessment and bank item, updated under the assessment's row lock)",
    "assessment.add_portfolio_check": "adds a check each time by design: FR.IA.08 lists every "
    "piece of evidence checked; one recorded in error is removed (remove_instrument_entry)",
    "assessment.add_third_party_statement": "adds a statement each time by design: FR.IA.10 "
    "lists every third party clarified; one recorded in error is removed",
    "assessment.remove_instrument_entry": "removes one entry under the assessment's row lock; "
    "the second of two at once finds it gone and is refused",
    "assessment.retry_render": "staff ask again for a failed PDF under its row lock; the "
    "second of two at once finds it pending and is refused (as decisions.retry_render)",
    "certificates.warn": "creates a new warning each time by design: 9.5.2 keeps the history",
    "appeals.record_finding": "an edit: a member's finding saved twice keeps the last",
    "assessment.reopen_for_reassessment": "called only by appeals.answer (upheld, 9.9.8.d) "
    "inside its transaction, under the appeal's row lock; the case of appeals.answer covers it",
}


# ---------------------------------------------------------------------------------------------
# Running twice at once, and what is compared
# ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    kind: str = "not started"
    message: str = ""


def run_twice_at_once(call):
    """Like tests.conftest.run_concurrently, but any other exception (IntegrityError, deadlock,
    PermissionDenied) and a thread that never ends show as outcomes instead of vanishing. Each call
    runs in Indonesian, as for a user of the default language; refusals keep their message."""
    barrier = threading.Barrier(2)
    outcomes = [Outcome(), Outcome()]

    def worker(outcome):
        try:
            barrier.wait(timeout=30)
            with translation.override("id"):
                call()
            outcome.kind = "ok"
        except RuleError as refusal:
            outcome.kind, outcome.message = "refused", str(refusal.message)
        except Exception as error:  # noqa: BLE001 - every other escape is the finding
            outcome.kind = f"error: {error!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(o,)) for o in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for thread, outcome in zip(threads, outcomes, strict=True):
        if thread.is_alive():
            outcome.kind = "hung"
    return sorted(outcomes, key=lambda o: o.kind)


class _RollBack(Exception):
    pass


def state_after_one_call(call):
    """What a single call leaves, taken inside a transaction that is then rolled back."""
    try:
        with transaction.atomic():
            call()
            state = snapshot()
            raise _RollBack
    except _RollBack:
        return state


def _stage_models():
    for label in SERVICE_MODULES:
        yield from apps.get_app_config(label).get_models(include_auto_created=True)


def snapshot():
    """Every row the stages own, comparable between two runs: generated keys replaced by each
    row's position, times by whether they are set, random names and tokens by whether they exist;
    the audit trail and the outbox as counts."""
    stage_models = list(_stage_models())
    position = {
        model: {
            pk: i
            for i, pk in enumerate(model._base_manager.order_by("pk").values_list("pk", flat=True))
        }
        for model in stage_models
    }
    state = {}
    for model in stage_models:
        rows = []
        for obj in model._base_manager.order_by("pk"):
            row = {}
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if isinstance(field, models.AutoField):
                    continue
                if field.is_relation and field.related_model in position:
                    value = ("row", position[field.related_model].get(value))
                elif isinstance(field, models.DateTimeField | models.FileField | models.UUIDField):
                    value = bool(value)
                row[field.name] = value
            rows.append(row)
        state[model._meta.label] = rows
    state["audit"] = collections.Counter(
        AuditEvent.objects.values_list(
            "action", "content_type__model", "from_status", "to_status", "reason"
        )
    )
    state["outbox"] = collections.Counter(Message.objects.values_list("task", flat=True))
    state["people"] = sorted(
        (user.email, user.is_active, user.is_staff, user.has_usable_password())
        for user in User.objects.all()
    )
    state["roles"] = sorted(User.groups.through.objects.values_list("user__email", "group__name"))
    return state


def differences(before, after):
    return {
        key: (before.get(key), after.get(key))
        for key in before.keys() | after.keys()
        if before.get(key) != after.get(key)
    }


@functools.cache
def _translated():
    """The Indonesian catalog as patterns: each translated message with its placeholders open."""
    patterns = []
    for msgid, msgstr in trans_real.translation("id")._catalog.items():
        if not isinstance(msgid, str) or not msgstr or msgstr == msgid:
            continue
        parts = re.split(r"%\(\w+\)[sdr]|%[sd]", msgstr)
        patterns.append(re.compile("(.+?)".join(re.escape(p.replace("%%", "%")) for p in parts)))
    return patterns


def is_indonesian(message):
    return any(p.fullmatch(message) for p in _translated())


@pytest.fixture
def world(request):
    return World(request)


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.id)
def test_a_transition_attempted_twice_at_once_happens_once(world, transition):
    before = getattr(world, transition.stage)  # built and committed before anything runs
    subject = transition.subject
    if subject == "stage":
        subject = before
    elif subject is not None:
        subject = subject(world)
    call = functools.partial(transition.call, world)
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    once = state_after_one_call(call)
    outcomes = run_twice_at_once(call)

    kinds = [o.kind for o in outcomes]
    if transition.twice == "refused":
        assert kinds == ["ok", "refused"], outcomes
        message = outcomes[1].message
        assert message.strip(), "the refusal says nothing"
        assert is_indonesian(message), f"not an Indonesian message: {message!r}"
    else:
        assert kinds == ["ok", "ok"], outcomes

    new_events = AuditEvent.objects.filter(pk__gt=last_event, action=transition.action)
    assert new_events.count() == transition.events
    if subject is not None:
        assert {e.subject for e in new_events} == {fresh(subject)}

    twice = snapshot()
    if transition.twice == "edit":  # the repeat is audited again, as counted above
        del once["audit"], twice["audit"]
    assert differences(once, twice) == {}


# ---------------------------------------------------------------------------------------------
# No transition ships unchecked
# ---------------------------------------------------------------------------------------------


# What writes an audit event: audit's record(), and the transition helper that calls it.
AUDIT_WRITERS = {"record", "transitions.apply"}


def called_name(call):
    """f() -> "f", audit.f() -> "f"; transitions.f() -> "transitions.f" (the kernel helper)."""
    func = call.func
    if isinstance(func, ast.Attribute) and getattr(func.value, "id", None) == "transitions":
        return f"transitions.{func.attr}"
    return getattr(func, "id", None) or getattr(func, "attr", None)


def services_tree(app):
    return ast.parse(inspect.getsource(importlib.import_module(f"{app}.services")))


def auditing_functions(app):
    """Public functions of <app>/services.py that write an audit event: they call record() or
    transitions.apply() themselves or through a private helper of the module."""
    tree = services_tree(app)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    calls = {
        name: {called_name(node) for node in ast.walk(func) if isinstance(node, ast.Call)}
        for name, func in functions.items()
    }

    @functools.cache
    def records(name, seen=()):
        called = calls.get(name, set())
        if called & AUDIT_WRITERS:
            return True
        return any(
            records(callee, (*seen, name))
            for callee in called
            if callee and callee.startswith("_") and callee in functions and callee not in seen
        )

    return {f"{app}.{name}" for name in functions if not name.startswith("_") and records(name)}


def test_every_auditing_service_function_is_checked_twice_or_exempted_with_a_reason():
    modules = SERVICE_MODULES + KERNEL_SERVICE_MODULES
    found = set().union(*(auditing_functions(app) for app in modules))
    declared = {t.func for t in TRANSITIONS}
    assert not declared & EXEMPT.keys()
    assert all(reason.strip() for reason in EXEMPT.values())
    unchecked = found - declared - EXEMPT.keys()
    assert not unchecked, f"add to TRANSITIONS (or EXEMPT, with the reason): {sorted(unchecked)}"
    stale = (declared | EXEMPT.keys()) - found
    assert not stale, f"no longer auditing service functions: {sorted(stale)}"


def declared_tables():
    """(model, table) for each model that declares its status changes (lsp_portal.transitions)."""
    return [
        (model, model.TRANSITIONS)
        for model in apps.get_models()
        if isinstance(getattr(model, "TRANSITIONS", None), Transitions)
    ]


def test_every_declared_transition_is_attempted_twice_at_once():
    declared = collections.Counter(a for _model, table in declared_tables() for a in table)
    assert len(declared) >= 20, "the tables were not found"
    assert {a for a, n in declared.items() if n > 1} == set(), "one action, one change"
    unchecked = declared.keys() - {t.action for t in TRANSITIONS}
    assert not unchecked, f"declared but never attempted twice at once: {sorted(unchecked)}"


def test_declared_sources_and_targets_are_statuses_of_their_model():
    for model, table in declared_tables():
        statuses = {value for value, _label in model._meta.get_field(table.field).choices}
        for action, transition in table.items():
            assert transition.sources, f"{model.__name__} {action}: no source"
            assert set(transition.sources) <= statuses, f"{model.__name__} {action}"
            assert transition.target in statuses, f"{model.__name__} {action}"


def test_each_declared_action_is_applied_by_a_service_and_none_other_is():
    declared = {a for _model, table in declared_tables() for a in table}
    named, applied = set(), set()
    for app in SERVICE_MODULES:
        for node in ast.walk(services_tree(app)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value)
            if isinstance(node, ast.Call) and called_name(node) == "transitions.apply":
                action = node.args[2]  # apply(user, obj, action, ...): a literal or an if-else
                applied |= {
                    n.value
                    for n in ast.walk(action)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    assert applied, "no service applies a transition"
    assert not applied - declared, f"applied but not declared: {sorted(applied - declared)}"
    assert not declared - named, f"declared but no service applies: {sorted(declared - named)}"


def test_deviations_from_one_change_and_one_refusal_say_why():
    for transition in TRANSITIONS:
        assert transition.twice in ("refused", "same", "edit"), transition.id
        assert (transition.twice == "refused") != bool(transition.why), transition.id
    assert len({t.id for t in TRANSITIONS}) == len(TRANSITIONS)


def test_the_indonesian_check_knows_a_translated_refusal_from_an_english_one():
    msgid = "Only a submitted application can be reviewed; this one is %(status)s."
    with translation.override("id"):
        indonesian = translation.gettext(msgid) % {"status": "ditolak"}
    assert is_indonesian(indonesian)
    assert not is_indonesian(msgid % {"status": "rejected"})
