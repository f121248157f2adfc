"""Render the prompt templates in the `prompts` package (Jinja2, StrictUndefined).

Every text sent to a model lives in `prompts/<agent>.<role>.md`; `render(name, **vars)` fails
with `jinja2.UndefinedError` when a variable the template uses is not given.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from typing import Any

import jinja2
import jinja2.meta

from agent.frontmatter import front_matter

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
    env = jinja2.Environment(
        loader=_PackageLoader(),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["data"] = as_data
    env.filters["line"] = as_line
    env.globals["front_matter"] = front_matter  # the brief templates' YAML block
    return env


_PASSAGE_TAG = re.compile(r"<(/?)(passage)", re.I)
FENCE = "`" * 3


def as_data(value: Any) -> str:
    """Untrusted text (paper, feed, model output) for inside a text fence: it cannot close
    the fence or a <passage> element around it (filter `data`)."""
    text = str(value).replace(FENCE, "'" * 3).replace("~~~", "'" * 3)
    return _PASSAGE_TAG.sub(r"‹\1\2", text)


def as_line(value: Any) -> str:
    """Untrusted text on one line (filter `line`): `data`, with line breaks collapsed, so it
    cannot start a line of its own that looks like part of the prompt."""
    return " ".join(as_data(value).split())


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
    return set(jinja2.meta.find_undeclared_variables(env.parse(source))) - set(env.globals)


def render(name: str, **variables: Any) -> str:
    """Render `prompts/<name>`; a missing variable raises `jinja2.UndefinedError`."""
    return environment().get_template(name).render(**variables).strip()
