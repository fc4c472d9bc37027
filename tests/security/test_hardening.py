"""Hardening (issue 12, item 10): a Permissions-Policy on every page, the language cookie Secure,
HttpOnly and SameSite in production, and PDFs that load nothing but their own resources. The
attack on the PDFs: a value placed into a document's CSS or an image source made WeasyPrint
fetch an internal URL while rendering; it could also have embedded a local file."""

import http.server
import json
import logging
import threading

import pytest

from lsp_portal import pdf
from tests.security.test_login_and_headers import database_url, production  # noqa: F401

HOSTILE = """<html><head><style>
body {{ background: url("{css}"); }}
@import url("{css}/import.css");
</style></head><body>
<p>{{{{ value }}}}</p>
<img src="{img}">
<a rel="attachment" href="file:///etc/passwd">x</a>
<img src="file:///etc/hostname">
<img src="static/favicon.svg">
</body></html>"""


@pytest.fixture
def listener():
    """An HTTP server on loopback that records every request it gets (an internal service)."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()


def test_a_pdf_fetches_nothing_from_the_network_and_reads_no_other_file(
    settings, tmp_path, listener, caplog
):
    base, seen = listener
    (tmp_path / "hostile.html").write_text(HOSTILE.format(css=f"{base}/css", img=f"{base}/img"))
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    with caplog.at_level(logging.WARNING, logger="lsp_portal.pdf"):
        document = pdf.render_pdf("hostile.html", {"value": "Nama Pemegang"})
    assert document.startswith(b"%PDF-")
    assert seen == []
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("file:///etc/passwd" in message for message in refused)
    assert any("file:///etc/hostname" in message for message in refused)
    assert any(base in message for message in refused)
    # The portal's own static files still load.
    assert not any("favicon.svg" in message for message in refused)


def test_every_page_sends_a_permissions_policy(client, alice):
    client.force_login(alice)
    for url in ("/", "/dashboard/", "/verify/"):
        response = client.get(url, follow=True)
        policy = dict(
            part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
        )
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert policy[feature] == "()", (url, feature)
        assert policy["fullscreen"] == "(self)"


def test_the_language_cookie_is_secure_httponly_and_lax_in_production(database_url, tmp_path):  # noqa: F811
    result = production(
        "import json, django; django.setup(); from django.test import Client; "
        "r = Client().post('/i18n/setlang/', {'language': 'en', 'next': '/'}, secure=True, "
        "HTTP_HOST='lsp.example.org'); "
        "print(json.dumps({'status': r.status_code, "
        "'cookie': r.cookies['django_language'].OutputString()}))",
        database_url,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["status"] == 302
    cookie = found["cookie"]
    assert "django_language=en" in cookie
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
