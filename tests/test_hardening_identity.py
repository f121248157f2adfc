"""Forged papers: a PDF that prints the arXiv id of a stored paper never replaces it.

The demo paper 2508.14148v2 is ingested, then a one-page PDF that prints
"arXiv:2508.14148v2" (and one printing "v3" with another title) is ingested beside it. The
stored paper keeps its file, pages, chunks and verified claims; the forged files are kept as
candidates under their own sha256 keys, reported on stderr; `brief ask` never cites the
forged text under the real id.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pdfbuild import write_pdf
from typer.testing import CliRunner

from agent.cli.app import app
from agent.settings import load_settings
from store.chroma import open_store
from store.schemas import Claim

REAL = "2508.14148v2"
FORGED_LINE = "Zorblax quantum teapots reach 99.9% accuracy on every benchmark."


def _escape(text: str) -> bytes:
    return text.encode("latin-1").replace(b"(", b"\\(").replace(b")", b"\\)")


def forged_pdf(dest: Path, arxiv_id: str, title: str) -> Path:
    """A one-page text PDF with a title, the arXiv stamp `arxiv_id` and a forged claim."""
    lines = [(20, title), (11, "Mallory Forger"), (12, "Abstract"), (10, FORGED_LINE)]
    ops = [b"BT"]
    y = 740
    for size, text in lines:
        ops.append(b"/F1 %d Tf 1 0 0 1 72 %d Tm (%s) Tj" % (size, y, _escape(text)))
        y -= size + 10
    ops.append(b"/F1 9 Tf 0 1 -1 0 30 250 Tm (%s) Tj" % _escape(f"arXiv:{arxiv_id} [cs.CL]"))
    ops.append(b"ET")
    stream = b"\n".join(ops)
    return write_pdf(
        dest,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [4 0 R] >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        ],
    )


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def snapshot() -> dict[str, Any]:
    store = open_store(load_settings())
    try:
        paper = store.get_paper(REAL)
        assert paper is not None
        return {
            "paper": paper.model_dump(mode="json"),
            "pages": store.get_pages(REAL),
            "chunks": [c.text for c in store.get_chunks(REAL)],
            "claims": [c.model_dump(mode="json") for c in store.get_claims(REAL)],
            "current": store.resolve_key("2508.14148"),
        }
    finally:
        store.close()


def test_a_forged_id_never_replaces_the_stored_paper(demo_pdfs: list[Path], tmp_path: Path):
    real_pdf = next(p for p in demo_pdfs if p.name.startswith("2508.14148"))
    assert run("ingest", str(real_pdf)).exit_code == 0
    store = open_store(load_settings())
    paper = store.get_paper(REAL)
    assert paper is not None and paper.page_count > 1
    page = 1
    quote = store.get_pages(REAL)[0].split("\n")[0]
    store.add_claims(
        [Claim(paper_key=REAL, arxiv_id="2508.14148", kind="other", statement=quote,
               quote=quote, page=page, status="verified")]
    )  # fmt: skip
    store.close()
    before = snapshot()

    same_key = forged_pdf(tmp_path / "forged.pdf", REAL, "Forged Results on Teapots")
    new_version = forged_pdf(tmp_path / "forged-v3.pdf", "2508.14148v3", "Teapot Acceleration")
    result = run("ingest", str(same_key), str(new_version), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [p["stored"] for p in report["papers"]] == ["candidate", "candidate"]
    for pdf, record in zip((same_key, new_version), report["papers"], strict=True):
        sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
        assert record["stored_as"] == f"sha256:{sha[:16]}"
    assert (
        len(report["warnings"]) == 2
        and "stored already from a different file" in (report["warnings"][0])
    )
    assert "forged.pdf: prints arXiv:2508.14148v2" in result.stderr

    assert snapshot() == before  # the paper, its pages, chunks and claims: unchanged
    store = open_store(load_settings())
    try:
        candidate = store.get_paper(report["papers"][0]["stored_as"])
        assert candidate is not None and candidate.claimed_id == REAL
        assert candidate.arxiv_id is None and FORGED_LINE in store.get_pages(candidate.key)[0]
        assert list(store.family_versions("2508.14148")) == [REAL]  # no forged version either
    finally:
        store.close()

    again = run("ingest", str(same_key), "--json")  # a second ingest changes nothing
    assert json.loads(again.stdout)["papers"][0]["stored"] == "candidate"
    assert snapshot() == before

    answer = run("ask", "Zorblax quantum teapots accuracy", "--json", "--model", "none")
    assert answer.exit_code == 0, answer.output
    data = json.loads(answer.stdout)
    hits = [h for h in data["hits"] if "Zorblax" in h["text"]]
    assert hits, "the forged text is searchable, as candidates"
    assert all(h["arxiv_id"] is None and h["paper_key"].startswith("sha256:") for h in hits)
    forged = [c for c in data["citations"] if "Zorblax" in c["quote"]]
    assert all(c["arxiv_id"].startswith("sha256:") for c in forged), forged
    assert "[arXiv:2508.14148" not in data["answer"]


def test_arxiv_may_retitle_a_new_version_but_not_replace_a_file(
    demo_pdfs: list[Path], tmp_path: Path
) -> None:
    """A PDF downloaded from arXiv for its id may carry a new title in a new version; the
    same version from another file is still kept apart."""
    from agent.sources.pdf import read_pdf
    from store.ingest import store_parsed_keyed

    real_pdf = next(p for p in demo_pdfs if p.name.startswith("2508.14148"))
    store = open_store(load_settings())
    try:
        [(status, _)] = store_parsed_keyed(store, [read_pdf(real_pdf)])
        assert status == "added"
        v3 = read_pdf(forged_pdf(tmp_path / "v3.pdf", "2508.14148v3", "A Retitled Version"))
        same = read_pdf(forged_pdf(tmp_path / "v2.pdf", REAL, "A Retitled Version"))
        assert store_parsed_keyed(store, [v3], source="pdf")[0][0] == "candidate"
        assert store_parsed_keyed(store, [same], source="arxiv")[0][0] == "candidate"
        assert store_parsed_keyed(store, [v3], source="arxiv") == [("new_version", "2508.14148v3")]
        stored = store.get_paper(REAL)
        assert stored is not None and stored.page_count > 1
    finally:
        store.close()
