"""Lexical entailment: the checks a program can make that a claim's phrase says no more than
its sentence, without asking a model.

A model that points at a sentence and writes a short phrase about it can still go wrong in
ways a program sees: a name (model, method, dataset, metric) the paper never uses, a phrase
in the wrong language (the English sentence copied into a Chinese slot), a loop (the same
words again and again), or nothing at all. Numbers are checked by agent.grounding.check.
This check runs for every model claim; a model's own entailment judgement is added on top in
`full` mode (settings.model_calls), where the backend is strong enough for it to be worth a
call.
"""

from __future__ import annotations

import re

from store.schemas import Claim

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.+/][A-Za-z0-9]+)*\+*")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
MIN_HAN_SHARE = 0.4  # of a Chinese phrase's letters (names in English are the rest)


def han_share(text: str) -> float:
    """Chinese characters / (Chinese characters + Latin letters) of `text` (0 when neither)."""
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    return han / (han + latin) if han + latin else 0.0


def _known(name: str, evidence: str) -> bool:
    low = name.lower()
    if low in evidence:
        return True
    # a plural, a possessive or a hyphen dropped ("Transformer" for "transformers")
    stem = re.sub(r"(?:'s|s)$", "", low)
    return len(stem) >= 2 and (stem in evidence or stem.replace("-", "") in evidence)


def name_like(word: str) -> bool:
    """A word that names something (DPad, LLaDA-8B, GPT-4, QLoRA, KV) rather than saying it:
    a capital after the first letter, or a digit."""
    return any(ch.isupper() for ch in word[1:]) or any(ch.isdigit() for ch in word)


def unknown_names(phrase: str, evidence: str, every_word: bool = True) -> list[str]:
    """Latin-script names of `phrase` (two letters or more) found nowhere in `evidence`
    (compared case-insensitively; `evidence` is lower-cased by the caller). In a Chinese
    phrase every Latin word is a name; in an English one only name-like words are."""
    out: list[str] = []
    for match in _NAME.finditer(phrase):
        name = match.group(0).strip(".-_/")
        if len(name) < 2 or not (every_word or name_like(name)):
            continue
        if not _known(name, evidence) and name not in out:
            out.append(name)
    return out


def looping(text: str, size: int = 4, most: int = 3) -> bool:
    """True when one run of `size` characters recurs more than `most` times (a model loop)."""
    text = re.sub(r"\s+", "", text)
    counts: dict[str, int] = {}
    for i in range(0, max(len(text) - size + 1, 0)):
        gram = text[i : i + size]
        counts[gram] = counts.get(gram, 0) + 1
        if counts[gram] > most:
            return True
    return False


def echoes(phrase: str, instructions: str, size: int = 6) -> bool:
    """Whether a Chinese phrase repeats `size` Chinese characters in a row from the prompt's
    fixed text (a small model pastes its example's words into every paper)."""
    han = "".join(_HAN.findall(phrase))
    grams = {han[i : i + size] for i in range(len(han) - size + 1)}
    told = "".join(_HAN.findall(instructions))
    return any(g in told for g in grams)


def phrase_reasons(claim: Claim, evidence: str, lang: str, instructions: str = "") -> list[str]:
    """Reasons the claim's phrase (statement_zh in Chinese, statement in English) says more
    than, or other than, its sentence; `evidence` is the quote, title and abstract,
    lower-cased; `instructions` the prompt's fixed text (a small model may copy its example)."""
    phrase = claim.statement_zh if lang == "zh" else claim.statement
    phrase = phrase.strip()
    if len(phrase) < 4:
        return ["the phrase is empty or too short to say anything"]
    reasons: list[str] = []
    if lang == "zh" and han_share(phrase) >= MIN_HAN_SHARE and len(_HAN.findall(phrase)) < 5:
        return ["the phrase is too short to say anything"]
    if len(phrase) >= 8 and phrase.rstrip("。.") in instructions or echoes(phrase, instructions):
        reasons.append("the phrase copies the instructions' example, not the sentence")
    if lang == "zh" and han_share(phrase) < MIN_HAN_SHARE:
        reasons.append("the phrase is not written in Chinese (only names may stay in English)")
    if looping(phrase):
        reasons.append("the phrase repeats itself")
    names = unknown_names(phrase, evidence, every_word=lang == "zh")
    if names:
        reasons.append(f"the phrase names {', '.join(names)}, which the sentence does not")
    return reasons
