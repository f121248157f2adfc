"""Graph state: the narrow input and output of a brief run, and what flows in between.

State holds JSON-ready dicts (pydantic models dumped with mode="json") so that every
checkpoint round-trips through the SQLite checkpointer unchanged. List channels use reducers
so that the per-paper branches (run in parallel with `Send`) only ever append.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, NotRequired, TypedDict


def merge_counts(left: dict[str, int] | None, right: dict[str, int] | None) -> dict[str, int]:
    """Reducer for counters: add values key by key."""
    out = dict(left or {})
    for key, value in (right or {}).items():
        out[key] = out.get(key, 0) + value
    return out


def add_unique(left: list[Any] | None, right: list[Any] | None) -> list[Any]:
    """Reducer for records: append those not already present (a resumed branch may repeat)."""
    out = list(left or [])
    out += [item for item in (right or []) if item not in out]
    return out


class BriefInput(TypedDict):
    """What a run is asked for."""

    topic: str
    window: str  # "2026-11-16..2026-11-23" (resolved by the CLI so that resume is stable)
    kind: str  # "weekly" | "daily" | "deepdive" | "trends" | "catalog" (agent.formats)
    lang: str  # "zh" | "en"
    left_out: NotRequired[list[dict[str, str]]]  # papers left out before the run (not found)


class BriefOutput(TypedDict):
    """What a run returns."""

    path: str
    stats: dict[str, int]
    failures: list[dict[str, str]]


class BriefState(BriefInput, total=False):
    """The whole run: the fetcher's work list, then one result per paper."""

    tasks: list[dict[str, Any]]  # PaperTask dicts from the fetcher
    papers: Annotated[list[dict[str, Any]], operator.add]  # PaperResult dicts
    failures: Annotated[list[dict[str, str]], add_unique]  # {"item", "stage", "reason"}
    counts: Annotated[dict[str, int], merge_counts]  # added up across branches
    stats: dict[str, int]  # the final figures, written once by the publisher
    path: str


class PaperOutput(TypedDict, total=False):
    """What one paper's branch hands back to the run."""

    papers: Annotated[list[dict[str, Any]], operator.add]
    failures: Annotated[list[dict[str, str]], add_unique]
    counts: Annotated[dict[str, int], merge_counts]


class PaperState(PaperOutput, total=False):
    """One paper's branch: read → extract ⇄ critic → write ⇄ review."""

    task: dict[str, Any]
    lang: str
    paper: dict[str, Any]  # Paper (json), once read
    sentences: list[dict[str, Any]]  # what the model reads and points at: text, page, section
    meta: dict[str, Any]  # institutions / author_count found on page 1
    claims: list[dict[str, Any]]  # verified claims so far
    pending: list[dict[str, Any]]  # claims waiting for the critic
    rejected: list[dict[str, Any]]  # claims the critic sent back, with reasons
    dropped: list[dict[str, Any]]  # claims given up on, with reasons
    reused: bool  # verified claims came from the store
    rounds: int  # critic rounds done
    draft: dict[str, Any]  # the writer's prose fields with the claim ids they rest on
    feedback: list[str]  # the reviewer's reasons for a rewrite
    review_rounds: int
    done: bool


def paper_failed(item: str, stage: str, reason: str) -> dict[str, Any]:
    """The update that ends one paper's branch at `stage` (read, extract, critic, write):
    its failure record for the brief's list of what was left out, and nothing left for the
    critic or the extractor."""
    return {
        "failures": [{"item": item, "stage": stage, "reason": reason}],
        "pending": [],
        "rejected": [],
        "done": True,
    }
