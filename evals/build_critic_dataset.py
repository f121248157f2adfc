"""Build the critic-adversarial dataset: true claims from real page texts, and corrupted copies.

    python -m evals.build_critic_dataset                 # corpus (../shared/corpus/pdf)
    python -m evals.build_critic_dataset --source demo   # the 3 bundled demo papers

Each PDF is read with the product's reader (agent.sources.pdf.read_pdf). From its cleaned
page texts we pick, with a seeded RNG, sentences that contain a number (references, table
rows and headers excluded). A true claim quotes the sentence verbatim with its page; its
statement is the sentence itself or the sub-clause holding its first number (no paraphrase).
A few true claims name an institution printed on page 1 ("attributed" controls).

Every corrupted copy records its class:

- number: a number of the statement changed (variant `statement`) or of statement and quote
  (variant `statement+quote`, so the quote is no longer on the page);
- unit: % ↔ ×, ms ↔ s on a number of the statement;
- arxiv_id: a fabricated arXiv id, as the claim's id or cited in the statement;
- page: the right quote on a page at least 2 away (outside the ±1 slack);
- other_quote: a quote (and its page) taken from another paper;
- negation: the statement's verb negated (needs an entailment judge);
- institution: the statement attributed to an institution of another paper (needs a judge);
- name_number: a number inside a name or identifier of the statement changed (InfLLM-V2 ->
  InfLLM-V3.74, Pythia-7B -> Pythia-9B), on extra sentences that name such things (their
  true claims are kept too, variant "named").

The output is deterministic for a given reader, corpus and seed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.files import atomic_write
from evals.runner import DATASETS_DIR, REPO_ROOT, shared_root
from evals.suites.grounding import numbers_in
from store.schemas import ARXIV_ID_RE, short_hash

DEMO_DIR = REPO_ROOT / "agent" / "data" / "demo"
CLASSES = ("number", "unit", "arxiv_id", "page", "other_quote", "negation", "institution")
DETERMINISTIC = ("number", "unit", "arxiv_id", "page", "other_quote", "name_number")
ENTAILMENT = ("negation", "institution")

_REFERENCE = re.compile(
    r"\bet al\.|arXiv|https?://|doi|\bIn Proceedings|\bProc\.|\bpp\.|\bvol\.|Conference on|"
    r"@|\bISBN\b|\(\d{4}\)|\b(?:19|20)\d\d[a-z]?\.|\bpages\s+\d|[Ss]ymposium|Workshop",
    re.IGNORECASE,
)
_NOISE = re.compile(r"\ufffd|[|∑∏√∈≤≥]|\b\d+(?:\.\d+)+\s+[A-Z][\w-]+\s+[A-Z]")
_MARKERS = re.compile(r"^[\d\s,∗*†‡§¶]+|[\d\s,∗*†‡§¶]+$")  # footnote marks on names
_TIME = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:ms|s)\b(?!-)")
_UNIT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(%|\s?×(?!\s*\d)|x\b(?!\s*\d)|\s?ms\b|\ss\b)")
_NEGATIONS = (
    (r"\boutperforms\b", "does not outperform"),
    (r"\boutperform\b", "do not outperform"),
    (r"\bachieves\b", "does not achieve"),
    (r"\bachieve\b", "do not achieve"),
    (r"\bachieved\b", "did not achieve"),
    (r"\bimproves\b", "does not improve"),
    (r"\bimproved\b", "did not improve"),
    (r"\breduces\b", "does not reduce"),
    (r"\breduced\b", "did not reduce"),
    (r"\bincreases\b", "does not increase"),
    (r"\bsurpasses\b", "does not surpass"),
    (r"\byields\b", "does not yield"),
    (r"\bcan\b", "cannot"),
    (r"\bis\b", "is not"),
    (r"\bare\b", "are not"),
    (r"\bwas\b", "was not"),
    (r"\bwere\b", "were not"),
    (r"\bhas\b", "does not have"),
)


@dataclass
class Source:
    """One paper as the reader sees it."""

    name: str  # file name inside its source directory
    arxiv_id: str | None
    pages: list[str]
    institutions: list[str]


def source_dir(source: str) -> Path:
    return shared_root() / "corpus" / "pdf" if source == "corpus" else DEMO_DIR


def read_sources(source: str, engine: str = "pdfium") -> list[Source]:
    """Every PDF of the source, read with the product's reader."""
    from agent.extractive import institutions_on_page_one
    from agent.sources.pdf import read_pdf

    out = []
    for path in sorted(source_dir(source).glob("*.pdf")):
        parsed = read_pdf(path, engine=engine)
        page1 = parsed.pages[0] if parsed.pages else ""
        names = [a for a in parsed.paper.affiliations if a and a in page1]
        names = names or institutions_on_page_one(page1)
        names = [n for n in (_MARKERS.sub("", n) for n in names) if len(n) > 6]
        out.append(Source(path.name, parsed.paper.arxiv_id, parsed.pages, names))
    return out


def usable(sentence: str) -> bool:
    """A sentence that states something with a number (not a reference, table row, header)."""
    if _REFERENCE.search(sentence) or _NOISE.search(sentence):
        return False
    if len(sentence) < 50 or len(sentence) > 400 or sentence.count(" ") < 8:
        return False
    digits = sum(ch.isdigit() for ch in sentence)
    letters = sum(ch.isalpha() for ch in sentence)
    if letters < 3 * digits or not sentence[0].isupper():
        return False
    found = [n for n in numbers_in(sentence) if not re.fullmatch(r"\d", n)]
    return bool(found) and len(re.findall(r"\d+(?:\.\d+)?", sentence)) <= 8  # not a table row


def candidates(src: Source) -> list[tuple[str, int]]:
    """(sentence as on its page, page) for every usable sentence, each quote unique."""
    from agent.extractive import split_sentences

    seen: dict[str, int] = {}
    out = []
    for page_no, page in enumerate(src.pages, start=1):
        for sentence in split_sentences(page):
            if usable(sentence):
                seen[sentence] = seen.get(sentence, 0) + 1
                out.append((sentence, page_no))
    return [(s, p) for s, p in out if seen[s] == 1]


def sub_clause(sentence: str) -> str:
    """The clause holding the sentence's first number, if it stands alone (≥ 40 chars)."""
    parts = re.split(r"(?<=[,;:])\s+", sentence)
    for part in parts:
        balanced = part.count("(") == part.count(")") and part.count("[") == part.count("]")
        if numbers_in(part) and len(part) >= 40 and part[0].isalpha() and balanced:
            return part.rstrip(",;:")
    return sentence


def _change_number(text: str, rng: random.Random) -> tuple[str, str, str] | None:
    """(new text, old number, new number) with one claimed number changed in value.

    Only numbers the grounding module counts as claims are changed (not citation markers,
    years, section numbers or digits inside names such as LLaDA-8B)."""
    claimed = {m.group(0) for n in numbers_in(text) for m in re.finditer(r"\d+(?:\.\d+)?", n)}
    brackets = [b.span() for b in re.finditer(r"\[[^\]]*\]", text)]
    matches = [
        m
        for m in re.finditer(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", text)
        if m.group(0) in claimed
        and not re.fullmatch(r"(19|20)\d\d", m.group(0))
        and not any(a <= m.start() < b for a, b in brackets)
    ]
    if not matches:
        return None
    m = rng.choice(matches)
    old = m.group(0)
    decimals = len(old.split(".")[1]) if "." in old else 0
    value = float(old)
    factor = rng.choice((1.37, 0.61, 1.9, 2.6))
    new = f"{value * factor + (0 if decimals else 3):.{decimals}f}"
    if new == old:
        return None
    return text[: m.start()] + new + text[m.end() :], old, new


def _change_unit(text: str) -> tuple[str, str] | None:
    swap = {"%": "×", "×": "%", "x": "%", "ms": "s", "s": "ms"}
    found = list(_UNIT.finditer(text))
    timed = [m for m in found if m.group(2).strip() in ("ms", "s")]
    if not found:
        return None
    m = (timed or found)[0]  # a time unit first: ms ↔ s is the rarer corruption
    unit = m.group(2).strip()
    new_unit = swap[unit]
    spacer = " " if new_unit in ("ms", "s") else ""
    replaced = f"{m.group(1)}{spacer}{new_unit}"
    return text[: m.start()] + replaced + text[m.end() :], f"{m.group(0)} → {replaced}"


def _negate(text: str) -> tuple[str, str] | None:
    for pattern, repl in _NEGATIONS:
        m = re.search(pattern, text)
        if m:
            return text[: m.start()] + repl + text[m.end() :], f"{m.group(0)} → {repl}"
    return None


def _fabricated_id(rng: random.Random, text: str) -> str:
    while True:
        candidate = f"{rng.randint(19, 25):02d}{rng.randint(1, 12):02d}.{rng.randint(10000, 99999)}"
        if candidate not in text:
            return candidate


def build(
    sources: list[Source],
    origin: str,
    seed: int = 4,
    per_paper: int = 7,
    attributed: int = 1,
    copies: int = 2,
) -> list[dict[str, Any]]:
    """True claims and corrupted copies for `sources` (deterministic for a seed)."""
    trues: list[dict[str, Any]] = []
    for src in sources:
        rng = random.Random(f"{seed}:{src.name}")
        pool = candidates(src)
        timed = [c for c in pool if _TIME.search(c[0])]
        first = rng.sample(timed, min(1, len(timed)))  # one sentence with ms/s when there is one
        with_unit = [c for c in pool if _UNIT.search(c[0]) and c not in first]
        first += rng.sample(with_unit, min(per_paper // 2, len(with_unit)))
        rest = [c for c in pool if c not in first]
        picked = first + rng.sample(rest, min(per_paper - len(first), len(rest)))
        picked.sort(key=lambda t: (t[1], t[0]))
        for index, (sentence, page) in enumerate(picked):
            statement = sentence if rng.random() < 0.5 else sub_clause(sentence)
            trues.append(
                {
                    "id": f"{origin}-{short_hash(src.name, sentence, n=10)}",
                    "source": origin,
                    "pdf": src.name,
                    "arxiv_id": src.arxiv_id,
                    "corruption": "none",
                    "variant": "sub-clause" if statement != sentence else "sentence",
                    "expected": "accept",
                    "claim": {"statement": statement, "quote": sentence, "page": page},
                }
            )
            if index < attributed and src.institutions:
                name = rng.choice(src.institutions)
                trues.append(
                    {
                        "id": f"{origin}-{short_hash(src.name, sentence, name, n=10)}",
                        "source": origin,
                        "pdf": src.name,
                        "arxiv_id": src.arxiv_id,
                        "corruption": "none",
                        "variant": "attributed",
                        "expected": "accept",
                        "claim": {
                            "statement": f"Researchers at {name} report: {statement}",
                            "quote": sentence,
                            "page": page,
                        },
                    }
                )
    by_pdf = {s.name: s for s in sources}
    rng = random.Random(f"{seed}:corruptions")
    bad: list[dict[str, Any]] = []
    plain = [t for t in trues if t["variant"] != "attributed"]
    made_per_class = dict.fromkeys(CLASSES, 0)
    for true in plain:
        src = by_pdf[true["pdf"]]
        text = "\n".join(src.pages)
        made_here = 0
        # The classes made least so far come first, so every class gets its share.
        for cls in sorted(CLASSES, key=lambda c: (made_per_class[c], CLASSES.index(c))):
            made = corrupt(cls, true, src, sources, text, rng)
            if made is not None:
                bad.append(made)
                made_per_class[cls] += 1
                made_here += 1
            if made_here == copies:
                break
    return trues + bad + name_cases(sources, origin, seed, {t["claim"]["quote"] for t in trues})


def _change_name(name: str, rng: random.Random) -> str | None:
    """`name` with one of its digit runs changed: 'InfLLM-V2' -> 'InfLLM-V3.74'."""
    runs = list(re.finditer(r"\d+(?:\.\d+)?", name))
    if not runs:
        return None
    m = rng.choice(runs)
    old = m.group(0)
    value = float(old)
    new = rng.choice(
        (f"{value + 1:g}", f"{value * 2 + 1:g}", f"{value + 1.74:.2f}", f"{max(value - 1, 0):g}")
    )
    return None if new == old else name[: m.start()] + new + name[m.end() :]


# a name of at least 3 characters, not a section number (C.1) or a word with a footnote
# mark glued on (technique.4)
_NAMEISH = re.compile(r"^(?![A-Za-z]\.\d)(?![a-z]+\.\d+$)[A-Za-z][\w.+-]{2,}$")


def name_cases(
    sources: list[Source], origin: str, seed: int, taken: set[str], per_paper: int = 3
) -> list[dict[str, Any]]:
    """True claims on sentences naming something with digits (Pythia-7B, GPT-4, LLaMA-2), and
    for each a copy with a number inside such a name changed (class name_number)."""
    from agent.grounding.numbers import name_tokens, ungrounded_names

    rows: list[dict[str, Any]] = []
    for src in sources:
        rng = random.Random(f"{seed}:names:{src.name}")
        pool = [
            c
            for c in candidates(src)
            if c[0] not in taken and any(_NAMEISH.match(t) for t in name_tokens(c[0]))
        ]
        for sentence, page in sorted(rng.sample(pool, min(per_paper, len(pool))), key=str):
            names = [t for t in name_tokens(sentence) if _NAMEISH.match(t)]
            name = rng.choice(names)
            changed = _change_name(name, rng)
            if changed is None:
                continue
            statement = sentence.replace(name, changed, 1)
            if not ungrounded_names(statement, sentence):
                continue  # the changed name is spelled in the quote too: no corruption
            base = {"source": origin, "pdf": src.name, "arxiv_id": src.arxiv_id}
            true_claim = {"statement": sentence, "quote": sentence, "page": page}
            true_id = f"{origin}-{short_hash(src.name, sentence, 'named', n=10)}"
            rows.append(
                {
                    "id": true_id,
                    **base,
                    "corruption": "none",
                    "variant": "named",
                    "expected": "accept",
                    "claim": true_claim,
                }
            )
            rows.append(
                {
                    "id": f"{origin}-{short_hash(src.name, sentence, changed, n=10)}",
                    **base,
                    "corruption": "name_number",
                    "variant": "statement",
                    "expected": "reject",
                    "of": true_id,
                    "change": f"{name} → {changed}",
                    "claim": dict(true_claim, statement=statement),
                }
            )
    return rows


def corrupt(
    cls: str,
    true: dict[str, Any],
    src: Source,
    sources: list[Source],
    text: str,
    rng: random.Random,
) -> dict[str, Any] | None:
    """One corrupted copy of a true claim, or None when the class does not apply."""
    claim = dict(true["claim"])
    statement, quote, page = claim["statement"], claim["quote"], claim["page"]
    change = ""
    variant = ""
    if cls == "number":
        variant = rng.choice(("statement", "statement+quote"))
        made = _change_number(statement, rng)
        if made is None:
            return None
        claim["statement"], old, new = made
        if variant == "statement+quote":
            claim["quote"] = quote.replace(old, new, 1)
        change = f"{old} → {new}"
    elif cls == "unit":
        made_u = _change_unit(statement)
        if made_u is None:
            return None
        claim["statement"], change = made_u
    elif cls == "negation":
        made_n = _negate(statement)
        if made_n is None:
            return None
        claim["statement"], change = made_n
    elif cls == "arxiv_id":
        fake = _fabricated_id(rng, text)
        variant = rng.choice(("claim", "statement"))
        if variant == "claim":
            claim["arxiv_id"] = fake
        else:
            claim["statement"] = f"{statement} (arXiv:{fake})"
        change = f"arXiv {fake}"
    elif cls == "page":
        far = [
            p
            for p in range(1, len(src.pages) + 1)
            if abs(p - page) >= 2 and quote not in src.pages[p - 1]
        ]
        if not far:
            return None
        claim["page"] = rng.choice(far)
        change = f"page {page} → {claim['page']}"
    elif cls == "other_quote":
        others = [s for s in sources if s.name != src.name]
        if not others:
            return None
        other = rng.choice(others)
        pool = [c for c in candidates(other) if c[0] not in text]
        if not pool:
            return None
        claim["quote"], claim["page"] = rng.choice(pool)
        variant = rng.choice(("own-statement", "their-statement"))
        if variant == "their-statement":
            claim["statement"] = claim["quote"]
        change = f"quote from {other.name}"
    elif cls == "institution":
        low = text.lower()
        foreign = [
            n
            for s in sources
            if s.name != src.name
            for n in s.institutions
            if n.lower() not in low and len(n) > 6
        ]
        if not foreign:
            return None
        name = rng.choice(sorted(set(foreign)))
        claim["statement"] = f"Researchers at {name} report: {statement}"
        change = f"attributed to {name}"
    for match in ARXIV_ID_RE.finditer(claim["statement"]):
        if cls != "arxiv_id" and match.group(1) not in text:
            return None
    return {
        **true,
        "id": f"{true['id']}-{cls}",
        "corruption": cls,
        "variant": variant,
        "expected": "reject",
        "of": true["id"],
        "change": change,
        "claim": claim,
    }


def write_jsonl(rows: list[dict[str, Any]], path: Path, meta: dict[str, Any]) -> None:
    lines = [json.dumps({"meta": meta}, ensure_ascii=False)]
    lines += [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows]
    atomic_write(path, "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", choices=("corpus", "demo"), default="corpus")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--per-paper", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if not source_dir(args.source).is_dir():
        print(
            f"error: {source_dir(args.source)} is missing — put ../shared beside the repo",
            file=sys.stderr,
        )
        return 1
    per_paper = args.per_paper or (7 if args.source == "corpus" else 10)
    sources = read_sources(args.source)
    rows = build(sources, args.source, seed=args.seed, per_paper=per_paper)
    name = (
        "critic_adversarial.jsonl" if args.source == "corpus" else "critic_adversarial_demo.jsonl"
    )
    out = args.out or DATASETS_DIR / name
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["corruption"]] = counts.get(row["corruption"], 0) + 1
    meta = {
        "suite": "critic-adversarial",
        "source": args.source,
        "seed": args.seed,
        "per_paper": per_paper,
        "builder": "python -m evals.build_critic_dataset",
        "counts": counts,
    }
    write_jsonl(rows, out, meta)
    print(f"wrote {len(rows)} cases to {out}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
