"""Citizens' uploads (lutetia.files): real files made here, a real clamd protocol, the private
storage, and the settings that steer them."""

import io
import socket
import socketserver
import struct
import tempfile
import threading
import zipfile
import zlib
from pathlib import Path

import magic
import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import path
from django.utils import translation
from PIL import Image

from lutetia import files
from lutetia.conf import ConfigError, load
from lutetia.conf.django import storages as storages_from_config
from lutetia.files.filetypes import sniff
from lutetia.files.scan import MESSAGES as SCAN_MESSAGES
from lutetia.files.scan import scan
from lutetia.files.storage import PrivateFileSystemStorage

try:  # the PDF writer workflows use, on its way from the workflow plugin to the core
    from lutetia.pdf import render as render_pdf
except ImportError:
    from lutetia_workflow.pdf import render as render_pdf

# The antivirus test file, put together at run time so that no scanner quarantines this source.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE = "Eicar-Test-Signature"

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- files, made as their programs make them ---------------------------------------------------


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are compared in English; the installation's default language is French."""
    with translation.override("en"):
        yield


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def png(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return buffer.getvalue()


def picture(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buffer, fmt)
    return buffer.getvalue()


def pdf() -> bytes:
    return render_pdf("Attestation de domicile", "Je soussigné certifie résider à Lutèce.")


def docx(*, main: str = WORD_MAIN + ".main+xml", content_types_first: bool = True) -> bytes:
    """The smallest Word document: [Content_Types].xml, the package relationships, the body.
    Word writes [Content_Types].xml first; other producers do not, and libmagic then only sees
    a ZIP."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Demande de badge</w:t></w:r></w:p></w:body></w:document>"
    )
    entries = [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels),
        ("word/document.xml", document),
    ]
    if not content_types_first:
        entries = [("docProps/core.xml", "<cp:coreProperties/>"), *reversed(entries)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in entries:
            archive.writestr(name, text)
    return buffer.getvalue()


def xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Projet", "Budget"])
    workbook.active.append(["Jardin partagé", 12000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # ODF: the first entry, stored uncompressed, is the type.
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
    return buffer.getvalue()


def a_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "nothing to see")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header that declares ``width`` × ``height`` pixels over a few bytes of data:
    the shape of a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def refusal(uploaded, **options) -> ValidationError:
    with pytest.raises(ValidationError) as error:
        files.check_upload(uploaded, **options)
    return error.value


# --- what passes ---------------------------------------------------------------------------------


def test_a_png_passes_and_is_described_from_its_content():
    content = png(40, 30)

    checked = files.check_upload(upload("photo du trottoir.png", content))

    assert checked.name == "photo du trottoir.png"
    assert checked.content_type == "image/png"
    assert checked.size == len(content)
    assert (checked.width, checked.height) == (40, 30)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("attestation.pdf", pdf, "application/pdf"),
        ("PHOTO.JPEG", lambda: picture("JPEG"), "image/jpeg"),
        ("carte.webp", lambda: picture("WEBP"), "image/webp"),
        ("plan.gif", lambda: picture("GIF"), "image/gif"),
        ("demande.docx", docx, WORD_MAIN),
        ("budget.xlsx", xlsx, EXCEL_MAIN),
        ("lettre.odt", odt, "application/vnd.oasis.opendocument.text"),
        ("notes.txt", lambda: b"Bonjour,\nvoici ma demande.\n", "text/plain"),
    ],
)
def test_each_type_of_the_default_set_passes(name, make, content_type):
    checked = files.check_upload(upload(name, make()))

    assert checked.content_type == content_type
    assert checked.width is None or content_type.startswith("image/")


def test_a_docx_whose_entries_libmagic_does_not_expect_first_is_still_a_docx():
    content = docx(content_types_first=False)  # libmagic 5.44 alone says "application/zip"

    assert files.check_upload(upload("demande.docx", content)).content_type == WORD_MAIN


@pytest.mark.parametrize("vague", ["application/zip", "application/octet-stream"])
@pytest.mark.parametrize(
    ("make", "declared"),
    [
        (docx, WORD_MAIN),
        (xlsx, EXCEL_MAIN),
        (odt, "application/vnd.oasis.opendocument.text"),
        (a_zip, None),
    ],
)
def test_a_zip_libmagic_cannot_name_is_settled_by_its_own_declaration(
    monkeypatch, vague, make, declared
):
    monkeypatch.setattr(magic, "from_buffer", lambda *args, **kwargs: vague)

    assert sniff(io.BytesIO(make())) == (declared or vague)


def test_the_file_is_back_at_its_start_after_the_checks():
    uploaded = upload("attestation.pdf", pdf())

    files.check_upload(uploaded)

    assert uploaded.read(5) == b"%PDF-"


# --- what is refused, and why --------------------------------------------------------------------


def test_a_png_named_pdf_is_refused_because_its_name_lies():
    error = refusal(upload("facture.pdf", png()))

    assert error.code == "extension"
    assert "“facture.pdf”" in error.messages[0] and "PNG" in error.messages[0]


def test_an_html_page_named_pdf_is_refused_for_its_content():
    page = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

    error = refusal(upload("report.pdf", page), allowed=["pdf"])

    assert error.code == "type"
    assert error.messages == [
        "The content of “report.pdf” is not one of the accepted types of file: PDF."
    ]


@pytest.mark.parametrize(
    "content", [Path("/bin/true").read_bytes(), a_zip()], ids=["executable", "zip"]
)
def test_an_executable_or_an_archive_named_png_is_refused(content):
    assert refusal(upload("selfie.png", content)).code == "type"


def test_an_executable_named_pdf_is_refused():
    assert refusal(upload("report.pdf", Path("/bin/true").read_bytes())).code == "type"


def test_a_macro_enabled_document_named_docx_is_refused():
    macro = "application/vnd.ms-word.document.macroEnabled.main+xml"
    content = docx(main=macro, content_types_first=False)

    assert refusal(upload("demande.docx", content)).code == "type"


def test_a_type_outside_the_field_s_list_is_refused_even_when_otherwise_fine():
    error = refusal(upload("photo.png", png()), allowed=["pdf", "office"])

    assert error.code == "type"
    assert "PDF, ODT, ODS, DOCX, XLSX" in error.messages[0]


def test_an_empty_file_is_refused():
    assert refusal(upload("vide.pdf", b"")).code == "empty"


def test_a_file_over_the_field_s_limit_is_refused():
    error = refusal(upload("attestation.pdf", pdf()), max_size=100)

    assert error.code == "size"
    assert "100\xa0bytes" in error.messages[0]


def test_the_installation_s_cap_wins_over_a_higher_field_limit(settings):
    settings.LUTETIA_UPLOAD_MAX_SIZE = 1024
    content = b"x" * 2048

    assert refusal(upload("notes.txt", content), max_size=10_000).code == "size"
    assert files.size_limit(10_000) == 1024
    assert files.size_limit(500) == 500


def test_the_announced_size_is_not_trusted():
    uploaded = upload("notes.txt", b"y" * 5000)
    uploaded.size = 10  # a lying upload handler

    assert refusal(uploaded, max_size=1000).code == "size"


def test_a_decompression_bomb_is_refused_without_being_decoded():
    bomb = png_declaring(100_000, 100_000)  # ten billion pixels in a few hundred bytes
    assert len(bomb) < 200

    error = refusal(upload("plan.png", bomb))

    assert error.code == "dimensions"


def test_an_image_past_pillow_s_limit_is_refused_even_where_pillow_only_warns():
    with pytest.warns(Image.DecompressionBombWarning):
        error = refusal(upload("plan.png", png_declaring(10_000, 10_000)))

    assert error.code == "dimensions"
    assert error.messages == ["“plan.png” is an image too large to be opened."]


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ({"max_width": 39}, "40 pixels wide"),
        ({"max_height": 29}, "30 pixels high"),
        ({"max_pixels": 1000}, "too many pixels (40 × 30)"),
    ],
)
def test_an_image_over_the_field_s_dimensions_is_refused(limits, expected):
    error = refusal(upload("photo.png", png(40, 30)), **limits)

    assert error.code == "dimensions"
    assert expected in error.messages[0]


def test_an_image_within_the_dimensions_passes():
    checked = files.check_upload(
        upload("photo.png", png(40, 30)), max_width=40, max_height=30, max_pixels=1200
    )

    assert (checked.width, checked.height) == (40, 30)


def test_an_image_pillow_cannot_read_is_refused():
    broken = png()[:40]  # the signature and the header, then nothing

    error = refusal(upload("photo.png", broken))

    assert error.code == "type"
    assert error.messages == ["“photo.png” cannot be read as an image."]


# --- the types a field accepts ---------------------------------------------------------------


def test_allowed_types_are_families_mime_types_wildcards_or_extensions():
    assert files.resolve_allowed(["pdf"]) == {"application/pdf"}
    assert files.resolve_allowed([".JPG"]) == {"image/jpeg"}
    assert files.resolve_allowed(["image/*"]) == {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    }
    assert files.resolve_allowed(["application/pdf", "text"]) == {
        "application/pdf",
        "text/plain",
        "text/csv",
    }
    assert files.resolve_allowed([]) == files.resolve_allowed(files.DEFAULT_ALLOWED)
    assert {value for value, _label in files.TYPE_CHOICES} == set(files.DEFAULT_ALLOWED)


@pytest.mark.parametrize("entry", ["exe", "image/svg+xml", "text/html", "zip"])
def test_a_type_that_is_not_known_is_a_configuration_error(entry):
    with pytest.raises(ValueError, match="no known file type"):
        files.resolve_allowed([entry])


def test_the_accept_attribute_lists_types_and_extensions():
    assert files.accept_attribute(["pdf", "jpg"]) == "application/pdf,.pdf,image/jpeg,.jpg,.jpeg"


# --- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\amelie\\Documents\\scan.pdf", "scan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("facture\u202efdp.exe", "facturefdp.exe"),  # the right-to-left override is gone
        ("ligne\nsuivante\x00.pdf", "ligne suivante.pdf"),
        ('a<b>:"c"|?*.txt', "a_b___c____.txt"),
        ("..pdf", "pdf"),
        ("", "file"),
        (".pdf", "pdf"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_safe_name_keeps_a_short_displayable_base_name(sent, kept):
    assert files.safe_name(sent) == kept


def test_a_long_name_keeps_its_extension_and_the_checks_use_the_safe_name():
    checked = files.check_upload(upload("é" * 200 + ".png", png()))

    assert len(checked.name) == 120 and checked.name.endswith(".png")


# --- translations --------------------------------------------------------------------------------


def test_refusals_speak_the_citizen_s_language():
    with translation.override("fr"):
        error = refusal(upload("facture.pdf", png()))
        assert error.messages == [
            "Le contenu de «\xa0facture.pdf\xa0» ne correspond pas à son extension\xa0: c’est un "
            "fichier PNG. Renommez-le avec la bonne extension, ou choisissez un autre fichier."
        ]
        assert refusal(upload("vide.txt", b"")).messages == ["«\xa0vide.txt\xa0» est vide."]
    with translation.override("hu"):
        assert refusal(upload("ures.txt", b"")).messages == ["A(z) „ures.txt” fájl üres."]


def test_every_message_has_a_french_and_a_hungarian_translation():
    messages = [*files.MESSAGES.values(), *SCAN_MESSAGES.values()]
    labels = [label for _value, label in files.TYPE_CHOICES]
    for language in ("fr", "hu"):
        with translation.override(language):
            for message in [*messages, *labels]:
                with translation.override("en"):
                    english = str(message)
                assert str(message) != english, (language, english)


# --- ClamAV over the clamd protocol --------------------------------------------------------------


class ClamdHandler(socketserver.BaseRequestHandler):
    """A clamd that speaks INSTREAM exactly (command, length-prefixed chunks, zero length,
    null-terminated answer) and knows one signature: EICAR's."""

    def handle(self):
        command = self._read_until_null()
        data, chunks = bytearray(), 0
        while True:
            (length,) = struct.unpack("!L", self._read_exactly(4))
            if length == 0:
                break
            data += self._read_exactly(length)
            chunks += 1
        self.server.received.append((command, bytes(data), chunks))
        if self.server.answer is not None:
            reply = self.server.answer
        elif EICAR in data:
            reply = f"stream: {EICAR_SIGNATURE} FOUND".encode()
        else:
            reply = b"stream: OK"
        self.request.sendall(reply + b"\0")

    def _read_until_null(self) -> bytes:
        command = b""
        while not command.endswith(b"\0"):
            command += self._read_exactly(1)
        return command

    def _read_exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            more = self.request.recv(size - len(data))
            if not more:
                raise ConnectionError("the client hung up")
            data += more
        return data


def serve(server):
    server.daemon_threads = True
    server.received, server.answer = [], None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def clamd(settings):
    """A clamd on 127.0.0.1, on a port of its own; LUTETIA_CLAMAV_URL points at it."""
    server = serve(socketserver.ThreadingTCPServer(("127.0.0.1", 0), ClamdHandler))
    settings.LUTETIA_CLAMAV_URL = f"tcp://127.0.0.1:{server.server_address[1]}"
    settings.LUTETIA_CLAMAV_TIMEOUT = 5
    yield server
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_clean_file_passes_the_scan_which_got_it_whole(clamd):
    content = pdf() + b"%" + b"z" * 200_000  # several chunks

    result = scan(io.BytesIO(content))

    assert result == files.ScanResult("clean")
    command, received, chunks = clamd.received[0]
    assert command == b"zINSTREAM\0"
    assert received == content
    assert chunks > 1


def test_a_virus_is_refused_and_its_name_only_logged(clamd, caplog):
    uploaded = upload("notes.txt", EICAR)

    error = refusal(uploaded)

    assert error.code == "virus"
    assert EICAR_SIGNATURE not in error.messages[0]
    assert "“notes.txt”" in error.messages[0]
    assert EICAR_SIGNATURE in caplog.text
    assert "notes.txt" not in caplog.text  # a file name may be personal data: the hash is logged
    assert scan(io.BytesIO(EICAR)) == files.ScanResult("infected", EICAR_SIGNATURE)


def test_the_scan_comes_last_after_every_other_check(clamd):
    refusal(upload("facture.pdf", png()))

    assert clamd.received == []


def test_an_unreachable_clamd_fails_closed(settings, caplog):
    settings.LUTETIA_CLAMAV_URL = f"tcp://127.0.0.1:{closed_port()}"

    error = refusal(upload("attestation.pdf", pdf()))

    assert error.code == "scan_failed"
    assert error.messages == ["The file could not be checked for viruses; please try again later."]
    assert "not scanned" in caplog.text


def test_a_clamd_error_fails_closed(clamd):
    clamd.answer = b"INSTREAM size limit exceeded. ERROR"

    with pytest.raises(files.ScanError, match="size limit exceeded"):
        scan(io.BytesIO(b"hello"))
    assert refusal(upload("notes.txt", b"hello")).code == "scan_failed"


def test_no_clamd_configured_means_no_scan(settings):
    settings.LUTETIA_CLAMAV_URL = ""

    assert scan(io.BytesIO(EICAR)) == files.ScanResult("skipped")
    assert files.check_upload(upload("notes.txt", EICAR)).size == len(EICAR)


def test_the_scan_can_be_left_out_by_the_caller(clamd):
    files.check_upload(upload("notes.txt", EICAR), scan=False)

    assert clamd.received == []


def test_clamd_is_reached_through_a_unix_socket_too(settings):
    folder = Path(tempfile.mkdtemp(prefix="clamd-"))  # short: socket paths are limited
    socket_path = folder / "clamd.ctl"
    server = serve(socketserver.ThreadingUnixStreamServer(str(socket_path), ClamdHandler))
    settings.LUTETIA_CLAMAV_URL = f"unix://{socket_path}"
    try:
        assert scan(io.BytesIO(EICAR)).infected
        assert scan(io.BytesIO(b"bonjour")).status == "clean"
    finally:
        server.shutdown()
        server.server_close()
        socket_path.unlink(missing_ok=True)
        folder.rmdir()


# --- the private storage ---------------------------------------------------------------------


@pytest.fixture
def private_dir(settings, tmp_path):
    """The private storage in a folder of this test; MEDIA_ROOT beside it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    location = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "lutetia.files.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(location), "base_url": None},
        },
    }
    return location


def stored(name: str, content: bytes, *, prefix: str = "forms") -> tuple[str, files.CheckedFile]:
    uploaded = upload(name, content)
    checked = files.check_upload(uploaded)
    return files.store(uploaded, checked, prefix=prefix), checked


def test_the_test_settings_keep_private_files_out_of_media_root():
    location = Path(django_settings.STORAGES["private"]["OPTIONS"]["location"])

    assert not location.is_relative_to(Path(django_settings.MEDIA_ROOT))
    assert isinstance(files.private_storage(), PrivateFileSystemStorage)


def test_a_stored_file_is_in_the_private_folder_under_a_random_name(private_dir):
    name, _checked = stored("Relevé d’identité bancaire — Dupont.pdf", pdf())

    prefix, year, month, token = name.split("/")
    assert prefix == "forms" and len(year) == 4 and len(month) == 2
    assert token.endswith(".pdf") and "Dupont" not in token and len(token) >= 24
    on_disk = private_dir / name
    assert on_disk.read_bytes()[:5] == b"%PDF-"
    assert not on_disk.is_relative_to(Path(django_settings.MEDIA_ROOT))


def test_two_files_of_the_same_name_never_meet(private_dir):
    first, _ = stored("photo.png", png())
    second, _ = stored("photo.png", png())

    assert first != second


def test_a_private_file_has_no_url(private_dir):
    name, _checked = stored("photo.png", png())

    with pytest.raises(NotImplementedError):
        files.private_storage().url(name)


@pytest.mark.parametrize("prefix", ["", "/forms", "forms/../x", "Forms", "forms/"])
def test_a_prefix_must_be_plain_lower_case_segments(private_dir, prefix):
    uploaded = upload("photo.png", png())
    checked = files.check_upload(uploaded)

    with pytest.raises(ValueError, match="prefix"):
        files.store(uploaded, checked, prefix=prefix)


def body(response) -> bytes:
    content = b"".join(response.streaming_content)
    if response.file_to_stream is not None:  # the test client closes it itself
        response.file_to_stream.close()
    return content


def test_a_file_is_served_as_a_download_that_cannot_run_anything(private_dir):
    name, checked = stored("Relevé d’identité.pdf", pdf())

    response = files.file_response(
        name, display_name=checked.name, content_type=checked.content_type
    )

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "filename*=utf-8''Relev%C3%A9%20d%E2%80%99identit%C3%A9.pdf"
        in (response["Content-Disposition"])
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert body(response)[:5] == b"%PDF-"


def test_a_file_may_be_shown_inline_under_the_same_headers(private_dir):
    name, checked = stored("photo.png", png())

    response = files.file_response(
        name, display_name=checked.name, content_type=checked.content_type, inline=True
    )

    assert response["Content-Disposition"] == 'inline; filename="photo.png"'
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    response.file_to_stream.close()


def test_a_missing_file_is_a_404_and_deleting_it_twice_is_fine(private_dir):
    name, _checked = stored("photo.png", png())

    files.delete(name)
    files.delete(name)

    assert not (private_dir / name).exists()
    with pytest.raises(Http404):
        files.file_response(name, display_name="photo.png", content_type="image/png")


def download(request, name):
    """A plugin's view, reduced to the call (ownership checks are the plugin's)."""
    return files.file_response(name, display_name="photo.png", content_type="image/png")


urlpatterns = [path("private/<path:name>", download)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_site_s_own_security_headers_do_not_replace_the_file_s(client, private_dir):
    name, _checked = stored("photo.png", png())

    response = client.get(f"/private/{name}")

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert body(response) == (private_dir / name).read_bytes()


# --- settings --------------------------------------------------------------------------------


def test_the_upload_settings_have_safe_defaults_and_accept_units(tmp_path):
    config = load(environ={}, cwd=tmp_path)
    assert config["upload_max_size"] == 20 * 1024 * 1024
    assert config["clamav_url"] == "" and config["clamav_timeout"] == 10

    config = load(
        environ={
            "LUTETIA_UPLOAD_MAX_SIZE": "5MB",
            "LUTETIA_CLAMAV_URL": "unix:///run/clamav/clamd.ctl",
            "LUTETIA_CLAMAV_TIMEOUT": "30",
        },
        cwd=tmp_path,
    )
    assert config["upload_max_size"] == 5 * 1024 * 1024
    assert config["clamav_url"] == "unix:///run/clamav/clamd.ctl"
    assert {"upload_max_size", "clamav_url", "clamav_timeout"} <= {
        name for name, _value, _source in config.rows()
    }


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"LUTETIA_UPLOAD_MAX_SIZE": "-1"}, "LUTETIA_UPLOAD_MAX_SIZE"),
        ({"LUTETIA_UPLOAD_MAX_SIZE": "0"}, "LUTETIA_UPLOAD_MAX_SIZE"),
        ({"LUTETIA_UPLOAD_MAX_SIZE": "20 pages"}, "LUTETIA_UPLOAD_MAX_SIZE"),
        ({"LUTETIA_CLAMAV_URL": "http://clamd:3310"}, "LUTETIA_CLAMAV_URL"),
        ({"LUTETIA_CLAMAV_URL": "tcp://:3310"}, "LUTETIA_CLAMAV_URL"),
        ({"LUTETIA_CLAMAV_URL": "unix://clamd.ctl"}, "LUTETIA_CLAMAV_URL"),
        ({"LUTETIA_CLAMAV_TIMEOUT": "0"}, "LUTETIA_CLAMAV_TIMEOUT"),
    ],
)
def test_a_wrong_upload_setting_stops_the_start_naming_the_variable(tmp_path, environ, named):
    with pytest.raises(ConfigError, match=named):
        load(environ=environ, cwd=tmp_path)


def test_the_private_storage_is_a_folder_of_the_data_directory(tmp_path):
    built = storages_from_config(load(environ={}, cwd=tmp_path))

    private = built["private"]
    assert private["BACKEND"] == "lutetia.files.storage.PrivateFileSystemStorage"
    assert private["OPTIONS"]["location"] == str(tmp_path / "var" / "private")
    assert private["OPTIONS"]["base_url"] is None
