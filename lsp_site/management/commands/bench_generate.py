"""Fill the database with a large generated LSP for benchmarks (issue 8).

    python manage.py bench_generate --applications 100000 [--seed 1] [--flush] [--i-know]

Writes `--applications` applications across three schemes and every stage, with their units,
assessments, meetings, decisions, certificates, appeals and audit trail, in bulk (see
lsp_site/datagen.py), on the database of DATABASE_URL. Generated users (@gen.example) all
have the password printed at the end. Refuses to run with DEBUG=0 unless --i-know (it writes users
with a known password), and refuses to add to earlier generated data unless --flush removes it
first. Prints the rows per table and the time taken; the last line is
`generated_applications=<n> seconds=<s>`.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from lsp_site import datagen


class Command(BaseCommand):
    help = "Generate a large, realistic LSP in bulk for benchmarks. Not for production."

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--flush", action="store_true", help="Remove earlier generated data (@gen.example)."
        )
        parser.add_argument(
            "--i-know",
            action="store_true",
            dest="i_know",
            help="Run with DEBUG=0 (a throw-away benchmark database only).",
        )
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--no-analyze", action="store_false", dest="analyze", help="Skip ANALYZE at the end."
        )

    def handle(self, *args, applications, seed, flush, i_know, batch_size, analyze, **options):
        if not settings.DEBUG and not i_know:
            raise CommandError(
                "bench_generate refuses to run with DEBUG=0: it writes users with a known "
                "password. Use --i-know only on a throw-away benchmark database."
            )
        if connection.vendor != "postgresql":
            raise CommandError("bench_generate needs PostgreSQL (DATABASE_URL=postgres://...).")
        if applications < 1:
            raise CommandError("--applications must be at least 1.")
        started = time.perf_counter()
        existing = datagen.generated_applications()
        if existing and not flush:
            raise CommandError(
                f"The database already holds {existing} generated applications; add --flush to "
                "remove them first."
            )
        if flush:
            deleted = datagen.flush()
            self.stdout.write(f"Removed {sum(deleted.values())} generated rows.")
        summary = datagen.generate(
            applications, seed=seed, batch_size=batch_size, stdout=self.stdout, analyze=analyze
        )
        self.stdout.write("Stages:")
        for stage, count in summary["stages"].items():
            self.stdout.write(f"  {stage:<20} {count:>8}")
        self.stdout.write(f"  {'built_through_services':<20} {summary['templates']:>8}")
        self.stdout.write(f"Rows written: {summary['rows_total']}")
        self.stdout.write("Rows per table (whole database):")
        for table, count in datagen.table_counts().items():
            self.stdout.write(f"  {table:<45} {count:>10}")
        targets = datagen.bench_targets()
        self.stdout.write(
            f"Log in as {targets['staff']['email']} (staff), {targets['applicant']['email']} "
            f"(applicant), {targets['assessor']['email']} (assessor) with password "
            f"{targets['password']}."
        )
        seconds = time.perf_counter() - started
        self.stdout.write(f"generated_applications={applications} seconds={seconds:.1f}")
