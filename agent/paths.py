"""File names made from untrusted text (topics, titles, run ids): one safe path component.

A topic from a config file or a command line, or a paper title, may hold `/`, `..`, NULs,
control characters or be very long; `safe_component` keeps letters (any script), digits,
`.`, `_` and `-`, so a name can never leave the directory it is joined to, and `inside`
checks that a joined path really stays there.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from agent.errors import ConfigError

MAX_COMPONENT = 120  # characters; file systems allow 255 bytes, CJK takes 3 each
_UNSAFE = re.compile(r"[^\w.-]+")


def safe_component(text: str, fallback: str = "untitled") -> str:
    """`text` as one file-name component: no separators, no leading dots, bounded length."""
    name = unicodedata.normalize("NFKC", str(text))
    name = _UNSAFE.sub("-", name)
    name = re.sub(r"\.{2,}", "-", name)
    name = re.sub(r"-[-.]*", "-", name).strip(".-_")
    name = name[:MAX_COMPONENT].rstrip(".-_")
    return name or fallback


def inside(folder: Path, name: str) -> Path:
    """`folder / name`, refused when it would resolve outside `folder`."""
    base = Path(folder).expanduser().resolve()
    path = (base / name).resolve()
    if path.parent != base:
        raise ConfigError(f"refusing to write {name!r} outside {base}", "use a plain file name")
    return path


def check_run_id(run_id: str) -> str:
    """A run id as `brief runs` prints them; anything else cannot name a run record."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", run_id or ""):
        raise ConfigError(f"invalid run id {run_id!r}", "see `brief runs list` for run ids")
    return run_id
