"""Briefing formats beyond the weekly report (issue 7): deep-dives, monthly trend reports,
daily reports, the knowledge-base catalog, and the weekly "what changed" section.

Each format is the same workflow (agent.graph) with another `kind`; what is specific to a
kind lives here, one concern per module:

- service.py   the services behind the CLI commands (agent/cli/formats.py)
- papers.py    which papers a run reads (stored ones; arXiv ids fetched first)
- run.py       one durable workflow run over those papers
- facts.py     what the publisher reads from the store before rendering
- fields.py    rendering a store-backed kind: title, front matter, template, sidecar
- deepdive.py, trends.py, catalog.py   each kind's template fields
- heat.py      research heat counted from the store; changes.py  results that beat earlier ones
- taxonomy.py  grouping by the topic's directions; common.py  per-paper fields
- dates.py     real dates and their age; trace.py  the sidecar of traced lines
"""

from __future__ import annotations

KINDS = ("weekly", "daily", "deepdive", "trends", "catalog")
STORE_KINDS = ("deepdive", "trends", "catalog")  # rendered by agent.formats.fields
