"""Settings: environment (prefix BRIEF_), an optional TOML file, and defaults.

Precedence, highest first: explicit overrides (CLI options), environment variables,
`./brief.toml`, else `$BRIEF_HOME/config.toml`, then the defaults below. Every field has a
description; the README's configuration table is generated from them and a test keeps it so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from agent.errors import ConfigError

ENV_PREFIX = "BRIEF_"


def default_home() -> Path:
    """The platform's user data directory for brief (no I/O)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("brief", appauthor=False))


def config_file(cwd: Path | None = None) -> Path | None:
    """`./brief.toml` if present, else `$BRIEF_HOME/config.toml` if present."""
    local = (cwd or Path.cwd()) / "brief.toml"
    if local.is_file():
        return local
    home = Path(os.environ.get(f"{ENV_PREFIX}HOME") or default_home())
    user = home / "config.toml"
    return user if user.is_file() else None


class Settings(BaseSettings):
    """All of brief's settings. Environment variables are `BRIEF_<NAME>`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", validate_default=True, populate_by_name=True
    )

    # --- general -------------------------------------------------------------------------
    home: Path = Field(
        default_factory=default_home,
        description="Directory holding everything brief writes: store, PDF cache, runs, evals.",
    )
    debug: bool = Field(False, description="Show full tracebacks instead of one-line errors.")
    lang: Literal["zh", "en"] = Field("zh", description="Language of briefs and answers.")

    # --- reader --------------------------------------------------------------------------
    pdf_engine: Literal["pdfium", "pypdf"] = Field(
        "pdfium", description="PDF text engine: pdfium (fast, keeps word spaces) or pypdf."
    )
    workers: int = Field(
        1, ge=1, le=64, description="Worker processes used to read PDFs in parallel."
    )
    pdf_timeout: float = Field(
        120.0, gt=0, description="Seconds one PDF may take to read before it is reported as failed."
    )
    chunk_tokens: int = Field(
        1000, ge=64, le=8000, description="Target chunk size in tokens (about 4 characters each)."
    )
    chunk_overlap: int = Field(
        100, ge=0, le=2000, description="Tokens shared by consecutive chunks of a section."
    )

    # --- store ---------------------------------------------------------------------------
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (`chroma run`) to share one store; "
        "unset means a local store under BRIEF_HOME.",
    )
    embeddings: str = Field(
        "auto",
        description="Embedding provider: auto, hash, minilm, openai:<model> or llamacpp:<gguf>.",
    )
    embeddings_base_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible embeddings server for "
        "embeddings=openai:<model>; unset means BRIEF_BASE_URL, else OpenAI.",
    )
    embeddings_api_key: SecretStr | None = Field(
        None,
        description="API key of that embeddings server; unset means OPENAI_API_KEY.",
    )

    # --- fetcher -------------------------------------------------------------------------
    arxiv_api_url: str = Field(
        "https://export.arxiv.org/api/query", description="arXiv API query endpoint."
    )
    arxiv_delay: float = Field(
        3.0, ge=0, description="Seconds between arXiv API calls (arXiv asks for at least 3)."
    )
    download_concurrency: int = Field(2, ge=1, le=16, description="PDF downloads running at once.")
    download_delay: float = Field(
        1.0, ge=0, description="Minimum seconds between requests to the same host."
    )
    download_timeout: float = Field(
        60.0, gt=0, description="Seconds before a stalled HTTP request is retried."
    )
    download_retries: int = Field(
        4, ge=0, le=10, description="Retries on 429, 5xx and timeouts, with backoff."
    )
    download_deadline: float = Field(
        600.0,
        gt=0,
        description="Seconds one HTTP transfer may take in all; a server that sends too "
        "slowly (a byte now and then) is cut off.",
    )
    user_agent: str = Field(
        "brief/0.1 (research briefing tool; mailto:brief@example.org)",
        description="User-Agent sent to arXiv; put a contact address in it.",
    )
    topics: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Topic profiles added or overridden in the config file ([topics.<name>]).",
    )

    # --- models --------------------------------------------------------------------------
    model: str = Field(
        "none",
        description="Model spec: none, openai:<model> or llamacpp:<path to .gguf>.",
    )
    base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp)."
    )
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias="OPENAI_API_KEY",
        description="API key for openai: models (read from OPENAI_API_KEY).",
    )
    n_ctx: int = Field(8192, ge=512, description="Context window for in-process llama.cpp.")
    n_threads: int | None = Field(
        None, ge=1, description="CPU threads for in-process llama.cpp (default: all cores)."
    )
    n_gpu_layers: int = Field(0, ge=-1, description="Layers offloaded to a GPU by llama.cpp.")
    model_timeout: float = Field(120.0, gt=0, description="Seconds before a model call times out.")
    model_retries: int = Field(
        3, ge=0, le=10, description="Retries on 429, 5xx and connection errors, with backoff."
    )
    model_concurrency: int = Field(4, ge=1, le=64, description="Model calls running at once.")
    max_reask: int = Field(
        2,
        ge=0,
        le=5,
        description="Times a model is asked again after an invalid structured answer.",
    )
    budget_tokens: int | None = Field(
        None, ge=1, description="Stop new model calls after this many tokens in a run."
    )
    budget_usd: float | None = Field(
        None, gt=0, description="Stop new model calls after this estimated cost in a run."
    )
    models_url: str = Field(
        "https://huggingface.co",
        description="Base URL `brief models pull` downloads GGUF files from (a mirror of huggingface.co).",
    )

    # --- workflow ------------------------------------------------------------------------
    model_calls: Literal["auto", "lean", "full"] = Field(
        "auto",
        description="Model calls per paper: lean (one extraction call; entailment checked "
        "lexically; the one-liner composed from the model's verified phrases), full (also an "
        "entailment call, a writer call and rewrites), auto (lean for in-process llama.cpp, "
        "full otherwise).",
    )
    max_critic_rounds: int = Field(
        2, ge=0, le=5, description="Times rejected claims go back to the extractor."
    )
    glossary: dict[str, str] = Field(
        default_factory=dict,
        description="Extra EN→ZH terms for the writer's glossary ([glossary] in the config file).",
    )

    @field_validator("home", mode="after")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = config_file()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    # --- derived paths (no I/O) ----------------------------------------------------------
    @property
    def store_dir(self) -> Path:
        return self.home / "store"

    @property
    def pdf_dir(self) -> Path:
        return self.home / "pdf"

    @property
    def runs_dir(self) -> Path:
        return self.home / "runs"

    @property
    def briefs_dir(self) -> Path:
        return self.home / "briefs"

    @property
    def evals_dir(self) -> Path:
        return self.home / "evals"


def load_settings(**overrides: Any) -> Settings:
    """Build settings; a bad value becomes a ConfigError naming the setting and the fix."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**clean)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or "settings"
        env = "OPENAI_API_KEY" if name == "OPENAI_API_KEY" else f"{ENV_PREFIX}{name.upper()}"
        raise ConfigError(
            f"invalid setting {name}={first.get('input')!r}: {first['msg']}",
            f"fix {env} or `{name}` in {config_file() or 'brief.toml'}",
        ) from None
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML
        raise ConfigError(
            f"cannot read config file {config_file()}: {exc}", "fix or remove the file"
        ) from None
    from agent.safety import register_settings

    register_settings(settings)  # its key and URL passwords are redacted wherever brief writes
    return settings


def settings_table() -> list[tuple[str, str, str]]:
    """(environment variable, default, description) for every setting, for the README."""
    rows = []
    for name, field in Settings.model_fields.items():
        env = "OPENAI_API_KEY" if name == "openai_api_key" else f"{ENV_PREFIX}{name.upper()}"
        if field.default_factory is not None:
            default = "platform user data dir" if name == "home" else "empty"
        else:
            default = "unset" if field.default is None else str(field.default)
        rows.append((env, default, field.description or ""))
    return rows


def settings_markdown() -> str:
    """The README's configuration table."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{env}` | {default} | {desc} |" for env, default, desc in settings_table()]
    return "\n".join(lines)


if __name__ == "__main__":  # `python -m agent.settings` prints the README table
    print(settings_markdown())
