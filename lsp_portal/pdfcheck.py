"""What an uploaded PDF holds that could run, send or open something, read with qpdf (pikepdf).

Chromium's PDF viewer runs a PDF's JavaScript whatever the Content-Security-Policy it is served
with, and Acrobat, where staff may open a downloaded copy, also follows launch and remote go-to
actions. So lsp_portal.files refuses such PDFs instead of serving them. This module reads the
file the way a viewer does - qpdf opens it from the uploaded bytes (no temporary file), decrypts
it when only an owner password is set, follows the cross-reference table of the newest
incremental update, and parses object streams whatever their filters - and then looks at every
object of the file (`pdf.objects`, those packed in object streams included) and every dictionary
and array nested in them: the catalog, every page, annotation, form field, outline item and name
tree. #-escaped names (`/J#61vaScript`) are read as the names they spell.

Refused as ACTIVE:
- JavaScript anywhere: a /JS entry, the /Names /JavaScript tree, an action of type JavaScript
  (from /OpenAction, a link, an outline item, a /Next chain...);
- additional actions (/AA) of pages, annotations, form fields or the document: they fire on their
  own (open, close, focus, keystroke) and exist to run scripts (an empty /AA is ignored);
- actions that launch, send or fetch: Launch, SubmitForm, ImportData, GoToR and GoToE (another
  file, or one embedded; a UNC path in them makes Windows readers send the user's NTLM hash),
  media that plays (Rendition, Movie, Sound, RichMediaExecute);
- a URI action to anything but http, https and mailto (javascript:, file:, data: ...): Chromium
  156 did nothing when a javascript: link was clicked, but other viewers may, and no exported
  document needs one. Plain web and mail links, common in exported documents, are accepted, as
  are relative links (they lead to this portal, where a GET changes nothing);
- embedded files (/EmbeddedFiles, /EF, /Type /EmbeddedFile, FileAttachment annotations), rich
  media, screen, movie, sound and 3D annotations (they carry media or scripts), and XFA forms.

ResetForm is accepted: it only clears the fields of a form in the viewer, runs nothing, sends
nothing and leaves the file unchanged; government forms downloaded as PDF often carry a reset
button. GoTo, Named, Hide, SetOCGState, Thread and Trans only move or show within the document.

Every stream that is not an image is decoded with all its filters (Flate, LZW, ASCII85, ASCIIHex,
RunLength, stacked in any order), so that an object stream or a content stream that does not
decode is found; the names a content stream holds only select resources or tag content and can
start nothing, so actions are looked for in the dictionaries, which are all read.

UNREADABLE: qpdf cannot open the file, an object stream does not decode, the file has no page, or
it needs more work than a real document does: more than MAX_OBJECTS objects, more than MAX_ITEMS
values, more than MAX_DECODED_BYTES decoded from its streams (MAX_STREAM_BYTES from one, by
qpdf's own limits) or any other of qpdf's limits reached. qpdf has no limit for LZW (540 KB of
LZW decoded to 736 MB and 1.4 GB of memory here), so `check` reads the file in a forked child
process that may use MEMORY_BYTES more address space than the worker it was forked from and
SECONDS of time: a decompression bomb, or a crash of the C++ parser, ends that process, not the
web worker, and the file is refused as unreadable. A fork costs about 10 ms a file.

PASSWORD: the file needs a password to open (a user password); one protected only by an owner
password (permissions) opens without one and is read like any other.
"""

import io
import multiprocessing
import re
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pikepdf
import pikepdf.settings

OK, ACTIVE, UNREADABLE, PASSWORD = "ok", "active", "unreadable", "password"

MAX_OBJECTS = 50_000  # a 1,000-page text PDF has about 10,000
MAX_ITEMS = 1_000_000  # values in one array or dictionary, and in all those walked together
MAX_DECODED_BYTES = 128 * 1024 * 1024  # from all streams that are not images
MAX_STREAM_BYTES = 64 * 1024 * 1024  # from one stream (qpdf's Flate, RunLength, predictors)
MAX_FILTERS = 5  # filters stacked on one stream (real files use at most 2)
MAX_WARNINGS = 500  # qpdf gives up on a file that needs more repairs
MEMORY_BYTES = 1024 * 1024 * 1024  # address space of the child process
SECONDS = 20  # wall and CPU time of the child process

REFUSED_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent"}
)
REFUSED_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/RichMediaExecute",
    }
)
REFUSED_SUBTYPES = frozenset(
    {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
)
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Image codecs: pixel data, never decoded here (qpdf does not decode them either).
IMAGE_FILTERS = frozenset(
    {"/DCTDecode", "/DCT", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/CCF"}
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_MENTIONED: list[bytes] = sorted(
    {
        name[1:].encode()
        for name in REFUSED_KEYS | REFUSED_ACTIONS | REFUSED_SUBTYPES | {"/URI", "/EmbeddedFile"}
    },
    key=len,
    reverse=True,
)
_MENTIONS = re.compile(rb"/(?:%s)(?![^\s()<>\[\]{}/%%])" % b"|".join(_MENTIONED))

_DICTIONARY = pikepdf.ObjectType.dictionary
_ARRAY = pikepdf.ObjectType.array
_STREAM = pikepdf.ObjectType.stream
_NAME = pikepdf.ObjectType.name_
_STRING = pikepdf.ObjectType.string
# Flate, LZW, ASCII85, ASCIIHex and RunLength (with predictors), not the image codecs.
_ALL_BUT_IMAGES = pikepdf.StreamDecodeLevel.specialized


@dataclass(frozen=True)
class Finding:
    verdict: str  # OK, ACTIVE, UNREADABLE or PASSWORD
    reason: str = ""  # what was found, for the log (English, not shown to users)


class _Refused(Exception):
    def __init__(self, verdict: str, reason: str) -> None:
        super().__init__(reason)
        self.finding = Finding(verdict, reason)


def check(data: bytes) -> Finding:
    """Inspect the PDF `data` in a child process (see the module docstring): a Finding.

    The child is forked: it has the bytes already, and only its answer comes back through the
    pipe. It runs only qpdf and this module, and ends with os._exit, never touching what it
    inherited (database connections, open files)."""
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(writer, data), daemon=True)
    process.start()
    writer.close()
    try:
        if not reader.poll(SECONDS):
            return Finding(UNREADABLE, f"not read within {SECONDS} s")
        try:
            finding: Finding = reader.recv()
            return finding
        except EOFError:
            return Finding(UNREADABLE, f"the reader ended with exit code {process.exitcode}")
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        reader.close()


def _child(connection: Connection, data: bytes) -> None:
    try:
        # The address space starts as the parent's (a copy on write): allow MEMORY_BYTES more.
        _limit(resource.RLIMIT_AS, _address_space() + MEMORY_BYTES)
        _limit(resource.RLIMIT_CPU, SECONDS)
        pikepdf.settings.set_qpdf_limits(
            flate_max_memory=MAX_STREAM_BYTES,
            run_length_max_memory=MAX_STREAM_BYTES,
            png_max_memory=MAX_STREAM_BYTES,
            tiff_max_memory=MAX_STREAM_BYTES,
            max_stream_filters=MAX_FILTERS,
            doc_max_warnings=MAX_WARNINGS,
            parser_max_container_size=MAX_ITEMS,
        )
        finding = inspect(data)
    except BaseException as exc:  # noqa: BLE001 - out of memory, or a qpdf error: unreadable
        finding = Finding(UNREADABLE, f"{type(exc).__name__}: {_message(exc)}")
    connection.send(finding)
    connection.close()


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:  # not Linux: RLIMIT_AS then counts from zero, as a new process would
        return 0


def _limit(kind: int, value: int) -> None:
    _soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def inspect(data: bytes) -> Finding:
    """Read the PDF `data` and say what it holds: a Finding. Runs in the child process of
    `check` (qpdf's limits are set there); call it directly only on trusted data."""
    try:
        pdf = pikepdf.open(
            io.BytesIO(data), conversion_mode="explicit", inherit_page_attributes=False
        )
    except pikepdf.PasswordError:
        return Finding(PASSWORD, "a password is needed to open it")
    except pikepdf.PdfError as exc:
        return Finding(UNREADABLE, f"qpdf cannot open it: {_message(exc)}")
    limit_errors = pikepdf.settings.qpdf_limit_errors()
    try:
        with pdf:
            _Walk(pdf).run()
            if pikepdf.settings.qpdf_limit_errors() != limit_errors:
                raise _Refused(UNREADABLE, "a limit of qpdf was reached")
    except _Refused as refused:
        return refused.finding
    except pikepdf.PdfError as exc:
        return Finding(UNREADABLE, f"qpdf cannot read it: {_message(exc)}")
    return Finding(OK)


class _Walk:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.items = 0
        self.decoded = 0

    def run(self) -> None:
        if len(self.pdf.get_xref_table()) > MAX_OBJECTS:
            raise _Refused(UNREADABLE, f"more than {MAX_OBJECTS} objects")
        objects = [obj for obj in self.pdf.objects if obj is not None]
        if len(self.pdf.pages) == 0:
            raise _Refused(UNREADABLE, "no page")
        stack = [self.pdf.trailer]
        for obj in objects:
            if obj._type_code == _STREAM:
                self._stream(obj)
                obj = obj.stream_dict
            # qpdf writes every name as it reads (#-escapes decoded), so an object in whose text
            # none of the names looked for appears holds none of them: only the others are
            # walked value by value (most of a file are pages, fonts and content).
            if _MENTIONS.search(obj.unparse(resolved=True)):
                stack.append(obj)
        while stack:
            self._visit(stack.pop(), stack)

    def _visit(self, obj: pikepdf.Object, stack: list[pikepdf.Object]) -> None:
        kind = obj._type_code
        if kind == _DICTIONARY:
            self._dictionary(obj)
            values = list(obj.values())
        elif kind == _ARRAY:
            values = list(obj)
        else:
            return
        self.items += len(values)
        if self.items > MAX_ITEMS:
            raise _Refused(UNREADABLE, f"more than {MAX_ITEMS} values")
        for value in values:
            # Indirect objects are all in `objects` already: only what is nested directly here.
            if (
                value is not None
                and value._type_code in (_DICTIONARY, _ARRAY)
                and not value.is_indirect
            ):
                stack.append(value)

    def _dictionary(self, obj: pikepdf.Object) -> None:
        where = f"in object {obj.objgen[0]} {obj.objgen[1]}" if obj.is_indirect else "nested"
        found = REFUSED_KEYS.intersection(obj.keys())
        if found == {"/AA"} and _is_empty_dictionary(obj.get("/AA")):
            found = frozenset()  # an empty /AA, as some writers leave it, triggers nothing
        if found:
            raise _Refused(ACTIVE, f"{min(found)} {where}")
        action = obj.get("/S")
        if action is not None and action._type_code == _NAME:
            if str(action) in REFUSED_ACTIONS:
                raise _Refused(ACTIVE, f"/S {action} {where}")
            if str(action) == "/URI":
                self._uri(obj.get("/URI"), where)
        for key, refused in (("/Subtype", REFUSED_SUBTYPES), ("/Type", {"/EmbeddedFile"})):
            value = obj.get(key)
            if value is not None and value._type_code == _NAME and str(value) in refused:
                raise _Refused(ACTIVE, f"{key} {value} {where}")

    def _uri(self, uri: pikepdf.Object | None, where: str) -> None:
        if uri is None or uri._type_code != _STRING:
            return
        # As a browser reads a URL: leading spaces and control characters, tabs and line breaks
        # anywhere are dropped ("\tjava\nscript:" is javascript:).
        text = re.sub(r"[\t\n\r]", "", bytes(uri).decode("latin-1")).lstrip(
            "".join(map(chr, range(33)))
        )
        scheme = _SCHEME.match(text)
        if scheme and scheme.group(1).lower() not in LINK_SCHEMES:
            raise _Refused(ACTIVE, f"a {scheme.group(1)}: link {where}")

    def _stream(self, stream: pikepdf.Object) -> None:
        """Decode a stream that is not an image with all its filters, within the budget."""
        info = stream.stream_dict
        filters = info.get("/Filter")
        if filters is None:
            names = []
        elif filters._type_code == _NAME:
            names = [str(filters)]
        elif filters._type_code == _ARRAY:
            names = [str(f) if f is not None and f._type_code == _NAME else "?" for f in filters]
        else:
            names = ["?"]
        subtype = info.get("/Subtype")
        is_image = _is_name(subtype, "/Image")
        packs_objects = _is_name(info.get("/Type"), "/ObjStm")
        if not packs_objects and (is_image or IMAGE_FILTERS.intersection(names)):
            return
        if len(names) > MAX_FILTERS:
            raise _Refused(UNREADABLE, f"{len(names)} filters on object {stream.objgen[0]}")
        try:
            self.decoded += len(stream.read_bytes(decode_level=_ALL_BUT_IMAGES))
        except pikepdf.PdfError as exc:
            message = f"object {stream.objgen[0]} does not decode: {_message(exc)}"
            raise _Refused(UNREADABLE, message) from exc
        if self.decoded > MAX_DECODED_BYTES:
            raise _Refused(UNREADABLE, f"more than {MAX_DECODED_BYTES} bytes decoded")


def _is_empty_dictionary(value: pikepdf.Object | None) -> bool:
    return value is not None and value._type_code == _DICTIONARY and len(value.keys()) == 0


def _is_name(value: pikepdf.Object | None, name: str) -> bool:
    return value is not None and value._type_code == _NAME and str(value) == name


def _message(exc: BaseException) -> str:
    """qpdf's message without the name of the in-memory file it read, cut to a log line."""
    return re.sub(r"stream <_io\.BytesIO object at 0x[0-9a-f]+>:? ?", "", str(exc))[:300]
