"""Strings from papers and file names are neutralised for their sink: terminal escape
sequences in a file name or a title never reach the terminal raw (shown as visible escapes),
and a title's `<script>` or links never reach Markdown sources (chat /sources, saved
transcripts)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from test_hardening_identity import forged_pdf
from typer.testing import CliRunner

from agent.chat.answer import Answer, Citation
from agent.chat.transcript import sources_lines, to_markdown
from agent.cli.app import app
from agent.safety import terminal_safe, unsafe_spans

ESC_NAME = "evil\x1b]0;owned\x07\x1b[2J\u202e.pdf"
HOSTILE_TITLE = "Caching <script>alert(1)</script> and [results](https://evil.example/r)"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def raw_controls(text: str) -> list[str]:
    return [ch for ch in text if ch in "\x1b\x07\x9b\u202e"]


def test_escape_codes_in_file_names_never_reach_the_terminal(
    tmp_path: Path, demo_pdfs: list[Path]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(demo_pdfs[0], folder / ESC_NAME)
    (folder / ("broken" + ESC_NAME)).write_bytes(b"not a pdf")
    result = run("ingest", str(folder))
    assert result.exit_code == 1
    assert raw_controls(result.stdout) == [] and raw_controls(result.stderr) == []
    assert "\\x1b]0;owned\\x07" in result.stderr  # shown, not obeyed
    as_json = run("ingest", str(folder), "--json")
    assert "\x1b" not in as_json.stdout and "\x07" not in as_json.stdout  # JSON escapes them
    assert {Path(p["file"]).name for p in json.loads(as_json.stdout)["papers"]} == {ESC_NAME}


def test_a_hostile_title_is_shown_plainly(tmp_path: Path) -> None:
    pdf = forged_pdf(tmp_path / "t.pdf", "2511.00042v1", HOSTILE_TITLE)
    assert run("ingest", str(pdf)).exit_code == 0
    shown = run("store", "show", "2511.00042")
    assert shown.exit_code == 0, shown.output
    assert "<script>" in shown.stdout  # printed as text: Rich markup is escaped too
    citation = Citation(
        arxiv_id="2511.00042", page=1, quote=f"Quote \x1b[2J {HOSTILE_TITLE}", sentence=1
    )
    answer = Answer(
        question="What is cached?",
        text="It caches [arXiv:2511.00042 p.1].",
        citations=[citation.model_copy(update={"title": HOSTILE_TITLE})],
    )
    for text in ("\n".join(sources_lines(answer)), to_markdown("t", [answer])):
        assert unsafe_spans(text) == [] and "evil.example/r)" not in text
        assert raw_controls(text) == [] and "\\x1b[2J" in text
        assert "Caching" in text and "results" in text  # the words stay


def test_terminal_safe_keeps_ordinary_text() -> None:
    text = "Über 35.2% — 缓存\tok\n[arXiv:2508.14148 p.3]"
    assert terminal_safe(text) == text
    assert terminal_safe("a\x1b[31mred\x1b[0m\x9b2J") == "a\\x1b[31mred\\x1b[0m\\x9b2J"
