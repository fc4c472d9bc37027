"""The hostile upload corpus (issue 7): files an attacker, or an unlucky user, sends to every upload
of the portal, each with the name it is uploaded under and the outcome the portal must give.

The files are in `files/`, real bytes, all small. The four that are large or large once decoded
are built at test time by the generators below: one byte over `settings.UPLOAD_MAX_BYTES`,
exactly at it, a 30000 x 30000 pixel PNG (112 MB decoded, about 110 KB compressed) and a PDF of
60,000 objects (250 KB). The file
name on disk is not the upload name: `upload_name` is what the browser (or curl) sends, e.g.
`../../etc/passwd.pdf` for the benign PDF.

Outcomes:
- refused: the message of `MESSAGES[refused]` (a msgid of lsp_portal/files.py; tests compare
  its Indonesian translation), no row, no file;
- stored: harmless because the portal keeps only checked PDF/JPEG/PNG bytes under a random
  name, serves them as `content_type` with `nosniff`, a script-free Content-Security-Policy and a
  Content-Disposition built from `display_name`, the cleaned name whose extension matches the
  content.

A PDF is read with qpdf (pikepdf) by lsp_portal/pdfcheck.py, every object of it, those packed
in object streams included, whatever filters they are encoded with. One that can run something -
JavaScript (/OpenAction, /AA, the /Names JavaScript tree), /Launch, /SubmitForm, /ImportData,
/GoToR, /GoToE, a javascript: link, an embedded file, rich media, an XFA form - is refused
("active"), not stored; so is one qpdf cannot read, or that is a decompression bomb or has more
objects than a document ("unreadable"), and one that needs a password ("password"). Serving cannot
make a script harmless: Chromium 156 showed the app.alert of every JavaScript PDF here served
with the portal's PDF headers (`default-src 'none'`, `nosniff`; those of issue 7 also with
`sandbox` added), among them pdf-js-objstm-flate-flate.pdf, an object stream compressed twice,
which passed the hand-written scanner of issue 7 and ran in a staff member's browser. Chromium did
nothing with the XFA form and the javascript: link (clicked); they are refused all the same, as
other viewers act on them and no scan or exported document has one. Plain web and mail links, a
reset button, an owner password (permissions only) and scans are stored. The PDFs added for issue
12 are written by make_pdfs.py (run it to rebuild them).
"""

import functools
import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

FILES = Path(__file__).parent / "files"

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"

# The refusal messages by the code lsp_portal.files.check_upload gives them (msgids).
MESSAGES = {
    "empty": "The file is empty.",
    "too_large": "The file is %(size)s; the largest accepted is %(limit)s.",
    "type": "This file is not a PDF, JPEG or PNG document. Only these are accepted.",
    "pdf_damaged": "This PDF file is damaged or incomplete.",
    "image_damaged": "The image is damaged or cannot be read.",
    "bomb": "The image is too large in pixels.",
    "active": (
        "This PDF contains scripts, attached files or actions, which are not accepted. "
        "Print or scan the document to a new PDF and upload that."
    ),
    "unreadable": (
        "This PDF file cannot be read. Save or print it again as a new PDF and upload that."
    ),
    "password": (
        "This PDF is protected by a password. Save or print it again as a new PDF without a "
        "password and upload that."
    ),
}

LONG_NAME = "KTP_" + "a" * 292 + ".pdf"  # 300 characters


@dataclass(frozen=True)
class Item:
    id: str
    what: str
    source: str  # a file in files/, or "generated:<generator>"
    upload_name: str
    refused: str | None = None  # a MESSAGES key; None: stored
    content_type: str | None = None  # stored: the type it is served as
    display_name: str | None = None  # stored: the name shown and put in Content-Disposition

    @property
    def stored(self):
        return self.refused is None

    def content(self, limit):
        """The bytes to upload; `limit` is settings.UPLOAD_MAX_BYTES."""
        if self.source.startswith("generated:"):
            return GENERATORS[self.source.split(":", 1)[1]](limit)
        return (FILES / self.source).read_bytes()


def refused(id, what, source, upload_name, key):
    return Item(id, what, source, upload_name, refused=key)


def stored(id, what, source, upload_name, content_type, display_name):
    return Item(id, what, source, upload_name, content_type=content_type, display_name=display_name)


CORPUS = [
    # -- executables and scripts under a document's name --------------------------------------
    refused("elf-as-pdf", "Linux x86-64 ELF (exits 42)", "elf-x86_64-exit42", "ktp.pdf", "type"),
    refused("pe-as-jpg", "Windows PE32 executable", "pe-win32-as-photo.jpg", "foto.jpg", "type"),
    refused(
        "pe-double-extension",
        "Windows PE32 executable, double extension",
        "pe-win32-double-extension.exe",
        "ktp.pdf.exe",
        "type",
    ),
    refused("shell-script", "POSIX shell script", "shell-script.sh", "ktp.pdf", "type"),
    refused("php-webshell", "PHP web shell", "php-webshell.php", "shell.php.jpg", "type"),
    refused("htaccess", "Apache .htaccess (PDFs as PHP)", "htaccess", ".htaccess", "type"),
    # -- markup a browser would run ------------------------------------------------------------
    refused("html-script", "HTML page with <script>", "html-script.html", "ktp.pdf", "type"),
    refused("svg-as-png", "SVG with <script>", "svg-script-as-photo.svg", "foto.png", "type"),
    refused("svg", "SVG with onload=", "svg-onload.svg", "foto.svg", "type"),
    refused("xhtml", "XHTML with <script>", "xhtml-script.xhtml", "ktp.xhtml", "type"),
    refused(
        "html-then-pdf",
        "HTML page followed by a PDF (readers find %PDF- in the first KB)",
        "html-then-pdf.pdf",
        "ktp.pdf",
        "type",
    ),
    refused(
        "markup-name",
        "HTML page uploaded under a name that is markup",
        "html-script.html",
        "<svg onload=alert(1)>.pdf",
        "type",
    ),
    # -- PDFs ----------------------------------------------------------------------------------
    refused(
        "pdf-javascript",
        "PDF with /OpenAction JavaScript and a /Names JavaScript tree",
        "pdf-javascript-openaction.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-javascript-objstm",
        "PDF 1.5 whose JavaScript action sits in a compressed object stream, as /J#61vaScript",
        "pdf-javascript-objstm.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-launch-exe",
        "PDF with a /Launch action and an embedded .exe",
        "pdf-embedded-exe-launch.pdf",
        "lampiran.pdf",
        "active",
    ),
    stored(
        "polyglot-pdf-html",
        "PDF whose header comment is an HTML page with <script>, named .html",
        "polyglot-pdf-html.pdf",
        "bukti.html",
        PDF,
        "bukti.html.pdf",
    ),
    refused(
        "truncated-pdf", "first half of a PDF (no %%EOF)", "truncated.pdf", "ktp.pdf", "pdf_damaged"
    ),
    # -- PDFs of issue 12 (make_pdfs.py): what a PDF parser must see ------------------------------
    refused(
        "pdf-js-stacked-filters",
        "/OpenAction script in an object stream with /Filter [/FlateDecode /FlateDecode]",
        "pdf-js-objstm-flate-flate.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-js-hex-escaped",
        "/Open#41ction with /S /J#61vaScript and /#4A#53 (#-escaped names)",
        "pdf-js-hex-escaped-names.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-js-objstm-extends",
        "catalog in one object stream, its script action in another that /Extends it",
        "pdf-js-objstm-extends.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-js-incremental-update",
        "benign.pdf with an appended update whose new catalog has an /OpenAction script",
        "pdf-js-incremental-update.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-js-encrypted",
        "AES-256, owner password only (opens without one), script in an encrypted object stream",
        "pdf-js-encrypted-aes256.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-js-asciihex",
        "script in an object stream encoded /ASCIIHexDecode",
        "pdf-js-objstm-asciihex.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-js-ascii85",
        "script in an object stream encoded [/ASCII85Decode /FlateDecode]",
        "pdf-js-objstm-ascii85.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-js-runlength",
        "script in an object stream encoded /RunLengthDecode",
        "pdf-js-objstm-runlength.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-aa-page",
        "page /AA: a script when the page opens",
        "pdf-aa-page-open.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-launch-annotation",
        "link annotation whose action is /Launch (cmd.exe)",
        "pdf-launch-annotation.pdf",
        "lampiran.pdf",
        "active",
    ),
    refused("pdf-xfa", "XFA form with a script", "pdf-xfa-form.pdf", "formulir.pdf", "active"),
    refused(
        "pdf-submitform",
        "button whose /SubmitForm sends the fields to another site",
        "pdf-submitform-button.pdf",
        "formulir.pdf",
        "active",
    ),
    refused(
        "pdf-file-attachment",
        "/FileAttachment annotation with an embedded .exe",
        "pdf-file-attachment.pdf",
        "lampiran.pdf",
        "active",
    ),
    refused(
        "pdf-gotor-unc",
        "/OpenAction /GoToR to a file on a Windows share (leaks the NTLM hash)",
        "pdf-gotor-unc.pdf",
        "lampiran.pdf",
        "active",
    ),
    refused(
        "pdf-uri-javascript",
        "link whose /URI is javascript:",
        "pdf-uri-javascript.pdf",
        "lampiran.pdf",
        "active",
    ),
    refused(
        "pdf-password",
        "needs a password to open (RC4, user password)",
        "pdf-password-required.pdf",
        "ktp.pdf",
        "password",
    ),
    refused(
        "pdf-damaged",
        "PDF header, 4 KB of noise, %%EOF: qpdf finds no object",
        "pdf-damaged-no-objects.pdf",
        "ktp.pdf",
        "unreadable",
    ),
    refused(
        "pdf-bomb-flate",
        "content stream [/FlateDecode /FlateDecode] decoding to 1 GiB (2 KB file)",
        "pdf-bomb-flate-flate.pdf",
        "ktp.pdf",
        "unreadable",
    ),
    refused(
        "pdf-bomb-lzw",
        "content stream [/FlateDecode /LZWDecode] decoding to 2.2 GB (qpdf has no LZW limit)",
        "pdf-bomb-lzw.pdf",
        "ktp.pdf",
        "unreadable",
    ),
    refused(
        "pdf-many-objects",
        "60,000 objects in object streams (250 KB)",
        "generated:many_objects",
        "ktp.pdf",
        "unreadable",
    ),
    stored(
        "pdf-owner-password",
        "RC4, owner password only: opens without a password, no script",
        "pdf-owner-password-only.pdf",
        "ktp.pdf",
        PDF,
        "ktp.pdf",
    ),
    stored(
        "pdf-web-links",
        "plain https and mailto links, as exported documents have",
        "pdf-web-links.pdf",
        "sertifikat.pdf",
        PDF,
        "sertifikat.pdf",
    ),
    stored(
        "pdf-reset-form",
        "form with a text field and a /ResetForm button",
        "pdf-reset-form.pdf",
        "formulir.pdf",
        PDF,
        "formulir.pdf",
    ),
    stored(
        "pdf-scan",
        "scanned page: one JPEG image (Pillow)",
        "pdf-scanned-page.pdf",
        "surat-magang.pdf",
        PDF,
        "surat-magang.pdf",
    ),
    # -- images, polyglots and archives --------------------------------------------------------
    refused("gifar", "GIF with a Java archive appended (GIFAR)", "gifar.gif", "foto.jpg", "type"),
    stored(
        "jpeg-zip",
        "JPEG with a ZIP (index.html) appended",
        "jpeg-zip-polyglot.jpg",
        "foto.jpg",
        JPEG,
        "foto.jpg",
    ),
    stored(
        "jpeg-exif-html",
        "JPEG with <script> in EXIF ImageDescription/Artist and a COM segment",
        "jpeg-exif-html.jpg",
        "foto.jpg",
        JPEG,
        "foto.jpg",
    ),
    refused(
        "fake-jpeg",
        "JPEG magic bytes followed by HTML",
        "fake-jpeg-magic.jpg",
        "foto.jpg",
        "image_damaged",
    ),
    stored("png-as-pdf", "real PNG named .pdf", "png-named-pdf.png", "ktp.pdf", PNG, "ktp.pdf.png"),
    refused("zip", "ZIP with a PDF and a script", "archive.zip", "dokumen.zip", "type"),
    refused("docm", "Word document with a VBA macro part", "macro.docm", "ktp.docm", "type"),
    # -- sizes ---------------------------------------------------------------------------------
    refused("empty", "0 bytes", "empty.pdf", "ktp.pdf", "empty"),
    refused(
        "over-limit",
        "valid PDF, one byte over the limit",
        "generated:over_limit",
        "ktp.pdf",
        "too_large",
    ),
    stored(
        "at-limit",
        "valid PDF, exactly at the limit",
        "generated:at_limit",
        "ktp.pdf",
        PDF,
        "ktp.pdf",
    ),
    refused(
        "pixel-bomb",
        "PNG of 30000 x 30000 pixels (112 MB decoded, ~110 KB)",
        "generated:pixel_bomb",
        "foto.png",
        "bomb",
    ),
    refused(
        "bomb-header",
        "PNG declaring 65535 x 65535 RGB pixels (12.9 GB decoded), one row of data",
        "bomb-header-only.png",
        "foto.png",
        "bomb",
    ),
    # -- hostile names on a benign PDF ---------------------------------------------------------
    stored("traversal", "path traversal", "benign.pdf", "../../etc/passwd.pdf", PDF, "passwd.pdf"),
    stored(
        "traversal-windows",
        "Windows path traversal",
        "benign.pdf",
        "..\\..\\Windows\\win.ini.pdf",
        PDF,
        "win.ini.pdf",
    ),
    stored(
        "long-name",
        "300-character name",
        "benign.pdf",
        LONG_NAME,
        PDF,
        "KTP_" + "a" * 112 + ".pdf",
    ),
    stored(
        "non-ascii",
        "non-ASCII name (Latin, CJK, emoji)",
        "benign.pdf",
        "KTP_Ñandú_日本語_🙂.pdf",
        PDF,
        "KTP_Ñandú_日本語_🙂.pdf",
    ),
    stored(
        "non-ascii-decomposed",
        "non-ASCII name in NFD (as macOS sends it)",
        "benign.pdf",
        "Fotokopi_KTM_Ñandú.pdf".replace("Ñ", "N\u0303").replace("ú", "u\u0301"),
        PDF,
        "Fotokopi_KTM_Ñandú.pdf",
    ),
    stored(
        "control-characters",
        "NUL, CR, LF, TAB, ESC and a quote in the name",
        "benign.pdf",
        'ktp\x00\r\n\t\x1b[31m"merah".pdf',
        PDF,
        "ktp[31mmerah.pdf",
    ),
    stored(
        "right-to-left-override",
        "U+202E makes 'ktp_\u202egpj.exe' look like ktp_exe.jpg",
        "benign.pdf",
        "ktp_\u202egpj.exe",
        PDF,
        "ktp_gpj.exe.pdf",
    ),
    stored(
        "header-injection",
        "quote and CRLF to end Content-Disposition and add headers",
        "benign.pdf",
        'ktp.pdf"\r\nSet-Cookie: sessionid=stolen\r\nX-Injected: 1',
        PDF,
        "ktp.pdfSet-Cookie sessionid=stolenX-Injected 1.pdf",
    ),
    stored(
        "markup-name-stored",
        "name that is an HTML tag",
        "benign.pdf",
        "<img src=x onerror=alert(1)>.pdf",
        PDF,
        "img src=x onerror=alert(1).pdf",
    ),
    stored("dot-name", "name that is only an extension", "benign.pdf", ".pdf", PDF, "pdf.pdf"),
]


# ---------------------------------------------------------------------------------------------
# Generators for what is too large to commit
# ---------------------------------------------------------------------------------------------


def _pdf(padding):
    """A valid one-page PDF with an unreferenced stream object of `padding` bytes."""
    text = b"BT /F1 18 Tf 72 760 Td (Ukuran batas) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (padding, b"0" * padding),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


@functools.cache
def pdf_of_size(size):
    """A valid PDF of exactly `size` bytes."""
    padding = size
    for _ in range(10):
        content = _pdf(padding)
        if len(content) == size:
            return content
        padding += size - len(content)
    raise ValueError(f"cannot build a PDF of {size} bytes")


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def pixel_bomb_png(side=30000):
    """A real, complete 1-bit PNG of side x side black pixels, compressed row by row (never held
    decoded in memory here)."""
    rows = b"\x00" * (1 + (side + 7) // 8) * 1000  # 1000 rows: filter byte + packed pixels each
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(rows) for _ in range(side // 1000))
    data += compressor.compress(rows[: (side % 1000) * (1 + (side + 7) // 8)])
    data += compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


@functools.cache
def many_objects_pdf():
    from .make_pdfs import many_objects

    return many_objects()


GENERATORS = {
    "many_objects": lambda limit: many_objects_pdf(),
    "over_limit": lambda limit: pdf_of_size(limit + 1),
    "at_limit": lambda limit: pdf_of_size(limit),
    "pixel_bomb": lambda limit: pixel_bomb_png(),
}
