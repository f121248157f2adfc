"""`answer_question`: one grounded answer from the claim store, used by `brief ask` and chat.

Three ways to answer, chosen by the model:
- no model (`--model none`): the best evidence sentences, quoted and cited (extractive), in
  a frame of the question's language (agent/chat/language.py);
- a model that can call tools: a small tool loop (search the store, fetch a topic, make a
  brief), then the answer;
- any other model (e.g. a small llama.cpp one): retrieve, then answer from the passages.

With a model, a Chinese question is also searched with the English terms the model gives for
it (one short structured call, cached: agent/chat/translate.py), and the answer is a short
Chinese synthesis whose every number is traced to a passage or cited page (generate.py).

Whatever the model writes, citations go through a `CitationGate`: only `[arXiv:ID p.N]`
that resolve to a stored chunk of that paper and page are shown. Streaming goes through the
same gate, token by token.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, Field

from agent.chat.citations import CITATION_RE, CitationGate, Ref, answer_sentences
from agent.chat.evidence import Evidence, Filters, StoreView
from agent.chat.extractive import extractive_answer
from agent.chat.language import frame
from agent.chat.retrieval import retrieve_for, search_query
from agent.chat.sentinel import is_not_found
from agent.chat.text import best_quote, collapse
from agent.safety import clean_text

HISTORY_MESSAGES = 12  # earlier messages a model sees (6 exchanges)

TokenSink = Callable[[str], None]


class Citation(BaseModel):
    """A citation of the answer with the verbatim quote on that page that backs it."""

    arxiv_id: str = Field(description="arXiv id without version, or 'sha256:<16 hex>'")
    page: int = Field(description="1-based page the citation names")
    quote: str = Field(description="verbatim sentence of that page that backs the sentence")
    sentence: int = Field(description="1-based number of the answer sentence citing it")
    title: str = Field("", description="title of the cited paper")


class Answer(BaseModel):
    """An answer, its citations (all resolvable) and the evidence it was drawn from."""

    question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    hits: list[dict[str, Any]] = Field(default_factory=list)
    found: bool = True
    mode: str = Field("extractive", description="extractive, rag or tools")
    dropped: list[str] = Field(default_factory=list, description="citations that did not resolve")
    filters: str = "none"

    def sentences(self) -> list[tuple[str, list[Ref]]]:
        return answer_sentences(self.text)

    def to_json(self) -> dict[str, Any]:
        """What `brief ask --json` prints."""
        return {
            "answer": self.text,
            "citations": [
                c.model_dump(include={"arxiv_id", "page", "quote"}) for c in self.citations
            ],
            "hits": self.hits,
            "found": self.found,
            "mode": self.mode,
            "dropped_citations": self.dropped,
        }


def as_view(store: Any) -> StoreView:
    return store if isinstance(store, StoreView) else StoreView(store)


def answer_question(
    question: str,
    settings: Any,
    store: Any,
    model: Any,
    k: int = 5,
    history: Sequence[Any] | None = None,
    *,
    filters: Filters | None = None,
    on_token: TokenSink | None = None,
    tools: Any = None,
) -> Answer:
    """Answer `question` from the store; stream the shown text to `on_token` as it comes.

    `history` holds earlier LangChain messages of the conversation (oldest first). `tools` is
    a `ChatTools` offering fetch/brief actions to a tool-calling model (None: search only).
    """
    view = as_view(store)
    filters = filters or Filters()
    sink = on_token or (lambda _text: None)
    extra: list[str] = []
    if model is not None:  # the model's English search terms for a Chinese question
        from agent.chat.translate import search_terms

        extra = search_terms(search_query(question, history), model, settings)
    query, evidence = retrieve_for(view, question, history, k, filters, extra)
    if model is None:
        text = extractive_answer(query, evidence, view, limit=k, lang_of=question)
        mode = "extractive"
        text = clean_text(text, lambda arxiv_id: view.paper(arxiv_id) is not None)
        text = text or frame(question)["not_found"]
        for line in text.splitlines(keepends=True):
            sink(line)
        gate = CitationGate(view.resolves)
        gate.feed(text)
    else:
        from agent.chat.generate import generate

        text, gate, evidence, mode = generate(
            question,
            settings,
            view,
            model,
            k,
            list(history or [])[-HISTORY_MESSAGES:],
            filters,
            evidence,
            sink,
            tools,
        )
    return finish(question, text, gate, evidence, view, mode, filters)


def finish(
    question: str,
    text: str,
    gate: CitationGate,
    evidence: list[Evidence],
    view: StoreView,
    mode: str,
    filters: Filters,
) -> Answer:
    """The Answer record: quotes for every kept citation, the hits, found or not."""
    found = not is_not_found(text) and bool(text.strip())
    citations: list[Citation] = []
    for number, (sentence, refs) in enumerate(answer_sentences(text), start=1):
        for ref in refs:
            citations.append(
                Citation(
                    arxiv_id=ref.paper,
                    page=ref.page,
                    quote=quote_for(view, ref, sentence, evidence),
                    sentence=number,
                    title=getattr(view.paper(ref.paper), "title", "") or "",
                )
            )
    return Answer(
        question=question,
        text=text,
        citations=citations,
        hits=[ev.to_json() for ev in evidence],
        found=found,
        mode=mode,
        dropped=gate.dropped,
        filters=filters.describe(),
    )


def quote_for(view: StoreView, ref: Ref, sentence: str, evidence: list[Evidence]) -> str:
    """The sentence printed on the cited page that best backs an answer sentence.

    An extractive line is itself printed on the page, so it is its own quote; otherwise the
    page sentence sharing most terms with the answer sentence, else the best one of a
    retrieved passage on that page.
    """
    page = collapse(view.page_text(ref.paper, ref.page))
    bare = collapse(CITATION_RE.sub("", sentence)).strip()
    if bare and bare in page:
        return bare
    quote = best_quote(page, bare)
    if quote:
        return quote
    for ev in evidence:
        if ev.paper == ref.paper and ev.page == ref.page:
            return best_quote(ev.text, bare) or collapse(ev.text)[:300]
    return ""
