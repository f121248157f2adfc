"""Paths and feeds that used to give tracebacks: a lock path that is a folder, a symlink
loop among the PDFs, one bad date in an arXiv feed. Each is one line naming the thing and
the fix; the other items carry on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from feeds import FeedEntry, feed_xml
from typer.testing import CliRunner

from agent.cli.app import app
from agent.errors import FetchError
from agent.sources.arxiv import parse_candidates


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("lock", ["runs/run.lock", "store/write.lock"])
def test_a_lock_path_that_is_a_folder_is_one_line(
    brief_home: Path, lock: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST")  # errors as the user sees them: one line
    (brief_home / lock).mkdir(parents=True)
    result = run("weekly", "--demo")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"cannot use the lock file {brief_home / lock}: Is a directory" in result.stderr
    assert "remove what is at that path" in result.stderr
    (brief_home / lock).rmdir()
    assert run("weekly", "--demo").exit_code == 0  # nothing was left half-written


def test_a_symlink_loop_is_one_line_and_the_other_files_are_read(
    tmp_path: Path, demo_pdfs: list[Path]
) -> None:
    loop_a, loop_b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    dangling = tmp_path / "gone.pdf"
    dangling.symlink_to(tmp_path / "nowhere.pdf")
    result = run("ingest", str(loop_a), str(dangling), str(demo_pdfs[0]), "--json")
    assert result.exit_code == 1 and "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert [p["stored"] for p in report["papers"]] == ["added"]
    errors = {Path(e["file"]).name: e["error"] for e in report["errors"]}
    assert "a symlink loop" in errors["a.pdf"] and "a symlink to nothing" in errors["gone.pdf"]


def test_one_bad_date_in_a_feed_is_one_fetch_error() -> None:
    entries = [FeedEntry("2511.00001", "v1", "A title", ["Ann Author"], "An abstract.", ["cs.CL"])]
    good = feed_xml(entries)
    assert [c.arxiv_id for c in parse_candidates(good)] == ["2511.00001"]
    bad = good.replace(b"<published>", b"<published>not-a-date ", 1)
    with pytest.raises(FetchError, match="an entry that cannot be read.*not-a-date"):
        parse_candidates(bad)
