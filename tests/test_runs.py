"""Durable runs: a crash mid-run, then `resume` finishes it without redoing finished papers
or duplicating claims; a rerun over the same window makes no model call and no download."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from test_graph_fakes import FakeJudge, fake_model

from agent.nodes import services
from agent.runs import list_runs, open_run_store, resume_run, run_brief
from agent.settings import load_settings

WINDOW = "2026-11-16..2026-11-23"
DPAD = "2508.14148"


class InjectedCrash(RuntimeError):
    """Stands in for a crash (killed process, power loss) inside one paper's branch."""


def test_crash_then_resume_completes_without_redoing_or_duplicating() -> None:
    settings = load_settings(model_concurrency=2)
    judge = FakeJudge()
    model = fake_model(judge)
    written: list[str] = []
    others_done = threading.Event()
    crashed: list[str] = []

    def on_event(kind: str, detail: str) -> None:
        if kind == "written":
            written.append(detail)
            if len(written) == 2:
                others_done.set()

    def fault(node: str, key: str) -> None:
        if node == "write" and key.startswith(DPAD) and not crashed:
            others_done.wait(timeout=60)  # crash once the two other papers are finished
            crashed.append(key)
            raise InjectedCrash(f"injected crash in {node} of {key}")

    with pytest.raises(InjectedCrash):
        run_brief(
            settings,
            topic="efficient-ai",
            window=WINDOW,
            demo=True,
            chat_model=model,
            fault=fault,
            on_event=on_event,
            run_id="crash-1",
        )
    [record] = list_runs(settings)
    assert record.run_id == "crash-1" and record.status == "failed"
    assert "InjectedCrash" in record.error
    finished = {key.split("v")[0] for key in written}
    assert len(finished) == 2 and DPAD not in finished
    before = dict(judge.calls)

    result = resume_run(settings, "crash-1", chat_model=model)

    assert len(crashed) == 1
    new_calls = {k: v - before.get(k, 0) for k, v in judge.calls.items() if v != before.get(k, 0)}
    assert new_calls == {("writer", DPAD): 1}, new_calls  # finished papers are not redone
    assert all(n == 1 for (agent, _), n in judge.calls.items() if agent == "extractor")
    assert result["papers"] == 3 and not result["failures"]
    side = json.loads(Path(result["sidecar"]).read_text(encoding="utf-8"))
    papers = [s["paper"] for s in side["sentences"] if s.get("kind") not in ("abstract", "count")]
    assert len(papers) == len(set(papers)) == 3
    store = open_run_store(settings)
    for key in papers:
        ids = [c.claim_id for c in services.stored_claims(store, key, "verified")]
        assert ids and len(ids) == len(set(ids))
        in_brief = [
            c["claim_id"] for s in side["sentences"] if s["paper"] == key for c in s["claims"]
        ]
        assert set(in_brief) <= set(ids)
    assert list_runs(settings)[0].status == "done"


def test_rerun_over_the_same_window_makes_no_model_call() -> None:
    settings = load_settings()
    judge = FakeJudge()
    first = run_brief(
        settings, topic="efficient-ai", window=WINDOW, demo=True, chat_model=fake_model(judge)
    )
    assert first["llm_calls"] >= 6
    silent = fake_model(FakeJudge(), calls=0)  # any call would fail the run
    second = run_brief(settings, topic="efficient-ai", window=WINDOW, demo=True, chat_model=silent)
    assert second["llm_calls"] == 0 and silent.received == []
    assert second["downloads"] == 0
    assert second["stats"]["papers_reused"] == 3
    assert second["stats"].get("pdf_parsed", 0) == 0
    assert second["claims_verified"] == first["claims_verified"]
    a = Path(first["path"]).read_text(encoding="utf-8").split("生成时间")[1].split("\n", 1)[1]
    b = Path(second["path"]).read_text(encoding="utf-8").split("生成时间")[1].split("\n", 1)[1]
    assert a == b
