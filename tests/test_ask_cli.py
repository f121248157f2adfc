"""`brief ask` for scripts: JSON with the answer, resolvable citations and the hits; and
recall@5 of the cited papers on the store's question set (needs ../shared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_chat_support import copy_home, ingest
from typer.testing import CliRunner

from agent.chat.evidence import open_view
from agent.chat.sentinel import NOT_FOUND
from agent.cli.app import app
from agent.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "evals" / "datasets" / "questions.yaml"
RECALL_AT = 5
MIN_RECALL = 0.8


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, demo_pdfs: list[Path]) -> Path:
    home = tmp_path_factory.mktemp("ask-template")
    ingest(home, demo_pdfs)
    return home


def ask(*args: str) -> Any:
    result = CliRunner().invoke(app, ["ask", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_ask_json_cites_resolvable_pages(brief_home: Path, template: Path) -> None:
    copy_home(template, brief_home)
    data = json.loads(
        ask(
            "How is the KV cache used by diffusion language models?",
            "--json",
            "--model",
            "none",
            "--k",
            "3",
        ).stdout
    )
    assert data["found"] and data["answer"].count("[arXiv:") <= 3
    assert 1 <= len(data["citations"]) <= 3 and data["hits"]
    view = open_view(load_settings())
    for c in data["citations"]:
        assert view.resolves(c["arxiv_id"], c["page"])
        assert c["quote"] and f"[arXiv:{c['arxiv_id']} p.{c['page']}]" in data["answer"]


def test_ask_without_evidence_says_so(brief_home: Path, template: Path) -> None:
    copy_home(template, brief_home)
    data = json.loads(ask("What is the capital of France?", "--json").stdout)
    assert data["answer"] == NOT_FOUND and data["citations"] == [] and not data["found"]
    assert ask("What is the capital of France?").stdout.strip() == NOT_FOUND


def test_ask_filters_by_paper(brief_home: Path, template: Path) -> None:
    copy_home(template, brief_home)
    data = json.loads(
        ask("What speedup does dKV-Cache achieve?", "--json", "--paper", "2505.15781").stdout
    )
    assert {c["arxiv_id"] for c in data["citations"]} == {"2505.15781"}
    bad = CliRunner().invoke(app, ["ask", "x", "--since", "yesterday"])
    assert bad.exit_code != 0


def load_questions() -> list[dict[str, Any]]:
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    items = data.get("questions", data) if isinstance(data, dict) else data
    return [q for q in items if q.get("arxiv_id")]


def cited_papers(data: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    for c in data["citations"]:
        if c["arxiv_id"] not in seen:
            seen.append(c["arxiv_id"])
    return seen


def recall_at(questions: list[dict[str, Any]], k: int) -> tuple[float, list[str]]:
    hits, misses = 0, []
    for q in questions:
        data = json.loads(ask(q["question"], "--json", "--model", "none", "--k", str(k)).stdout)
        if str(q["arxiv_id"]) in cited_papers(data)[:k]:
            hits += 1
        else:
            misses.append(f"{q['arxiv_id']}: {q['question']} -> {cited_papers(data)}")
    return hits / len(questions), misses


@pytest.mark.shared
def test_recall_at_5_on_the_question_set(
    shared_dir: Path, corpus_pdfs: list[Path], brief_home: Path
) -> None:
    if not QUESTIONS.is_file():
        pytest.skip("evals/datasets/questions.yaml is not written yet")
    questions = load_questions()
    assert questions
    ingest(brief_home, corpus_pdfs)
    recall, misses = recall_at(questions, RECALL_AT)
    print(f"recall@{RECALL_AT} of cited papers: {recall:.3f} on {len(questions)} questions")
    assert recall >= MIN_RECALL, "\n".join(misses)
