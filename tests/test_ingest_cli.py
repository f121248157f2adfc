"""`brief ingest`: the JSON contract, the table, exit codes and error lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from agent.cli.app import app

REPO = Path(__file__).resolve().parents[1]
PAPER_KEYS = {
    "file", "arxiv_id", "arxiv_version", "title", "authors", "affiliations", "abstract",
    "page_count", "language", "sections", "chunks",
}  # fmt: skip


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


def test_json_contract(demo_pdfs: list[Path], tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.7\n1 0 obj\n<<")
    result = run("ingest", str(demo_pdfs[0].parent), str(bad), "--json", "--workers", "2")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert set(report) == {"papers", "errors"}
    assert len(report["papers"]) == 3
    for paper in report["papers"]:
        assert set(paper) == PAPER_KEYS | {"stored"} and paper["stored"] == "added"
        assert paper["arxiv_id"] and paper["title"] and paper["authors"] and paper["chunks"] > 0
        assert paper["page_count"] > 0 and paper["language"] == "en"
        for section in paper["sections"]:
            assert set(section) == {"title", "level", "page_start", "page_end"}
            assert 1 <= section["page_start"] <= section["page_end"] <= paper["page_count"]
    assert [Path(p["file"]).name for p in report["papers"]] == [p.name for p in demo_pdfs]
    [error] = report["errors"]
    assert error["file"] == str(bad) and "broken.pdf: broken or truncated PDF" in error["error"]
    assert "broken.pdf" in result.stderr


def test_all_good_exits_zero_with_a_table(demo_pdfs: list[Path]) -> None:
    result = run("ingest", str(demo_pdfs[1]))
    assert result.exit_code == 0, result.output
    assert "2508.14148v2" in result.stdout and "1 read, 1 added, 0 failed" in result.stdout
    assert "error" not in result.stderr


def test_ingest_stores_and_a_second_ingest_changes_nothing(demo_pdfs: list[Path]) -> None:
    folder = str(demo_pdfs[0].parent)
    first = run("ingest", folder, "--json")
    assert first.exit_code == 0, first.output
    assert {p["stored"] for p in json.loads(first.stdout)["papers"]} == {"added"}
    before = json.loads(run("store", "stats", "--json").stdout)
    assert before["papers"] == 3 and before["chunks"] == sum(
        p["chunks"] for p in json.loads(first.stdout)["papers"]
    )
    again = run("ingest", folder)
    assert again.exit_code == 0 and "3 read, 3 unchanged, 0 failed" in again.stdout
    assert json.loads(run("store", "stats", "--json").stdout) == before


def test_no_store_only_reads(demo_pdfs: list[Path]) -> None:
    result = run("ingest", str(demo_pdfs[0]), "--no-store", "--json")
    assert result.exit_code == 0
    [paper] = json.loads(result.stdout)["papers"]
    assert set(paper) == PAPER_KEYS
    assert json.loads(run("store", "stats", "--json").stdout)["papers"] == 0


def test_pypdf_engine_option(demo_pdfs: list[Path]) -> None:
    result = run("ingest", str(demo_pdfs[0]), "--json", "--pdf-engine", "pypdf")
    assert result.exit_code == 0
    [paper] = json.loads(result.stdout)["papers"]
    assert paper["arxiv_id"] == "2505.15781"


def test_unknown_engine_is_a_config_error(demo_pdfs: list[Path]) -> None:
    result = run("ingest", str(demo_pdfs[0]), "--pdf-engine", "tesseract")
    assert result.exit_code != 0


def test_bad_file_in_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "not-really.pdf"
    bad.write_text("<html>Service Unavailable</html>")
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.pop("BRIEF_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "agent", "ingest", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:") and str(bad) in lines[0] and "not a PDF" in lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_papers_are_stored_in_batches_and_a_failing_paper_does_not_sink_its_batch(
    demo_pdfs: list[Path], monkeypatch
) -> None:
    """ingest hands the store whole batches; a batch that fails is retried paper by paper,
    so only the paper that fails is reported and the others are stored."""
    from agent.errors import StoreError
    from agent.settings import load_settings
    from agent.sources import ingest as ingest_service
    from store.chroma import open_store
    from store.ingest import store_parsed_many

    store = open_store(load_settings())
    calls: list[list[str]] = []

    def store_many(batch):  # type: ignore[no-untyped-def]
        calls.append([p.paper.arxiv_id for p in batch])
        if any(p.paper.arxiv_id == "2508.14148" for p in batch):
            raise StoreError("the store rejected 2508.14148", "check the store")
        return store_parsed_many(store, batch)

    report = ingest_service.ingest_paths(
        [demo_pdfs[0].parent], load_settings(), store_many=store_many
    )
    assert calls[0] == ["2505.15781", "2508.14148", "2509.18085"]  # one batch first
    assert sorted(c[0] for c in calls[1:]) == ["2505.15781", "2508.14148", "2509.18085"]
    assert [p["arxiv_id"] for p in report["papers"]] == ["2505.15781", "2509.18085"]
    assert {p["stored"] for p in report["papers"]} == {"added"}
    [error] = report["errors"]
    assert error["file"].endswith(".pdf") and "2508.14148" in error["error"]
    assert store.stats()["papers"] == 2
    store.close()

    monkeypatch.setattr(ingest_service, "BATCH_CHUNKS", 1)
    assert ingest_service.batches([5, 1, 3]) == [[0], [1], [2]]
    monkeypatch.setattr(ingest_service, "BATCH_CHUNKS", 6)
    assert ingest_service.batches([5, 1, 3, 0]) == [[0, 1], [2, 3]]
