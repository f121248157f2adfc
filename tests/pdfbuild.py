"""Hand-built PDFs for tests (no tests in this file): the object serialiser and a very long
valid text PDF. The objects are numbered from 1 in the order given; object 1 is the root."""

from __future__ import annotations

from pathlib import Path


def write_pdf(dest: Path, objs: list[bytes], info: dict[str, str] | None = None) -> Path:
    """`objs` as a PDF 1.4 file with a correct xref table (and a document info dictionary
    with these entries, e.g. {"CreationDate": "D:20250102120000Z"})."""
    if info:
        entries = b" ".join(b"/%s (%s)" % (k.encode(), escape(v)) for k, v in info.items())
        objs = [*objs, b"<< " + entries + b" >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    extra = b" /Info %d 0 R" % len(objs) if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objs) + 1,
        extra,
        xref,
    )
    dest.write_bytes(bytes(out))
    return dest


def many_pages(dest: Path, pages: int) -> Path:
    """A valid PDF with very many text pages (one shared content stream): slow to read."""
    content = (
        b"BT /F1 9 Tf 72 720 Td "
        + b" ".join(b"(word%d and more text on the line) Tj 0 -11 Td" % i for i in range(60))
        + b" ET"
    )
    first = 5  # the first page object
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(pages))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    )
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        *[page] * pages,
    ]
    return write_pdf(dest, objs)


def escape(text: str) -> bytes:
    """A PDF string literal's body (WinAnsi text)."""
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def text_pdf(
    dest: Path,
    pages: list[list[tuple[float, str]]],
    *,
    stamp: str | None = None,
    info: dict[str, str] | None = None,
    size: tuple[int, int] = (612, 792),
) -> Path:
    """A text PDF: each page a list of (font size, line) from the top, Helvetica; `stamp`
    printed rotated in the left margin of page 1 as arXiv prints its stamp."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>"
        % (len(pages), b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(pages)))),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for number, lines in enumerate(pages):
        out = [b"BT"]
        y = size[1] - 52.0
        for font, text in lines:
            out.append(b"/F1 %.1f Tf 1 0 0 1 72 %.1f Tm (%s) Tj" % (font, y, escape(text)))
            y -= font + 8
        if stamp and number == 0:
            out.append(b"/F1 9 Tf 0 1 -1 0 30 250 Tm (%s) Tj" % escape(stamp))
        out.append(b"ET")
        stream = b"\n".join(out)
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (size[0], size[1], 5 + 2 * number)
        )
        objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return write_pdf(dest, objs, info)
