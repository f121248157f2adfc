"""Answers written by a model: retrieve-then-answer, or a small tool loop; both streamed.

The model's text reaches the caller only through a `CitationGate`, so citations that do not
resolve to a stored chunk are never shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.chat.citations import CITATION_RE, SENTENCE_SPLIT, CitationGate, Ref, refs_in
from agent.chat.evidence import Evidence, Filters, StoreView
from agent.chat.language import frame, language_of
from agent.chat.sentinel import NOT_FOUND, is_not_found
from agent.chat.text import collapse
from agent.chat.tools import ChatTools, build_tools, passage
from agent.errors import ModelError
from agent.safety import Allowed, StreamCleaner

MAX_TOOL_ROUNDS = 3
LOCAL_PASSAGES = 3  # an in-process model reads at most this many: on a CPU the prompt dominates


def stored_papers(view: StoreView) -> Allowed:
    """Links may point at arXiv papers that are in the store."""
    return lambda arxiv_id: view.paper(arxiv_id) is not None


def supports_tools(model: Any, settings: Any) -> bool:
    """Tool calling is used when `bind_tools` works and the model is not a small local one."""
    if str(getattr(settings, "model", "")).startswith("llamacpp:"):
        return False
    try:
        model.bind_tools([])
    except (NotImplementedError, AttributeError, TypeError, ValueError):
        return False
    return True


def _messages(
    question: str, history: list[Any], evidence: list[Evidence], filters: Filters, tools: bool
) -> list[Any]:
    from langchain_core.messages import HumanMessage, SystemMessage

    from agent.prompting import render

    # the English sentinel in every language: a small model given the Chinese one tends to
    # answer with it whatever the passages say; a Chinese answer's sentinel is mapped back
    system = render("chat.system.md", not_found=NOT_FOUND, tools=tools, lang=language_of(question))
    user = render(
        "chat.user.md",
        question=question,
        filters="" if filters.describe() == "none" else filters.describe(),
        evidence=[passage(ev) for ev in evidence],
    )
    earlier = [m for m in history if getattr(m, "type", "") in ("human", "ai") and m.content]
    return [SystemMessage(system), *earlier, HumanMessage(user)]


def _text_of(chunk: Any) -> str:
    content = getattr(chunk, "content", "")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def _stream(
    runnable: Any,
    messages: list[Any],
    gate: CitationGate,
    sink: Callable[[str], None],
    cleaner: StreamCleaner | None = None,
) -> tuple[str, Any]:
    """Stream one model turn through the gate and the cleaner (no raw HTML, no links but to
    stored arXiv papers); return the shown text and the full message."""
    shown: list[str] = []
    full = None
    cleaner = cleaner or StreamCleaner()
    try:
        for chunk in runnable.stream(messages):
            full = chunk if full is None else full + chunk
            piece = cleaner.feed(gate.feed(_text_of(chunk)))
            if piece:
                shown.append(piece)
                sink(piece)
    except Exception as exc:  # a backend failure becomes one line, not a traceback
        if exc.__class__.__module__.startswith("agent."):
            raise
        raise ModelError(f"the model failed: {exc}", "check --model and the backend") from exc
    tail = cleaner.feed(gate.flush()) + cleaner.flush()
    if tail:
        shown.append(tail)
        sink(tail)
    return "".join(shown), full


def generate(
    question: str,
    settings: Any,
    view: StoreView,
    model: Any,
    k: int,
    history: list[Any],
    filters: Filters,
    evidence: list[Evidence],
    sink: Callable[[str], None],
    actions: ChatTools | None,
) -> tuple[str, CitationGate, list[Evidence], str]:
    """(shown text, gate, evidence used, mode) for a model answer.

    A Chinese answer is held back until it is complete: each of its sentences with a number
    that no given passage or cited page prints is dropped (`traced`), then it is shown.
    """
    from langchain_core.messages import ToolMessage

    gate = CitationGate(view.resolves)
    cleaner = StreamCleaner(stored_papers(view))
    use_tools = supports_tools(model, settings)
    not_found = frame(question)["not_found"]
    if not evidence:  # nothing relevant: say so instead of letting the model guess
        sink(not_found)
        return not_found, gate, evidence, "rag"
    if str(getattr(settings, "model", "")).startswith("llamacpp:"):
        evidence = evidence[:LOCAL_PASSAGES]
    messages = _messages(question, history, evidence, filters, use_tools)
    if language_of(question) == "zh":
        held: list[str] = []
        shown_sink, sink = sink, held.append
    if not use_tools:
        text, _ = _stream(model, messages, gate, sink, cleaner)
        text = _tidy(text, gate, evidence, sink, not_found)
        if language_of(question) == "zh":
            text = traced(text, evidence, view, gate, not_found)
            shown_sink(text)
        return text, gate, evidence, "rag"
    actions = actions or ChatTools()
    offered = build_tools(view, k, filters, actions)
    runnable = model.bind_tools(offered)
    tools = {t.name: t for t in offered}
    shown: list[str] = []
    for round_ in range(MAX_TOOL_ROUNDS + 1):
        if round_ == MAX_TOOL_ROUNDS:  # last round: no tools, so the model has to answer
            runnable = model
        part, message = _stream(runnable, messages, gate, sink, cleaner)
        shown.append(part)
        calls = list(getattr(message, "tool_calls", None) or [])
        if not calls:
            break
        messages.append(message)
        for call in calls:
            tool = tools.get(call["name"])
            result = tool.invoke(call["args"]) if tool else f"unknown tool {call['name']!r}"
            messages.append(ToolMessage(str(result), tool_call_id=call.get("id") or call["name"]))
    text = "".join(shown)
    found = evidence + [ev for ev in actions.found if ev not in evidence]
    text = _tidy(text, gate, found, sink, not_found)
    if language_of(question) == "zh":
        text = traced(text, found, view, gate, not_found)
        shown_sink(text)
    return text, gate, found, "tools"


def traced(
    text: str, evidence: list[Evidence], view: StoreView, gate: CitationGate, not_found: str
) -> str:
    """The answer without its sentences whose numbers no given passage or cited page
    prints (the not-found sentence when nothing is left)."""
    from agent.grounding.numbers import ungrounded_numbers

    if is_not_found(text):
        return not_found
    sources = [ev.text for ev in evidence]
    lines: list[str] = []
    for line in text.splitlines():
        kept: list[str] = []
        for piece in SENTENCE_SPLIT.split(line):
            bare = CITATION_RE.sub("", piece)
            pages = [view.page_text(ref.paper, ref.page) for ref in refs_in(piece)]
            if ungrounded_numbers(bare, [*sources, *pages]):
                gate.dropped.append(f"untraced number: {collapse(bare)[:80]}")
                continue
            kept.append(piece)
        if kept or not line.strip():
            lines.append(" ".join(k.strip() for k in kept) if kept else "")
    return "\n".join(lines).strip() or not_found


def _tidy(
    text: str,
    gate: CitationGate,
    evidence: list[Evidence],
    sink: Callable[[str], None],
    not_found: str,
) -> str:
    """An answer that kept no citation gets the passages it was given, named as such."""
    text = text.strip()
    if not text:
        text = not_found
        sink(text)
        return text
    if gate.kept or text.startswith(not_found) or not evidence:
        return text
    refs = []
    for ev in evidence[:3]:
        ref = Ref(ev.paper, ev.page)
        if ref not in refs and gate.resolve(ev.paper, ev.page):
            refs.append(ref)
    if not refs:
        return text
    label = (
        "模型所依据的原文："
        if not_found != frame("")["not_found"]
        else "Passages given to the model: "
    )
    tail = "\n\n" + label + " ".join(r.render() for r in refs)
    sink(tail)
    gate.kept.extend(refs)
    return text + tail
