"""PDF engines: raw page text, per-line font info, outline and document info.

Two engines produce the same `RawDocument`:

- `pdfium` (default): pypdfium2. Fast, keeps word spaces, marks line-break hyphens with
  U+FFFE, and gives per-line font size/weight used for title and heading detection.
- `pypdf`: pure Python, slower; no font info (the heuristics fall back to text only).

Nothing here cleans text; see `textclean`.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import PdfError

ENGINES = ("pdfium", "pypdf")
INFO_KEYS = (
    "Title",
    "Author",
    "Subject",
    "Keywords",
    "arXivID",
    "Producer",
    "Creator",
    "CreationDate",
    "ModDate",
)


@dataclass(slots=True)
class LineInfo:
    """One extracted text line with the font of its first visible character."""

    text: str
    size: float = 0.0
    bold: bool = False
    rotated: bool = False
    top: float = 0.0  # distance of the line's top from the page top, as a fraction (0..1)
    wanted: bool | None = None  # the font filter's verdict on the line, when it was asked


@dataclass(slots=True)
class TocEntry:
    """One bookmark: title, depth (0 = top level) and 0-based page index (None if unknown)."""

    title: str
    level: int
    page: int | None


@dataclass(slots=True)
class RawDocument:
    """What an engine extracted, before cleanup."""

    pages: list[str]
    lines: list[list[LineInfo]]
    toc: list[TocEntry] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)
    engine: str = "pdfium"
    warnings: list[str] = field(default_factory=list)
    sizes: list[tuple[float, float]] = field(default_factory=list)  # (width, height) in pt

    @property
    def page_count(self) -> int:
        return len(self.pages)


FontFilter = Callable[[str], bool]
FULL_FONT_PAGES = 1  # every line of page 1 gets font info (title, authors, abstract)
BODY_SAMPLE = 12  # elsewhere every 12th long line is measured for the body font size
_WORD_START = re.compile(r"(?<=\s)\S")


def extract(
    path: Path, engine: str = "pdfium", wants_font: FontFilter | None = None
) -> RawDocument:
    """Read every page of `path` with `engine`; raise PdfError for unreadable input.

    Font lookups cost a few calls per line, so beyond the first pages only lines for which
    `wants_font(text)` is true (possible headings) and a sample of body lines get them.
    """
    if engine not in ENGINES:
        raise PdfError(f"unknown PDF engine {engine!r}", "use --pdf-engine pdfium or pypdf")
    check_file(path)
    if engine == "pdfium":
        return _extract_pdfium(path, wants_font)
    return _extract_pypdf(path)


def check_file(path: Path) -> None:
    """Fail early, with a clear cause, on files that cannot be PDFs."""
    if not path.exists():
        raise PdfError(f"{path}: no such file", "check the path")
    if path.is_dir():
        raise PdfError(f"{path}: is a directory", "pass PDF files or folders holding *.pdf")
    size = path.stat().st_size
    if size == 0:
        raise PdfError(f"{path}: empty file (0 bytes)", "download the PDF again")
    with path.open("rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise PdfError(
            f"{path}: not a PDF (no %PDF- header)", "pass a PDF file; HTML error pages are common"
        )


# --- pdfium -----------------------------------------------------------------------------


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page, without reading any text ([] if unreadable)."""
    try:
        doc = _pdfium_open(path)
    except Exception:  # noqa: BLE001 - the caller reads the file properly and reports it
        return []
    try:
        return [doc.get_page_size(i) for i in range(len(doc))]
    except Exception:  # noqa: BLE001
        return []
    finally:
        doc.close()


def _pdfium_open(path: Path) -> Any:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            raise PdfError(
                f"{path}: encrypted PDF needs a password", "decrypt it first (e.g. qpdf --decrypt)"
            ) from None
        if code == raw.FPDF_ERR_SECURITY:
            raise PdfError(
                f"{path}: unsupported PDF security handler", "decrypt it first"
            ) from None
        raise PdfError(
            f"{path}: broken or truncated PDF ({exc})", "download the PDF again"
        ) from None


def _meta_text(doc: Any, key: str) -> str:
    import pypdfium2.raw as raw

    tag = key.encode("ascii")
    n = raw.FPDF_GetMetaText(doc, tag, None, 0)
    if n <= 2:
        return ""
    buf = ctypes.create_string_buffer(n)
    raw.FPDF_GetMetaText(doc, tag, buf, n)
    return buf.raw[: n - 2].decode("utf-16-le", errors="ignore").strip()


def _pdfium_lines(
    textpage: Any, text: str, height: float, index: int, wants_font: FontFilter | None
) -> list[LineInfo]:
    """Split page text into lines with the font of each line's first character.

    With `full` (page 1), a line's size is the largest size of any of its characters, so
    small-caps titles are measured by their capitals, and its position is recorded.
    """
    import pypdfium2.raw as raw

    out: list[LineInfo] = []
    name_buf = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    flags_ref = ctypes.byref(flags)
    matrix = raw.FS_MATRIX()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    pos = 0
    full = index == 0
    every = index < FULL_FONT_PAGES or wants_font is None
    for number, line in enumerate(text.split("\r\n")):
        stripped = line.lstrip()
        info = LineInfo(line)
        measure = every or (number % BODY_SAMPLE == 0 and len(stripped) > 30)
        if stripped and not measure and wants_font is not None:
            measure = info.wanted = wants_font(stripped.rstrip())
        if stripped and measure:
            tindex = pos + len(line) - len(stripped)  # leading spaces are in the BMP
            cindex = raw.FPDFText_GetCharIndexFromTextIndex(textpage, tindex)
            if cindex >= 0:
                size = float(raw.FPDFText_GetFontSize(textpage, cindex))
                scale = 1.0
                if raw.FPDFText_GetMatrix(textpage, cindex, matrix):
                    scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
                    info.rotated = abs(matrix.b) > abs(matrix.a)
                info.bold = raw.FPDFText_GetFontWeight(textpage, cindex) >= 600
                if not info.bold:
                    n = raw.FPDFText_GetFontInfo(textpage, cindex, name_buf, 128, flags_ref)
                    name = name_buf.raw[: max(n - 1, 0)].lower()
                    info.bold = b"bold" in name or b"cmbx" in name or b"black" in name
                if full:  # word-initial characters: small-caps titles show their capitals
                    for m in _WORD_START.finditer(stripped, 1):
                        at = tindex + _u16len(stripped[: m.start()])
                        i = raw.FPDFText_GetCharIndexFromTextIndex(textpage, at)
                        if i >= 0:
                            size = max(size, float(raw.FPDFText_GetFontSize(textpage, i)))
                    if height and raw.FPDFText_GetCharBox(
                        textpage, cindex, left, right, bottom, top
                    ):
                        info.top = round(1.0 - top.value / height, 3)
                info.size = round(size * scale, 1)
        out.append(info)
        pos += _u16len(line) + 2
    return out


def _u16len(text: str) -> int:
    """Length in UTF-16 code units: PDFium's text indexes count surrogate pairs as two."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _extract_pdfium(path: Path, wants_font: FontFilter | None) -> RawDocument:
    import pypdfium2 as pdfium

    doc = _pdfium_open(path)
    try:
        pages: list[str] = []
        lines: list[list[LineInfo]] = []
        warnings: list[str] = []
        sizes: list[tuple[float, float]] = []
        for index in range(len(doc)):
            text, page_lines = "", []
            try:
                page = doc[index]
                sizes.append((page.get_width(), page.get_height()))
                try:
                    textpage = page.get_textpage()
                    try:
                        text = textpage.get_text_range()
                        height = page.get_height()
                        page_lines = _pdfium_lines(textpage, text, height, index, wants_font)
                    finally:
                        textpage.close()
                finally:
                    page.close()
            except pdfium.PdfiumError as exc:  # one broken page does not lose the paper
                warnings.append(f"page {index + 1} could not be read ({exc})")
                text, page_lines = "", []
            pages.append(text.replace("\r\n", "\n"))
            lines.append(page_lines)
        toc: list[TocEntry] = []
        try:
            for mark in doc.get_toc(max_depth=4):
                dest = mark.get_dest()
                idx = dest.get_index() if dest is not None else None
                toc.append(TocEntry(mark.get_title() or "", mark.level, idx))
        except pdfium.PdfiumError:
            toc = []
        info = {k: v for k in INFO_KEYS if (v := _meta_text(doc, k))}
    finally:
        doc.close()
    return RawDocument(
        pages=pages,
        lines=lines,
        toc=toc,
        info=info,
        engine="pdfium",
        warnings=warnings,
        sizes=sizes,
    )


# --- pypdf ------------------------------------------------------------------------------


def _extract_pypdf(path: Path) -> RawDocument:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfError(
                f"{path}: encrypted PDF needs a password", "decrypt it first (e.g. qpdf --decrypt)"
            )
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError:
        raise PdfError(
            f"{path}: encrypted PDF needs a password", "decrypt it first (e.g. qpdf --decrypt)"
        ) from None
    except PdfError:
        raise
    except LimitReachedError as exc:  # a bomb, or damage that looks like one (fuzzing found)
        raise PdfError(
            f"{path}: PDF exceeds a reader limit ({exc})", "check the file; try --pdf-engine pdfium"
        ) from None
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        OSError,
        RecursionError,
        NotImplementedError,  # e.g. an unknown /Filter name (fuzzing found)
        AttributeError,
        IndexError,
    ) as exc:
        raise PdfError(
            f"{path}: broken or truncated PDF ({exc})", "download the PDF again"
        ) from None
    lines = [[LineInfo(line) for line in text.split("\n")] for text in pages]
    if pages:
        lines[0] = _pdfium_first_page(path) or lines[0]
    toc: list[TocEntry] = []
    try:
        _walk_outline(reader, reader.outline, 0, toc)
    except Exception:  # noqa: BLE001 - a broken outline only loses headings
        toc = []
    info: dict[str, str] = {}
    try:
        meta: Any = reader.metadata or {}
        for key in INFO_KEYS:
            value = meta.get("/" + key)
            if value:
                info[key] = str(value).strip()
    except Exception:  # noqa: BLE001 - broken info dict only loses metadata
        info = {}
    sizes: list[tuple[float, float]] = []
    try:
        sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
    except Exception:  # noqa: BLE001 - a broken box only loses the page shapes
        sizes = []
    return RawDocument(pages=pages, lines=lines, toc=toc, info=info, engine="pypdf", sizes=sizes)


def _pdfium_first_page(path: Path) -> list[LineInfo] | None:
    """Page-1 lines with fonts and positions from PDFium (title, authors and abstract need
    them; pypdf gives none). None when PDFium cannot read the file."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
    try:
        page = doc[0]
        textpage = page.get_textpage()
        lines = _pdfium_lines(textpage, textpage.get_text_range(), page.get_height(), 0, None)
        textpage.close()
        page.close()
        return lines
    except pdfium.PdfiumError:
        return None
    finally:
        doc.close()


def _walk_outline(reader: Any, items: Any, level: int, out: list[TocEntry]) -> None:
    for item in items:
        if isinstance(item, list):
            _walk_outline(reader, item, level + 1, out)
            continue
        try:
            page = reader.get_destination_page_number(item)
        except Exception:  # noqa: BLE001
            page = None
        out.append(TocEntry(str(item.title or ""), level, page))
