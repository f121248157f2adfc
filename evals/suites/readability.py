"""readability: what a Chinese reader sees, measured on the seeds and on our briefs alike.

Cases (evals/datasets/readability.yaml) are documents, each in one group:

- `seed`: a human brief from ../shared/seeds (skipped, as not measured, without ../shared;
  seed 001's mojibake is repaired first, as `brief eval lint` does);
- `ours`: a brief this run makes offline in a temporary BRIEF_HOME with the run's model
  (none: extractive): `weekly` (brief weekly --demo), `deepdive` (the demo papers),
  `trends`, `catalog`; and `corpus-weekly`: brief weekly over the 18 corpus PDFs (needs
  ../shared), so that headline recall and the weekly's prose rest on more than 3 papers;
- `given`: a brief file or a folder of briefs passed as `--dataset` (the seeds are scored
  beside it; nothing is generated).

Per document and section kind (evals.readability_metrics): Chinese share of the prose and
its longest English run; the share of prose sentences repeated in 2+ blocks; for weekly
briefs, headline-result recall of the one-liners against the brief's own 摘要. One more case
scores the extractive claim picker (agent.extractive.extract_claims) against the labelled
sentences of evals/datasets/slot_roles.yaml (needs ../shared/corpus).

Metrics are `<group>.<kind>.<metric>` so seeds and ours stand side by side. Thresholds are
the issue's extractive lane (论文技术简报 Chinese share >= 0.4, longest English run <= 12
words, headline recall >= 0.7); a dataset's `thresholds:` can raise them for a model run.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from agent.errors import ConfigError
from evals import readability_metrics as rm
from evals.runner import (
    DATASETS_DIR,
    CaseResult,
    Dataset,
    EvalContext,
    Flag,
    Suite,
    Threshold,
    Value,
    load_dataset,
    shared_root,
)

BRIEF_SUFFIXES = (".md", ".txt", ".markdown")
GROUPS = ("seed", "ours", "given")
MAX_RUN = 12  # words: the limit for an English run in Chinese prose


def seeds_dir() -> Path:
    return shared_root() / "seeds"


def corpus_dir() -> Path:
    return shared_root() / "corpus"


def _seed_cases() -> list[dict[str, Any]]:
    return load_dataset(DATASETS_DIR / "readability.yaml").cases


def load(path: Path) -> Dataset:
    """`--dataset`: a brief (.md/.txt), a folder of briefs, or a YAML/JSONL case list.
    Given briefs are scored beside the seeds; nothing is generated for them."""
    path = Path(path)
    if path.is_dir():
        briefs = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in BRIEF_SUFFIXES
        )
        if not briefs:
            raise ConfigError(
                f"{path} holds no brief (.md or .txt)",
                "give a brief, a folder of briefs or a .yaml",
            )
    elif path.suffix.lower() in BRIEF_SUFFIXES:
        if not path.is_file():
            raise ConfigError(f"brief {path} does not exist", "give an existing .md or .txt file")
        briefs = [path]
    else:
        return load_dataset(path)
    seeds = [c for c in _seed_cases() if "seed" in c]
    given = [{"id": f"given-{p.name}", "brief": str(p.resolve())} for p in briefs]
    return Dataset(path=path, cases=seeds + given)


# --- documents ----------------------------------------------------------------------------
def read_brief(path: Path) -> tuple[str, bool]:
    """A brief's text (UTF-8, else GB18030), mojibake repaired; and whether it was."""
    from evals import doc
    from evals.lint import read_text

    text = read_text(path)
    damaged = sum(doc.is_mojibake(line) for line in text.split("\n"))
    if damaged >= 3:
        return doc.repair_text(text), True
    return text, False


def score_document(case_id: str, group: str, text: str, info: dict[str, Any]) -> CaseResult:
    """Chinese share, longest English run, boilerplate and (weekly) headline recall."""
    from evals.lint import detect_kind

    kind = detect_kind(text)
    prose = rm.prose(text, kind)
    metrics: dict[str, Value] = {}
    flags: list[Flag] = []
    longest: dict[str, str] = {}
    for k in prose.kinds():
        score = rm.score_kind(prose.passages, k)
        if score is None:
            continue
        metrics[f"{k}.chinese_share"] = score.chinese_share
        metrics[f"{k}.longest_english_run"] = float(score.longest)
        metrics[f"{k}.han"] = float(score.han)  # the counts the group figures pool
        metrics[f"{k}.latin"] = float(score.latin)
        longest[k] = score.longest_text[:100]
        if score.longest > MAX_RUN:
            flags.append(
                Flag(
                    "english_run",
                    score.longest_text[:160],
                    f"{score.longest} English words in a row in the {k} prose",
                    score.longest_line,
                )
            )
    repeated = rm.boilerplate(prose.passages)
    metrics["boilerplate_share"] = repeated.value
    metrics["sentences"] = float(repeated.sentences)
    metrics["repeated_sentences"] = float(repeated.repeated)
    for line, sentence, blocks in repeated.examples[:5]:
        flags.append(
            Flag("boilerplate", sentence[:160], f"the same sentence in {blocks} blocks", line)
        )
    if kind == "weekly":
        recall = rm.brief_headline_recall(text)
        metrics["headline_recall"] = recall.value
        metrics["headline_hits"] = float(recall.hits)
        metrics["headline_measured"] = float(recall.measured)
        for line, title, wanted in recall.misses:
            flags.append(
                Flag(
                    "headline",
                    title[:120],
                    "the one-liner's 达成了 slot has none of the abstract's headline numbers "
                    f"({', '.join(wanted[:4])})",
                    line,
                )
            )
    if not longest:
        flags.append(Flag("not_measured", "", f"no prose section of a known kind (kind {kind})"))
    info.update({"group": group, "kind": kind, "longest_run": longest})
    return CaseResult(case_id, not flags, metrics, flags, info)


def _not_measured(case_id: str, group: str, reason: str) -> CaseResult:
    return CaseResult(case_id, False, {}, [Flag("not_measured", "", reason)], {"group": group})


# --- our own briefs, made in the run -------------------------------------------------------
def workspace(ctx: EvalContext) -> Any:
    """Settings pointing at a temporary BRIEF_HOME (a local store; the run's model), made once
    per run; the user's store and briefs are never touched. Removed by `aggregate`."""
    if "readability_settings" not in ctx.cache:
        home = Path(tempfile.mkdtemp(prefix="brief-readability-"))
        ctx.cache["readability_home"] = home
        update: dict[str, Any] = {"home": home, "chroma_url": None, "lang": "zh"}
        if ctx.model is None:
            update["model"] = "none"
        ctx.cache["readability_settings"] = ctx.settings.model_copy(update=update)
    return ctx.cache["readability_settings"]


def make_brief(what: str, ctx: EvalContext) -> str:
    """Write one of our briefs offline on the bundled demo papers; its Markdown text."""
    from agent.formats import service
    from agent.sources.demo import demo_candidates

    settings = workspace(ctx)
    model = ctx.model
    if what == "weekly":
        from agent.nodes.fetcher import demo_window
        from agent.runs import run_brief

        result = run_brief(
            settings,
            topic="efficient-ai",
            window=demo_window(),
            kind="weekly",
            lang="zh",
            demo=True,
            chat_model=model,
        )
    elif what == "corpus-weekly":
        from agent.runs import run_brief
        from agent.sources.window import today

        pdfs = sorted(str(p) for p in (corpus_dir() / "pdf").glob("*.pdf"))
        result = run_brief(
            settings,
            topic="efficient-ai",
            window=f"2000-01-01..{today().isoformat()}",
            kind="weekly",
            lang="zh",
            chat_model=model,
            local_pdfs=pdfs,
        )
    elif what == "deepdive":
        ids = [c.arxiv_id for c in demo_candidates()]
        result = service.deepdive(settings, ids, demo=True, chat_model=model)
    elif what == "trends":
        result = service.trends(settings, demo=True, chat_model=model)
    elif what == "catalog":
        result = service.catalog(settings, demo=True, chat_model=model)
    else:
        raise ConfigError(
            f"readability case asks to make {what!r}",
            "use make: weekly, corpus-weekly, deepdive, trends or catalog",
        )
    return Path(result["path"]).read_text(encoding="utf-8")


# --- slot roles ------------------------------------------------------------------------------
def pages_of(pdf: Path, ctx: EvalContext) -> tuple[list[str], str]:
    """The product reader's page texts and abstract of a corpus PDF (cached per run)."""
    cache = ctx.cache.setdefault("readability_pages", {})
    if pdf.name not in cache:
        from agent.sources.pdf import read_pdf

        parsed = read_pdf(pdf, engine=ctx.settings.pdf_engine)
        cache[pdf.name] = (list(parsed.pages), parsed.paper.abstract or "")
    result: tuple[list[str], str] = cache[pdf.name]
    return result


def slot_roles_case(case_id: str, dataset: str, ctx: EvalContext) -> CaseResult:
    """The extractive picker's claims on each labelled corpus paper, scored against the labels:
    a claim is judged when a labelled sentence matches its quote, right when the roles agree."""
    from agent.extractive import extract_claims

    pdf_dir = corpus_dir() / "pdf"
    if not pdf_dir.is_dir():
        return _not_measured(case_id, "ours", f"{pdf_dir} is missing (../shared)")
    labelled = load_dataset(DATASETS_DIR / dataset)
    total = rm.SlotRoles()
    flags: list[Flag] = []
    for paper in labelled.cases:
        pages, abstract = pages_of(pdf_dir / paper["pdf"], ctx)
        labels = [
            (str(s["text"]), (str(s["role"]),) + ((str(s["also"]),) if s.get("also") else ()))
            for s in paper["sentences"]
        ]
        picks = [(d.kind, d.quote) for d in extract_claims(pages, abstract)]
        score = rm.slot_roles(picks, labels)
        total.picked += score.picked
        total.judged += score.judged
        total.correct += score.correct
        total.confusions.update(score.confusions)
        for kind, quote in picks:
            roles = rm.labelled_roles(quote, labels)
            if roles is not None and kind not in roles:
                is_ = "/".join(sorted(roles))
                flags.append(
                    Flag("slot_role", quote[:160], f"{paper['id']}: picked as {kind}, is {is_}")
                )
            elif roles is None:
                flags.append(
                    Flag("not_labelled", quote[:160], f"{paper['id']}: {kind} pick not labelled")
                )
    confusions = ", ".join(f"{k} slot got {r}: {n}" for (k, r), n in total.confusions.most_common())
    info = {"group": "ours", "slot_roles": True, "confusions": confusions or "none"}
    metrics: dict[str, Value] = {
        "slot_role_accuracy": total.accuracy,
        "slot_role_coverage": total.coverage,
        "picked": float(total.picked),
        "judged": float(total.judged),
        "correct": float(total.correct),
    }
    passed = not any(f.kind == "slot_role" for f in flags)
    return CaseResult(case_id, passed, metrics, flags, info)


# --- the suite ---------------------------------------------------------------------------------
def run_case(case: dict[str, Any], ctx: EvalContext) -> CaseResult:
    case_id = str(case["id"])
    if "slot_roles" in case:
        return slot_roles_case(case_id, str(case["slot_roles"]), ctx)
    if "seed" in case:
        path = seeds_dir() / str(case["seed"])
        if not path.is_file():
            return _not_measured(
                case_id, "seed", f"{path} is missing (put ../shared beside the repo)"
            )
        text, repaired = read_brief(path)
        return score_document(case_id, "seed", text, {"file": path.name, "repaired": repaired})
    if "brief" in case:
        text, repaired = read_brief(Path(case["brief"]))
        return score_document(
            case_id, "given", text, {"file": Path(case["brief"]).name, "repaired": repaired}
        )
    what = str(case.get("make") or "")
    if what.startswith("corpus") and not (corpus_dir() / "pdf").is_dir():
        return _not_measured(case_id, "ours", f"{corpus_dir() / 'pdf'} is missing (../shared)")
    text = make_brief(what, ctx)
    return score_document(case_id, "ours", text, {"made": what, "model": ctx.model_name})


def _total(cases: list[CaseResult], name: str) -> float:
    return sum(float(c.metrics.get(name) or 0.0) for c in cases)


def _group_metrics(cases: list[CaseResult], group: str) -> dict[str, Value]:
    mine = [c for c in cases if c.info.get("group") == group and "kind" in c.info]
    out: dict[str, Value] = {}
    for kind in rm.KINDS:
        scored = [c for c in mine if f"{kind}.han" in c.metrics]
        if not scored:
            continue
        han, latin = _total(scored, f"{kind}.han"), _total(scored, f"{kind}.latin")
        out[f"{group}.{kind}.chinese_share"] = rm.share(int(han), int(latin))
        out[f"{group}.{kind}.longest_english_run"] = max(
            float(c.metrics[f"{kind}.longest_english_run"] or 0.0) for c in scored
        )
    if mine:
        total = _total(mine, "sentences")
        repeated = _total(mine, "repeated_sentences")
        out[f"{group}.boilerplate_share"] = round(repeated / total, 4) if total else None
    heads = [c for c in mine if "headline_measured" in c.metrics]
    if heads:
        measured = _total(heads, "headline_measured")
        hits = _total(heads, "headline_hits")
        out[f"{group}.headline_recall"] = round(hits / measured, 4) if measured else None
    return out


def aggregate(cases: list[CaseResult], ctx: EvalContext) -> dict[str, Value]:
    """Per group (seed, ours, given) and kind; seeds and ours side by side."""
    home = ctx.cache.pop("readability_home", None)
    ctx.cache.pop("readability_settings", None)
    if home is not None:
        shutil.rmtree(home, ignore_errors=True)
    if not seeds_dir().is_dir():
        ctx.note(f"seeds not measured: {seeds_dir()} is missing (put ../shared beside the repo)")
    ctx.note(
        "prose = the named sections' text without headings, titles, links, arXiv ids, code, "
        "link cells and 原文 lines (evals/readability_metrics.py)"
    )
    by_group = {g: _group_metrics(cases, g) for g in GROUPS}
    out: dict[str, Value] = {"documents": float(sum("kind" in c.info for c in cases))}
    names = []
    for metrics in by_group.values():
        names += [n.split(".", 1)[1] for n in metrics if n.split(".", 1)[1] not in names]
    for name in names:  # one metric at a time, every group beside the others
        for group in GROUPS:
            key = f"{group}.{name}"
            if key in by_group[group]:
                out[key] = by_group[group][key]
    slots = [c for c in cases if "slot_roles" in c.info]
    for c in slots:
        out["ours.slot_role_accuracy"] = c.metrics.get("slot_role_accuracy")
        out["ours.slot_role_coverage"] = c.metrics.get("slot_role_coverage")
    return out


SUITE = Suite(
    name="readability",
    description="What a Chinese reader sees: Chinese share, English runs, headline recall, "
    "slot roles, boilerplate; seeds and our briefs on one scale.",
    dataset="readability.yaml",
    required=("id",),
    run_case=run_case,
    aggregate=aggregate,
    load=load,
    needs="../shared for seeds and corpus; makes demo briefs",
    thresholds=(
        Threshold("ours.weekly.chinese_share", ">=", 0.4),
        Threshold("ours.weekly.longest_english_run", "<=", 12.0),
        Threshold("ours.headline_recall", ">=", 0.7),
    ),
)
SUITES = {SUITE.name: SUITE}
