"""README's architecture diagram is the graph's own mermaid drawing, kept current."""

from __future__ import annotations

from pathlib import Path

from agent.graph import compile_graph, mermaid

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_shows_the_current_graph() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- graph:start -->", 1)[1].split("<!-- graph:end -->", 1)[0]
    assert f"```mermaid\n{mermaid()}\n```" in section, (
        "README graph is stale: run `python -m agent.graph` and paste between the markers"
    )


def test_graph_has_the_four_agents_and_the_bounded_loops() -> None:
    drawing = compile_graph().get_graph(xray=1).draw_mermaid()
    for node in ("fetch", "read", "extract", "critic", "write", "review", "publish"):
        assert f"{node}(" in drawing or f"3a{node}(" in drawing
    assert "critic -.-> paper\\3aextract" in drawing
    assert "review -.-> paper\\3awrite" in drawing
