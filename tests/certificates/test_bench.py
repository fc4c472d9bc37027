"""The certificate benchmark command works end to end (its speed is printed, never asserted)."""

import re

import pytest
from django.core.management import call_command

from certificates.models import Certificate
from lsp_portal.accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_renders_valid_pdfs_prints_the_rate_and_cleans_up(capsys, scheme):
    users_before = User.objects.count()
    call_command("bench_certificates", "--count", "2", "--workers", "1")
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"certificates_per_second=\d+\.\d\d", lines[-1])
    assert "ready: 2/2; valid PDF files: 4/4" in "\n".join(lines)
    assert not Certificate.objects.exists()
    assert User.objects.count() == users_before
