"""A real Chroma server (`chroma run`, shipped with chromadb) on 127.0.0.1 for tests.

Use it with `from chroma_server import chroma_server  # noqa: F401` in a test module: the
session-scoped fixture starts one server on a free port, waits for its heartbeat and
terminates it at the end. Tests that share it must use their own collections or clean up;
`reset_server_store(url)` drops every collection.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

CHROMA = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(path: Path, timeout: float = 60.0) -> tuple[subprocess.Popen[bytes], str]:
    """Start `chroma run` on a free loopback port; return (process, url) once it answers."""
    port = free_port()
    log = open(path.parent / f"chroma-{port}.log", "wb")  # noqa: SIM115 (kept for the process)
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma run exited with {proc.returncode}; see {log.name}")
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"chroma run did not answer on {url} within {timeout}s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def reset_server_store(url: str) -> None:
    """Drop every collection on the server (between tests)."""
    import chromadb

    host, port = url.rsplit("//", 1)[1].split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    for col in client.list_collections():
        client.delete_collection(col.name)


@pytest.fixture(scope="session")
def chroma_server() -> Iterator[str]:
    """URL of a `chroma run` server for the whole session."""
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed beside this Python")
    root = Path(tempfile.mkdtemp(prefix="brief-chroma-"))
    proc, url = start_server(root / "data")
    try:
        yield url
    finally:
        stop_server(proc)
        shutil.rmtree(root, ignore_errors=True)
