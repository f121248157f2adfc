"""The JSON sidecar's contract: its version and the published JSON Schema
(agent/data/sidecar.schema.json). Bump SCHEMA_VERSION, and the schema's `const`, whenever a
field is removed or changes meaning; adding an optional field keeps the version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "sidecar.schema.json"


def versioned(side: dict[str, Any]) -> dict[str, Any]:
    """`side` with `schema_version` as its first key."""
    return {"schema_version": SCHEMA_VERSION} | {
        k: v for k, v in side.items() if k != "schema_version"
    }
