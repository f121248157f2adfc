"""Paths: brief file names made from topics (and kinds) stay one plain name inside the
briefs folder: no traversal, no absolute path, no clobbering of files elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.paths import inside, safe_component
from agent.runs import run_brief
from agent.settings import load_settings

WINDOW = "2026-11-16..2026-11-23"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("efficient-ai", "efficient-ai"),
        ("../../etc/passwd", "etc-passwd"),
        ("/abs/path", "abs-path"),
        ("..", "untitled"),
        ("a\x00b\nc", "a-b-c"),
        ("扩散 语言模型", "扩散-语言模型"),
        ("CON:|<>*?", "CON"),
        ("x" * 500, "x" * 120),
    ],
)
def test_safe_component(text: str, expected: str) -> None:
    assert safe_component(text) == expected
    assert "/" not in safe_component(text) and not safe_component(text).startswith(".")


def test_inside_refuses_escapes(tmp_path: Path) -> None:
    assert inside(tmp_path, "a.md") == tmp_path.resolve() / "a.md"
    for bad in ("../a.md", "/etc/a.md", "sub/../../a.md"):
        with pytest.raises(ConfigError, match="outside"):
            inside(tmp_path, bad)


def test_a_hostile_topic_cannot_write_outside_the_briefs_folder(tmp_path: Path) -> None:
    settings = load_settings()
    victim = settings.home / "victim.md"
    victim.parent.mkdir(parents=True, exist_ok=True)
    victim.write_text("keep me")
    # unsanitised, this made briefs/weekly-x/ and then wrote ../../victim-2026-11-23.md
    result = run_brief(settings, topic="x/../../victim", window=WINDOW, demo=True)
    path = Path(result["path"])
    assert path.parent == settings.briefs_dir.resolve()
    assert path.name == "weekly-x-victim-2026-11-23.md"
    assert not (settings.home / "victim-2026-11-23.md").exists()
    assert victim.read_text() == "keep me"
    outside = [p for p in settings.home.rglob("*.md") if settings.briefs_dir not in p.parents]
    assert outside == [victim]


def test_catalog_names_are_sanitised_too() -> None:
    from agent.formats.service import catalog_path

    settings = load_settings()
    path = catalog_path(settings, "../../../tmp/x", None)
    assert path.parent == settings.briefs_dir.resolve() and path.name == "catalog-tmp-x.md"
