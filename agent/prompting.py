"""Render the prompt templates in the `prompts` package (Jinja2, StrictUndefined).

Every text sent to a model lives in `prompts/<agent>.<role>.md`; `render(name, **vars)` fails
with `jinja2.UndefinedError` when a variable the template uses is not given.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

import jinja2
import jinja2.meta

PACKAGE = "prompts"
SUFFIXES = (".md", ".j2")


class _PackageLoader(jinja2.BaseLoader):
    """Reads templates from the installed `prompts` package (works from wheels and zips)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, None, Any]:
        resource = files(PACKAGE).joinpath(template)
        if not resource.is_file():
            raise jinja2.TemplateNotFound(template)
        return resource.read_text(encoding="utf-8"), None, lambda: True

    def list_templates(self) -> list[str]:
        return template_names()


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared Jinja2 environment: strict about undefined variables, no autoescape."""
    return jinja2.Environment(
        loader=_PackageLoader(),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_names() -> list[str]:
    """Names of all templates in the prompts package, sorted."""
    return sorted(
        entry.name
        for entry in files(PACKAGE).iterdir()
        if entry.is_file() and entry.name.endswith(SUFFIXES)
    )


def template_variables(name: str) -> set[str]:
    """Variables a template reads from its context (found by parsing it)."""
    env = environment()
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    return set(jinja2.meta.find_undeclared_variables(env.parse(source)))


def render(name: str, **variables: Any) -> str:
    """Render `prompts/<name>`; a missing variable raises `jinja2.UndefinedError`."""
    return environment().get_template(name).render(**variables).strip()
