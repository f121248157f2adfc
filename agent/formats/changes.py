"""What changed since last time: results of this run's papers that beat the numbers stored
earlier (other papers' verified result claims) for the same benchmark and metric.

A result claim takes part only when its statement names exactly one known benchmark and
states exactly one number right next to a metric word ("3.1× speedup", "92.5% accuracy",
"accuracy of 92.5%"), so that nothing is compared on a guess. Both metrics are better when
higher."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

BENCHMARKS = (
    "GSM8K",
    "MATH",
    "HumanEval",
    "MBPP",
    "MMLU",
    "MMLU-Pro",
    "GPQA",
    "BBH",
    "ARC-C",
    "ARC-Challenge",
    "ARC-Easy",
    "HellaSwag",
    "WinoGrande",
    "PIQA",
    "TruthfulQA",
    "LongBench",
    "RULER",
    "AIME",
    "LiveCodeBench",
    "MT-Bench",
    "AlpacaEval",
    "ImageNet",
    "SQuAD",
    "GLUE",
    "SuperGLUE",
    "LAMBADA",
    "WikiText-2",
    "C4",
)
NUMBER = r"(?P<n>\d+(?:\.\d+)?)"
METRICS = {  # name -> the phrasings that state it, the number right next to the metric word
    "speedup": (
        rf"{NUMBER}\s*[×x]\s+(?:(?:total|overall|end-to-end|inference|decoding|lossless)\s+)?"
        r"(?:speedup|speed-up|acceleration)\b",
        rf"{NUMBER}\s*[×x]\s+faster\b",
    ),
    "accuracy": (
        rf"{NUMBER}\s*%\s+(?:top-1\s+)?accuracy\b(?!\s+(?:degradation|drop|loss|decrease|reduction))",
        rf"\baccuracy\s+of\s+{NUMBER}\s*%",
    ),
}
LABELS = {"speedup": ("加速比", "speedup"), "accuracy": ("准确率", "accuracy")}


@dataclass(frozen=True)
class Figure:
    """One comparable number of a verified result claim."""

    benchmark: str
    metric: str
    value: float
    shown: str
    claim: dict[str, Any]


def _named(text: str, word: str) -> bool:
    return bool(re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE))


def figure_of(claim: dict[str, Any]) -> Figure | None:
    """The claim's benchmark, metric and number, when it states exactly one of each."""
    if claim.get("kind") != "result":
        return None
    text = " ".join(claim["statement"].split())
    benches = [b for b in BENCHMARKS if _named(text, b)]
    found = [
        (metric, m)
        for metric, patterns in METRICS.items()
        for pattern in patterns
        for m in re.finditer(pattern, text, re.IGNORECASE)
    ]
    if len(benches) != 1 or len(found) != 1:
        return None
    metric, match = found[0]
    return Figure(benches[0], metric, float(match.group("n")), match.group(0).split()[0], claim)


def beaten(
    papers: list[dict[str, Any]], earlier: list[dict[str, Any]]
) -> list[tuple[Figure, Figure]]:
    """(new, best earlier) for each new figure above every earlier one of its benchmark and
    metric. `earlier` are stored claims of other papers (dicts with claim_id)."""
    mine = {p["paper"].get("arxiv_id") or p["key"] for p in papers}
    best: dict[tuple[str, str], Figure] = {}
    for claim in earlier:
        if (claim.get("arxiv_id") or claim["paper_key"]) in mine:
            continue
        fig = figure_of(claim)
        key = (fig.benchmark, fig.metric) if fig else None
        if fig and key and (key not in best or fig.value > best[key].value):
            best[key] = fig
    out = []
    for paper in papers:
        for claim in paper["claims"]:
            fig = figure_of(claim)
            old = best.get((fig.benchmark, fig.metric)) if fig else None
            if fig and old and fig.value > old.value:
                out.append((fig, old))
    return out


def stored_results(store: Any) -> list[dict[str, Any]]:
    """Every verified result claim in the store, as dicts with their claim_id."""
    claims = store.get_claims(kind="result", status="verified", current_only=False)
    return [c.model_dump(mode="json") | {"claim_id": c.claim_id} for c in claims]


def change_lines(
    pairs: list[tuple[Figure, Figure]], titles: dict[str, str], lang: str, tr: Any
) -> list[str]:
    """One traced line per beaten number, citing both claims."""
    from agent.formats.trace import cite

    out = []
    for new, old in pairs:
        zh, en = LABELS[new.metric]
        mine = titles.get(new.claim["paper_key"], new.claim["paper_key"])
        if lang == "zh":
            text = (
                f"- **{new.benchmark} · {zh}**：《{mine}》报告 {new.shown} {cite(new.claim)}，"
                f"高于库中先前记录的 {old.shown} {cite(old.claim)}"
            )
        else:
            text = (
                f"- **{new.benchmark} · {en}**: “{mine}” reports {new.shown} {cite(new.claim)}, "
                f"above the {old.shown} stored earlier {cite(old.claim)}"
            )
        out.append(tr.claims(text, new.claim["paper_key"], [new.claim, old.claim], "change"))
    return out


def with_changes(
    markdown: str,
    env: Any,
    results: list[dict[str, Any]],
    earlier: list[dict[str, Any]],
    lang: str,
) -> tuple[str, list[dict[str, Any]]]:
    """The weekly/daily Markdown with the section inserted before its footer, and the
    section's traced lines for the sidecar."""
    from agent.formats.trace import Trace, one_line

    tr = Trace()
    titles = {r["key"]: one_line(r["paper"].get("title") or r["key"]) for r in results}
    lines = change_lines(beaten(results, earlier), titles, lang, tr)
    section = env.get_template("brief.changes.md.j2").render(lang=lang, lines=lines).strip()
    footer = "\n## 未纳入与舍弃\n" if lang == "zh" else "\n## Not included\n"
    if footer not in markdown:
        return markdown, []
    markdown = markdown.replace(footer, f"\n{section}\n{footer}", 1)
    return markdown, tr.lines(markdown)
