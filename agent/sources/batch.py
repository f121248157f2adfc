"""Reading many PDFs in worker processes, each file under a time limit.

Workers are long-lived processes (forkserver/spawn, never fork: the parent may hold
threads and open stores). Each gets one file at a time over a pipe; a worker that exceeds
the time limit is killed and replaced, so one pathological file cannot hang a batch. The
limit also holds with one worker. Results come back in input order.
"""

from __future__ import annotations

import errno
import multiprocessing as mp
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from agent.errors import BriefError, PdfError
from store.schemas import ParsedPaper


@dataclass
class ReadResult:
    """One input file: the parsed paper, or the error line that explains the failure."""

    file: Path
    parsed: ParsedPaper | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.parsed is not None


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders replaced by their *.pdf files (sorted). A folder without PDFs
    is kept as itself so that reading reports it as one error line."""
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        found = (
            sorted(p for p in path.glob("*") if p.suffix.lower() == ".pdf" and p.is_file())
            if path.is_dir()
            else []
        )
        for item in found or [path]:
            try:
                key = item.resolve()
            except (OSError, RuntimeError):  # a symlink loop: precheck reports it
                key = item.absolute()
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


def precheck(path: Path) -> str | None:
    """An error line for inputs that need no worker (missing, folder, empty, not a PDF)."""
    from agent.sources.pdftext import check_file

    if path.is_dir():
        return str(PdfError(f"{path}: folder holds no PDF files", "pass a folder with *.pdf files"))
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            loop = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
            what = "a symlink loop" if loop else "a symlink to nothing"
            return str(PdfError(f"{path}: {what}", "point it at a PDF file or remove it"))
    try:
        check_file(path)
    except BriefError as exc:
        return str(exc)
    return None


def _read_one(
    path: Path, engine: str, chunk_tokens: int, chunk_overlap: int, embed_spec: str | None = None
) -> tuple[str, Any]:
    from agent.sources.pdf import read_pdf, with_vectors

    try:
        parsed = read_pdf(
            path, engine=engine, chunk_tokens=chunk_tokens, chunk_overlap=chunk_overlap
        )
        return "ok", with_vectors(parsed, embed_spec)
    except BriefError as exc:
        return "error", str(exc)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not end the batch
        return (
            "error",
            f"{path}: could not be read ({type(exc).__name__}: {exc}) — please report this file",
        )


def _worker(conn: Connection) -> None:
    """Worker loop: receive (index, path, engine, tokens, overlap, embedding spec), send
    (index, status, value)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    import agent.sources.pdf  # noqa: F401 - import before the clock of the first file starts

    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, path, engine, tokens, overlap, spec = task
        status, value = _read_one(Path(path), engine, tokens, overlap, spec)
        try:
            conn.send((index, status, value))
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            conn.send((index, "error", f"{path}: result could not be returned ({exc})"))


class _Slot:
    """One worker process and the task it is running."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.task: int | None = None
        self.started = 0.0
        self.ready = False

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.proc.kill()
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        self.conn.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _context() -> Any:
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["agent.sources.pdf"])  # workers fork with the reader loaded
    return ctx


def read_many(
    paths: list[Path],
    engine: str,
    workers: int,
    timeout: float,
    chunk_tokens: int,
    chunk_overlap: int,
    on_done: Callable[[ReadResult], None] | None = None,
    embed_spec: str | None = None,
) -> list[ReadResult]:
    """Read `paths` with up to `workers` processes; each file gets `timeout` seconds.
    With `embed_spec` (the store's provider), workers also embed the chunks when they can
    (agent.sources.pdf.with_vectors)."""
    results: list[ReadResult | None] = [None] * len(paths)

    def finish(index: int, result: ReadResult) -> None:
        results[index] = result
        if on_done:
            on_done(result)

    todo: list[int] = []
    for i, path in enumerate(paths):
        error = precheck(Path(path))
        if error:
            finish(i, ReadResult(Path(path), error=error))
        else:
            todo.append(i)
    if not todo:
        return [r for r in results if r is not None]
    ctx = _context()
    slots = [_Slot(ctx) for _ in range(max(1, min(workers, len(todo))))]
    # largest files first, so that no worker is left with a big file at the end
    queue = sorted(todo, key=lambda i: _size(Path(paths[i])))
    try:
        while queue or any(s.task is not None for s in slots):
            for slot in slots:
                if slot.ready and slot.task is None and queue:
                    index = queue.pop()
                    task = (index, str(paths[index]), engine, chunk_tokens, chunk_overlap)
                    slot.conn.send((*task, embed_spec))
                    slot.task, slot.started = index, time.monotonic()
            busy = [s for s in slots if s.task is not None]
            starting = [s for s in slots if not s.ready]
            now = time.monotonic()
            deadlines = [s.started + timeout - now for s in busy]
            wait_for = max(0.0, min(deadlines)) if deadlines else timeout
            ready = wait([s.conn for s in busy + starting], timeout=wait_for)
            for i, slot in enumerate(slots):
                if not slot.ready:
                    if slot.conn in ready:
                        try:
                            slot.conn.recv()
                            slot.ready = True
                        except (EOFError, OSError):
                            raise PdfError(
                                "the PDF reader process could not start",
                                "check the installation (brief doctor)",
                            ) from None
                    continue
                if slot.task is None:
                    continue
                index = slot.task
                path = Path(paths[index])
                if slot.conn in ready:
                    try:
                        got, status, value = slot.conn.recv()
                    except (EOFError, OSError):
                        slot.stop(kill=True)
                        slots[i] = _Slot(ctx)
                        crash = (
                            f"{path}: the reader process crashed — the file is probably malformed"
                        )
                        finish(index, ReadResult(path, error=crash))
                        continue
                    slot.task = None
                    if status == "ok":
                        finish(got, ReadResult(path, parsed=value))
                    else:
                        finish(got, ReadResult(path, error=value))
                elif time.monotonic() - slot.started >= timeout:
                    slot.stop(kill=True)
                    slots[i] = _Slot(ctx)
                    slow = PdfError(
                        f"{path}: reading took longer than {timeout:g}s and was stopped",
                        "raise pdf_timeout (BRIEF_PDF_TIMEOUT) or check the file",
                    )
                    finish(index, ReadResult(path, error=str(slow)))
    finally:
        for slot in slots:
            slot.stop(kill=slot.task is not None)
    return [r for r in results if r is not None]
