"""Prints how long the minutes, decree (SK), certificate and card PDFs take to render.

Run after `make run` (or `manage.py seed_demo`) so the demo meeting exists:
    DEBUG=1 .venv/bin/python bench/pdf_render.py [rounds]
A benchmark, not a test: it prints numbers and asserts nothing.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lsp_portal.settings")

import django  # noqa: E402

django.setup()

from certificates.models import Certificate, CertificateCard  # noqa: E402
from decisions.models import Decree, Minutes  # noqa: E402
from lsp_portal.pdf import render_pdf  # noqa: E402


def main(rounds):
    started = time.perf_counter()
    import weasyprint  # noqa: F401

    print(f"import weasyprint: {(time.perf_counter() - started) * 1000:.0f} ms")
    for model in (Minutes, Decree, Certificate, CertificateCard):
        document = model.objects.exclude(pdf="").first()
        if document is None:
            print(f"{model.__name__}: none in the database - run seed_demo first")
            continue
        timings = []
        for _ in range(rounds + 1):
            started = time.perf_counter()
            data = render_pdf(document.pdf_template, document.pdf_context())
            timings.append((time.perf_counter() - started) * 1000)
        first, rest = timings[0], timings[1:]
        print(
            f"{model.__name__}: first {first:.0f} ms; next {rounds}: median "
            f"{statistics.median(rest):.0f} ms, max {max(rest):.0f} ms; {len(data)} bytes"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
