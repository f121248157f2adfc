"""A scripted stand-in for a model's judgement in workflow tests (no tests in this file).

`FakeJudge` answers the workflow's three structured calls from what the prompt shows it:
the extractor points at numbered sentences of the fenced excerpt (sentences with a % or ×
figure as results, a "we propose" sentence as the method, the first other one as the
problem) with short Chinese phrases, the critic finds every claim entailed, the writer
strings the claims together. Tests inject
faults per paper through `mutate_claims` (e.g. a wrong number on the first extraction).
It is wrapped in ScriptedChatModel, which records every call.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from langchain_core.messages import BaseMessage

from agent.extractive import numbers_in  # grounding's number reader
from agent.llm.scripted import ScriptedChatModel

FENCE = re.compile(r"```text\n(.*?)\n```", re.DOTALL)
NUMBERED = re.compile(r"^\[(\d+)\] (.*)$", re.MULTILINE)


def prompt_text(messages: list[BaseMessage]) -> str:
    return "\n".join(str(m.content) for m in messages)


def agent_of(text: str) -> str:
    if "pick the key claims" in text:
        return "extractor"
    if "You check claims" in text:
        return "critic"
    if "one-sentence brief" in text:
        return "writer"
    return "unknown"


def paper_of(text: str) -> str:
    match = re.search(r"\(arXiv (\d{4}\.\d{4,5})\)|\[(\d{4}\.\d{4,5})(?:v\d+)?#", text)
    return (match.group(1) or match.group(2)) if match else ""


def numbered_sentences(text: str) -> list[tuple[int, str]]:
    fenced = FENCE.search(text)
    body = fenced.group(1) if fenced else ""
    return [(int(n), sentence) for n, sentence in NUMBERED.findall(body)]


def extract_answer(text: str) -> dict[str, Any]:
    claims: list[dict[str, Any]] = []
    sentences = numbered_sentences(text)
    for n, sentence in sentences:
        units = [x for x in numbers_in(sentence) if x.endswith(("%", "×"))]
        if units and len(claims) < 3:
            claims.append({"sentence": n, "kind": "result", "phrase": f"论文报告的结果（{units[0]}）"})
    method = next(
        (n for n, s in sentences if re.search(r"\bwe (propose|present|introduce)\b", s, re.I)),
        None,
    )
    if method is not None:
        claims.append({"sentence": method, "kind": "method", "phrase": "论文提出的新方法"})
    used = {c["sentence"] for c in claims}
    for n, _ in sentences:
        if len(claims) >= 3:
            break
        if n not in used:
            claims.append({"sentence": n, "kind": "problem", "phrase": "现有方法效率不高的问题"})
    return {"claims": claims[:5]}


def critic_answer(text: str) -> dict[str, Any]:
    indices = [int(i) for i in re.findall(r"^\[(\d+)\] statement:", text, re.M)]
    return {"verdicts": [{"index": i, "entailed": True, "reason": ""} for i in indices]}


def writer_answer(text: str) -> dict[str, Any]:
    rows = re.findall(r"^\[([^\]]+#[0-9a-f]+)\] \((\w+)\) (.*)$", text, re.M)
    by_kind = {kind: (cid, statement) for cid, kind, statement in reversed(rows)}
    result = by_kind.get("result")
    method = by_kind.get("method")
    return {
        "method": "一种新方法" if not method else "论文提出的方法",
        "problem": "推理效率问题",
        "result": f"论文报告的结果（{', '.join(numbers_in(result[1])[:1])}）" if result else "",
        "claim_ids": [pick[0] for pick in (result, method) if pick],
    }


class FakeJudge:
    """Callable responder: answers each prompt by the agent it is for."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.mutate_claims: Callable[[str, int, dict[str, Any]], dict[str, Any]] | None = None
        self.mutate_draft: Callable[[str, int, dict[str, Any]], dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def __call__(self, messages: list[BaseMessage]) -> str:
        text = prompt_text(messages)
        agent, paper = agent_of(text), paper_of(text)
        with self._lock:
            self.calls[(agent, paper)] += 1
            n = self.calls[(agent, paper)]
        if agent == "extractor":
            answer = extract_answer(text)
            if self.mutate_claims is not None:
                answer = self.mutate_claims(paper, n, answer)
        elif agent == "critic":
            answer = critic_answer(text)
        elif agent == "writer":
            answer = writer_answer(text)
            if self.mutate_draft is not None:
                answer = self.mutate_draft(paper, n, answer)
        else:
            raise AssertionError(f"unexpected prompt: {text[:200]}")
        return json.dumps(answer, ensure_ascii=False)


def fake_model(judge: FakeJudge, calls: int = 200) -> ScriptedChatModel:
    """A ScriptedChatModel whose every response is the judge's answer."""
    return ScriptedChatModel(responses=[judge] * calls)
