"""Settings: env prefix, config files, precedence, one-line errors, README table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.errors import ConfigError
from agent.settings import Settings, load_settings, settings_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_env_prefix_and_defaults(brief_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_WORKERS", "2")
    settings = load_settings()
    assert settings.home == brief_home
    assert settings.workers == 2
    assert settings.pdf_engine == "pdfium"
    assert settings.store_dir == brief_home / "store"


def test_home_config_file_is_read(brief_home: Path) -> None:
    brief_home.mkdir(parents=True)
    (brief_home / "config.toml").write_text('lang = "en"\nmax_critic_rounds = 3\n')
    settings = load_settings()
    assert settings.lang == "en"
    assert settings.max_critic_rounds == 3


def test_local_brief_toml_wins_over_home_config(brief_home: Path) -> None:
    brief_home.mkdir(parents=True)
    (brief_home / "config.toml").write_text('lang = "en"\n')
    Path("brief.toml").write_text('lang = "zh"\n[glossary]\n"early exit" = "早退"\n')
    settings = load_settings()
    assert settings.lang == "zh"
    assert settings.glossary == {"early exit": "早退"}


def test_env_beats_file_and_overrides_beat_env(monkeypatch: pytest.MonkeyPatch) -> None:
    Path("brief.toml").write_text("workers = 3\n")
    monkeypatch.setenv("BRIEF_WORKERS", "4")
    assert load_settings().workers == 4
    assert load_settings(workers=5).workers == 5


def test_bad_value_is_one_line_naming_setting_and_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEF_PDF_ENGINE", "tesseract")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "pdf_engine" in message and "tesseract" in message
    assert "BRIEF_PDF_ENGINE" in message
    assert "\n" not in message


def test_unknown_key_in_config_file_is_reported() -> None:
    Path("brief.toml").write_text("wokers = 2\n")
    with pytest.raises(ConfigError, match="wokers"):
        load_settings()


def test_malformed_config_file_is_reported() -> None:
    Path("brief.toml").write_text("lang = \n")
    with pytest.raises(ConfigError, match="brief.toml"):
        load_settings()


def test_every_setting_has_a_description() -> None:
    missing = [name for name, f in Settings.model_fields.items() if not f.description]
    assert missing == []


def test_every_setting_is_in_the_readme_table() -> None:
    text = README.read_text(encoding="utf-8")
    table = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([A-Z_]+)` \| [^|]* \| ([^|]*) \|$", text, re.M)
    }
    for env, _default, description in settings_table():
        assert env in table, f"{env} is missing from README.md's configuration table"
        assert table[env].strip() == description, f"{env}: README description is stale"
