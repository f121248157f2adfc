"""Shared fixtures: an isolated BRIEF_HOME, the bundled demo papers, ../shared, and a
network guard that allows loopback only."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "agent" / "data" / "demo"


def shared_root() -> Path:
    return Path(os.environ.get("BRIEF_SHARED") or REPO.parent / "shared")


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
    else:  # AF_UNIX paths and the like
        return True
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may talk to servers they start on 127.0.0.1 and nothing else."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise OSError(f"test tried to reach {address!r}: only loopback is allowed")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def brief_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own BRIEF_HOME and runs where no brief.toml is found."""
    home = tmp_path / "brief-home"
    monkeypatch.setenv("BRIEF_HOME", str(home))
    monkeypatch.setenv("BRIEF_ARXIV_DELAY", "0")
    monkeypatch.setenv("BRIEF_EMBEDDINGS", os.environ.get("BRIEF_TEST_EMBEDDINGS", "hash"))
    for name in list(os.environ):
        if name.startswith("BRIEF_") and name not in (
            "BRIEF_HOME",
            "BRIEF_ARXIV_DELAY",
            "BRIEF_EMBEDDINGS",
            "BRIEF_SHARED",
            "BRIEF_DEBUG",
            "BRIEF_TEST_EMBEDDINGS",
        ):
            monkeypatch.delenv(name)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return home


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    root = shared_root()
    if not (root / "corpus" / "pdf").is_dir():
        pytest.skip("../shared is not beside the repository")
    return root


@pytest.fixture(scope="session")
def corpus_pdfs(shared_dir: Path) -> list[Path]:
    return sorted((shared_dir / "corpus" / "pdf").glob("*.pdf"))


@pytest.fixture(scope="session")
def demo_pdfs() -> list[Path]:
    pdfs = sorted(DEMO_DIR.glob("*.pdf"))
    assert len(pdfs) == 3, "the demo corpus ships with the repository"
    return pdfs
