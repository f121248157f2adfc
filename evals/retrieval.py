"""Retrieval quality of the claim store: recall@5, MRR and page hit rate.

Ingests the corpus PDFs (read by the real reader) into a temporary store per embedding
provider and asks the questions of `evals/datasets/questions.yaml` three ways: hybrid
(dense + BM25), dense only, lexical only; English and Chinese questions are also scored apart. Paper-level: a question is recalled when a top-5
hit comes from the expected paper; MRR uses the rank of the first such hit among the top 10.
Page-level: a top-5 hit from the expected paper within ±1 page of the expected page.

    .venv/bin/python -m evals.retrieval [--providers hash,minilm] [--corpus DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "evals" / "datasets" / "questions.yaml"
CORPUS = REPO.parent / "shared" / "corpus"
_CJK = re.compile(r"[\u3400-\u9fff]")
MODES = {
    "hybrid": {"dense": True, "lexical": True},
    "dense": {"dense": True, "lexical": False},
    "lexical": {"dense": False, "lexical": True},
}


def load_questions(path: Path = QUESTIONS) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text("utf-8"))["questions"])


def expected_ids(corpus: Path) -> dict[str, str]:
    """PDF file name -> the id questions use (arXiv id, else the gold file stem)."""
    out = {}
    for line in (corpus / "MANIFEST.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            out[item["file"]] = item.get("arxiv_id") or Path(item["file"]).stem
    return out


def read_corpus(corpus: Path) -> list[tuple[str, Any]]:
    """(file name, ParsedPaper) for every PDF of the corpus."""
    from agent.sources.pdf import read_pdf

    return [(pdf.name, read_pdf(pdf)) for pdf in sorted((corpus / "pdf").glob("*.pdf"))]


def build_store(home: Path, provider: str, parsed: Sequence[tuple[str, Any]]) -> tuple[Any, dict]:
    """A fresh store under `home` holding the parsed papers; also paper key -> file name."""
    from agent.settings import load_settings
    from store.chroma import open_store
    from store.ingest import store_parsed

    store = open_store(load_settings(home=home, embeddings=provider, chroma_url=None))
    key_to_file = {}
    for name, paper in parsed:
        store_parsed(store, paper, source="pdf")
        key_to_file[paper.paper.key] = name
    return store, key_to_file


def evaluate(
    store: Any,
    questions: Sequence[dict[str, Any]],
    key_to_id: dict[str, str],
    *,
    dense: bool = True,
    lexical: bool = True,
    k: int = 5,
) -> dict[str, Any]:
    """recall@k, MRR@10 and page hit rate@k (±1 page) over `questions`."""
    recalled = pages = 0
    rr = 0.0
    misses = []
    latencies = []
    by_lang: dict[str, list[int]] = {}  # lang -> [questions, recalled, page hits]
    for q in questions:
        lang = "zh" if _CJK.search(q["question"]) else "en"
        counts = by_lang.setdefault(lang, [0, 0, 0])
        counts[0] += 1
        start = time.perf_counter()
        hits = store.search(q["question"], k=max(k, 10), dense=dense, lexical=lexical)
        latencies.append(time.perf_counter() - start)
        ids = [key_to_id.get(h.paper_key, h.paper_key) for h in hits]
        want = str(q["paper"])
        first = next((rank for rank, pid in enumerate(ids, 1) if pid == want), None)
        if first is not None:
            rr += 1.0 / first
        if want in ids[:k]:
            recalled += 1
            counts[1] += 1
        else:
            misses.append(q["id"])
        if any(
            pid == want and abs(h.page - int(q["page"])) <= 1
            for pid, h in zip(ids[:k], hits[:k], strict=True)
        ):
            pages += 1
            counts[2] += 1
    n = max(len(questions), 1)
    latencies.sort()
    return {
        "questions": len(questions),
        "recall@5": round(recalled / n, 3),
        "mrr": round(rr / n, 3),
        "page@5": round(pages / n, 3),
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1) if latencies else 0.0,
        "misses": misses,
        **{
            f"{name}_{lang}": round(c[i] / c[0], 3)
            for lang, c in sorted(by_lang.items())
            for name, i in (("recall@5", 1), ("page@5", 2))
        },
    }


def available_providers() -> list[str]:
    from store.embeddings import minilm_available

    return ["hash", "minilm"] if minilm_available() else ["hash"]


def run(
    providers: Sequence[str], corpus: Path = CORPUS, questions_path: Path = QUESTIONS
) -> list[dict[str, Any]]:
    questions = load_questions(questions_path)
    by_file = expected_ids(corpus)
    parsed = read_corpus(corpus)
    rows = []
    for provider in providers:
        with tempfile.TemporaryDirectory(prefix="brief-retrieval-") as tmp:
            start = time.perf_counter()
            store, key_to_file = build_store(Path(tmp), provider, parsed)
            ingest_s = time.perf_counter() - start
            key_to_id = {key: by_file[name] for key, name in key_to_file.items()}
            for mode, flags in MODES.items():
                if mode == "lexical" and provider != providers[0]:
                    continue  # the lexical part does not depend on the provider
                result = evaluate(store, questions, key_to_id, **flags)
                rows.append(
                    {"provider": provider, "mode": mode, "ingest_s": round(ingest_s, 1), **result}
                )
            store.close()
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", default=None, help="comma-separated, default: all offline")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (args.corpus / "pdf").is_dir():
        print(f"no corpus at {args.corpus}: put ../shared beside the repository", file=sys.stderr)
        return 2
    providers = args.providers.split(",") if args.providers else available_providers()
    rows = run(providers, args.corpus, args.questions)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{rows[0]['questions']} questions, corpus {args.corpus}")
    print(
        "| provider | mode | recall@5 | MRR | page@5 (±1) | recall@5 en / zh | page@5 en / zh "
        "| search p50 ms | misses |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['provider']} | {r['mode']} | {r['recall@5']:.3f} | {r['mrr']:.3f} | "
            f"{r['page@5']:.3f} | {r.get('recall@5_en', '-')} / {r.get('recall@5_zh', '-')} | "
            f"{r.get('page@5_en', '-')} / {r.get('page@5_zh', '-')} | {r['p50_ms']} | "
            f"{', '.join(r['misses']) or '-'} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
