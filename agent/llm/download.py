"""Download a catalog GGUF into settings.home/models: resumable, verified, atomic.

Bytes go to `<file>.part` (a Range request resumes it), are checked against the recorded
size and sha256 when known, and only then renamed to the final name.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.errors import ModelError
from agent.llm.catalog import CatalogEntry

Progress = Callable[[int, int | None], None]
CHUNK = 1 << 20


def models_dir(settings: Any) -> Path:
    return settings.home / "models"


def _hash_file(path: Path) -> Any:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest


def pull_model(entry: CatalogEntry, settings: Any, progress: Progress | None = None) -> Path:
    """Download `entry` (resuming a partial file) and return its final path."""
    import httpx

    dest = models_dir(settings) / entry.filename
    if dest.is_file() and (entry.size is None or dest.stat().st_size == entry.size):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    url = entry.url(settings.models_url)
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": settings.user_agent}
    if have:
        headers["Range"] = f"bytes={have}-"
    offline_hint = (
        "check the network (the partial download is kept and resumes) "
        "or set BRIEF_MODELS_URL to a mirror"
    )
    try:
        with httpx.stream(
            "GET", url, headers=headers, follow_redirects=True, timeout=settings.download_timeout
        ) as response:
            if response.status_code == 416 and have:  # nothing left to fetch
                total: int | None = have
            elif response.status_code in (200, 206):
                if response.status_code == 200:
                    have = 0  # server ignored the range: start over
                length = response.headers.get("Content-Length")
                total = have + int(length) if length else entry.size
                with part.open("ab" if have else "wb") as fh:
                    done = have
                    for block in response.iter_bytes(CHUNK):
                        fh.write(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
            else:
                raise ModelError(
                    f"cannot download {entry.name}: HTTP {response.status_code} from {url}",
                    "check BRIEF_MODELS_URL or try again later",
                )
    except httpx.TransportError as exc:
        raise ModelError(
            f"cannot download {entry.name} from {url}: {type(exc).__name__}: {exc}", offline_hint
        ) from None
    size = part.stat().st_size
    expected = entry.size or total
    if expected is not None and size != expected:
        raise ModelError(
            f"download of {entry.name} is incomplete: {size} of {expected} bytes",
            "run the same `brief models pull` again to resume",
        )
    if entry.sha256:
        actual = _hash_file(part).hexdigest()
        if actual != entry.sha256:
            part.unlink()
            raise ModelError(
                f"checksum mismatch for {entry.name}: sha256 {actual}, expected {entry.sha256}",
                "the file was deleted; pull again or check BRIEF_MODELS_URL",
            )
    os.replace(part, dest)
    return dest
