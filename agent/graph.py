"""The brief workflow: fetch → one branch per paper (read → extract ⇄ critic → write ⇄
review), run in parallel with `Send` → publish. Services come from the run's Context."""

from __future__ import annotations

from typing import Any

from langgraph.graph import END, START, StateGraph

from agent.context import Context
from agent.nodes.critic import critique, route_after_critic
from agent.nodes.extractor import extract
from agent.nodes.fetcher import fan_out, fetch
from agent.nodes.publisher import publish
from agent.nodes.reader import read, route_after_read
from agent.nodes.reviewer import review, route_after_review
from agent.nodes.writer import route_after_write, write
from agent.state import BriefInput, BriefOutput, BriefState, PaperOutput, PaperState


def build_paper_graph() -> StateGraph[Any, Any, Any, Any]:
    """One paper: read it, extract claims, critique them (bounded loop), write, review."""
    g = StateGraph(PaperState, context_schema=Context, output_schema=PaperOutput)
    g.add_node("read", read)
    g.add_node("extract", extract)
    g.add_node("critic", critique)
    g.add_node("write", write)
    g.add_node("review", review)
    g.add_edge(START, "read")
    g.add_conditional_edges("read", route_after_read)
    g.add_edge("extract", "critic")
    g.add_conditional_edges("critic", route_after_critic)
    g.add_conditional_edges("write", route_after_write)
    g.add_conditional_edges("review", route_after_review)
    return g


def build_graph() -> StateGraph[Any, Any, Any, Any]:
    """The whole run, from BriefInput to BriefOutput."""
    g = StateGraph(
        BriefState, context_schema=Context, input_schema=BriefInput, output_schema=BriefOutput
    )
    g.add_node("fetch", fetch)
    g.add_node("paper", build_paper_graph().compile())
    g.add_node("publish", publish)
    g.add_edge(START, "fetch")
    g.add_conditional_edges("fetch", fan_out, ["paper", "publish"])
    g.add_edge("paper", "publish")
    g.add_edge("publish", END)
    return g


def compile_graph(checkpointer: Any = None) -> Any:
    """The runnable graph, with a checkpointer for durable runs."""
    return build_graph().compile(checkpointer=checkpointer)


def mermaid() -> str:
    """The graph (with the per-paper branch expanded) as a mermaid diagram, for the README."""
    return compile_graph().get_graph(xray=1).draw_mermaid().strip()


if __name__ == "__main__":  # `python -m agent.graph` prints the README section
    print(f"```mermaid\n{mermaid()}\n```")
