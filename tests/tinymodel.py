"""A tiny random-weight llama GGUF (~0.5 MB) built at test time for llama.cpp tests.

2 layers, hidden size 64, an SPM vocabulary of printable ASCII plus the 256 byte-fallback
tokens (so it can spell JSON and, byte by byte, Chinese), a ChatML chat template and mean
pooling. The weights are random, but the residual stream carries a large constant in
dimension 0 and the output rows of `"`, `}`, `]`, `,` and end-of-sequence are aligned with it,
so grammar-constrained generations close their strings and stop quickly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

N_EMBD = 64
N_LAYERS = 2
N_HEAD = 4
N_FF = 128
CTX = 2048
FAVOURED = ('"', "}", "]", ",")


def build_tiny_gguf(
    path: Path, *, chat_template: str | None = CHATML_TEMPLATE, seed: int = 0
) -> Path:
    """Write the tiny model to `path` (no chat template when `chat_template` is None)."""
    import gguf
    import numpy as np

    rng = np.random.default_rng(seed)
    tokens: list[bytes] = [b"<unk>", b"<s>", b"</s>", b"<|im_start|>", b"<|im_end|>"]
    types = [
        gguf.TokenType.UNKNOWN,
        gguf.TokenType.CONTROL,
        gguf.TokenType.CONTROL,
        gguf.TokenType.CONTROL,
        gguf.TokenType.CONTROL,
    ]
    for byte in range(256):
        tokens.append(f"<0x{byte:02X}>".encode())
        types.append(gguf.TokenType.BYTE)
    for code in range(33, 127):
        tokens.append(chr(code).encode())
        types.append(gguf.TokenType.NORMAL)
    tokens.append("▁".encode())  # SPM's space marker
    types.append(gguf.TokenType.NORMAL)
    scores = [0.0] * len(tokens)
    n_vocab = len(tokens)
    eos = 4  # <|im_end|> ends a ChatML turn

    def mat(rows: int, cols: int, scale: float) -> np.ndarray:
        return (rng.standard_normal((rows, cols)) * scale).astype(np.float32)

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("brief-tiny-random")
    writer.add_context_length(CTX)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYERS)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_rope_dimension_count(N_EMBD // N_HEAD)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    writer.add_file_type(0)  # all F32
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(eos)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(False)
    writer.add_add_space_prefix(False)
    if chat_template is not None:
        writer.add_chat_template(chat_template)

    embd = mat(n_vocab, N_EMBD, 0.5)
    embd[:, 0] = 8.0  # a constant the output layer can read
    writer.add_tensor("token_embd.weight", embd)
    for layer in range(N_LAYERS):
        prefix = f"blk.{layer}"
        writer.add_tensor(f"{prefix}.attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"{prefix}.{name}.weight", mat(N_EMBD, N_EMBD, 0.05))
        writer.add_tensor(f"{prefix}.ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(f"{prefix}.ffn_gate.weight", mat(N_FF, N_EMBD, 0.05))
        writer.add_tensor(f"{prefix}.ffn_up.weight", mat(N_FF, N_EMBD, 0.05))
        writer.add_tensor(f"{prefix}.ffn_down.weight", mat(N_EMBD, N_FF, 0.05))
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))
    out = mat(n_vocab, N_EMBD, 0.3)
    out[:, 0] = 0.0
    favoured = [tokens.index(ch.encode()) for ch in FAVOURED] + [eos]
    out[favoured, 0] = 1.0
    writer.add_tensor("output.weight", out)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture(scope="session", name="tiny_gguf")
def tiny_gguf_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`tiny_gguf`: the tiny model, built once per test session.

    Use it with `from tinymodel import tiny_gguf_fixture` in a test module.
    """
    pytest.importorskip("gguf")
    return build_tiny_gguf(tmp_path_factory.mktemp("tiny") / "tiny.gguf")


if __name__ == "__main__":  # python tests/tinymodel.py /tmp/tiny.gguf
    import sys

    print(build_tiny_gguf(Path(sys.argv[1] if len(sys.argv) > 1 else "tiny.gguf")))
