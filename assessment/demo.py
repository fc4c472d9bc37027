"""Demo data for the assessment stage (seed_demo): registries and cases at each step."""

import datetime

from django.utils import timezone

from registration import apl02
from registration.models import KUK, Application, Scheme

from . import services
from .inputs import (
    AdjustmentInput,
    EvidenceReviewInput,
    ItemRecordInput,
    ObservationInput,
    PlanHeaderInput,
    PlanItemInput,
    PortfolioCheckInput,
    ProcessReviewInput,
    ReportInput,
    ThirdPartyInput,
    UnitResultInput,
)
from .instruments.models import InstrumentItem
from .models import TUK, Adjustment, Assessment, Assessor, ProcessReview, Schedule
from .schedules import services as schedule_services


def _registries(users, staff, scheme):
    today = timezone.localdate()
    assessors = {}
    for email, number, valid_until in (
        ("asesor@demo.test", "MET.000.004512 2021", today + datetime.timedelta(days=700)),
        ("asesor2@demo.test", "MET.000.009876 2022", today + datetime.timedelta(days=300)),
    ):
        assessor, _created = Assessor.objects.update_or_create(
            user=users[email],
            defaults={"registration_number": number, "registration_valid_until": valid_until},
        )
        assessor.schemes.add(scheme)
        assessors[email] = assessor
    tuks = {}
    for name, address, kind, start, end in (
        (
            "TUK Sewaktu Kampus UPJ",
            "Gedung B lantai 3, Universitas Pembangunan Jaya, Bintaro, Tangerang Selatan",
            TUK.Kind.SEWAKTU,
            today - datetime.timedelta(days=60),
            today + datetime.timedelta(days=300),
        ),
        (
            "TUK Tempat Kerja PT Pelanggan Setia",
            "Jl. TB Simatupang Kav. 1, Jakarta Selatan",
            TUK.Kind.TEMPAT_KERJA,
            today - datetime.timedelta(days=30),
            today + datetime.timedelta(days=150),
        ),
        (
            "TUK Mandiri Lama (verifikasi habis)",
            "Jl. Pemuda 10, Jakarta Timur",
            TUK.Kind.MANDIRI,
            today - datetime.timedelta(days=800),
            today - datetime.timedelta(days=70),
        ),
    ):
        tuks[name], _created = TUK.objects.update_or_create(
            name=name,
            defaults={
                "address": address,
                "kind": kind,
                "verified_on": start,
                "verified_until": end,
                "verified_by": staff,
            },
        )
    return assessors, tuks["TUK Sewaktu Kampus UPJ"]


# FR.MAPA.01 of the demo cases: a certification assessment by the LSP at its own (simulated) TUK.
DEMO_PLAN_HEADER = PlanHeaderInput(
    approach="hasil_pelatihan",
    purpose="sertifikasi",
    environment="simulasi",
    evidence_opportunity="tersedia",
    assessed_by="lsp",
    confirm_with=("manajer_sertifikasi", "master_asesor"),
    start_time=datetime.time(8, 30),
)


def _plan(assessor_user, assessment, tuk):
    today = timezone.localdate()
    services.declare_impartiality(assessor_user, assessment)
    services.set_plan(
        assessor_user,
        assessment,
        {
            unit: PlanItemInput(
                methods=("observasi", "lisan", "portofolio"),
                evidence_kinds=("L", "TL", "T"),
                duration_minutes=45,
                date=today,
                tuk=tuk,
                instruments=("IA.01", "IA.02", "IA.07", "IA.08", "IA.10"),
            )
            for unit in assessment.application.scheme.units.all()
        },
        header=DEMO_PLAN_HEADER,
    )


def seed_assessment(users, staff):
    """putri: plan waiting for her agreement; nadia: plan agreed, evidence to review (reassigned
    from Andi to Ana first); rudi: the test in progress, an FR.AK.07 adjustment recorded before
    it, 6 of 15 units recorded (the results page saved in part); fajar: recommendation submitted
    (K), its pages read-only; hana and indra: submitted Belum Kompeten (one unit BK, result not
    signed); gita: eligible, placed in an upcoming assessment event at the campus TUK, which
    assigns her to one of its two assessors."""
    scheme = Scheme.objects.get(code="mhp")
    assessors, tuk = _registries(users, staff, scheme)
    assessor = assessors["asesor@demo.test"]
    assessor_user = assessor.user
    created = 0
    for email, step in (
        ("putri@demo.test", "plan_set"),
        ("nadia@demo.test", "plan_agreed"),
        ("rudi@demo.test", "results_partial"),
        ("fajar@demo.test", "recommended"),
        ("hana@demo.test", "recommended_bk"),
        ("indra@demo.test", "recommended_bk"),
    ):
        application = Application.objects.filter(
            applicant=users[email], status=Application.Status.ELIGIBLE
        ).first()
        if application is None or Assessment.objects.filter(application=application).exists():
            continue
        if email == "nadia@demo.test":
            # Andi held nadia's case first and declared impartiality; staff then handed it to
            # Ana: the case page shows both assignments, and Andi stays "involved" (9.4.2, 9.9.4).
            first = assessors["asesor2@demo.test"]
            assessment = services.assign(staff, application, first)
            services.declare_impartiality(first.user, assessment)
            assessment = services.reassign(
                staff, assessment, assessor, reason="Asesor berhalangan karena tugas luar kota."
            )
        else:
            assessment = services.assign(staff, application, assessor)
        _plan(assessor_user, assessment, tuk)
        created += 1
        if step == "plan_set":
            continue
        applicant = users[email]
        for party in (applicant, assessor_user):
            services.agree_plan(party, assessment, plan=True, confidentiality=True)
        if step == "plan_agreed":
            continue
        units = list(scheme.units.all())
        vatm = {"valid": True, "authentic": True, "current": True, "sufficient": True}
        services.review_evidence(
            assessor_user,
            assessment,
            {
                key: EvidenceReviewInput(**vatm, note="Sesuai surat magang")
                for key in apl02.answer_keys(assessment.application)
            },
            proceed=True,
        )
        if step == "results_partial":
            # FR.AK.07 before the test: rudi reads long written questions slowly.
            services.record_adjustment(
                assessor_user,
                assessment,
                AdjustmentInput(
                    needed=True,
                    needs=(Adjustment.Need.LITERACY,),
                    description="Asesi lambat membaca soal tertulis yang panjang.",
                    adjustments="Waktu tambahan 30 menit; pertanyaan tertulis dibacakan.",
                    agreed_with_candidate=True,
                ),
            )
            # FR.IA.01 observed so far for units 1-6; in unit 4 the budget KUK was not achieved.
            for unit in units[:6]:
                _observe(
                    assessor_user,
                    assessment,
                    unit,
                    miss_last=unit.number == 4,
                    comment="Asesi bekerja runtut sesuai prosedur." if unit.number != 4 else "",
                )
            _other_instruments(assessor_user, assessment, units[6])
            # Tested so far: units 1-6 (unit 4 not yet competent); the rest are recorded later.
            services.record_valid_results(
                assessor_user,
                assessment,
                {
                    unit: UnitResultInput(
                        **{**vatm, "sufficient": unit.number != 4},
                        methods=("observasi", "lisan"),
                        evidence_observed="Demonstrasi dan tanya jawab di TUK."
                        if unit.number != 4
                        else "Rencana belum memuat anggaran dan jadwal.",
                        result="BK" if unit.number == 4 else "K",
                    )
                    for unit in units[:6]
                },
            )
            continue
        weak = units[-1] if step == "recommended_bk" else None
        # FR.IA.01 for every KUK (9.3.3): a unit is K only when all its KUK are covered.
        for unit in units:
            _observe(assessor_user, assessment, unit, miss_last=unit == weak)
        services.record_results(
            assessor_user,
            assessment,
            {
                unit: UnitResultInput(
                    **{**vatm, "sufficient": unit != weak},
                    methods=("observasi", "lisan"),
                    evidence_observed="Demonstrasi dan tanya jawab sesuai kriteria unjuk kerja."
                    if unit != weak
                    else "Belum dapat menunjukkan pengelolaan program loyalitas.",
                    result="BK" if unit == weak else "K",
                )
                for unit in units
            },
        )
        services.submit_recommendation(
            assessor_user,
            assessment,
            note="Asesi kompeten." if weak is None else "Satu unit belum kompeten.",
            # FR.AK.05, the assessor's report: the notes; the rest comes from the records.
            report=ReportInput(
                aspects="Positif: asesi menjelaskan alur kerja CRM dengan runtut. "
                "Negatif: waktu demonstrasi unit terakhir terbatas.",
                objection=""
                if weak is None
                else "Asesi menyatakan waktu demonstrasi unit 15 terlalu singkat.",
                improvements="Jadwalkan unit program loyalitas pada sesi tersendiri.",
                notes="Asesmen di TUK berjalan sesuai rencana.",
            ),
        )
        if weak is None:
            # FR.AK.06: the assessor reviews the process of the competent case.
            services.review_process(
                assessor_user,
                assessment,
                ProcessReviewInput(
                    principles={
                        stage: tuple(ProcessReview.Principle.values)
                        for stage in ProcessReview.Stage.values
                    },
                    recommendations="Sediakan data latihan CRM yang lebih lengkap di TUK.",
                    dimensions=tuple(ProcessReview.Dimension.values),
                    consistency_recommendations="Keputusan konsisten dengan asesmen skema MHP "
                    "lain pada bulan yang sama.",
                ),
            )
            services.sign_result(applicant, assessment)
        else:
            services.decline_to_sign(
                applicant, assessment, comment="Waktu demonstrasi unit 15 terlalu singkat."
            )
    created += _seed_schedule(users, staff, scheme, assessors, tuk)
    return created


def _observe(assessor_user, assessment, unit, *, miss_last=False, comment=""):
    """FR.IA.01 of `unit`: every KUK observed achieved, the last one not when `miss_last`."""
    kuks = list(
        KUK.objects.filter(
            element__unit=unit, element__version_id=assessment.application.standard_id
        ).order_by("position")
    )
    if not kuks:
        return
    services.record_observations(
        assessor_user,
        assessment,
        unit,
        {
            kuk: ObservationInput(
                achieved=not (miss_last and index == len(kuks) - 1),
                note="Diamati saat demonstrasi di TUK.",
            )
            for index, kuk in enumerate(kuks)
        },
        comment=comment,
    )


def _other_instruments(assessor_user, assessment, unit):
    """Unit 7 of rudi's test, evidence gathered but no result yet: the practical task FR.IA.02
    and the oral questions FR.IA.07 judged, the internship letter checked (FR.IA.08) and the
    internship supervisor's statement (FR.IA.10) - every KUK covered, ready to be recorded K."""
    assessment.refresh_from_db()
    items = InstrumentItem.objects.filter(bank_id=assessment.instrument_bank_id, unit=unit)
    for kind in ("IA.02", "IA.07"):
        services.record_instrument_items(
            assessor_user,
            assessment,
            unit,
            kind,
            {
                item: ItemRecordInput(
                    satisfactory=True,
                    response="Dikerjakan lengkap sesuai instruksi."
                    if kind == "IA.02"
                    else "Menjawab sesuai kunci jawaban.",
                )
                for item in items
                if item.kind == kind
            },
        )
    kuks = list(
        KUK.objects.filter(
            element__unit=unit, element__version_id=assessment.application.standard_id
        ).order_by("position")
    )
    letter = assessment.application.documents.filter(requirement__isnull=False).last()
    services.add_portfolio_check(
        assessor_user,
        assessment,
        unit,
        PortfolioCheckInput(
            title="" if letter else "Surat keterangan magang",
            document_id=letter.pk if letter else None,
            kuk_ids=tuple(kuk.pk for kuk in kuks[:2]),
            valid=True,
            authentic=True,
            current=True,
            sufficient=True,
            note="Ditandatangani pembimbing magang.",
        ),
    )
    services.add_third_party_statement(
        assessor_user,
        assessment,
        unit,
        ThirdPartyInput(
            person="Dewi Lestari",
            relation="Supervisor magang, PT Niaga Nusantara",
            contact="0812-5555-0101",
            statement="Asesi menyusun database penjualan tim selama tiga bulan magang.",
            supports=True,
            clarified_on=timezone.localdate(),
            kuk_ids=tuple(kuk.pk for kuk in kuks),
        ),
    )


def _seed_schedule(users, staff, scheme, assessors, tuk):
    """An upcoming assessment event (issue 16) at the verified campus TUK two weeks from today,
    with both demo assessors and registration open; gita (eligible, no assessor yet) is placed in
    it by staff, which assigns her to the event's assessor with the fewest candidates."""
    if Schedule.objects.filter(scheme=scheme, tuk=tuk).exists():
        return 0
    today = timezone.localdate()
    day = today + datetime.timedelta(days=14)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    schedule = schedule_services.create_schedule(
        staff,
        schedule_services.ScheduleInput(
            scheme=scheme,
            tuk=tuk,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=7),
            mode=Schedule.Mode.ON_SITE,
            meeting_link="",
            assessors=[assessors["asesor@demo.test"], assessors["asesor2@demo.test"]],
            quota=10,
            registration_opens=today - datetime.timedelta(days=7),
            registration_closes=day - datetime.timedelta(days=3),
            funding_source=Schedule.Funding.SELF,
        ),
    )
    waiting = Application.objects.filter(
        applicant=users["gita@demo.test"], status=Application.Status.ELIGIBLE
    ).exclude(assessments__isnull=False)
    if waiting:
        schedule_services.place_candidates(staff, schedule, list(waiting))
    return 1
