"""The store's manifest, kept outside the store: what a healthy store must hold.

A local store is a folder of Chroma files (`chroma.sqlite3` and one folder per vector
index). When that file is deleted or zeroed, Chroma silently starts an empty store, and
brief would answer "no paper ... ingest it first". So every write also records the counts
and the embedding spec in `<store>.manifest.json` beside the store folder; opening a store
whose manifest records papers while its database is missing, empty or not a database, or
holds no paper at all, is refused with one line (exit 2) instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.storefaults import DamagedStore

SQLITE_HEADER = b"SQLite format 3\x00"
DATABASE = "chroma.sqlite3"
HINT = (
    "restore a backup of the store folder, or move it and {manifest} away and re-ingest "
    "the PDFs (`brief ingest <folder>`; fetched ones are in the PDF cache); "
    "`brief store check` lists what is wrong"
)


def manifest_path(store_dir: Path) -> Path:
    store_dir = Path(store_dir)
    return store_dir.with_name(f"{store_dir.name}.manifest.json")


def read_manifest(store_dir: Path) -> dict[str, Any] | None:
    """The manifest, or None when there is none (a store from before manifests) or it
    cannot be read (then the next write replaces it)."""
    try:
        data = json.loads(manifest_path(store_dir).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_manifest(store_dir: Path, counts: dict[str, Any]) -> None:
    """Record the counts after a write (call under the store's write lock)."""
    from agent.files import atomic_write

    data = {**counts, "store": str(store_dir), "written": datetime.now(UTC).isoformat()}
    atomic_write(manifest_path(store_dir), json.dumps(data, indent=1) + "\n")


def _recorded(manifest: dict[str, Any]) -> str:
    return (
        f"{manifest.get('paper_versions', 0)} paper versions, {manifest.get('chunks', 0)} "
        f"chunks and {manifest.get('claims', 0)} claims (manifest of "
        f"{str(manifest.get('written', '?'))[:19]})"
    )


def database_problem(store_dir: Path) -> str:
    """What is wrong with the store's database file ("" when it looks like SQLite)."""
    path = Path(store_dir) / DATABASE
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return f"{path} is missing"
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror or exc})"
    if not head:
        return f"{path} is empty (0 bytes)"
    if head != SQLITE_HEADER:
        return f"{path} is not a SQLite database (overwritten or zeroed)"
    return ""


def check_before_open(store_dir: Path) -> None:
    """Refuse to open a store whose manifest records data that its files cannot hold."""
    manifest = read_manifest(store_dir)
    if not manifest or not manifest.get("paper_versions"):
        return
    problem = database_problem(store_dir)
    if problem:
        raise DamagedStore(
            f"the store is damaged: {problem}, but it held {_recorded(manifest)}",
            HINT.format(manifest=manifest_path(store_dir).name),
        )


def check_counts(store_dir: Path, paper_versions: Callable[[], int]) -> None:
    """After opening: a store that lost every paper record is damaged, not new."""
    manifest = read_manifest(store_dir)
    if manifest and manifest.get("paper_versions") and paper_versions() == 0:
        raise DamagedStore(
            f"the store at {store_dir} holds no paper, but it held {_recorded(manifest)}",
            HINT.format(manifest=manifest_path(store_dir).name),
        )
