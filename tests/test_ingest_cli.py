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
