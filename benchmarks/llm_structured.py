"""Structured output from a small local model: grammar-constrained decoding vs prompting.

Runs N structured calls per method with different seeds, without re-asking, against the tiny
random-weight GGUF from tests/tinymodel.py (or `--model path.gguf`), and prints how many
answers were schema-valid. The baseline is the schema in the prompt with free decoding, the
repair-afterwards approach; ratios are against it, measured in the same run.

    .venv/bin/python benchmarks/llm_structured.py [--n 20] [--model path.gguf]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from pydantic import BaseModel, Field

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the tiny model builder


class Claim(BaseModel):
    """One claim from a paper with its verbatim quote."""

    statement: str = Field(description="the claim, in Chinese")
    quote: str = Field(description="verbatim quote from the paper")
    page: int = Field(description="page of the quote")
    numbers: list[str] = Field(description="numbers the claim states")


def run(model_path: str, method: str, n: int) -> dict[str, float]:
    from agent.errors import StructuredOutputError
    from agent.llm.llamacpp_chat import ChatLlamaCpp
    from agent.llm.structured import structured_call
    from agent.llm.usage import UsageTracker

    usage = UsageTracker()
    valid = 0
    start = time.perf_counter()
    for seed in range(n):
        model = ChatLlamaCpp(
            model_path=model_path, n_ctx=2048, max_tokens=256, seed=seed, temperature=0.8
        )
        try:
            structured_call(
                model,
                Claim,
                [
                    ("system", "Extract one claim."),
                    ("human", "在 MMLU 上准确率为 71.3%（第 4 页）。"),
                ],
                agent="bench",
                usage=usage,
                method=method,
                max_reask=0,
            )
            valid += 1
        except StructuredOutputError:
            pass
    elapsed = time.perf_counter() - start
    return {"valid": valid, "seconds": elapsed, "tokens_out": usage.totals()["tokens_out"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--model", help="a GGUF (default: build the tiny test model)")
    args = parser.parse_args()
    if args.model:
        path = args.model
    else:
        from tinymodel import build_tiny_gguf

        path = str(build_tiny_gguf(Path(tempfile.mkdtemp()) / "tiny.gguf"))
    rows = [("prompt only (baseline)", "prompt"), ("grammar from schema", "grammar")]
    results = {name: run(path, method, args.n) for name, method in rows}
    base = results[rows[0][0]]
    print(f"model: {Path(path).name}, {args.n} calls per method, no re-asks\n")
    print("| method | valid | valid rate | ratio vs baseline | s/call | tokens out/call |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, _ in rows:
        r = results[name]
        ratio = (
            f"{r['valid'] / base['valid']:.1f}×" if base["valid"] else "∞" if r["valid"] else "–"
        )
        print(
            f"| {name} | {r['valid']}/{args.n} | {r['valid'] / args.n:.0%} | {ratio} | "
            f"{r['seconds'] / args.n:.3f} | {r['tokens_out'] / args.n:.0f} |"
        )


if __name__ == "__main__":
    main()
