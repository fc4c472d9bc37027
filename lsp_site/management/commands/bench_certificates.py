"""Benchmark: render N complete certificates (certificate PDF with QR code, and its card) through
the real task path (`certificates.tasks.render_certificate`), in parallel worker processes.

    python manage.py bench_certificates --count 1000 [--workers 2] [--keep]

It creates N issued certificates with bulk inserts (tagged "BENCH-<run>-"), renders them, checks
each stored file is its own valid PDF, prints the figures, deletes what it created (unless
--keep), and prints `certificates_per_second=<value>` as its last line. A benchmark, not a test:
it asserts nothing about time. Run it against PostgreSQL (DATABASE_URL); with SQLite it uses one
worker.
"""

import datetime
import multiprocessing
import os
import resource
import time
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

from assessment.models import Assessment, Assessor
from certificates.models import Certificate, CertificateCard, Signatory
from decisions.models import Decision, Meeting, TechnicalTeamMember
from registration.models import Application, Scheme

User = get_user_model()


def _render_chunk(pks):
    """Worker process: render each certificate through the Celery task, run in-process."""
    from certificates.tasks import render_certificate

    close_old_connections()
    started = time.perf_counter()
    for pk in pks:
        render_certificate.apply(args=[pk], throw=True)
    connection.close()
    return time.perf_counter() - started


class Command(BaseCommand):
    help = "Render N certificate PDFs (with card and QR) and print certificates_per_second."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=100)
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
        parser.add_argument("--keep", action="store_true", help="Keep the created rows and files.")

    def handle(self, *args, count, workers, keep, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if connection.vendor == "sqlite":
            workers = 1
        run = uuid.uuid4().hex[:8]
        self.stdout.write(f"creating {count} certificates (run {run}) ...")
        started = time.perf_counter()
        pks, owners = self._create(run, count)
        self.stdout.write(f"created in {time.perf_counter() - started:.1f} s")

        chunks = [pks[i::workers] for i in range(workers)]
        connections.close_all()  # each forked worker opens its own connection
        started = time.perf_counter()
        if workers == 1:
            _render_chunk(chunks[0])
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                pool.map(_render_chunk, chunks)
        elapsed = time.perf_counter() - started

        rendered = Certificate.objects.filter(pk__in=pks)
        ready = rendered.filter(pdf_status="ready", card__pdf_status="ready").count()
        valid = 0
        sizes = []
        for certificate in rendered.select_related("card"):
            for document in (certificate, certificate.card):
                with document.pdf.open("rb") as handle:
                    data = handle.read()
                if data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]:
                    valid += 1
                    sizes.append(len(data))
        per_second = count / elapsed
        rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            f"rendered {count} certificates (+{count} cards) with {workers} worker(s) "
            f"in {elapsed:.1f} s\n"
            f"ready: {ready}/{count}; valid PDF files: {valid}/{2 * count}; "
            f"mean size {sum(sizes) / max(len(sizes), 1) / 1024:.1f} KiB\n"
            f"max RSS: worker {rss_children:.0f} MiB, main {rss_self:.0f} MiB"
        )
        if not keep:
            self._delete(pks, owners)
        self.stdout.write(f"certificates_per_second={per_second:.2f}")

    @transaction.atomic
    def _create(self, run, count):
        scheme = Scheme.objects.order_by("pk").first()
        if scheme is None:
            raise CommandError("No scheme in the database; run migrate first.")
        now = timezone.now()
        today = timezone.localdate()
        tag = f"bench-{run}"
        staff = User.objects.create_user(f"{tag}-staff@bench.invalid", None, full_name="Bench")
        assessor = Assessor.objects.create(
            user=User.objects.create_user(f"{tag}-asesor@bench.invalid", None, full_name="Bench"),
            registration_number=f"BENCH-{run}",
            registration_valid_until=today + datetime.timedelta(days=365),
        )
        member = TechnicalTeamMember.objects.create(
            user=User.objects.create_user(f"{tag}-tt@bench.invalid", None, full_name="Bench"),
            qualification="benchmark",
        )
        signatory = Signatory.objects.filter(is_current=True).first() or Signatory.objects.create(
            name="Bench Signatory", title="Direktur LSP", is_current=True
        )
        meeting = Meeting.objects.create(
            title=f"Bench {run}",
            scheduled_at=now,
            location="bench",
            quorum=1,
            planned_by=staff,
            status=Meeting.Status.DECREE_ISSUED,
        )
        holders = User.objects.bulk_create(
            User(email=f"{tag}-{i}@bench.invalid", full_name=f"Peserta Uji {i:05d}")
            for i in range(count)
        )
        applications = Application.objects.bulk_create(
            Application(
                applicant=holder,
                scheme=scheme,
                status=Application.Status.ELIGIBLE,
                full_name=holder.full_name,
                student_number=f"B{i:07d}",
            )
            for i, holder in enumerate(holders)
        )
        assessments = Assessment.objects.bulk_create(
            Assessment(
                application=application,
                assessor=assessor,
                assigned_by=staff,
                assigned_at=now,
                status=Assessment.Status.RECOMMENDED,
                recommendation="K",
                submitted_at=now,
            )
            for application in applications
        )
        decisions = Decision.objects.bulk_create(
            Decision(
                meeting=meeting,
                assessment=assessment,
                result="K",
                basis="benchmark",
                decided_by=member,
                decided_at=now,
                published_at=now,
            )
            for assessment in assessments
        )
        certificates = Certificate.objects.bulk_create(
            Certificate(
                decision=decision,
                holder=holder,
                holder_name=holder.full_name,
                scheme_name=scheme.name,
                scheme_number=scheme.document_number,
                status=Certificate.Status.ACTIVE,
                number=f"BENCH-{run}-{i:05d}",
                issued_on=today,
                valid_until=today + datetime.timedelta(days=365 * scheme.validity_years),
                signatory=signatory,
                agreement_signed_at=now,
                fee_paid_at=now,
                fee_amount=scheme.fee,
            )
            for i, (decision, holder) in enumerate(zip(decisions, holders, strict=True))
        )
        units = list(scheme.units.values_list("pk", flat=True))
        Through = Certificate.scope.through
        Through.objects.bulk_create(
            Through(certificate_id=c.pk, unit_id=unit) for c in certificates for unit in units
        )
        CertificateCard.objects.bulk_create(CertificateCard(certificate=c) for c in certificates)
        owners = [staff.pk, assessor.user_id, member.user_id, *[h.pk for h in holders]]
        return [c.pk for c in certificates], {
            "owners": owners,
            "assessor": assessor.pk,
            "member": member.pk,
            "meeting": meeting.pk,
        }

    @transaction.atomic
    def _delete(self, pks, created):
        certificates = Certificate.objects.filter(pk__in=pks).select_related("card")
        files = []
        for certificate in certificates:
            files += [certificate.pdf, certificate.card.pdf]
        decisions = list(certificates.values_list("decision_id", flat=True))
        assessments = list(
            Decision.objects.filter(pk__in=decisions).values_list("assessment_id", flat=True)
        )
        applications = list(
            Assessment.objects.filter(pk__in=assessments).values_list("application_id", flat=True)
        )
        CertificateCard.objects.filter(certificate_id__in=pks).delete()
        certificates.delete()
        Decision.objects.filter(pk__in=decisions).delete()
        Meeting.objects.filter(pk=created["meeting"]).delete()
        TechnicalTeamMember.objects.filter(pk=created["member"]).delete()
        Assessment.objects.filter(pk__in=assessments).delete()
        Assessor.objects.filter(pk=created["assessor"]).delete()
        Application.objects.filter(pk__in=applications).delete()
        User.objects.filter(pk__in=created["owners"]).delete()
        for field_file in files:
            if field_file:
                transaction.on_commit(lambda f=field_file: f.storage.delete(f.name))
