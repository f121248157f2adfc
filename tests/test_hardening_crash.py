"""Crash safety: `brief weekly` killed with SIGKILL at random moments, then resumed, ends
with the store and the brief of an uninterrupted run and no temp file (a few trials on the
demo corpus here; benchmarks/crash_trials.py runs the full set over ../shared/corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hardening_crash import snapshot, temp_files, trials
from test_graph_fakes import FakeJudge, fake_model

from agent.runs import RunRecord, list_runs, resume_run, run_brief, save_record
from agent.settings import load_settings

WINDOW = "2026-11-16..2026-11-23"


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume_equals_an_uninterrupted_run(
    tmp_path: Path,
) -> None:
    ref, done = trials(3, tmp_path, demo=True, seed=7)
    assert ref.store["problems"] == [] and len(ref.store["claims"]) >= 6
    for t in done:
        assert t.problems_after_kill == [], t
        assert t.problems == [], t
    assert any(t.killed for t in done)


def test_resume_of_a_run_killed_before_its_first_checkpoint_runs_it() -> None:
    """A run recorded but killed before the graph's first step used to 'finish' with no
    brief at all; resuming it now runs it from the start."""
    settings = load_settings()
    record = RunRecord(run_id="early-kill", topic="efficient-ai", window=WINDOW, demo=True)
    save_record(settings, record)
    result = resume_run(settings, "early-kill", chat_model=fake_model(FakeJudge()))
    assert result["papers"] == 3 and Path(result["path"]).is_file()
    assert list_runs(settings)[0].status == "done"
    assert snapshot(settings.home)["problems"] == []


def test_temp_files_of_a_killed_write_are_removed_by_the_next_run() -> None:
    settings = load_settings()
    left = [
        settings.runs_dir / "cache" / ".0123abcd.json.x1y2z3ab.brief.tmp",
        settings.runs_dir / "runs" / ".20261201-1.json.abcdef12.brief.tmp",
        settings.briefs_dir / ".weekly-efficient-ai-2026-11-23.md.q9w8e7zz.brief.tmp",
    ]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half a file")
    run_brief(settings, topic="efficient-ai", window=WINDOW, demo=True)
    assert temp_files(settings.home) == []
    assert not any(p.exists() for p in left)


def test_run_ids_cannot_name_files_outside_the_runs_folder() -> None:
    from agent.errors import ConfigError

    with pytest.raises(ConfigError, match="invalid run id"):
        resume_run(load_settings(), "../../etc/passwd")
