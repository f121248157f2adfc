"""Reader accuracy against hand-checked gold metadata (../shared/corpus/gold/*.json).

Conventions (corpus/README.md): text is compared after NFKC normalization and whitespace
collapsing; titles and headings case-insensitively (small caps come out upper-case).

Figures, per paper and micro-averaged over papers:
- arxiv id: correct when equal to the gold id; when the gold id is `external` (the PDF does
  not contain it) or null, no id or the right id is correct and a different id is wrong.
- title: equal after normalization (case-insensitive).
- abstract: token F1 (multiset of word tokens, case-insensitive).
- section headings: gold top-level headings vs the reader's level-1 sections, excluding an
  'Abstract' heading (the gold lists headings after the abstract). A heading matches when
  equal after normalization, or when one is a word-boundary prefix of the other covering at
  least 60% of it (headings that wrap onto a second line). One-to-one matching.
- authors and affiliations: normalized names, multiset F1.

    .venv/bin/python -m evals.reader_gold [PDF_DIR_OR_SHARED_DIR] [--engine pypdf]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PUNCT = str.maketrans(
    {"‐": "-", "‑": "-", "–": "-", "—": "-", "“": '"', "”": '"', "’": "'", "‘": "'"}
)


def norm(text: str | None) -> str:
    """NFKC, unified dashes and quotes, single spaces, case-folded."""
    text = unicodedata.normalize("NFKC", text or "").translate(_PUNCT)
    return " ".join(text.split()).casefold()


def tokens(text: str | None) -> list[str]:
    return re.findall(r"\w+", norm(text))


def f1_counts(pred: list[str], gold: list[str]) -> tuple[int, int, int]:
    """(true positives, predicted, gold) for multisets."""
    common = Counter(pred) & Counter(gold)
    return sum(common.values()), len(pred), len(gold)


def f1(tp: int, npred: int, ngold: int) -> float:
    if npred == 0 and ngold == 0:
        return 1.0
    if tp == 0:
        return 0.0
    p, r = tp / npred, tp / ngold
    return 2 * p * r / (p + r)


def token_f1(pred: str | None, gold: str | None) -> float:
    return f1(*f1_counts(tokens(pred), tokens(gold)))


def heading_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", norm(text)))


def headings_match(pred: str, gold: str) -> bool:
    a, b = heading_key(pred), heading_key(gold)
    if a == b:
        return True
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return bool(short) and long.startswith(short + " ") and len(short) >= 0.6 * len(long)


def match_headings(pred: list[str], gold: list[str]) -> int:
    """Number of one-to-one matches, in order (greedy)."""
    used: set[int] = set()
    hits = 0
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and headings_match(p, g):
                used.add(i)
                hits += 1
                break
    return hits


def name_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", norm(text)))


@dataclass
class PaperScore:
    file: str
    id_ok: bool | None
    title_ok: bool
    abstract_f1: float | None
    head_tp: int
    head_pred: int
    head_gold: int
    auth: tuple[int, int, int]
    affil: tuple[int, int, int]
    notes: list[str] = field(default_factory=list)


def score_paper(pred: dict[str, Any], gold: dict[str, Any]) -> PaperScore:
    """Compare one reader record (the `brief ingest --json` paper object) with its gold."""
    source = (gold.get("arxiv_id_source") or "").lower()
    gid = gold.get("arxiv_id")
    if gid and not source.startswith("external"):
        id_ok: bool | None = pred.get("arxiv_id") == gid
    else:
        id_ok = pred.get("arxiv_id") in (None, gid)
    title_ok = norm(pred.get("title")) == norm(gold.get("title"))
    abstract = token_f1(pred.get("abstract"), gold["abstract"]) if gold.get("abstract") else None
    heads = [
        s["title"]
        for s in pred.get("sections", [])
        if s.get("level", 1) == 1 and heading_key(s["title"]) != "abstract"
    ]
    gold_heads = gold.get("section_headings") or []
    tp = match_headings(heads, gold_heads)
    auth = f1_counts(
        [name_key(a) for a in pred.get("authors", [])],
        [name_key(a) for a in gold.get("authors") or []],
    )
    affil = f1_counts(
        [name_key(a) for a in pred.get("affiliations", [])],
        [name_key(a) for a in gold.get("affiliations") or []],
    )
    return PaperScore(
        gold["file"], id_ok, title_ok, abstract, tp, len(heads), len(gold_heads), auth, affil
    )


@dataclass
class Totals:
    papers: int
    id_correct: int
    id_total: int
    title_correct: int
    abstract_ok: int  # papers with abstract token F1 >= 0.9
    abstract_total: int
    abstract_mean: float
    heading_precision: float
    heading_recall: float
    author_f1: float
    affiliation_f1: float


def totals(scores: list[PaperScore]) -> Totals:
    """Micro figures over papers."""
    abstracts = [s.abstract_f1 for s in scores if s.abstract_f1 is not None]
    tp = sum(s.head_tp for s in scores)
    npred = sum(s.head_pred for s in scores)
    ngold = sum(s.head_gold for s in scores)

    def micro(attr: str) -> float:
        t = [getattr(s, attr) for s in scores]
        return f1(sum(x[0] for x in t), sum(x[1] for x in t), sum(x[2] for x in t))

    return Totals(
        papers=len(scores),
        id_correct=sum(1 for s in scores if s.id_ok),
        id_total=sum(1 for s in scores if s.id_ok is not None),
        title_correct=sum(1 for s in scores if s.title_ok),
        abstract_ok=sum(1 for a in abstracts if a >= 0.9),
        abstract_total=len(abstracts),
        abstract_mean=sum(abstracts) / len(abstracts) if abstracts else 1.0,
        heading_precision=tp / npred if npred else 1.0,
        heading_recall=tp / ngold if ngold else 1.0,
        author_f1=micro("auth"),
        affiliation_f1=micro("affil"),
    )


def format_table(scores: list[PaperScore], tot: Totals) -> str:
    rows = [
        f"{'file':38} {'id':>3} {'title':>5} {'abstr':>6} {'head P/R':>10} {'auth':>5} {'affil':>5}"
    ]
    for s in scores:
        hp = f"{s.head_tp}/{s.head_pred}/{s.head_gold}"
        ab = "-" if s.abstract_f1 is None else f"{s.abstract_f1:.3f}"
        rows.append(
            f"{s.file[:38]:38} {'ok' if s.id_ok else 'NO':>3} {'ok' if s.title_ok else 'NO':>5} "
            f"{ab:>6} {hp:>10} {f1(*s.auth):5.2f} {f1(*s.affil):5.2f}"
        )
    rows.append(
        f"arXiv id {tot.id_correct}/{tot.id_total} | title {tot.title_correct}/{tot.papers} | "
        f"abstract F1>=0.9 {tot.abstract_ok}/{tot.abstract_total} (mean {tot.abstract_mean:.3f}) | "
        f"headings P {tot.heading_precision:.3f} R {tot.heading_recall:.3f} | "
        f"authors F1 {tot.author_f1:.3f} | affiliations F1 {tot.affiliation_f1:.3f}"
    )
    return "\n".join(rows)


def paper_record(parsed: Any) -> dict[str, Any]:
    """The reader's output for one file in the `brief ingest --json` shape."""
    from agent.sources.ingest import paper_summary

    return paper_summary(parsed)


def evaluate(
    pdf_dir: Path, gold_dir: Path, engine: str = "pdfium"
) -> tuple[list[PaperScore], Totals]:
    """Read every PDF that has a gold file and score it."""
    from agent.sources.pdf import read_pdf

    scores = []
    for gold_path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pdf = pdf_dir / gold["file"]
        parsed = read_pdf(pdf, engine=engine)
        scores.append(score_paper(paper_record(parsed), gold))
    return scores, totals(scores)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", nargs="?", default="../shared", help="shared dir or corpus dir")
    parser.add_argument("--engine", default="pdfium", choices=["pdfium", "pypdf"])
    args = parser.parse_args(argv)
    root = Path(args.dir)
    corpus = root / "corpus" if (root / "corpus").is_dir() else root
    scores, tot = evaluate(corpus / "pdf", corpus / "gold", args.engine)
    print(format_table(scores, tot))
    return 0


if __name__ == "__main__":
    sys.exit(main())
