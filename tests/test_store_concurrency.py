"""Two processes ingesting different papers into the same store at the same moment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from chroma_server import chroma_server, reset_server_store  # noqa: F401 (fixture)

from agent.settings import load_settings
from store.chroma import open_store

REPO = Path(__file__).resolve().parents[1]

WORKER = r"""
import sys, time
from pathlib import Path
from agent.settings import load_settings
from agent.sources.pdf import read_pdf
from store.chroma import open_store
from store.ingest import store_parsed

go, *pdfs = sys.argv[1:]
parsed = [read_pdf(Path(p)) for p in pdfs]
store = open_store(load_settings())
while not Path(go).exists():  # start together
    time.sleep(0.01)
for p in parsed:
    for _ in range(2):  # the second round must find it unchanged
        print(p.paper.key, store_parsed(store, p), flush=True)
    store.search("diffusion language model cache", k=3)
"""


@pytest.mark.parametrize("backend", ["local", "server"])
def test_two_processes_store_every_paper_exactly_once(backend, demo_pdfs, tmp_path, request):
    from agent.sources.pdf import read_pdf

    env = dict(os.environ, PYTHONPATH=str(REPO))
    if backend == "server":
        url = request.getfixturevalue("chroma_server")
        reset_server_store(url)
        env["BRIEF_CHROMA_URL"] = url
    go = tmp_path / "go"
    groups = [demo_pdfs[:2], demo_pdfs[2:]]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(go), *map(str, group)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for group in groups
    ]
    time.sleep(0.5)
    go.touch()
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-2000:]
    lines = [line.split() for out, _ in outputs for line in out.splitlines()]
    assert sorted(status for _, status in lines) == ["added"] * 3 + ["unchanged"] * 3

    settings = load_settings(chroma_url=env.get("BRIEF_CHROMA_URL"))
    store = open_store(settings)
    expected = {p.paper.key: p for p in map(read_pdf, demo_pdfs)}
    assert store.paper_keys() == sorted(expected)
    assert store.count("chunks") == sum(len(p.chunks) for p in expected.values())
    assert store.count("pages") == len(expected)  # one page record per paper version
    assert store.stats()["pages"] == sum(len(p.pages) for p in expected.values())
    for key, parsed in expected.items():
        assert [c.text for c in store.get_chunks(key)] == [c.text for c in parsed.chunks]
        assert store.get_pages(key) == parsed.pages
        hit = store.search(parsed.chunks[1].text[:200], k=1, paper=key)
        assert hit and hit[0].paper_key == key
    # the vectors of both writers are searchable, not just their metadata
    found = {h.paper_key for h in store.search("diffusion language models", k=60, lexical=False)}
    assert found == set(expected)
