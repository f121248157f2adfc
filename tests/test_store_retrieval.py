"""Retrieval quality floor on the development corpus (needs ../shared)."""

from __future__ import annotations

import pytest

from evals.retrieval import build_store, evaluate, expected_ids, load_questions, read_corpus


@pytest.mark.shared
def test_hash_plus_lexical_recalls_at_least_80_percent(shared_dir, tmp_path):
    corpus = shared_dir / "corpus"
    questions = load_questions()
    assert len(questions) >= 30 and len({q["paper"] for q in questions}) >= 12
    store, key_to_file = build_store(tmp_path / "home", "hash", read_corpus(corpus))
    by_file = expected_ids(corpus)
    key_to_id = {key: by_file[name] for key, name in key_to_file.items()}
    assert {str(q["paper"]) for q in questions} <= set(key_to_id.values())
    result = evaluate(store, questions, key_to_id)
    assert result["recall@5"] >= 0.8, result
    assert result["mrr"] >= 0.6 and result["page@5"] >= 0.6, result


def test_metrics_on_a_fixed_example(tmp_path, demo_pdfs):
    """recall, MRR and page hits computed on known answers (a wrong paper scores 0)."""
    from agent.sources.pdf import read_pdf

    store, key_to_file = build_store(
        tmp_path / "home", "hash", [(p.name, read_pdf(p)) for p in demo_pdfs]
    )
    key_to_id = {key: name.removesuffix(".pdf") for key, name in key_to_file.items()}
    right = {
        "id": "a",
        "question": "Distance-decay Dropout of suffix tokens",
        "paper": "2508.14148",
        "page": 1,
    }
    wrong = {**right, "id": "b", "paper": "0000.00000"}
    result = evaluate(store, [right, wrong], key_to_id)
    assert result["recall@5"] == 0.5 and result["misses"] == ["b"]
    assert 0.0 < result["mrr"] <= 0.5
