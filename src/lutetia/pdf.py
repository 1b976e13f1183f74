"""A small PDF writer for the documents Lutetia generates (a decision, a receipt).

Plain text on A4 pages in Helvetica, wrapped and paginated: enough for an administrative letter,
with no dependency. Text is encoded in WinAnsi (Windows-1252), the encoding every PDF reader has
for the standard fonts; a character outside it is written without its accent when it has one
(Hungarian ő → o) or as "?" otherwise.
"""

from __future__ import annotations

import textwrap
import unicodedata
from datetime import datetime

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 56
TITLE_SIZE, BODY_SIZE, LEADING = 16, 11, 15
#: Characters per line at 11 pt Helvetica across the text width (a conservative average).
LINE_CHARS = 82
LINES_PER_PAGE = (PAGE_HEIGHT - 2 * MARGIN - 40) // LEADING


def _winansi(text: str) -> bytes:
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore")
            out += base[:1] or b"?"
    return bytes(out)


def _escape(data: bytes) -> bytes:
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _lines(body: str) -> list[str]:
    lines: list[str] = []
    for paragraph in body.replace("\r\n", "\n").split("\n"):
        lines.extend(textwrap.wrap(paragraph, LINE_CHARS) or [""])
    return lines


def render(title: str, body: str, *, created: datetime | None = None) -> bytes:
    """A PDF document: ``title`` in bold on the first page, then ``body``'s paragraphs."""
    lines = _lines(body)
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []

    def add(content: bytes) -> int:
        objects.append(content)
        return len(objects)

    catalog = add(b"")  # filled once the page tree's number is known
    tree = add(b"")
    regular = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    bold = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    kids = []
    for number, page_lines in enumerate(pages):
        y = PAGE_HEIGHT - MARGIN
        stream = bytearray()
        if number == 0:
            stream += b"BT /F2 %d Tf %d %d Td (%s) Tj ET\n" % (
                TITLE_SIZE,
                MARGIN,
                y,
                _escape(_winansi(title)),
            )
            y -= 40
        stream += b"BT /F1 %d Tf %d TL %d %d Td\n" % (BODY_SIZE, LEADING, MARGIN, y)
        for line in page_lines:
            stream += b"(%s) Tj T*\n" % _escape(_winansi(line))
        stream += b"ET\n"
        footer = f"{number + 1} / {len(pages)}"
        stream += b"BT /F1 9 Tf %d %d Td (%s) Tj ET\n" % (
            PAGE_WIDTH - MARGIN - 30,
            MARGIN / 2,
            _winansi(footer),
        )
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + bytes(stream) + b"endstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                % (tree, PAGE_WIDTH, PAGE_HEIGHT, content, regular, bold)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % kid for kid in kids),
        len(kids),
    )
    stamp = (created or datetime(2000, 1, 1)).strftime("D:%Y%m%d%H%M%S")
    info = add(
        b"<< /Title (%s) /Producer (Lutetia) /CreationDate (%s) >>"
        % (_escape(_winansi(title)), stamp.encode())
    )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body_bytes in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body_bytes + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info,
        xref,
    )
    return bytes(out)
