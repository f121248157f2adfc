"""Chinese questions, English papers: Chinese terms of a question read as English search terms.

Without a model, a Chinese question is segmented by longest match over a ZH -> EN lexicon:
the glossary (prompts/glossary.yaml, EN -> ZH, read backwards) and the topic directions
(agent/data/topics.toml: `name_zh` -> the English name and keywords), plus a few colloquial
words (`COLLOQUIAL`: 丢掉 -> drop, 快多少 -> speedup). Each matched Chinese
term becomes a *concept*: its English alternatives. The text searched is then the question's
own Latin words (model names such as QLoRA or Mamba), the English alternatives, and whatever
Chinese is left once known terms and question words are taken out (for Chinese documents).

With a model, `brief ask`/`chat` may add English search terms of their own
(agent/chat/translate.py); they are passed in as `extra`.

A question without Chinese characters is searched exactly as typed.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAS_CJK = re.compile(f"[{_CJK}]")
_LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+\-_/]*")
MAX_KEY = 16  # longest lexicon key, in characters
# A term is also known without a generic head noun: 注意力机制 -> 注意力, 状态空间模型 -> 状态空间.
_GENERIC = "机制|架构|模型|方法|技术|算法"

# Question words and particles: they carry no topic, and as CJK bigrams they would only
# match the few Chinese documents of a store. Longest first, removed before the rest is kept
# (single characters too, except those that often start or end a term: 用 复用, 对 对比,
# 在 存在).
_QUESTION_TEXT = """
    哪篇论文 哪篇 哪些 哪个 哪种 有没有 是不是 能不能 可不可以 为什么 怎么样 怎么 如何 什么
    多少 多大 多长 几倍 几个 几张 是否 能否 可以 论文 文章 工作 方法 提出 提出了 研究 这篇
    那篇 该论文 这个 那个 它的 它们 其中 之后 时候 以及 还是 或者 比如 例如 分别 一下
    一共 最高 最低 主要 大概 一个 一种 相比 通过 使用 采用 需要 能够 就能 还能 请问 介绍
    解释 说明 比较 效果 作用 问题 结果 用了 做了 得到 怎样 那些 这些 东西 吗 呢 吧 啊 呀
    的 了 么 和 与 及 是 把 被 从 到 让 给 也 都 就 还 又 而 或 其 之 这 那 它 他 她 我 你
    们 个 些 里
"""
_QUESTION_WORDS = sorted(_QUESTION_TEXT.split(), key=len, reverse=True)


# Everyday words of spoken questions for terms the glossary writes formally (ZH -> EN).
COLLOQUIAL = {
    "丢掉": "drop",
    "去掉": "remove",
    "删掉": "remove",
    "丢弃": "drop",
    "提速": "speedup",
    "快多少": "speedup",
    "快几倍": "speedup",
    "速度": "speed",
    "键值": "key-value",
    "省显存": "memory saving",
    "距离": "distance",
    "远处": "distant",
    "较远": "distant",
    "耗时": "time",
    "开销": "overhead",
    "成本": "cost",
    "精度损失": "accuracy loss",
    "掉点": "accuracy drop",
}


def has_cjk(text: str) -> bool:
    return bool(_HAS_CJK.search(text))


def chinese_of(text: str) -> str:
    """A Chinese text as typed, keeping of its Latin words only names (a capital or a digit:
    QLoRA, GPT-4o, SLO; not "token"): its Chinese finds Chinese documents, its names any."""
    names = [w for w in _LATIN.findall(text) if re.search(r"[A-Z]", w)]
    return " ".join([*re.findall(f"[{_CJK}]+", text), *names])


def _key(text: str) -> str:
    """A lexicon key: NFKC, lower case, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@dataclass(frozen=True)
class Concept:
    """A Chinese term found in a question and the English terms it stands for."""

    zh: str
    english: tuple[str, ...]


@dataclass
class Expansion:
    """What a question is searched as."""

    question: str
    concepts: list[Concept] = field(default_factory=list)
    latin: list[str] = field(default_factory=list)  # the question's own Latin words
    rest: str = ""  # Chinese left over (not a known term, not a question word)
    extra: list[str] = field(default_factory=list)  # terms a model translated

    @property
    def crosslingual(self) -> bool:
        return has_cjk(self.question)

    def english(self) -> list[str]:
        """Every English term, the question's own words first, without repeats."""
        seen: dict[str, None] = {}
        for term in [*self.latin, *(e for c in self.concepts for e in c.english), *self.extra]:
            seen.setdefault(term, None)
        return list(seen)

    def text(self) -> str:
        """The text the store searches (the question itself when it has no Chinese)."""
        if not self.crosslingual:
            return self.question
        return " ".join([*self.english(), self.rest]).strip() or self.question


class Lexicon:
    """ZH -> English terms, matched longest first."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self.terms: dict[str, list[str]] = {}
        for zh, en in entries:
            key = _key(zh)
            if not has_cjk(key) or not en.strip():
                continue
            stem = re.sub(f"(?<=[{_CJK}]{{2}})(?:{_GENERIC})$", "", key)
            for name in {key, stem}:
                bucket = self.terms.setdefault(name, []) if len(name) >= 2 else []
                if name and en not in bucket and len(name) >= 2:
                    bucket.append(en)
        self.longest = min(MAX_KEY, max((len(k) for k in self.terms), default=0))

    def segment(self, text: str) -> tuple[list[Concept], str]:
        """Known terms of `text` (longest match, left to right) and the text left over."""
        flat = _key(text)
        found: list[Concept] = []
        rest: list[str] = []
        i = 0
        while i < len(flat):
            match = ""
            if _HAS_CJK.match(flat[i]) or flat[i].isalnum():
                for size in range(min(self.longest, len(flat) - i), 1, -1):
                    piece = flat[i : i + size]
                    if piece in self.terms and has_cjk(piece):
                        match = piece
                        break
            if match:
                if all(c.zh != match for c in found):
                    found.append(Concept(match, tuple(self.terms[match])))
                rest.append(" ")
                i += len(match)
            else:
                rest.append(flat[i])
                i += 1
        return found, "".join(rest)


def glossary_entries() -> list[tuple[str, str]]:
    """(ZH, EN) pairs of prompts/glossary.yaml."""
    import yaml

    text = resources.files("prompts").joinpath("glossary.yaml").read_text(encoding="utf-8")
    terms = yaml.safe_load(text) or {}
    return [(str(zh), str(en)) for en, zh in terms.items()]


def direction_entries() -> list[tuple[str, str]]:
    """(ZH, EN) pairs of the built-in topic directions: the Chinese name (and its Chinese
    part when it is one of 3+ characters beside Latin names, e.g. 状态空间模型 of
    "状态空间模型 SSM/Mamba") -> the English name and its first keywords."""
    text = resources.files("agent").joinpath("data", "topics.toml").read_text(encoding="utf-8")
    out: list[tuple[str, str]] = []
    for topic in tomllib.loads(text).values():
        for direction in topic.get("directions", []):
            zh = str(direction.get("name_zh", ""))
            english = [str(direction.get("name", "")), *direction.get("keywords", [])[:3]]
            runs = re.findall(f"[{_CJK}]+", zh)
            names = {zh, *(runs if len(runs) == 1 and len(runs[0]) >= 3 else [])}
            for name in names:
                out.extend((name, en) for en in english if en)
    return out


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon([*glossary_entries(), *direction_entries(), *COLLOQUIAL.items()])


def _strip_question_words(text: str) -> str:
    for word in _QUESTION_WORDS:
        text = text.replace(word, " ")
    return " ".join(text.split())


def expand(question: str, extra: Iterable[str] = (), lexicon: Lexicon | None = None) -> Expansion:
    """The question's concepts and search text; `extra` adds English terms (a model's)."""
    extras = [e.strip() for e in extra if e and e.strip()]
    if not has_cjk(question):
        return Expansion(question, extra=extras)
    lexicon = lexicon or default_lexicon()
    normal = unicodedata.normalize("NFKC", question)
    latin = list(dict.fromkeys(_LATIN.findall(normal)))
    concepts, left = lexicon.segment(normal)
    rest = _strip_question_words(" ".join(re.findall(f"[{_CJK}]+", left)))
    return Expansion(question, concepts, latin, rest, extras)


def search_text(question: str, extra: Iterable[str] = ()) -> str:
    """What the store searches for `question` (unchanged when it has no Chinese)."""
    return expand(question, extra).text()
