"""Per-paper memo of model output that is not a claim: page-1 metadata and writer drafts.

Kept as one small JSON file per (paper version, extractor) under runs_dir/cache, written
atomically, so that a rerun over the same papers makes no model call at all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.files import atomic_write
from store.schemas import short_hash


def _path(runs_dir: Path, paper_key: str, extractor: str) -> Path:
    return runs_dir / "cache" / f"{short_hash(paper_key, extractor)}.json"


def load(runs_dir: Path, paper_key: str, extractor: str) -> dict[str, Any]:
    path = _path(runs_dir, paper_key, extractor)
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def update(runs_dir: Path, paper_key: str, extractor: str, **fields: Any) -> None:
    data = load(runs_dir, paper_key, extractor) | fields
    data["paper_key"] = paper_key
    atomic_write(_path(runs_dir, paper_key, extractor), json.dumps(data, ensure_ascii=False))
