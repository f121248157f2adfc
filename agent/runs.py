"""Durable brief runs: start, resume and list runs of the workflow.

Each run is one LangGraph thread in a SQLite checkpointer (settings.runs_dir/checkpoints.db)
plus a small JSON record of its options (settings.runs_dir/runs/<run_id>.json), from which
`resume_run` rebuilds the run's Context. Finished branches are checkpointed as they end, so a
resumed run redoes only the papers that had not finished.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from agent.context import Context, make_context
from agent.errors import ConfigError
from agent.files import atomic_write
from agent.settings import Settings
from agent.storefaults import storage_error

CHECKPOINTS = "checkpoints.db"


class RunRecord(BaseModel):
    """The options of a run (enough to resume it) and how it ended."""

    run_id: str
    kind: str = "weekly"
    topic: str
    window: str
    lang: str = "zh"
    model: str = "none"
    demo: bool = False
    out: str | None = None
    local_pdfs: list[str] | None = None
    status: Literal["running", "done", "failed", "killed"] = "running"
    error: str = ""
    path: str = ""
    stats: dict[str, int] = Field(default_factory=dict)
    started_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


def _record_path(settings: Settings, run_id: str) -> Path:
    from agent.paths import check_run_id

    check_run_id(run_id)
    return settings.runs_dir / "runs" / f"{run_id}.json"


def save_record(settings: Settings, record: RunRecord) -> None:
    record.updated_at = datetime.now(UTC)
    atomic_write(_record_path(settings, record.run_id), record.model_dump_json(indent=2))


def load_record(settings: Settings, run_id: str) -> RunRecord:
    path = _record_path(settings, run_id)
    if not path.is_file():
        raise ConfigError(f"no run {run_id!r} in {path.parent}", "see `brief runs list`")
    return RunRecord.model_validate_json(path.read_text(encoding="utf-8"))


def mark_killed(settings: Settings, records: list[RunRecord]) -> None:
    """Records still "running" while no process holds the run lock were killed (SIGKILL,
    power loss): they are marked so, and saved (`brief runs resume` continues them)."""
    from agent.lock import lock_is_free

    running = [r for r in records if r.status == "running"]
    if running and lock_is_free(settings.runs_dir):
        for record in running:
            record.status = "killed"
            record.error = record.error or "the process ended without finishing (killed)"
            with contextlib.suppress(OSError):
                save_record(settings, record)


def list_runs(settings: Settings) -> list[RunRecord]:
    """All recorded runs, newest first."""
    folder = settings.runs_dir / "runs"
    records = []
    for path in folder.glob("*.json") if folder.is_dir() else []:
        try:
            records.append(RunRecord.model_validate_json(path.read_text(encoding="utf-8")))
        except ValueError:
            continue
    mark_killed(settings, records)
    return sorted(records, key=lambda r: r.started_at, reverse=True)


@contextmanager
def checkpointer(settings: Settings) -> Iterator[Any]:
    """A SQLite checkpointer in runs_dir, closed afterwards; what it saves is redacted
    (agent.safety.RedactingSerde: a model server's error may echo the API key)."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from agent.safety import RedactingSerde

    settings.runs_dir.mkdir(parents=True, exist_ok=True)
    path = settings.runs_dir / CHECKPOINTS
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:  # garbled or not a database: one line, not a trace
        conn.close()
        from agent.storefaults import DamagedStore

        raise DamagedStore(
            f"the run checkpoints {path} are damaged ({exc})",
            "move the file away: briefs and the store are kept, only unfinished runs "
            "can no longer be resumed",
        ) from None
    try:
        yield SqliteSaver(conn, serde=RedactingSerde())
    finally:
        conn.close()


def open_run_store(settings: Settings) -> Any:
    """The claim store a run reads and writes (store.chroma.open_store), one call at a time."""
    from agent.nodes.services import SerialStore
    from store.chroma import open_store

    return SerialStore(open_store(settings))


def build_context(
    settings: Settings, record: RunRecord, *, chat_model: Any = None, **hooks: Any
) -> Context:
    """Store, model and usage tracker for a run (`chat_model` overrides settings.model)."""
    from agent.llm.usage import UsageTracker
    from agent.nodes.readpool import ReaderPool

    model = chat_model
    if model is None and record.model != "none":
        from agent.llm.models import make_chat_model

        model = make_chat_model(record.model, settings)
    store = open_run_store(settings)
    return make_context(
        settings,
        store,
        model=model,
        usage=UsageTracker.from_settings(settings),
        demo=record.demo,
        out=record.out,
        local_pdfs=record.local_pdfs,
        reader=ReaderPool(settings, embed_spec=store.spec),  # workers start when needed
        model_spec=record.model,
        **hooks,
    )


BRANCHES = 64  # per-paper branches running at once (at least)


def run_config(settings: Settings, run_id: str) -> dict[str, Any]:
    """Thread id for the checkpointer; concurrency bound for the per-paper branches.

    Branches mostly wait on the model gate, the reader processes and the store writer, so
    many run at once (threads); a week's papers then move through each stage together and
    their store writes merge. The parsed papers are held in memory either way (the reader
    prefetches them), so the bound only caps threads.
    """
    return {
        "configurable": {"thread_id": run_id},
        "max_concurrency": max(BRANCHES, 4 * settings.model_concurrency + settings.workers),
        "recursion_limit": 200,
    }


def summary(record: RunRecord, ctx: Context, output: dict[str, Any]) -> dict[str, Any]:
    """What `brief weekly --json` prints."""
    from agent.nodes.publisher import sidecar_path

    stats = dict(output.get("stats", {}))
    usage = ctx.usage.totals() if ctx.usage is not None else {}
    stats |= {
        "llm_calls": int(usage.get("calls", stats.get("llm_calls", 0)) or 0),
        "tokens_in": int(usage.get("tokens_in", 0)),
        "tokens_out": int(usage.get("tokens_out", 0)),
    }
    path = output.get("path", "")
    return {
        "run_id": record.run_id,
        "path": path,
        "sidecar": str(sidecar_path(Path(path))) if path else "",
        "papers": stats.get("papers", 0),
        "claims_verified": stats.get("claims_verified", 0),
        "claims_dropped": stats.get("claims_dropped", 0),
        "llm_calls": stats["llm_calls"],
        "tokens_in": stats["tokens_in"],
        "tokens_out": stats["tokens_out"],
        "downloads": stats.get("downloads", 0),
        "stats": stats,
        "usage": {k: v for k, v in ctx.usage.as_dict().items() if k != "calls"}
        if ctx.usage is not None
        else {},
        "failures": output.get("failures", []),
    }


def empty_brief(result: dict[str, Any]) -> str:
    """Why the published brief is empty although the window had papers ("" when it is not):
    every paper failed, with the reasons counted."""
    failures = result.get("failures") or []
    if result.get("papers") or not failures:
        return ""
    reasons = Counter(f"{f.get('stage', '?')}: {f.get('reason', '?')}" for f in failures)
    listed = "; ".join(
        f"{n}× {reason}" if n > 1 else reason for reason, n in reasons.most_common(3)
    )
    more = f" (+{len(reasons) - 3} other reasons)" if len(reasons) > 3 else ""
    return (
        f"the brief {result.get('path') or ''} is empty: all {len(failures)} papers failed "
        f"— {listed}{more}"
    )


def run_input(record: RunRecord) -> dict[str, Any]:
    """The graph input of a recorded run (to start again a run that has no checkpoint)."""
    return {
        "topic": record.topic,
        "window": record.window,
        "kind": record.kind,
        "lang": record.lang,
    }


def clean_leftovers(settings: Settings, record: RunRecord) -> None:
    """Remove temp files an earlier run left when it was killed (the run lock is held):
    brief's own temp names only (agent.files), and in the folder of `--out` only those of
    the brief and its sidecar, so no other file there is ever touched."""
    from agent.files import remove_temp_files
    from agent.nodes.publisher import sidecar_path

    for folder in (settings.runs_dir / "runs", settings.runs_dir / "cache", settings.briefs_dir):
        remove_temp_files(folder)
    if record.out:
        out = Path(record.out).expanduser().resolve()
        remove_temp_files(out.parent, targets=[out.name, sidecar_path(out).name])


class Terminated(KeyboardInterrupt):
    """SIGTERM during a run: unwinds like Ctrl-C, so the reader processes are stopped and
    the run is recorded as failed (resumable) instead of the process vanishing."""


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises Terminated in the main thread for the block (elsewhere: unchanged)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    from agent.nodes.readpool import kill_all, resume_readers

    def handler(signum: int, frame: Any) -> None:
        kill_all()
        raise Terminated("terminated (SIGTERM)")

    # The Python handler runs only when the main thread runs Python code, and it may be
    # blocked in a wait for the graph's threads (a model call) for minutes: a thread woken
    # by the C-level wakeup fd kills the readers at once.
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    previous = signal.signal(signal.SIGTERM, handler)
    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)

    def watch() -> None:
        while True:
            try:
                data = os.read(read_fd, 64)
            except OSError:
                return
            if not data:
                return
            if signal.SIGTERM in data:
                kill_all()
                time.sleep(0.5)  # a reader that was being started as the signal came
                kill_all()

    watcher = threading.Thread(target=watch, name="sigterm-watch", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous_fd)
        signal.signal(signal.SIGTERM, previous)
        os.close(write_fd)  # the watcher reads EOF and ends
        watcher.join(timeout=5)
        os.close(read_fd)
        resume_readers()


def _execute(
    settings: Settings,
    record: RunRecord,
    graph_input: dict[str, Any] | None,
    chat_model: Any,
    hooks: dict[str, Any],
) -> dict[str, Any]:
    """Run under the data directory's run lock; storage failures become one StoreError."""
    from agent.lock import run_lock
    from agent.storefaults import check_free_space

    check_free_space(settings.home)
    try:
        with run_lock(settings.runs_dir, record.run_id), terminate_as_interrupt():
            clean_leftovers(settings, record)
            return _execute_locked(settings, record, graph_input, chat_model, hooks)
    except BaseException as exc:
        failure = storage_error(exc, settings.home)
        if failure is None:
            raise
        raise failure from None


def _execute_locked(
    settings: Settings,
    record: RunRecord,
    graph_input: dict[str, Any] | None,
    chat_model: Any,
    hooks: dict[str, Any],
) -> dict[str, Any]:
    from agent.graph import compile_graph

    ctx = build_context(settings, record, chat_model=chat_model, **hooks)
    try:
        save_record(settings, record)
        with checkpointer(settings) as saver:
            graph = compile_graph(saver)
            config = run_config(settings, record.run_id)
            try:
                state = graph.get_state(config)
                if graph_input is None and not state.values:  # killed before its first step
                    graph_input = run_input(record)
                if graph_input is None and not state.next:
                    output = state.values
                else:
                    output = graph.invoke(graph_input, config, context=ctx)
            except BaseException as exc:
                record.status, record.error = "failed", f"{type(exc).__name__}: {exc}"
                with contextlib.suppress(OSError):  # a full disk must not hide the cause
                    save_record(settings, record)
                raise
    finally:
        ctx.close()
    result = summary(record, ctx, output)
    problem = empty_brief(result)
    if problem:  # the CLI exits 1 with it (no false success)
        result["problem"] = problem
    record.status, record.path, record.error = "done", result["path"], problem
    record.stats = {k: v for k, v in result["stats"].items() if isinstance(v, int)}
    save_record(settings, record)
    return result


def run_brief(
    settings: Settings,
    *,
    topic: str,
    window: str,
    kind: str = "weekly",
    lang: str = "zh",
    demo: bool = False,
    out: str | None = None,
    chat_model: Any = None,
    run_id: str | None = None,
    local_pdfs: list[str] | None = None,
    left_out: list[dict[str, str]] | None = None,
    on_event: Callable[[str, str], None] | None = None,
    fault: Callable[[str, str], None] | None = None,
) -> dict[str, Any]:
    """Run the workflow once; returns the --json summary (path, counts, failures).

    `left_out`: papers the caller could not include before the run ({"item", "stage",
    "reason"}); the brief lists them with the run's own failures.
    """
    record = RunRecord(
        run_id=run_id or f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}",
        kind=kind,
        topic=topic,
        window=window,
        lang=lang,
        demo=demo,
        out=out,
        local_pdfs=local_pdfs,
        model=settings.model if chat_model is None else getattr(chat_model, "model_name", "custom"),
    )
    graph_input: dict[str, Any] = {"topic": topic, "window": window, "kind": kind, "lang": lang}
    if left_out:
        graph_input["left_out"] = left_out
    return _execute(
        settings, record, graph_input, chat_model, {"on_event": on_event, "fault": fault}
    )


def resume_run(
    settings: Settings,
    run_id: str,
    *,
    chat_model: Any = None,
    on_event: Callable[[str, str], None] | None = None,
) -> dict[str, Any]:
    """Continue an interrupted run from its last checkpoint."""
    record = load_record(settings, run_id)
    record.status = "running"
    return _execute(settings, record, None, chat_model, {"on_event": on_event})
