"""The JSON sidecar's published contract: every kind of brief the demo writes validates
against agent/data/sidecar.schema.json (with the real jsonschema validator) and carries
`schema_version` 1 as its first key; a sidecar that breaks the contract does not validate."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agent.cli.app import app
from agent.sidecar import SCHEMA_PATH, SCHEMA_VERSION

jsonschema = pytest.importorskip("jsonschema")

DEMO_RUNS = {
    "weekly": ["weekly", "--demo"],
    "deepdive": ["deepdive", "2505.15781", "2508.14148", "--demo", "--date", "2026-02-23"],
    "trends": ["trends", "--demo", "--month", "2025-09"],
    "catalog": ["catalog", "--demo"],
}


def validator() -> Any:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def demo_sidecar(kind: str, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / f"{kind}.md"
    result = CliRunner().invoke(app, [*DEMO_RUNS[kind], "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    return json.loads(Path(summary["sidecar"]).read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", list(DEMO_RUNS))
def test_demo_sidecars_follow_the_published_schema(kind: str, tmp_path: Path) -> None:
    side = demo_sidecar(kind, tmp_path)
    assert next(iter(side)) == "schema_version" and side["schema_version"] == SCHEMA_VERSION == 1
    errors = [f"{list(e.path)}: {e.message}" for e in validator().iter_errors(side)]
    assert errors == []
    assert side["kind"] == kind and side["brief"] == f"{kind}.md"
    assert any(c["quote"] for s in side["sentences"] for c in s["claims"])


def test_a_sidecar_breaking_the_contract_is_refused(tmp_path: Path) -> None:
    side = demo_sidecar("weekly", tmp_path)
    check = validator()
    broken = []
    for change in (
        lambda d: d.pop("schema_version"),
        lambda d: d.update(schema_version=2),
        lambda d: next(s for s in d["sentences"] if s["claims"])["claims"][0].pop("page"),
        lambda d: d["sentences"][0].update(line="19"),
        lambda d: d.update(kind="monthly"),
    ):
        bad = copy.deepcopy(side)
        change(bad)
        broken.append(not check.is_valid(bad))
    assert broken == [True] * 5
