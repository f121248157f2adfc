"""Deterministic grounding checks shared by the critic agent and the evaluation suite.

- `numbers`: numbers in English and Chinese text, normalised so that 92.87% = 0.9287,
  4.95× = 4.95倍, 70亿 = 7B; grounding with the tolerance the shown precision allows.
- `quotes`: where a quote occurs in a paper's page texts (normalised, then fuzzy, bounded).
- `arxiv_ids`: arXiv id syntax, citations in text, the year-month an id implies.
- `check`: the critic's checks on one claim, as short reasons the extractor can act on.
"""
