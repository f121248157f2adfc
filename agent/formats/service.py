"""The services behind `brief deepdive`, `brief daily`, `brief trends` and `brief catalog`:
choose the papers (agent.formats.papers), then one workflow run (agent.formats.run).
They never print; `on_event` and `progress` are the CLI's hooks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from agent.errors import ConfigError
from agent.formats import dates, papers
from agent.formats.run import run_format

Hook = Callable[[str, str], None] | None


def _store(settings: Any) -> Any:
    from store.chroma import open_store

    return open_store(settings)


def _span(selection: papers.Selection, end: date) -> str:
    days = [p.published or p.updated for p in selection.papers]
    start = min([d for d in days if d] + [end])
    return f"{start.isoformat()}..{end.isoformat()}"


def deepdive(
    settings: Any,
    ids: list[str],
    *,
    topic: str = "efficient-ai",
    demo: bool = False,
    as_of: date | None = None,
    out: str | None = None,
    chat_model: Any = None,
    on_event: Hook = None,
    progress: Any = None,
) -> dict[str, Any]:
    """A deep-dive of these papers: stored ones by any key (no network), arXiv ids that are
    not stored fetched first."""
    from agent.sources.window import today
    from agent.topics import get_topic

    get_topic(settings, topic)  # an unknown topic fails before any download
    store = _store(settings)
    try:
        selection = papers.select_ids(settings, store, ids, demo=demo, progress=progress)
    finally:
        store.close()
    if not selection.papers:
        reasons = "; ".join(f"{f['item']}: {f['reason']}" for f in selection.failures)
        raise ConfigError(
            f"none of the papers could be read ({reasons})",
            "name each paper by arXiv id, sha256: key, PDF file name or title words",
        )
    end = as_of or today()
    return run_format(
        settings,
        kind="deepdive",
        topic=topic,
        window=_span(selection, end),
        selection=selection,
        lang=settings.lang,
        out=out,
        chat_model=chat_model,
        on_event=on_event,
    )


def weekly_from_store(
    settings: Any,
    *,
    topic: str = "efficient-ai",
    start: date | None = None,
    end: date | None = None,
    kind: str = "weekly",
    out: str | None = None,
    chat_model: Any = None,
    on_event: Hook = None,
) -> dict[str, Any]:
    """The weekly format over papers already in the store (ingested or fetched), offline:
    the topic's stored papers dated in [start, end], or all of them without a window."""
    from agent.sources.window import today
    from agent.topics import get_topic

    profile = get_topic(settings, topic)
    store = _store(settings)
    try:
        selection = papers.select_window(settings, store, profile, start, end)
    finally:
        store.close()
    if not selection.papers and not selection.failures:
        where = f" dated {start}..{end}" if start and end else ""
        raise ConfigError(
            f"the store holds no paper{where}",
            "ingest PDFs with `brief ingest PATH`, or widen the window (--since, --from/--to)",
        )
    last = end or today()
    return run_format(
        settings,
        kind=kind,
        topic=topic,
        window=f"{start.isoformat()}..{last.isoformat()}" if start else _span(selection, last),
        selection=selection,
        lang=settings.lang,
        out=out,
        chat_model=chat_model,
        on_event=on_event,
    )


def demo_day(settings: Any, store: Any) -> date:
    """The newest day of the bundled demo feed (after storing it)."""
    found = papers.store_demo(settings, store)
    days = [p.published for p in (store.get_paper(i) for i in found) if p and p.published]
    return max(days)


def daily(
    settings: Any,
    *,
    topic: str = "efficient-ai",
    day: date | None = None,
    demo: bool = False,
    out: str | None = None,
    chat_model: Any = None,
    on_event: Hook = None,
) -> dict[str, Any]:
    """The weekly format over one day: that day's arXiv papers (or demo papers)."""
    from agent.runs import run_brief
    from agent.sources.window import today

    if not demo:
        day = day or today()
        window = f"{day.isoformat()}..{day.isoformat()}"
        return run_brief(
            settings,
            topic=topic,
            window=window,
            kind="daily",
            lang=settings.lang,
            out=out,
            chat_model=chat_model,
            on_event=on_event,
        )
    store = _store(settings)
    try:
        if day is None:
            day = demo_day(settings, store)  # stores the demo papers
        else:
            papers.store_demo(settings, store)
        stored = [p for p in store.list_papers(since=day, until=day) if p.source == "demo"]
        selection = papers.with_pdf(settings, stored)
    finally:
        store.close()
    return run_format(
        settings,
        kind="daily",
        topic=topic,
        window=f"{day.isoformat()}..{day.isoformat()}",
        selection=selection,
        lang=settings.lang,
        out=out,
        chat_model=chat_model,
        on_event=on_event,
    )


def trends(
    settings: Any,
    *,
    topic: str = "efficient-ai",
    month: str | None = None,
    demo: bool = False,
    out: str | None = None,
    chat_model: Any = None,
    on_event: Hook = None,
) -> dict[str, Any]:
    """The month's trend report from the store (the month so far when it is not over)."""
    from agent.sources.window import today
    from agent.topics import get_topic

    profile = get_topic(settings, topic)
    store = _store(settings)
    try:
        if demo:
            newest = demo_day(settings, store)  # stores the demo papers
            month = month or f"{newest:%Y-%m}"
        note = ""
        if month is None:
            month, note = default_month(store, profile, today())
        start, end = dates.month_window(month)
        end = min(end, max(today(), start))
        selection = papers.select_window(settings, store, profile, start, end)
    finally:
        store.close()
    if note and on_event is not None:
        on_event("note", note)
    return run_format(
        settings,
        kind="trends",
        topic=topic,
        window=f"{start.isoformat()}..{end.isoformat()}",
        selection=selection,
        lang=settings.lang,
        out=out,
        chat_model=chat_model,
        on_event=on_event,
    )


def default_month(store: Any, profile: Any, day: date) -> tuple[str, str]:
    """This month when the store holds topic papers published in it, else the latest month
    before it that does, with a line saying so ('' when this month is used)."""
    from agent.formats.heat import stored_in

    this = f"{day:%Y-%m}"
    start, _ = dates.month_window(this)
    if stored_in(store, profile, start, day):
        return this, ""
    earlier = [f["published"][:7] for f in stored_in(store, profile, date(1900, 1, 1), day)]
    earlier = [m for m in earlier if m and m < this]
    if not earlier:
        return this, ""
    latest = max(earlier)
    return latest, (
        f"no {profile.name} papers stored for {this}; reporting {latest}, the latest month "
        "with papers (choose one with --month YYYY-MM)"
    )


def catalog_path(settings: Any, topic: str, out: str | None) -> Path:
    suffix = "" if settings.lang == "zh" else f".{settings.lang}"
    if out:
        return Path(out).expanduser().resolve()
    from agent.paths import inside, safe_component

    return inside(Path(settings.briefs_dir), f"catalog-{safe_component(topic, 'topic')}{suffix}.md")


def catalog(
    settings: Any,
    *,
    topic: str = "efficient-ai",
    demo: bool = False,
    out: str | None = None,
    chat_model: Any = None,
    on_event: Hook = None,
) -> dict[str, Any]:
    """Append the topic's stored papers that the catalog file does not hold yet."""
    from agent.formats.catalog import is_catalog, parse_catalog, row_id
    from agent.sources.window import today
    from agent.topics import get_topic

    profile = get_topic(settings, topic)
    path = catalog_path(settings, topic, out)
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    if not is_catalog(text):
        raise ConfigError(
            f"{path} exists and is not a catalog written by brief", "choose another --out FILE"
        )
    rows = [r for _, rows in parse_catalog(text) for r in rows]
    held = {i for r in rows if (i := row_id(r))}
    store = _store(settings)
    try:
        if demo:
            papers.store_demo(settings, store)
        selection = papers.select_window(settings, store, profile, None, None)
    finally:
        store.close()
    selection.papers = [
        p
        for p in selection.papers
        if (p.arxiv_id or p.key) not in held and not any(p.key in r for r in rows)
    ]
    return run_format(
        settings,
        kind="catalog",
        topic=topic,
        window=_span(selection, today()),
        selection=selection,
        lang=settings.lang,
        out=str(path),
        chat_model=chat_model,
        on_event=on_event,
    )
