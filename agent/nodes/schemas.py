"""What the language model fills in, kept apart from graph state.

Every model has a docstring and a description on every field: both reach the model through
the JSON schema of the structured call.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

Kind = Literal["problem", "method", "result", "limitation", "dataset", "other"]
PickKind = Literal["problem", "method", "result", "limitation"]
PHRASE_CHARS = {"zh": 32, "en": 100}  # the longest phrase a model may write, per language
PICKS = (3, 5)  # fewest and most claims one extraction returns


class ClaimPick(BaseModel):
    """One claim of the paper: the numbered sentence that states it, what kind of claim it
    is, and the claim as a short phrase for the brief."""

    sentence: int = Field(description="the number [n] of the sentence that states the claim")
    kind: PickKind = Field(
        description="problem (what is hard or missing), method (what the paper proposes), "
        "result (what it achieves, with its numbers) or limitation"
    )
    phrase: str = Field(
        description="the claim as a short phrase in the brief's language; numbers and names "
        "exactly as in the sentence"
    )


class PaperPicks(BaseModel):
    """The paper's key claims, each pointing at the sentence that states it."""

    claims: list[ClaimPick] = Field(
        description="3 to 5 claims: at least one problem, one method and one result"
    )


class PaperPhrases(BaseModel):
    """One short phrase per numbered sentence, in the order given: the claim each states."""

    phrases: list[str] = Field(description="one phrase per sentence, in order")


_SENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.+/][A-Za-z0-9]+)*(?:\(\))?")
_SENT_NUMBER = re.compile(r"\d+(?:[.,]\d+)*(?:\s?[-–~]\s?\d+(?:[.,]\d+)*)?(?:\s?(?:%|×|倍))?")
_NOT_NAMES = {"However", "We", "The", "In", "This", "Our", "To", "It", "These", "For", "As", "A"}
EN_PHRASE = r'^[A-Za-z0-9][^"\\\x00-\x1f]{{3,{rest}}}$'  # words first, no raw control
ZH_UNITS = " \u4e00-\u9fff\u3000-\u303f\uff00-\uffef"  # space, Chinese, its punctuation


def sentence_names(sentence: str) -> list[str]:
    """Names a Chinese phrase may keep in Latin script: the sentence's words that carry a
    capital after the first letter or a digit (DPad, LLaDA-8B, dLLMs), all-capital
    acronyms, capitalised words not opening the sentence (Spiffy), and token(s)."""
    out: list[str] = []
    for i, match in enumerate(_SENT_NAME.finditer(sentence)):
        word = match.group(0).rstrip(".")
        inner = any(ch.isupper() for ch in word[1:]) or any(ch.isdigit() for ch in word)
        capital = word[:1].isupper() and i > 0 and word not in _NOT_NAMES and len(word) > 2
        if (inner or capital or word.lower() in ("token", "tokens")) and word not in out:
            out.append(word)
    return out


def _literal(token: str) -> str:
    """A token as a pattern both Python's re and llama.cpp's converter read literally
    ('.' and '+' as one-character classes; "" for a token with other special characters)."""
    out = []
    for ch in token:
        if ch.isalnum() or ch in "-_/%× ":
            out.append(ch)
        elif ch in ".+()":
            out.append(f"[{ch}]")
        else:
            return ""
    return "".join(out)


def zh_phrase_pattern(sentence: str, most: int) -> str:
    """The pattern (and so the grammar) of a Chinese phrase about `sentence`: Chinese text
    and punctuation, with Latin script only for the names and digits only for the numbers
    the sentence itself writes; a Chinese character within the first four units."""
    numbers = [  # not the digits of a name (the 1.5 of LLaDA-1.5 is the name's)
        m.group(0)
        for m in _SENT_NUMBER.finditer(sentence)
        if not (
            m.start() and (sentence[m.start() - 1].isalnum() or sentence[m.start() - 1] in "-_.")
        )
    ]
    # a number as written, with its unit or decimals (no lone digits to compose others from)
    tokens = sentence_names(sentence) + [n for n in numbers if len(n) >= 3 or not n.isdigit()]
    tokens = sorted(set(tokens), key=len, reverse=True)[:24]
    unit = "|".join([f"[{ZH_UNITS}]", *filter(None, (_literal(t) for t in tokens))])
    # plain groups: llama.cpp's pattern converter does not read (?:
    return f"^({unit}){{0,3}}[\u4e00-\u9fff]({unit}){{2,{most - 4}}}$"


@lru_cache(maxsize=64)
def phrases_schema(sentences: tuple[str, ...], lang: str) -> type[PaperPhrases]:
    """PaperPhrases for these sentences: exactly one phrase per sentence, each at most
    PHRASE_CHARS[lang] characters (so a grammar cannot skip, add or run on); a Chinese
    phrase may only use Chinese, the sentence's names and the sentence's numbers."""
    from pydantic import constr

    most = PHRASE_CHARS.get(lang, PHRASE_CHARS["en"])
    items: list[Any] = [
        constr(min_length=2, max_length=most * 4, pattern=zh_phrase_pattern(text, most))
        if lang == "zh"
        else constr(min_length=4, max_length=most, pattern=EN_PHRASE.format(rest=most - 1))
        for text in sentences
    ]
    return create_model(
        "PaperPhrases",
        __base__=PaperPhrases,
        __doc__=PaperPhrases.__doc__,
        phrases=(  # a tuple type built at run time: one item schema per sentence
            tuple.__class_getitem__(tuple(items)),  # type: ignore[arg-type]
            Field(description=PaperPhrases.model_fields["phrases"].description),
        ),
    )


@lru_cache(maxsize=128)
def picks_schema(sentences: int, lang: str) -> type[PaperPicks]:
    """PaperPicks bounded for one excerpt: sentence numbers 1..`sentences` (an enum, so a
    grammar cannot point outside the excerpt), phrases of at most PHRASE_CHARS[lang]
    characters, PICKS[0] to PICKS[1] claims."""
    numbers: Any = Literal.__getitem__(tuple(range(1, max(sentences, 1) + 1)))
    most = PHRASE_CHARS.get(lang, PHRASE_CHARS["en"])
    language = "Chinese" if lang == "zh" else "English"
    pick = create_model(
        "ClaimPick",
        __base__=ClaimPick,
        __doc__=ClaimPick.__doc__,
        sentence=(numbers, Field(description=ClaimPick.model_fields["sentence"].description)),
        phrase=(
            str,
            Field(
                min_length=4,
                max_length=most,
                description=f"the claim as a short {language} phrase of at most {most} "
                "characters; numbers and names exactly as in the sentence",
            ),
        ),
    )
    return create_model(
        "PaperPicks",
        __base__=PaperPicks,
        __doc__=PaperPicks.__doc__,
        claims=(
            list[pick],
            Field(
                min_length=min(PICKS[0], sentences),
                max_length=PICKS[1],
                description=PaperPicks.model_fields["claims"].description,
            ),
        ),
    )


class ClaimDraft(BaseModel):
    """One claim the paper makes, with the verbatim sentence that supports it."""

    kind: Kind = Field(description="problem, method, result, limitation, dataset or other")
    statement: str = Field(description="the claim in one English sentence, in your words")
    statement_zh: str = Field(description="the same claim in one Chinese sentence")
    quote: str = Field(
        description="verbatim evidence copied character for character from the source text"
    )
    page: int = Field(description="page number (from the [page N] marker) holding the quote")
    numbers: list[str] = Field(
        default_factory=list,
        description="every number in the statement exactly as written in the quote, e.g. 2.8×, 45%",
    )


class PaperClaims(BaseModel):
    """The paper's key claims and who wrote it, read from the source text."""

    claims: list[ClaimDraft] = Field(
        description="3 to 8 claims: at least one problem, one method and one result"
    )
    institutions: list[str] = Field(
        default_factory=list, description="institutions printed on page 1, in order, as printed"
    )
    author_count: int = Field(0, description="number of authors printed on page 1")


class Verdict(BaseModel):
    """Whether one claim's statement follows from its quote."""

    index: int = Field(description="the claim's number in the list you were given")
    entailed: bool = Field(description="true only if the quote alone supports the statement")
    reason: str = Field(default="", description="when not entailed: what the quote does not say")


class Verdicts(BaseModel):
    """The critic's judgement on each claim it was given."""

    verdicts: list[Verdict] = Field(description="one verdict per claim, in the order given")


class OneLiner(BaseModel):
    """The prose of one paper's one-sentence brief; the template adds institution and title."""

    method: str = Field(description="the method, as a short noun phrase (使用…)")
    problem: str = Field(description="the problem it solves, as a short phrase (解决了…)")
    result: str = Field(
        description="the result with its numbers as in the claims (达成了…); "
        "if no claim has a number, say so without inventing one"
    )
    claim_ids: list[str] = Field(description="ids of the claims these phrases rest on")
