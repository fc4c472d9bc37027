"""Demo data for appeals (seed_demo): indra@ appealed his Belum Kompeten decision and the appeal
team (banding@) is appointed; the finding and the director's answer are left to the browser."""

from decisions.models import Decision

from . import services
from .inputs import AppealInput
from .models import Appeal


def seed_appeals(users, staff):
    indra = users["indra@demo.test"]
    decision = Decision.objects.for_applicant(indra).filter(result=Decision.Result.BK).first()
    if decision is None or Appeal.objects.filter(decision=decision).exists():
        return 0
    if services.appeal_refusal(decision) is not None:
        return 0  # the demo decision is older than the appeal window
    appeal = services.file_appeal(
        indra,
        decision,
        AppealInput(
            process_explained=True,
            discussed_with_assessor=True,
            involve_other_person=False,
            other_person="",
            reasons="Waktu demonstrasi unit M.702093.015.01 (Mengelola program loyalitas "
            "pelanggan) hanya 10 menit, padahal rencana asesmen menyebut 30 menit. Saya tidak "
            "sempat menunjukkan laporan program loyalitas dari tempat magang.",
        ),
        attachments=[],
    )
    services.appoint(staff, appeal, users["banding@demo.test"])
    return 1
