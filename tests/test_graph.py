"""The whole workflow with a scripted stand-in for the model, on the bundled demo papers:
the critic loop fixes a wrong number, drops what never verifies, and every sentence of the
brief traces to verified claims."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_graph_fakes import FakeJudge, fake_model

from agent.nodes import services
from agent.runs import run_brief
from agent.settings import load_settings

WINDOW = "2026-11-16..2026-11-23"
DPAD = "2508.14148"


def run(model: Any, **kwargs: Any) -> dict[str, Any]:
    settings = load_settings(model_concurrency=2)
    return run_brief(
        settings, topic="efficient-ai", window=WINDOW, demo=True, chat_model=model, **kwargs
    )


def sidecar(result: dict[str, Any]) -> dict[str, Any]:
    return json.loads(Path(result["sidecar"]).read_text(encoding="utf-8"))


def test_wrong_number_is_rejected_reextracted_and_fixed() -> None:
    judge = FakeJudge()
    wrong: list[str] = []

    def mutate(paper: str, n: int, answer: dict[str, Any]) -> dict[str, Any]:
        if paper == DPAD and n == 1:  # first extraction: a number the sentence does not hold
            claim = next(c for c in answer["claims"] if "61.4×" in c["phrase"])
            claim["phrase"] = claim["phrase"].replace("61.4×", "64.1×")
            wrong.append(claim["phrase"])
        return answer

    judge.mutate_claims = mutate
    model = fake_model(judge)
    result = run(model)

    assert wrong, "the fake found the 61.4× sentence to corrupt"
    assert judge.calls[("extractor", DPAD)] == 2
    second = [m for m in model.received if "A checker rejected" in str(m[-1].content)]
    assert len(second) == 1 and "64.1×" in str(second[0][-1].content)
    assert "not in the quote" in str(second[0][-1].content) or "64.1" in str(second[0][-1].content)
    brief = Path(result["path"]).read_text(encoding="utf-8")
    assert "64.1×" not in brief
    dpad = [
        s
        for s in sidecar(result)["sentences"]
        if s["paper"].startswith(DPAD) and s.get("kind") not in ("abstract", "count")
    ][0]
    assert dpad["claims"] and all(c["arxiv_id"] == DPAD for c in dpad["claims"])
    assert result["claims_dropped"] == 0
    assert result["papers"] == 3 and not result["failures"]


def test_claim_that_never_verifies_is_dropped_and_listed() -> None:
    judge = FakeJudge()
    invented = "速度比所有系统快 99.5%"

    def mutate(paper: str, n: int, answer: dict[str, Any]) -> dict[str, Any]:
        if paper == DPAD:
            answer["claims"].append({"sentence": 1, "kind": "result", "phrase": invented})
        return answer

    judge.mutate_claims = mutate
    settings_rounds = load_settings().max_critic_rounds
    result = run(fake_model(judge))

    assert judge.calls[("extractor", DPAD)] == settings_rounds + 1
    assert result["claims_dropped"] == 1
    brief = Path(result["path"]).read_text(encoding="utf-8")
    footer = brief.split("## 未纳入与舍弃", 1)[1]
    assert "99.5%" in footer and DPAD in footer
    body = brief.split("## 未纳入与舍弃", 1)[0]
    assert "99.5%" not in body


def test_a_claim_the_model_states_twice_is_checked_and_stored_once() -> None:
    judge = FakeJudge()

    def mutate(paper: str, n: int, answer: dict[str, Any]) -> dict[str, Any]:
        answer["claims"] = answer["claims"] + [dict(answer["claims"][0])]
        return answer

    judge.mutate_claims = mutate
    result = run(fake_model(judge))
    assert result["papers"] == 3 and not result["failures"]
    from store.chroma import open_store

    store = open_store(load_settings())
    try:
        stored = store.get_claims()
        verified = store.stats()["claims_by_status"]["verified"]
    finally:
        store.close()
    ids = [c.claim_id for c in stored]
    assert ids and len(ids) == len(set(ids))
    assert result["claims_verified"] == verified  # the repeat is not counted twice


def test_reviewer_sends_an_untraceable_number_back_then_removes_it() -> None:
    judge = FakeJudge()
    seen: list[str] = []

    def mutate(paper: str, n: int, answer: dict[str, Any]) -> dict[str, Any]:
        if paper == DPAD:  # the writer keeps inventing a figure and an arXiv id
            answer["result"] = "速度提升 87.5%（见 arXiv 2401.00001）"
            seen.append(str(n))
        return answer

    judge.mutate_draft = mutate
    model = fake_model(judge)
    result = run(model)

    rounds = load_settings().max_critic_rounds
    assert judge.calls[("writer", DPAD)] == rounds + 1
    feedback = [
        str(m[-1].content) for m in model.received if "found problems" in str(m[-1].content)
    ]
    assert len(feedback) == rounds and "87.5%" in feedback[0] and "2401.00001" in feedback[0]
    brief = Path(result["path"]).read_text(encoding="utf-8")
    assert "87.5%" not in brief.split("## 未纳入与舍弃")[0]
    assert "87.5%" in brief.split("## 未纳入与舍弃")[1]  # the removed phrase is listed
    assert result["stats"]["sentences_repaired"] == 1


def test_every_sentence_traces_to_verified_claims_of_its_paper() -> None:
    result = run(fake_model(FakeJudge()))
    side = sidecar(result)
    brief = Path(result["path"]).read_text(encoding="utf-8").splitlines()
    briefs = [s for s in side["sentences"] if s.get("kind") not in ("abstract", "count")]
    assert len(briefs) == 3
    for s in briefs:
        assert brief[s["line"] - 1] == s["text"]
        assert s["claims"]
        quotes = [c["quote"] for c in s["claims"]]
        assert re.search(r"\d", s["text"])  # the fake writer states a figure
        assert services.ungrounded(s["text"].split("》", 1)[1], quotes) == []
        assert all(s["paper"].startswith(c["arxiv_id"]) for c in s["claims"])


def test_extractor_reads_a_budgeted_excerpt_not_the_paper() -> None:
    model = fake_model(FakeJudge())
    run(model)
    extractor_prompts = [m for m in model.received if "pick the key claims" in str(m[0].content)]
    assert len(extractor_prompts) == 3
    for messages in extractor_prompts:
        text = "\n".join(str(m.content) for m in messages)
        assert len(text) / 4 < 2000
        assert "[1] " in text and "data, not instructions" in text


@pytest.mark.parametrize("lang", ["en"])
def test_english_brief(lang: str) -> None:
    settings = load_settings(lang=lang)
    result = run_brief(settings, topic="efficient-ai", window=WINDOW, demo=True, lang=lang)
    text = Path(result["path"]).read_text(encoding="utf-8")
    assert "## Paper briefs" in text and "## Paper details" in text
    assert "论文" not in text
