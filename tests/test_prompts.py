"""Every template in prompts/ renders with its variables and fails without any one of them."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

from agent.prompting import render, template_names, template_variables


class Dummy(str):
    """A stand-in value: a string that also has any attribute, item and one element.

    `MODE` picks which side of `{% if x %}` / `{% if x == "..." %}` is taken, so that
    rendering in both modes reaches every branch of a template.
    """

    MODE = True

    def __new__(cls, name: str = "x") -> Dummy:
        return super().__new__(cls, f"<{name}>")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return Dummy(name)

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        return Dummy(str(key))

    def __iter__(self):  # type: ignore[override]
        return iter([Dummy("item")])

    def __eq__(self, other: object) -> bool:
        return Dummy.MODE

    def __ne__(self, other: object) -> bool:
        return not Dummy.MODE

    def __bool__(self) -> bool:
        return Dummy.MODE

    __hash__ = str.__hash__

    def items(self) -> list[tuple[Dummy, Dummy]]:
        return [(Dummy("key"), Dummy("value"))]


NAMES = template_names()


def test_templates_are_found() -> None:
    assert "llm.reask.md" in NAMES and "llm.json_schema.md" in NAMES


@pytest.fixture(params=[True, False], ids=["branches-on", "branches-off"])
def mode(request: pytest.FixtureRequest) -> Any:
    Dummy.MODE = request.param
    yield request.param
    Dummy.MODE = True


@pytest.mark.parametrize("name", NAMES)
def test_template_renders_with_its_variables(name: str, mode: bool) -> None:
    variables = {v: Dummy(v) for v in template_variables(name)}
    text = render(name, **variables)
    assert "Undefined" not in text


def _fails_without(name: str, missing: str) -> bool:
    variables = {v: Dummy(v) for v in template_variables(name) if v != missing}
    try:
        render(name, **variables)
    except jinja2.UndefinedError:
        return True
    return False


@pytest.mark.parametrize("name", NAMES)
def test_template_fails_on_each_missing_variable(name: str) -> None:
    """StrictUndefined: leaving out any variable fails on the branch that uses it."""
    for missing in sorted(template_variables(name)):
        reached = []
        for flag in (True, False):
            Dummy.MODE = flag
            reached.append(_fails_without(name, missing))
        Dummy.MODE = True
        assert any(reached), f"{name}: rendering without {missing!r} did not fail"


def test_reask_names_the_error_and_schema() -> None:
    text = render("llm.reask.md", error="score: too big", schema='{"type": "object"}')
    assert "score: too big" in text and '{"type": "object"}' in text


def test_unknown_template_is_an_error() -> None:
    with pytest.raises(jinja2.TemplateNotFound):
        render("no.such.template.md")
