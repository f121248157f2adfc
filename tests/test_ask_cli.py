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


def test_ask_filters_by_topic(brief_home: Path, template: Path) -> None:
    copy_home(template, brief_home)
    question = "How does dKV-Cache reduce inference latency?"
    found = json.loads(ask(question, "--json", "--topic", "efficient-ai").stdout)
    assert found["found"] and found["citations"]
    other = json.loads(ask(question, "--json", "--topic", "robotics").stdout)
    assert other["answer"] == NOT_FOUND and other["hits"] == []


def load_questions() -> list[dict[str, Any]]:
    return list(yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"])


def expected_ids(corpus: Path) -> dict[str, str]:
    """PDF file name -> the id the questions use (arXiv id, else the file stem)."""
    out = {}
    for line in (corpus / "MANIFEST.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            out[item["file"]] = item.get("arxiv_id") or Path(item["file"]).stem
    return out


def cited_papers(data: dict[str, Any], id_of: dict[str, str]) -> list[str]:
    """The papers an answer cites, in order, as the question set names them."""
    seen: list[str] = []
    for c in data["citations"]:
        pid = id_of.get(c["arxiv_id"], c["arxiv_id"])
        if pid not in seen:
            seen.append(pid)
    return seen


def recall_at(questions: list[dict[str, Any]], id_of: dict[str, str], k: int) -> dict[str, Any]:
    """Share of questions whose paper is among the first k cited papers; and the share whose
    expected page (±1) is cited."""
    recalled, pages, misses = 0, 0, []
    for q in questions:
        data = json.loads(ask(q["question"], "--json", "--model", "none", "--k", str(k)).stdout)
        want, cited = str(q["paper"]), cited_papers(data, id_of)
        if want in cited[:k]:
            recalled += 1
        else:
            misses.append(f"{q['id']}: want {want}, cited {cited}")
        if any(
            id_of.get(c["arxiv_id"], c["arxiv_id"]) == want and abs(c["page"] - int(q["page"])) <= 1
            for c in data["citations"]
        ):
            pages += 1
    n = len(questions)
    return {"recall": recalled / n, "page": pages / n, "misses": misses, "n": n}


@pytest.mark.shared
def test_recall_at_5_on_the_question_set(
    shared_dir: Path, corpus_pdfs: list[Path], brief_home: Path
) -> None:
    questions = load_questions()
    assert questions
    by_file = expected_ids(shared_dir / "corpus")
    id_of = {cid: by_file[name] for cid, name in ingest(brief_home, corpus_pdfs).items()}
    result = recall_at(questions, id_of, RECALL_AT)
    print(
        f"\nrecall@{RECALL_AT} of cited papers: {result['recall']:.3f}, cited page ±1: "
        f"{result['page']:.3f} on {result['n']} questions (--model none)"
    )
    print("\n".join(result["misses"]))
    assert result["recall"] >= MIN_RECALL, "\n".join(result["misses"])
