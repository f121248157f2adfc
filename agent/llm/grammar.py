"""JSON-schema → GBNF grammars for constrained decoding with llama.cpp, and strict schemas.

llama-cpp-python's converter is used with one fix: its string `char` rule admits raw control
characters (U+0000–U+001F, U+007F), which JSON parsers and pydantic reject; the rule is
tightened so the model can only write them escaped. Integer minimum/maximum are not enforced
by the converter: pydantic validation (and a re-ask) covers them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

_LOOSE_CHAR = '[^"\\\\]'  # the converter's `[^"\\]`
_TIGHT_CHAR = '[^"\\\\\\x00-\\x1F\\x7F]'  # no quote, no backslash, no control characters


def strict_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema made strict: every property required, no extra properties."""
    from openai.lib._pydantic import to_strict_json_schema

    return to_strict_json_schema(schema)


def schema_json(schema: type[BaseModel]) -> str:
    """The schema text shown to models in prompts."""
    return json.dumps(schema.model_json_schema(), ensure_ascii=False)


def tighten(grammar: str) -> str:
    """Forbid raw control characters inside JSON strings of a generated grammar."""
    return re.sub(
        r"^(char\s*::=\s*)" + re.escape(_LOOSE_CHAR),
        lambda m: m.group(1) + _TIGHT_CHAR,
        grammar,
        flags=re.MULTILINE,
    )


@lru_cache(maxsize=64)
def gbnf_for(schema_text: str) -> str:
    """GBNF for a JSON schema given as text (cached)."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    return tighten(json_schema_to_gbnf(schema_text))


@lru_cache(maxsize=64)
def llama_grammar(schema_text: str) -> Any:
    """A compiled `llama_cpp.LlamaGrammar` for a JSON schema given as text (cached)."""
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(gbnf_for(schema_text), verbose=False)
