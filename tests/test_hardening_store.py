"""Damaged state is detected, not taken for an empty store: a zeroed or deleted
chroma.sqlite3 (with a manifest recording papers), a garbled checkpoint database, and a
`store reindex` killed in the middle. Each is one line and its exit code, no traceback, and
nothing stored is lost once the damage is undone."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import store.maintenance as maintenance
from agent.cli.app import app
from agent.settings import load_settings
from store.chroma import open_store


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture()
def stored(brief_home: Path, demo_pdfs: list[Path]) -> dict[str, Any]:
    """The demo papers ingested; the store's stats."""
    assert run("ingest", str(demo_pdfs[0].parent)).exit_code == 0
    stats = json.loads(run("store", "stats", "--json").stdout)
    assert stats["paper_versions"] == 3
    return stats


def one_line_exit_2(result: Any, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) or result.exception is None
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("damage", ["zeroed", "deleted", "empty"])
def test_a_lost_database_is_damage_not_an_empty_store(
    brief_home: Path, stored: dict[str, Any], damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)  # the CLI's one-line errors
    database = brief_home / "store" / "chroma.sqlite3"
    backup = brief_home.parent / "chroma.sqlite3.bak"
    shutil.copy2(database, backup)
    if damage == "zeroed":
        database.write_bytes(b"\0" * database.stat().st_size)
    elif damage == "deleted":
        database.unlink()
    else:
        database.write_bytes(b"")
    for args in (("store", "stats"), ("ask", "What is a KV cache?"), ("weekly", "--demo")):
        one_line_exit_2(run(*args), "the store is damaged", "3 paper versions")
    assert not database.exists() or database.stat().st_size in (0, backup.stat().st_size)
    check = run("store", "check", "--json")
    assert check.exit_code == 1 and not json.loads(check.stdout)["ok"]
    shutil.copy2(backup, database)  # restored: everything is there again
    assert json.loads(run("store", "stats", "--json").stdout) == stored
    assert run("store", "check").exit_code == 0


def test_store_check_compares_counts_with_the_manifest(
    brief_home: Path, stored: dict[str, Any]
) -> None:
    healthy = run("store", "check", "--json")
    assert healthy.exit_code == 0, healthy.output
    names = [c["name"] for c in json.loads(healthy.stdout)["checks"]]
    assert {"sqlite integrity", "counts", "vectors of chunks", "vectors of papers"} <= set(names)
    manifest = brief_home / "store.manifest.json"
    data = json.loads(manifest.read_text())
    assert (data["paper_versions"], data["chunks"]) == (3, stored["chunks"])
    data["chunks"] += 7  # records lost since the last write
    manifest.write_text(json.dumps(data))
    damaged = run("store", "check")
    assert damaged.exit_code == 1
    assert f"chunks: {stored['chunks']} stored, {stored['chunks'] + 7} recorded" in damaged.stderr


def test_a_garbled_checkpoint_database_is_one_line(
    brief_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    checkpoints = brief_home / "runs" / "checkpoints.db"
    checkpoints.parent.mkdir(parents=True)
    checkpoints.write_bytes(b"this is not SQLite at all\n" * 200)
    one_line_exit_2(run("weekly", "--demo"), "run checkpoints", "damaged")


def test_a_killed_reindex_loses_no_collection(
    brief_home: Path, stored: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings()
    real_swap = maintenance._swap

    def killed_after_delete(client: Any, name: str) -> None:
        client.delete_collection(f"brief_{name}")  # the old one is gone, the copy not renamed
        raise KeyboardInterrupt

    monkeypatch.setattr(maintenance, "_swap", killed_after_delete)
    store = open_store(settings)
    with pytest.raises(KeyboardInterrupt):
        maintenance.reindex(store)
    store.close()
    monkeypatch.setattr(maintenance, "_swap", real_swap)
    store = open_store(settings)  # the complete copy is swapped in when the store opens
    try:
        assert store.stats() == {**stored}
        assert store.search("KV cache decoding", k=3)
    finally:
        store.close()

    store = open_store(settings)
    embedder_class = type(store.embedder)
    embed = embedder_class.embed
    calls = {"n": 0}

    def dies_midway(self: Any, texts: list[str]) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # killed while building a copy
        return embed(self, texts)

    monkeypatch.setattr(embedder_class, "embed", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        maintenance.reindex(store)
    store.close()
    monkeypatch.setattr(embedder_class, "embed", embed)
    assert json.loads(run("store", "stats", "--json").stdout) == stored  # old one intact
    again = run("store", "reindex")  # the retry drops the partial copy and finishes
    assert again.exit_code == 0, again.output
    assert json.loads(run("store", "stats", "--json").stdout) == stored
    assert run("store", "check").exit_code == 0


def test_backup_and_restore_bring_a_damaged_store_back(
    brief_home: Path, stored: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = tmp_path / "backup"
    made = run("store", "backup", str(backup), "--json")
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["paper_versions"] == 3
    assert run("store", "backup", str(backup)).exit_code != 0  # never over an earlier one
    database = brief_home / "store" / "chroma.sqlite3"
    database.write_bytes(b"\0" * database.stat().st_size)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    one_line_exit_2(run("store", "stats"), "the store is damaged")
    restored = run("store", "restore", str(backup), "--json")
    assert restored.exit_code == 0, restored.output
    previous = Path(json.loads(restored.stdout)["previous"])
    assert (previous / "chroma.sqlite3").read_bytes()[:16] == b"\0" * 16  # kept aside
    assert json.loads(run("store", "stats", "--json").stdout) == stored
    assert run("store", "check").exit_code == 0
    bad = run("store", "restore", str(tmp_path / "nothing-here"))
    assert bad.exit_code == 2 and "is not a brief store backup" in bad.stderr
