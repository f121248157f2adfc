"""Chinese phrases the program can write without a model, from what it knows exactly.

In extractive mode no sentence is translated; instead the one-liner's slots are filled with
facts the program reads off the verified claims and renders in Chinese: the method's name
(the title's "Name:" prefix or the name a method sentence introduces), the glossary terms a
sentence uses (prompts/glossary.yaml), the kind of problem its cue words name (memory,
latency, cost, redundancy …), and the result's numbers with the metric they measure. The
paper's own sentences go to a labelled 原文 line beside the brief sentence, verbatim.
"""

from __future__ import annotations

import re

_TITLE_NAME = re.compile(r"^\s*([^:：]{2,40}?)\s*[:：]")
_INTRODUCES = re.compile(
    r"\b(?:propose|present|introduce|develop|design|call)s?\s+(?:a |an |the )?"
    r"(?:novel |new |simple |efficient |general |unified |training-free )*"
    r"(?:\w+ ){0,3}?(?:called |named |dubbed )?"
    r"(?P<name>[A-Za-z][A-Za-z0-9]*[A-Z][A-Za-z0-9.\-+()]*)"
)
_NAME = re.compile(r"\b[A-Za-z][a-z0-9]*[A-Z][A-Za-z0-9.\-+]*(?:\(\))?")
_COMMON = {"LLM", "LLMs", "GPU", "GPUs", "CPU", "AI", "NLP", "API", "KV", "FLOPs", "TPU"}

# cue words of a problem sentence → what kind of problem it is (first match wins)
PROBLEM_CUES: tuple[tuple[str, str], ...] = (
    (r"memory|footprint|kv cache size", "显存与内存开销大"),
    (r"quadratic", "计算量随长度二次增长"),
    (r"redundan|wasteful|unnecessar", "存在大量冗余计算"),
    (r"latency|slow", "延迟高"),
    (r"bandwidth|memory-bound|io-bound", "受内存带宽限制"),
    (r"cost|expensive|costly|prohibitive", "计算成本高"),
    (r"bottleneck", "存在性能瓶颈"),
    (r"overhead", "额外开销大"),
    (r"degrad|accuracy drop|loss of accuracy|outlier", "精度下降"),
    (r"scal", "难以扩展"),
    (r"inefficien", "效率低"),
)
# cue words of a result sentence → (what its numbers measure, how they are said)
RESULT_CUES: tuple[tuple[str, str, str], ...] = (
    (r"throughput", "吞吐量", "提升"),
    (r"speed ?up|faster|accelerat|latency", "推理速度", "加速"),
    (r"memory|footprint", "显存占用", "降低"),
    (r"perplexity", "困惑度", "为"),
    (r"accura", "准确率", "达到"),
    (r"compress", "压缩率", "达到"),
    (r"cost|gpu hours", "成本", "为"),
    (r"reduc|fewer|less", "开销", "降低"),
    (r"improv|gain|better|outperform|higher", "性能", "提升"),
)
_UNIT = re.compile(r"[%×x倍]$|[KMB]$")


def method_name(title: str, sentence: str) -> str:
    """The method's name: the title's short "Name:" prefix, else a name the sentence
    introduces ("we propose DPad"), else "" (never a guess)."""
    head = _TITLE_NAME.match(title or "")
    if head:
        words = head.group(1).split()
        first = words[0].strip()
        named = any(ch.isupper() or ch.isdigit() for ch in first[1:]) or "-" in first
        if len(words) == 1 or named:  # "DPad:", "SpikingBrain Technical Report:" → the name
            return first
    found = _INTRODUCES.search(sentence or "")
    if found and found.group("name") not in _COMMON:
        return found.group("name").rstrip(".,")
    return ""


def glossary_terms(text: str, terms: dict[str, str], most: int = 2) -> list[str]:
    """Chinese renderings of the glossary terms `text` uses, longest terms first, each
    concept once (a term inside a longer one found already is skipped)."""
    low = (text or "").lower()
    found: list[tuple[int, str, str]] = []
    for en in sorted(terms, key=len, reverse=True):
        match = re.search(rf"\b{re.escape(en.lower())}", low)
        if match and not any(en.lower() in longer.lower() for _, longer, _ in found):
            found.append((match.start(), en, terms[en]))
    found.sort()
    out: list[str] = []
    for _, _, zh in found:
        if zh not in out:
            out.append(zh)
    return out[:most]


def _cue(text: str, cues: tuple[tuple[str, str], ...]) -> str:
    low = (text or "").lower()
    return next((zh for pattern, zh in cues if re.search(pattern, low)), "")


GENERIC = ("推理", "解码", "预填充", "推理服务", "微调", "训练")  # a stage, not a subject


def subject(found: list[str]) -> str:
    """Glossary terms as one subject: 扩散语言模型 + 推理 → 扩散语言模型推理."""
    if len(found) == 2 and found[1] in GENERIC and found[0] not in GENERIC:
        return found[0] + found[1]
    if len(found) == 2 and found[0] in GENERIC and found[1] not in GENERIC:
        return found[1] + found[0]
    return "、".join(found)


def problem_phrase(sentence: str, terms: dict[str, str]) -> str:
    """E.g. 扩散语言模型推理中存在大量冗余计算的问题 (empty when nothing is known)."""
    where = subject(glossary_terms(sentence, terms))
    what = _cue(sentence, PROBLEM_CUES)
    if where and what:
        return f"{where}中{what}的问题"
    if what:
        return f"现有方法{what}的问题"
    return f"{where}中的效率问题" if where else "原文所述的问题"


def method_phrase(name: str, sentence: str, terms: dict[str, str]) -> str:
    """E.g. DPad（一种面向扩散语言模型的免训练方法）."""
    low = (sentence or "").lower()
    domain = [t for t in glossary_terms(sentence, terms, most=3) if t not in ("免训练", "无损")]
    kind = "免训练" if "training-free" in low or "without training" in low else ""
    kind += "无损" if "lossless" in low else ""
    described = f"一种{'面向' + domain[0] + '的' if domain else ''}{kind}方法"
    if name:
        return f"{name}（{described}）"
    return described if domain or kind else "论文提出的新方法"


def has_unit(number: str) -> bool:
    """A figure with its unit (61.4×, 92.87%, 3倍): what a reader takes as a result."""
    return bool(re.search(r"[%×xX倍]$", number))


def headline_numbers(numbers: list[str], most: int = 2) -> list[str]:
    """The numbers a reader remembers: those with a unit (×, %, 倍) first."""
    ranked = sorted(numbers, key=lambda n: not _UNIT.search(n))
    return list(dict.fromkeys(ranked))[:most]


def result_phrase(sentence: str, numbers: list[str]) -> str:
    """E.g. 推理速度加速最高 61.4×; without a number, what improved and that the paper's
    sentence gives no figure."""
    shown = headline_numbers(numbers)
    low = (sentence or "").lower()
    cue = next(
        ((noun, verb) for pattern, noun, verb in RESULT_CUES if re.search(pattern, low)), None
    )
    if not shown:
        return f"{cue[0]}方面取得改进（原文未给出具体数字）" if cue else ""
    noun, verb = cue or ("论文报告的结果", "为")
    up_to = "最高" if re.search(r"\bup to\b", low) else ""
    return f"{noun}{verb}{up_to} {'、'.join(shown)}"


def claim_phrase(claim: dict[str, object], terms: dict[str, str]) -> str:
    """A verified claim as a Chinese phrase the program can stand behind: the model's own
    phrase when it wrote one, else one made from the claim's kind, names, terms and numbers
    (the sentence itself stays in the sidecar and behind the citation)."""
    written = str(claim.get("statement_zh") or "").strip()
    if written:
        return written
    statement = str(claim.get("statement") or "")
    numbers = [str(n) for n in claim.get("numbers") or []]  # type: ignore[attr-defined]
    kind = claim.get("kind")
    if kind == "method":
        return method_phrase(method_name("", statement), statement, terms)
    if kind == "result":
        return result_phrase(statement, numbers) or "论文报告的结果（未给出具体数字）"
    if kind == "limitation":
        where = subject(glossary_terms(statement, terms))
        return f"{where + '方面' if where else ''}论文自述的局限"
    if kind == "problem":
        return problem_phrase(statement, terms)
    where = "、".join(glossary_terms(statement, terms, most=3))
    return f"涉及{where}的论断" if where else "论文的一项论断"
