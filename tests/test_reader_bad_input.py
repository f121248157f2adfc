"""Bad input: every broken file gets one line naming it and the cause; the others are read."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdfbuild import many_pages
from pypdf import PdfWriter

from agent.errors import PdfError
from agent.settings import load_settings
from agent.sources.batch import expand_paths, read_many
from agent.sources.ingest import ingest_paths
from agent.sources.pdf import read_pdf


def encrypted(src: Path, dest: Path, user_password: str) -> Path:
    writer = PdfWriter(clone_from=str(src))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    writer.write(str(dest))
    return dest


def image_only(dest: Path) -> Path:
    """A one-page PDF holding a picture and no text layer (what a scan looks like)."""
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(300, 200)
    bitmap = pdfium.PdfBitmap.new_native(120, 80, pdfium.raw.FPDFBitmap_BGR)
    bitmap.fill_rect((40, 90, 160, 255), 0, 0, 120, 80)
    image = pdfium.PdfImage.new(pdf)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(120, 80).translate(50, 50))
    page.insert_obj(image)
    page.gen_content()
    pdf.save(str(dest))
    return dest


@pytest.fixture()
def good(demo_pdfs: list[Path], tmp_path: Path) -> Path:
    return Path(shutil.copy(demo_pdfs[0], tmp_path / "good.pdf"))


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "page.pdf"
    path.write_text("<html>429 Too Many Requests</html>")
    with pytest.raises(PdfError, match="page.pdf: not a PDF") as info:
        read_pdf(path)
    assert info.value.hint


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(PdfError, match=r"empty.pdf: empty file \(0 bytes\)"):
        read_pdf(path)


@pytest.mark.parametrize("engine", ["pdfium", "pypdf"])
def test_truncated(good: Path, tmp_path: Path, engine: str) -> None:
    path = tmp_path / "cut.pdf"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 3])
    with pytest.raises(PdfError, match="cut.pdf: broken or truncated PDF"):
        read_pdf(path, engine=engine)


@pytest.mark.parametrize("engine", ["pdfium", "pypdf"])
def test_encrypted_with_empty_user_password_opens(good: Path, tmp_path: Path, engine: str) -> None:
    path = encrypted(good, tmp_path / "locked-open.pdf", user_password="")
    assert read_pdf(good).paper.title == read_pdf(path, engine=engine).paper.title != ""


@pytest.mark.parametrize("engine", ["pdfium", "pypdf"])
def test_encrypted_with_password_is_reported(good: Path, tmp_path: Path, engine: str) -> None:
    path = encrypted(good, tmp_path / "locked.pdf", user_password="s3cret")
    with pytest.raises(PdfError, match="locked.pdf: encrypted PDF needs a password") as info:
        read_pdf(path, engine=engine)
    assert "decrypt" in (info.value.hint or "")


@pytest.mark.parametrize("engine", ["pdfium", "pypdf"])
def test_image_only_pdf(tmp_path: Path, engine: str) -> None:
    path = image_only(tmp_path / "scan.pdf")
    with pytest.raises(PdfError, match="scan.pdf: no text layer") as info:
        read_pdf(path, engine=engine)
    assert "OCR" in (info.value.hint or "")


def test_folder_without_pdfs_is_one_error(tmp_path: Path) -> None:
    folder = tmp_path / "nothing-here"
    folder.mkdir()
    (folder / "notes.txt").write_text("no pdfs")
    assert expand_paths([folder]) == [folder]
    [result] = read_many([folder], "pdfium", 1, 30, 1000, 100)
    assert result.parsed is None and "nothing-here: folder holds no PDF files" in (
        result.error or ""
    )


def test_batch_reports_each_bad_file_and_reads_the_rest(good: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a-html.pdf").write_text("<html>")
    (bad / "b-empty.pdf").write_bytes(b"")
    cut = bad / "c-cut.pdf"
    cut.write_bytes(good.read_bytes()[:3000])
    encrypted(good, bad / "d-locked.pdf", user_password="pw")
    image_only(bad / "e-scan.pdf")
    shutil.copy(good, bad / "f-good.pdf")
    empty_dir = tmp_path / "empty-dir"
    empty_dir.mkdir()
    seen: list[str] = []
    report = ingest_paths(
        [bad, empty_dir, tmp_path / "missing.pdf"],
        load_settings(workers=2),
        on_done=lambda r: seen.append(r.file.name),
    )
    assert [Path(p["file"]).name for p in report["papers"]] == ["f-good.pdf"]
    errors = {Path(e["file"]).name: e["error"] for e in report["errors"]}
    assert sorted(errors) == sorted(
        [
            "a-html.pdf",
            "b-empty.pdf",
            "c-cut.pdf",
            "d-locked.pdf",
            "e-scan.pdf",
            "empty-dir",
            "missing.pdf",
        ]
    )
    causes = {
        "a-html.pdf": "not a PDF",
        "b-empty.pdf": "empty file",
        "c-cut.pdf": "broken or truncated",
        "d-locked.pdf": "needs a password",
        "e-scan.pdf": "no text layer",
        "empty-dir": "folder holds no PDF files",
        "missing.pdf": "no such file",
    }
    for name, cause in causes.items():
        line = errors[name]
        assert name in line and cause in line and " — " in line and "\n" not in line
    assert sorted(seen) == sorted([*causes, "f-good.pdf"])


def test_time_limit_kills_a_slow_file_and_the_batch_goes_on(good: Path, tmp_path: Path) -> None:
    slow = many_pages(tmp_path / "slow.pdf", 20000)
    results = read_many(
        [slow, good], "pdfium", workers=1, timeout=3, chunk_tokens=1000, chunk_overlap=100
    )
    assert [r.file for r in results] == [slow, good]
    assert results[0].parsed is None
    assert "slow.pdf: reading took longer than 3s" in (results[0].error or "")
    assert results[1].parsed is not None and results[1].parsed.paper.title
    assert multiprocessing.active_children() == []  # no worker left behind


def test_results_in_input_order_with_two_workers(demo_pdfs: list[Path], tmp_path: Path) -> None:
    bad = tmp_path / "x.pdf"
    bad.write_text("nope")
    paths = [demo_pdfs[2], bad, demo_pdfs[0], demo_pdfs[1]]
    results = read_many(paths, "pdfium", workers=2, timeout=60, chunk_tokens=500, chunk_overlap=50)
    assert [r.file for r in results] == paths
    assert [r.ok for r in results] == [True, False, True, True]
    assert results[0].parsed.paper.arxiv_id == demo_pdfs[2].stem  # type: ignore[union-attr]
