"""Prints how long check_upload takes for a 5 MB scanned PDF and a 100-page text PDF (issue 12).

    DEBUG=1 .venv/bin/python bench/pdf_check.py [--rounds 20] [--uploads path/to/files.py]

The scan is 6 A4 pages of greyscale JPEG at 200 dpi with noise (as a phone scanner app writes
them, Pillow), the text PDF 100 pages of WeasyPrint (PDF 1.7, object streams, embedded fonts, a
link a page). `--uploads` times another version of lsp_portal/files.py, e.g. the one of main:
    git show main:lsp_portal/files.py > /tmp/files_main.py
    DEBUG=1 .venv/bin/python bench/pdf_check.py --uploads /tmp/files_main.py
A benchmark, not a test: it prints numbers and asserts nothing.
"""

import argparse
import importlib.util
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lsp_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402


def scanned_pdf(target=5 * 1024 * 1024):
    """About `target` bytes of scanned pages (JPEG, 200 dpi A4, grey paper with noise)."""
    from PIL import Image, ImageDraw

    rng = random.Random(5)  # noqa: S311 - noise for a picture, not a secret
    pages = []
    for number in range(6):
        noise = Image.frombytes("L", (1654, 2339), rng.randbytes(1654 * 2339))
        paper = Image.new("L", noise.size, 225)
        page = Image.blend(paper, noise, 0.25)
        draw = ImageDraw.Draw(page)
        for line in range(60):
            draw.text((150, 150 + line * 35), f"Halaman {number + 1}, baris {line + 1}", fill=20)
        pages.append(page)
    for quality in range(95, 10, -5):
        out = io.BytesIO()
        pages[0].save(
            out, format="PDF", save_all=True, append_images=pages[1:], resolution=200.0,
            quality=quality,
        )  # fmt: skip
        if out.tell() <= target:
            return out.getvalue()
    return out.getvalue()


def text_pdf(pages=100):
    """100 pages of text (12 paragraphs a page) with a link in each page's footer."""
    import weasyprint

    paragraph = (
        "<p>Asesi menunjukkan kemampuan menangani keluhan pelanggan sesuai SOP. Lorem ipsum dolor "
        "sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
        "dolore magna aliqua.</p>"
    )
    footer = '<p><a href="https://lsp.example/verifikasi">lsp.example/verifikasi</a></p>'
    html = "".join(
        f'<h2 style="break-before: page">Halaman {n + 1}</h2>' + paragraph * 12 + footer
        for n in range(pages)
    )
    return weasyprint.HTML(string=html).write_pdf()


def load_check_upload(path):
    if path is None:
        from lsp_portal.files import check_upload

        return check_upload
    spec = importlib.util.spec_from_file_location("lsp_portal.files_under_test", path)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "lsp_portal"
    spec.loader.exec_module(module)
    return module.check_upload


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--uploads", help="another files.py (or uploads.py) to time")
    args = parser.parse_args()
    check_upload = load_check_upload(args.uploads)
    print(f"uploads: {args.uploads or 'lsp_portal/files.py'}")
    for label, content in (("scanned PDF", scanned_pdf()), ("100-page text PDF", text_pdf())):
        timings = []
        for _ in range(args.rounds):
            upload = SimpleUploadedFile("dokumen.pdf", content)
            started = time.perf_counter()
            check_upload(upload)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"{label}: {len(content) / 1024 / 1024:.2f} MB; check_upload median "
            f"{statistics.median(timings):.1f} ms, max {max(timings):.1f} ms ({args.rounds} runs)"
        )


if __name__ == "__main__":
    main()
