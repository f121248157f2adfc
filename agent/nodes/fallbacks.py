"""Stand-ins used only while a service module is missing from the checkout.

Each mirrors the public interface the workflow expects (see agent.nodes.services) in the
simplest honest way; the real modules replace them as soon as they can be imported.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from store.schemas import BriefRecord, Claim, Paper, ParsedPaper


def read_pdf(path: str, **_: Any) -> ParsedPaper:
    import pypdfium2

    from agent.nodes.services import file_sha256

    doc = pypdfium2.PdfDocument(path)
    try:
        pages = [
            doc[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(doc))
        ]
    finally:
        doc.close()
    name = Path(path).stem
    match = re.match(r"(\d{4}\.\d{4,5})(v\d+)?", name)
    lines = [x.strip() for x in (pages[0] if pages else "").splitlines() if x.strip()]
    title = next((x for x in lines if not x.startswith("arXiv:")), "")
    paper = Paper(
        sha256=file_sha256(path),
        pdf_path=str(path),
        page_count=len(pages),
        title=title,
        arxiv_id=match.group(1) if match else None,
    )
    return ParsedPaper(paper=paper, pages=pages, chunks=[])


class FileStore:
    """Papers, pages, claims and briefs as JSON files under store_dir (stand-in)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _load(self, name: str) -> dict[str, Any]:
        path = self.root / f"{name}.json"
        return json.loads(path.read_text()) if path.is_file() else {}

    def _save(self, name: str, data: dict[str, Any]) -> None:
        from agent.nodes.services import atomic_write

        atomic_write(self.root / f"{name}.json", json.dumps(data, ensure_ascii=False))

    def store_parsed(self, parsed: ParsedPaper) -> str:
        with self._lock:
            papers = self._load("papers")
            status = "unchanged" if parsed.paper.key in papers else "added"
            papers[parsed.paper.key] = {
                "paper": parsed.paper.model_dump(mode="json"),
                "pages": parsed.pages,
            }
            self._save("papers", papers)
        return status

    def get_paper_by_sha(self, sha: str) -> Paper | None:
        for item in self._load("papers").values():
            if item["paper"]["sha256"] == sha:
                return Paper.model_validate(item["paper"])
        return None

    def get_pages(self, key: str) -> list[str]:
        return list(self._load("papers").get(key, {}).get("pages", []))

    def add_claims(self, claims: list[Claim]) -> None:
        with self._lock:
            data = self._load("claims")
            data.update({c.claim_id: c.model_dump(mode="json") for c in claims})
            self._save("claims", data)

    def get_claims(self, key: str, status: str | None = None) -> list[Claim]:
        return [
            Claim.model_validate(c)
            for c in self._load("claims").values()
            if c["paper_key"] == key and (status is None or c["status"] == status)
        ]

    def add_brief(self, record: BriefRecord) -> None:
        with self._lock:
            data = self._load("briefs")
            data[record.brief_id] = record.model_dump(mode="json")
            self._save("briefs", data)
