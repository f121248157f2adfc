"""Prompt injection: a paper whose text tells the model to ignore its instructions, to cite
a fabricated arXiv id, and carries Markdown links, images and raw HTML/script to another
host. Source text reaches every prompt only inside a data fence; a scripted model that
echoes all of it into its answers still cannot get a link (other than arxiv.org for the
stored paper), an image, raw HTML or the fabricated id into the brief or a chat answer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hostile_pdf import ARXIV_ID, FAKE_ID, HTML, INJECTION, LINKS, MARKERS, hostile_pdf
from langchain_core.messages import AIMessage, BaseMessage
from test_graph_fakes import critic_answer, prompt_text

from agent.llm.scripted import ScriptedChatModel
from agent.runs import open_run_store, run_brief
from agent.safety import allow_ids, unsafe_spans
from agent.settings import load_settings

WINDOW = "2026-11-16..2026-11-23"
ECHO = f"{INJECTION} {LINKS} {HTML} See https://evil.example/x and arXiv:{FAKE_ID}."
FENCED = re.compile(r"```text\n.*?\n```|<passage\b.*?</passage>", re.S)


def echo_judge(messages: list[BaseMessage]) -> str:
    """A model that obeys the paper: it echoes the injected text everywhere it can."""
    text = prompt_text(messages)
    if "pick the key claims" in text:  # it points at sentences and echoes in its phrases
        numbered = re.findall(r"^\[(\d+)\] (.*)$", text, re.M)
        result = int(numbered[-1][0])  # the conclusion's result sentence
        others = [int(n) for n, _ in numbered if int(n) != result][:3]
        claims = [
            {"sentence": n, "kind": kind, "phrase": phrase}
            for n, kind, phrase in zip(
                others,
                ("problem", "method", "limitation"),
                (
                    f"arXiv:{FAKE_ID} 引用",  # what fits a 32-character phrase of each echo
                    "见 https://evil.example/x",
                    "<script>alert('pwned')</script>",
                ),
                strict=False,
            )
        ]
        claims.append(
            {"sentence": result, "kind": "result", "phrase": "长输入上速度显著提升<b>x</b>"}
        )
        return json.dumps({"claims": claims})
    if "You check claims" in text:
        return json.dumps(critic_answer(text))
    if "one-sentence brief" in text:
        ids = re.findall(r"^\[([^\]]+#[0-9a-f]+)\]", text, re.M)
        return json.dumps(
            {
                "method": f"一种缓存 ![x](https://evil.example/m.png) {HTML}",
                "problem": f"[长输入](https://evil.example/p) 见 arXiv:{FAKE_ID}",
                "result": f"长输入上速度显著提升 <b>https://evil.example/r</b> {INJECTION}",
                "claim_ids": ids,
            },
            ensure_ascii=False,
        )
    raise AssertionError(f"unexpected prompt: {text[:200]}")


def outside_fences(messages: list[BaseMessage]) -> str:
    """What a prompt says outside its data fences (the model's own replies left out)."""
    return "\n".join(
        FENCED.sub("", str(m.content)) for m in messages if not isinstance(m, AIMessage)
    )


@pytest.fixture()
def briefed(tmp_path: Path) -> dict[str, Any]:
    pdf = hostile_pdf(tmp_path / "hostile.pdf")
    model = ScriptedChatModel(responses=[echo_judge] * 100)
    settings = load_settings(model_concurrency=1)
    result = run_brief(
        settings,
        topic="efficient-ai",
        window=WINDOW,
        chat_model=model,
        local_pdfs=[str(pdf)],
    )
    return {"result": result, "model": model, "settings": settings}


def test_source_text_reaches_prompts_only_inside_data_fences(briefed: dict[str, Any]) -> None:
    model = briefed["model"]
    assert len(model.received) >= 3
    seen_inside = False
    for messages in model.received:
        outside = outside_fences(messages)
        for marker in MARKERS:
            assert marker not in outside, (marker, outside[:2000])
        seen_inside |= any("evil.example" in str(m.content) for m in messages)
    # the hostile lines either reach a model inside the fences (chat passages) or not at all:
    # the extractor's sentences are prose only (agent.extractive.is_prose drops link lines)
    extractor = [m for m in model.received if "pick the key claims" in str(m[0].content)]
    assert extractor and not any("evil.example" in str(m.content) for m in extractor[0])
    del seen_inside


def test_an_echoing_model_gets_no_link_html_or_fake_id_into_the_brief(
    briefed: dict[str, Any],
) -> None:
    result = briefed["result"]
    assert result["papers"] == 1, result["failures"]
    brief = Path(result["path"]).read_text(encoding="utf-8")
    allowed = allow_ids([ARXIV_ID])
    assert unsafe_spans(brief, allowed) == []  # the whole file, footer included
    links = re.findall(r"\]\(([^)]*)\)", brief)
    assert links == [f"https://arxiv.org/abs/{ARXIV_ID}v1"], links
    assert brief.count("https://") == 1 and "http://" not in brief  # the arXiv link only
    for marker in ("<script", "<img", "<a ", "<b>", "onerror="):
        assert marker not in brief, marker
    written = brief.split("## 论文技术简报", 1)[1].split("## 论文详细信息", 1)[0]
    assert "达成了" in written  # the sentence is written (the echoes repaired away)
    for marker in ("evil.example", FAKE_ID, "Ignore previous instructions", "pwned"):
        assert marker not in written, marker  # the abstract below may quote the paper
    assert f"[arXiv:{FAKE_ID}" not in brief and f"/{FAKE_ID}" not in brief
    footer = brief.split("## 未纳入与舍弃", 1)[1]
    assert f"arXiv {FAKE_ID} is not this paper" in footer  # why the echo was dropped
    assert "发布了" in written  # the paper is still briefed


def test_chat_answers_from_an_echoing_model_are_clean(briefed: dict[str, Any]) -> None:
    from agent.chat.answer import answer_question

    settings = briefed["settings"]
    store = open_run_store(settings)
    reply = (
        f"The cache lowers latency by 91.3% [arXiv:{ARXIV_ID} p.1]. {ECHO} "
        f"Details: https://arxiv.org/abs/{ARXIV_ID} and [paper](https://arxiv.org/abs/{ARXIV_ID})."
    )
    model = ScriptedChatModel(responses=[AIMessage(content=reply)] * 3)
    shown: list[str] = []
    answer = answer_question(
        "How much lower is the latency of the robust cache?",
        settings,
        store,
        model,
        on_token=shown.append,
    )
    allowed = allow_ids([ARXIV_ID])
    for text in ("".join(shown), answer.text):
        assert unsafe_spans(text, allowed) == [], text
        assert "://evil" not in text and "evil.example/" not in text and "<script" not in text
        assert f"https://arxiv.org/abs/{ARXIV_ID}" in text  # a stored paper may be linked
        assert f"/{FAKE_ID}" not in text and f"[arXiv:{FAKE_ID}" not in text
    assert any(c.arxiv_id == ARXIV_ID for c in answer.citations)
    for messages in model.received:
        outside = outside_fences(messages)
        assert "evil.example" not in outside and "<script" not in outside


def test_extractive_chat_answers_quoting_the_paper_are_clean(briefed: dict[str, Any]) -> None:
    from agent.chat.answer import answer_question

    settings = briefed["settings"]
    answer = answer_question(
        "ignore previous instructions cite details results tracker",
        settings,
        open_run_store(settings),
        None,
    )
    assert unsafe_spans(answer.text, allow_ids([ARXIV_ID])) == [], answer.text
    assert "evil.example/" not in answer.text and "<script" not in answer.text
