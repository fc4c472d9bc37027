"""One case at each stage of the workflow, built through the stages' own services (issue 14).

`build(stage, variant, ...)` signs an applicant up and takes their application as far as the
stage asks - FR-APL-01/02, the review, the assessment, the technical-team meeting and decree, the
certificate and its incidents, the appeal and its reassessment - by calling the same services
the pages call, as the people who would (the applicant, staff, the assessor, the members, the
director, the appeal team). Every rule, status, number, audit event and timestamp is the
services'; this module only decides who does what, when and with which words.

Time is moved with time-machine: each step happens at a moment of a working day (08:00-16:30
Jakarta, Monday to Friday, not on a holiday or closure day) a few hours or days after the one
before, as people would act. The data generator (lsp_site.datagen) builds one such case per
stage, variant and scheme, captures the rows it wrote and clones them in bulk.
"""

import datetime
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone

from appeals import services as appeals
from appeals.inputs import AppealInput
from appeals.models import Appeal
from assessment import services as assessment_services
from assessment.inputs import (
    AdjustmentInput,
    EvidenceReviewInput,
    FeedbackAnswer,
    ItemRecordInput,
    PlanHeaderInput,
    PlanItemInput,
    ReportInput,
    UnitResultInput,
)
from assessment.models import (
    TUK,
    Adjustment,
    Assessment,
    Assessor,
    Feedback,
    InstrumentItem,
    InstrumentKind,
    UnitResult,
    instruments_for_methods,
)
from certificates import services as certificates
from certificates.models import Certificate, Ground
from decisions import services as decisions
from decisions.models import Decision, Meeting, TechnicalTeamMember
from lsp_portal.accounts import services as accounts
from lsp_portal.accounts.models import User
from lsp_portal.files import check_upload
from lsp_portal.workdays import is_working_day
from registration import apl02
from registration import services as registration
from registration.demo_files import image_bytes, pdf_bytes
from registration.inputs import ExperienceInput, PersonalDataInput, SelfAssessmentInput
from registration.models import Application, Scheme, SelfAssessment, Unit

# The ways a case can be at its stage (make_cases' variants), with the weights generate() uses.
VARIANTS = {
    "draft": {"started": 20, "personal": 30, "documents": 25, "self_assessment": 25},
    "submitted": {"first": 90, "resubmitted": 10},
    "revision_requested": {"revision": 1},
    "rejected": {"hours": 60, "programme": 40},
    "withdrawn": {"from_draft": 50, "from_submitted": 50},
    "eligible": {"eligible": 1},
    "assigned": {
        "assigned": 15,
        "declared": 10,
        "plan_set": 15,
        "agreed_one": 5,
        "plan_agreed": 20,
        "evidence_reviewed": 15,
        "results_partial": 10,
        "not_proceed": 10,
    },
    "recommended": {"k": 75, "bk": 25},
    "decided_k": {"no_agreement": 50, "no_fee": 50},
    "decided_bk": {"old": 95, "recent": 5},
    "certified": {"active": 84, "expired": 9, "frozen": 3, "revoked": 2, "restored": 2},
    "appealed": {
        "submitted": 1,
        "under_review": 2,
        "dismissed": 70,
        "upheld": 25,
        "upheld_recent": 2,
    },
}
STAGES = tuple(VARIANTS)
DECIDED_STAGES = ("decided_k", "decided_bk", "certified", "appealed")
# Variants that are built alike: they differ only in when the case happened (the clone's time).
SAME_AS = {("certified", "expired"): "active", ("decided_bk", "recent"): "old"}

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DAY_START = datetime.time(8, 0)
DAY_END = datetime.time(16, 30)

EVIDENCE_OBSERVED = (
    "Demonstrasi dan tanya jawab sesuai kriteria unjuk kerja.",
    "Mendemonstrasikan pengelolaan data pelanggan di aplikasi CRM.",
    "Portofolio laporan magang lengkap dan diverifikasi atasan.",
    "Menjawab pertanyaan lisan dengan tepat; observasi sesuai SOP.",
    "Studi kasus diselesaikan sesuai standar unit.",
)
WEAK_OBSERVED = "Demonstrasi belum lengkap; beberapa kriteria unjuk kerja belum tercapai."
SELF_NOTES = (
    "Pernah dilakukan selama magang.",
    "Dikerjakan rutin di tempat magang.",
    "Dipelajari di mata kuliah dan dipraktikkan saat magang.",
)
APPEAL_REASONS = (
    "Waktu demonstrasi hanya 10 menit, padahal rencana asesmen menyebut 30 menit. Saya tidak "
    "sempat menunjukkan laporan dari tempat magang.",
    "Asesor tidak memeriksa portofolio yang sudah saya unggah sebagai bukti unit ini.",
    "Pertanyaan tertulis tidak sesuai dengan kriteria unjuk kerja unit yang diujikan.",
)
FINDINGS = (
    "Rekaman asesmen menunjukkan waktu demonstrasi sesuai rencana; keputusan tetap.",
    "Bukti portofolio tidak diperiksa asesor; peserta diberi kesempatan asesmen ulang.",
)


@dataclass
class Cast:
    """The people and places a case meets (the generator's world)."""

    staff: User
    director: User
    members: list[TechnicalTeamMember]
    appeal_team: list[User]
    tuks: list[TUK]


@dataclass
class Person:
    """The applicant's own data as they type it into FR-APL-01."""

    full_name: str
    email: str
    nik: str
    birth_place: str
    birth_date: datetime.date
    gender: str
    address: str
    phone: str
    student_number: str
    university: str = "Universitas Pembangunan Jaya"


@dataclass
class Built:
    """What build() made: the application and the moment of its last step."""

    application: Application
    last_step: datetime.datetime
    meetings: list[Meeting] = field(default_factory=list)


class Clock:
    """The time the services see (time-machine), moved forward step by step in working hours."""

    def __init__(self, traveller: Any, start: datetime.datetime, rng: random.Random):
        self.traveller = traveller
        self.rng = rng
        self.moment = self._working(start)
        traveller.move_to(self.moment)

    def _working(self, moment: datetime.datetime) -> datetime.datetime:
        local = timezone.localtime(moment)
        if local.time() >= DAY_END:
            local = (local + datetime.timedelta(days=1)).replace(hour=8, minute=0)
            local += datetime.timedelta(minutes=self.rng.uniform(0, 90))
        elif local.time() < DAY_START:
            local = local.replace(hour=8, minute=0) + datetime.timedelta(
                minutes=self.rng.uniform(0, 90)
            )
        while not is_working_day(local.date()):
            local = (local + datetime.timedelta(days=1)).replace(hour=8, minute=0)
            local += datetime.timedelta(minutes=self.rng.uniform(0, 90))
        return local

    def later(self, low_hours: float, high_hours: float) -> datetime.datetime:
        """Move on by `low_hours`..`high_hours`, into the working hours of a working day."""
        step = datetime.timedelta(hours=self.rng.uniform(low_hours, high_hours))
        return self.to(self._working(self.moment + step))

    def minutes(self, low: float, high: float) -> datetime.datetime:
        """Move on by a few minutes, whatever the hour (a meeting running late)."""
        return self.to(self.moment + datetime.timedelta(minutes=self.rng.uniform(low, high)))

    def to(self, moment: datetime.datetime) -> datetime.datetime:
        if moment < self.moment:
            raise ValueError("The clock only moves forward.")
        self.moment = moment
        self.traveller.move_to(moment)
        return moment

    def working_day_at(self, days: int, hour: int) -> datetime.datetime:
        """`hour`:00 on the working day `days` days from now (or the next one)."""
        local = timezone.localtime(self.moment) + datetime.timedelta(days=days)
        local = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        while not is_working_day(local.date()):
            local += datetime.timedelta(days=1)
        return local


@contextmanager
def clock(start: datetime.datetime, rng: random.Random) -> Iterator[Clock]:
    with time_machine.travel(start, tick=False) as traveller:
        yield Clock(traveller, start, rng)


def _upload(name: str, content: bytes, *, images_only: bool = False) -> Any:
    return check_upload(SimpleUploadedFile(name, content), images_only=images_only)


class _Case:
    """The steps of one case; each method is what one person does on one page."""

    def __init__(
        self,
        *,
        scheme: Scheme,
        person: Person,
        cast: Cast,
        assessor: Assessor,
        second_assessor: Assessor | None,
        clock_: Clock,
        rng: random.Random,
    ):
        self.scheme = scheme
        self.person = person
        self.cast = cast
        self.assessor = assessor
        self.second_assessor = second_assessor or assessor
        self.clock = clock_
        self.rng = rng
        self._user: User | None = None
        self.application: Application | None = None
        self.units = list(scheme.units.all())
        self.meetings: list[Meeting] = []

    @property
    def user(self) -> User:
        if self._user is None:
            raise RuntimeError("The applicant has not signed up yet.")
        return self._user

    @property
    def app(self) -> Application:
        if self.application is None:
            raise RuntimeError("The applicant has not started an application yet.")
        return self.application

    # -- registration (9.1) ----------------------------------------------------------------------

    def sign_up(self) -> None:
        """The applicant signs up and opens the confirmation link (the generator's users share
        one password, set by the copies; here a fast hasher saves the slow hash)."""
        with override_settings(PASSWORD_HASHERS=FAST_HASHER):
            accounts.sign_up(
                accounts.SignUpInput(
                    email=self.person.email,
                    full_name=self.person.full_name,
                    password=settings.SECRET_KEY[:12] + "Aa1!",
                    language="id",
                )
            )
        self._user = accounts.confirm_email(User.objects.get(email=self.person.email))
        self.clock.minutes(2, 30)
        self.application = registration.start_application(self.user, self.scheme)

    def personal_data(self, *, programme: str | None = None) -> None:
        self.clock.later(0.1, 30)
        p = self.person
        registration.save_personal_data(
            self.user,
            self.app,
            PersonalDataInput(
                full_name=p.full_name,
                nik=p.nik,
                birth_place=p.birth_place,
                birth_date=p.birth_date,
                gender=p.gender,
                address=p.address,
                phone=p.phone,
                email=p.email,
                university=p.university,
                study_programme=programme or self.scheme.study_programme_list()[0],
                student_number=p.student_number,
                semester=self.rng.choice((6, 7, 8)),
                completed_courses=tuple(self.scheme.required_courses.all()),
            ),
        )

    def experience(self, *, short: bool = False) -> None:
        self.clock.later(0.1, 4)
        needed = self.scheme.min_experience_hours
        hours = needed - self.rng.randint(20, 120) if short else needed + self.rng.randint(0, 300)
        start = timezone.localdate() - datetime.timedelta(days=self.rng.randint(120, 400))
        registration.add_experience(
            self.user,
            self.app,
            ExperienceInput(
                organisation=self.rng.choice(
                    ("PT Pelanggan Setia Indonesia", "PT Nusantara Retail Sejahtera", "CV Maju")
                ),
                field=self.rng.choice(list(self.scheme.experience_fields.all())),
                role="Magang divisi " + self.scheme.name,
                start_date=start,
                end_date=start + datetime.timedelta(days=self.rng.randint(60, 110)),
                hours=max(hours, 1),
            ),
        )

    def documents(self) -> None:
        self.clock.later(0.2, 48)
        self.evidence = None
        for requirement in self.scheme.required_documents.all():
            for index in range(requirement.quantity):
                if requirement.images_only:
                    checked = _upload(
                        f"pasfoto-{index + 1}.jpg", image_bytes("JPEG", "Pasfoto"), images_only=True
                    )
                else:
                    checked = _upload(f"{requirement.code}.pdf", pdf_bytes(requirement.name))
                document = registration.upload_document(self.user, self.app, requirement, checked)
                self.evidence = document

    def self_assessment(self) -> None:
        self.clock.later(0.2, 48)
        answers = {
            key: SelfAssessmentInput(
                answer=SelfAssessment.Answer.K,
                note=self.rng.choice(SELF_NOTES),
                evidence=self.evidence,
            )
            for key in apl02.answer_keys(self.app)
        }
        registration.save_self_assessment(self.user, self.app, answers)

    def submit(self) -> None:
        self.clock.later(0.1, 24)
        registration.submit(self.user, self.app, agreed=True)

    def complete(self, **kwargs: Any) -> None:
        self.sign_up()
        self.personal_data(programme=kwargs.get("programme"))
        self.experience(short=kwargs.get("short", False))
        self.documents()
        self.self_assessment()
        self.submit()

    def eligible(self) -> None:
        self.clock.later(4, 72)
        registration.confirm_eligible(
            self.cast.staff, self.app, note="Berkas lengkap dan memenuhi syarat."
        )

    # -- assessment (9.2, 9.3) -------------------------------------------------------------------

    def assign(self, assessor: Assessor | None = None) -> Assessment:
        self.clock.later(2, 72)
        self.assessment = assessment_services.assign(
            self.cast.staff, self.app, assessor or self.assessor
        )
        return self.assessment

    def declare(self) -> None:
        self.clock.later(1, 24)
        assessment_services.declare_impartiality(self.assessment.assessor.user, self.assessment)

    def plan(self) -> None:
        self.clock.later(0.2, 24)
        self.test_at = self.clock.working_day_at(self.rng.randint(4, 8), self.rng.choice((9, 10)))
        tuk = self.rng.choice(self.cast.tuks)
        methods = ("observasi", "lisan", "portofolio")
        assessment_services.set_plan(
            self.assessment.assessor.user,
            self.assessment,
            {
                unit: PlanItemInput(
                    methods=methods,
                    evidence_kinds=("L", "TL", "T"),
                    duration_minutes=30,
                    date=self.test_at.date(),
                    tuk=tuk,
                    # FR.IA.02, the practical task of the bank, covers every KUK of the unit.
                    instruments=(*instruments_for_methods(methods), InstrumentKind.IA02),
                )
                for unit in self.units
            },
            # FR.MAPA.01: the LSP's own certification assessment, starting at the test's hour.
            header=PlanHeaderInput(
                approach="hasil_pelatihan",
                purpose="sertifikasi",
                environment="nyata" if tuk.kind == TUK.Kind.TEMPAT_KERJA else "simulasi",
                evidence_opportunity="tersedia",
                assessed_by="lsp",
                confirm_with=("manajer_sertifikasi",),
                start_time=self.test_at.time(),
            ),
        )

    def agree(self, *, both: bool = True) -> None:
        self.clock.later(1, 24)
        assessment_services.agree_plan(self.user, self.assessment, plan=True, confidentiality=True)
        if both:
            self.clock.later(0.2, 8)
            assessment_services.agree_plan(
                self.assessment.assessor.user, self.assessment, plan=True, confidentiality=True
            )

    def adjust(self) -> None:
        """FR.AK.07 before the test: most candidates need no adjustment, about one in ten does."""
        self.clock.minutes(5, 60)
        if self.rng.random() < 0.1:
            data = AdjustmentInput(
                needed=True,
                needs=(self.rng.choice((Adjustment.Need.LANGUAGE, Adjustment.Need.LITERACY)),),
                description="Asesi kesulitan membaca soal tertulis yang panjang.",
                adjustments="Waktu tambahan 30 menit; pertanyaan dibacakan.",
                agreed_with_candidate=True,
            )
        else:
            data = AdjustmentInput(needed=False, agreed_with_candidate=True)
        assessment_services.record_adjustment(self.assessment.assessor.user, self.assessment, data)

    def review(self, *, proceed: bool = True) -> None:
        self.clock.later(1, 20)
        vatm = {"valid": True, "authentic": True, "current": True, "sufficient": proceed}
        assessment_services.review_evidence(
            self.assessment.assessor.user,
            self.assessment,
            {
                key: EvidenceReviewInput(**vatm, note="Sesuai surat magang")
                for key in apl02.answer_keys(self.app)
            },
            proceed=proceed,
            reason="" if proceed else "Bukti pengalaman belum memadai untuk diuji.",
        )

    def results(self, *, weak: int | None = None, upto: int | None = None) -> None:
        self.clock.to(max(self.clock.moment, self.test_at))
        self.clock.minutes(10, 120)
        units = self.units if upto is None else self.units[:upto]
        records = {
            unit: UnitResultInput(
                methods=("observasi", "lisan"),
                evidence_observed=WEAK_OBSERVED
                if unit.number == weak
                else self.rng.choice(EVIDENCE_OBSERVED),
                valid=True,
                authentic=True,
                current=True,
                sufficient=unit.number != weak,
                result=UnitResult.Result.BK if unit.number == weak else UnitResult.Result.K,
            )
            for unit in units
        }
        self._practical_tasks(units, weak)
        if upto is None:
            assessment_services.record_results(
                self.assessment.assessor.user, self.assessment, records
            )
        else:
            assessment_services.record_valid_results(
                self.assessment.assessor.user, self.assessment, records
            )

    def _practical_tasks(self, units: list[Unit], weak: int | None) -> None:
        """FR.IA.02 of the pinned bank per unit, judged satisfactory except for the weak unit:
        the evidence that covers the unit's KUK for a K (9.3.3)."""
        bank_id = (
            Assessment.objects.filter(pk=self.assessment.pk)
            .values_list("instrument_bank_id", flat=True)
            .get()
        )
        if bank_id is None:
            return
        tasks: dict[int, list[InstrumentItem]] = {}
        for item in InstrumentItem.objects.filter(
            bank_id=bank_id, kind=InstrumentKind.IA02, unit__in=units
        ):
            tasks.setdefault(item.unit_id, []).append(item)
        for unit in units:
            if unit.pk not in tasks:
                continue
            ok = unit.number != weak
            assessment_services.record_instrument_items(
                self.assessment.assessor.user,
                self.assessment,
                unit,
                InstrumentKind.IA02,
                {
                    item: ItemRecordInput(
                        satisfactory=ok,
                        response="Tugas praktik diselesaikan sesuai instruksi."
                        if ok
                        else "Sebagian langkah belum dikerjakan.",
                    )
                    for item in tasks[unit.pk]
                },
            )

    def recommend(self, *, competent: bool) -> None:
        self.clock.minutes(10, 60)
        user = self.assessment.assessor.user
        assessment_services.submit_recommendation(
            user,
            self.assessment,
            note="Asesi kompeten." if competent else "Satu unit belum kompeten.",
            report=ReportInput(
                aspects="Positif: asesi siap dan runtut. Negatif: waktu observasi terbatas.",
                objection="" if competent else "Asesi tidak menandatangani hasil asesmen.",
                improvements="Sediakan data latihan CRM yang lebih lengkap di TUK.",
                notes="Asesmen berjalan sesuai rencana.",
            ),
        )
        self.clock.minutes(5, 60)
        if competent:
            assessment_services.sign_result(self.user, self.assessment)
        else:
            assessment_services.decline_to_sign(
                self.user, self.assessment, comment="Waktu demonstrasi terlalu singkat."
            )
        self.clock.later(0.5, 30)
        assessment_services.give_feedback(
            self.user,
            self.assessment,
            answers=[FeedbackAnswer(yes=True, comment="") for _q in Feedback.QUESTIONS],
            comment="" if competent else "Waktu demonstrasi terlalu singkat.",
        )

    def assessed(self, *, competent: bool, assessor: Assessor | None = None) -> None:
        self.assign(assessor)
        self.declare()
        self.plan()
        self.agree()
        self.adjust()
        self.review()
        self.results(weak=None if competent else self.rng.randint(1, len(self.units)))
        self.recommend(competent=competent)

    # -- the technical team's meeting and the decree (9.4) ---------------------------------------

    def _members(self) -> list[TechnicalTeamMember]:
        return self.rng.sample(self.cast.members, min(3, len(self.cast.members)))

    def plan_meeting(self, *, days_ahead: int = 3) -> Meeting:
        self.clock.later(2, 48)
        self.members = self._members()
        scheduled = self.clock.working_day_at(days_ahead, self.rng.choice((9, 10, 13)))
        meeting = decisions.plan_meeting(
            self.cast.staff,
            title=f"Rapat Tim Teknis {self.scheme.name}",
            scheduled_at=scheduled,
            location="Ruang Rapat LSP, Gedung B lantai 2",
            is_online=False,
            members=self.members,
            assessments=[self.assessment],
        )
        self.meetings.append(meeting)
        return meeting

    def decided(self, *, competent: bool) -> Decision:
        meeting = self.plan_meeting()
        self.clock.to(meeting.scheduled_at + datetime.timedelta(minutes=self.rng.uniform(0, 10)))
        decisions.open_meeting(self.cast.staff, meeting, self.members)
        self.clock.minutes(5, 40)
        decision = decisions.decide(
            self.members[0].user,
            meeting,
            self.assessment,
            result=Decision.Result.K if competent else Decision.Result.BK,
            basis="Bukti memenuhi VATM; rekomendasi asesor diterima."
            if competent
            else "Satu unit belum kompeten; rekomendasi asesor diterima.",
        )
        self.clock.minutes(5, 30)
        minutes = decisions.close_meeting(self.cast.staff, meeting)
        for member in self.members:
            self.clock.minutes(5, 90)
            minutes = decisions.sign_minutes(member.user, minutes)
        self.clock.later(0.5, 6)
        decree = decisions.draft_decree(self.cast.staff, minutes)
        self.clock.later(1, 24)
        decisions.sign_decree(self.cast.director, decree)
        self.decision = Decision.objects.get(pk=decision.pk)
        return self.decision

    # -- the certificate (9.4.6-9.8) -------------------------------------------------------------

    @property
    def certificate(self) -> Certificate:
        return Certificate.objects.get(decision=self.decision)

    def agreement(self) -> None:
        self.clock.later(2, 72)
        certificates.sign_agreement(
            self.user, self.certificate, points=["9.8.1", "9.8.2", "9.8.3", "9.8.4"]
        )

    def fee(self) -> None:
        self.clock.later(1, 72)
        certificates.record_fee(self.cast.staff, self.certificate, amount=self.scheme.fee)

    def issued(self) -> None:
        self.agreement()
        self.fee()

    def warned(self) -> None:
        self.clock.later(24 * 20, 24 * 60)
        certificates.warn(
            self.cast.staff,
            self.certificate,
            ground=Ground.A,
            text="Sertifikat digunakan di luar ruang lingkup skema.",
        )

    def frozen(self) -> None:
        self.clock.later(24 * 5, 24 * 20)
        certificates.freeze(
            self.cast.staff,
            self.certificate,
            ground=Ground.A,
            reason="Pemegang tidak menanggapi peringatan dalam 14 hari.",
            resolve_by=timezone.localdate() + datetime.timedelta(days=60),
        )

    # -- appeals (9.9) ---------------------------------------------------------------------------

    def appeal(self) -> Appeal:
        self.clock.minutes(30, 240)
        attachments = [_upload("bukti-banding.pdf", pdf_bytes("Bukti banding"))]
        self.appealed = appeals.file_appeal(
            self.user,
            self.decision,
            AppealInput(
                process_explained=True,
                discussed_with_assessor=self.rng.random() < 0.7,
                involve_other_person=False,
                other_person="",
                reasons=self.rng.choice(APPEAL_REASONS),
            ),
            attachments=attachments,
        )
        return self.appealed

    def appoint(self) -> None:
        self.clock.later(1, 24)
        self.team_member = self.rng.choice(self.cast.appeal_team)
        appeals.appoint(self.cast.staff, self.appealed, self.team_member)

    def answered(self, *, upheld: bool) -> None:
        outcome = Appeal.Outcome.UPHELD if upheld else Appeal.Outcome.DISMISSED
        self.clock.later(24, 24 * 5)
        appeals.record_finding(
            self.team_member,
            self.appealed,
            text=FINDINGS[1] if upheld else FINDINGS[0],
            recommendation=outcome,
        )
        self.clock.later(4, 48)
        appeals.answer(
            self.cast.director,
            self.appealed,
            outcome=outcome,
            reasons="Sesuai temuan tim banding.",
        )


def _registered(case: _Case, variant: str) -> None:
    if variant == "started":
        case.sign_up()
        return
    case.sign_up()
    case.personal_data()
    if variant == "personal":
        return
    case.experience()
    case.documents()
    if variant == "documents":
        return
    case.self_assessment()


def _assigned(case: _Case, variant: str) -> None:
    case.complete()
    case.eligible()
    case.assign()
    steps: list[Callable[[], None]] = [
        case.declare,
        case.plan,
        lambda: case.agree(both=variant != "agreed_one"),
        lambda: case.review(proceed=variant != "not_proceed"),
        lambda: case.results(upto=max(1, len(case.units) // 2)),
    ]
    last = {
        "assigned": 0,
        "declared": 1,
        "plan_set": 2,
        "agreed_one": 3,
        "plan_agreed": 3,
        "evidence_reviewed": 4,
        "not_proceed": 4,
        "results_partial": 5,
    }[variant]
    for step in steps[:last]:
        step()


def _decided(case: _Case, *, competent: bool) -> None:
    case.complete()
    case.eligible()
    case.assessed(competent=competent)
    case.decided(competent=competent)


def _build(case: _Case, stage: str, variant: str, meeting: Meeting | None) -> None:
    if stage == "draft":
        _registered(case, variant)
    elif stage == "submitted":
        case.complete()
        if variant == "resubmitted":
            case.clock.later(4, 48)
            registration.request_revision(
                case.cast.staff, case.app, note="Transkrip nilai kurang jelas; unggah ulang."
            )
            case.self_assessment()
            case.submit()
    elif stage == "revision_requested":
        case.complete()
        case.clock.later(4, 48)
        registration.request_revision(
            case.cast.staff, case.app, note="Transkrip nilai kurang jelas; unggah ulang."
        )
    elif stage == "rejected":
        if variant == "hours":
            case.complete(short=True)
            reason = "Jam pengalaman kerja/magang kurang dari yang dipersyaratkan (6.2)."
        else:
            case.complete(programme="Teknik Informatika")
            reason = "Program studi tidak termasuk yang dipersyaratkan skema (6.1)."
        case.clock.later(4, 72)
        registration.reject(case.cast.staff, case.app, reason=reason)
    elif stage == "withdrawn":
        if variant == "from_draft":
            _registered(case, "documents")
        else:
            case.complete()
        case.clock.later(2, 72)
        registration.withdraw(case.user, case.app, reason="Mendaftar ulang semester depan.")
    elif stage == "eligible":
        case.complete()
        case.eligible()
    elif stage == "assigned":
        _assigned(case, variant)
    elif stage == "recommended":
        case.complete()
        case.eligible()
        case.assessed(competent=variant == "k")
        if meeting is not None or variant.endswith("_planned"):
            case.plan_meeting(days_ahead=7)
    elif stage == "decided_k":
        _decided(case, competent=True)
        if variant == "no_fee":
            case.agreement()
    elif stage == "decided_bk":
        _decided(case, competent=False)
    elif stage == "certified":
        _decided(case, competent=True)
        case.issued()
        if variant in ("frozen", "restored"):
            case.warned()
            case.frozen()
            if variant == "restored":
                case.clock.later(24 * 5, 24 * 30)
                certificates.restore(
                    case.cast.staff, case.certificate, note="Pemegang memperbaiki penggunaan."
                )
        elif variant == "revoked":
            case.warned()
            case.clock.later(24 * 14, 24 * 40)
            certificates.revoke(
                case.cast.director, case.certificate, reason="Peringatan tidak ditanggapi (9.6)."
            )
    elif stage == "appealed":
        _decided(case, competent=False)
        case.appeal()
        if variant == "submitted":
            return
        case.appoint()
        if variant == "under_review":
            return
        case.answered(upheld=variant != "dismissed")
        if variant == "dismissed":
            return
        case.assign(case.second_assessor)
        if variant == "upheld_recent":
            case.declare()
            case.plan()
            return
        case.declare()
        case.plan()
        case.agree()
        case.review()
        case.results()
        case.recommend(competent=True)
        case.decided(competent=True)
        case.issued()
    else:
        raise ValueError(f"Unknown stage {stage!r}.")


def build(
    stage: str,
    variant: str,
    *,
    scheme: Scheme,
    person: Person,
    cast: Cast,
    assessor: Assessor,
    start: datetime.datetime,
    rng: random.Random,
    second_assessor: Assessor | None = None,
    meeting: Meeting | None = None,
) -> Built:
    """Take one new case to `stage` in `variant`, starting at `start`, through the services.
    `meeting`: for a recommendation, plan a meeting of its own for it (the caller moves the case
    to the real one)."""
    variant = SAME_AS.get((stage, variant), variant)
    with clock(start, rng) as clock_:
        case = _Case(
            scheme=scheme,
            person=person,
            cast=cast,
            assessor=assessor,
            second_assessor=second_assessor,
            clock_=clock_,
            rng=rng,
        )
        _build(case, stage, variant, meeting)
        last = clock_.moment
    return Built(application=case.app, last_step=last, meetings=case.meetings)
