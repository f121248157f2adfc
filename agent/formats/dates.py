"""Dates in briefs: real arXiv dates, their age relative to the report date, month windows."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Any

from agent.errors import ConfigError

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def age(published: date, as_of: date, lang: str = "zh") -> str:
    """'3 天前' / '2 周前' / '5 个月前' / '1 年前' from the two dates (never guessed)."""
    days = (as_of - published).days
    if days < 0:
        return "发布日期晚于报告日期" if lang == "zh" else "after the report date"
    if days == 0:
        return "当天" if lang == "zh" else "today"
    if days < 14:
        n, zh, en = days, "天", "day"
    elif days < 60:
        n, zh, en = days // 7, "周", "week"
    elif days < 730:
        n, zh, en = days // 30, "个月", "month"
    else:
        n, zh, en = days // 365, "年", "year"
    if lang == "zh":
        return f"{n} {zh}前"
    return f"{n} {en}{'s' if n != 1 else ''} ago"


def month_window(month: str) -> tuple[date, date]:
    """'2026-02' -> (2026-02-01, 2026-02-28)."""
    match = MONTH_RE.match(month.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ConfigError(f"invalid --month {month!r}", "use a month like 2026-02 (YYYY-MM)")
    year, number = int(match.group(1)), int(match.group(2))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def previous_window(start: date, end: date) -> tuple[date, date]:
    """The window before: the previous calendar month for a window opening on the 1st (a
    month, whole or so far), else the same number of days just before."""
    if start.day == 1:
        last = start - timedelta(days=1)
        return last.replace(day=1), last
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)


def month_label(day: date, lang: str) -> str:
    return f"{day.year} 年 {day.month} 月" if lang == "zh" else f"{day:%B %Y}"


def day_label(day: date, lang: str) -> str:
    return (
        f"{day.year} 年 {day.month} 月 {day.day} 日"
        if lang == "zh"
        else f"{day:%B} {day.day}, {day.year}"
    )


# how a paper's date is labelled when it does not come from the arXiv feed
SOURCE_NOTES = {
    "arxiv-stamp": ("据 PDF 首页 arXiv 标记", "from the PDF's arXiv stamp"),
    "arxiv-id": ("据 arXiv 编号推算的月份", "month of the arXiv id"),
    "pdf-metadata": ("据 PDF 文件创建日期", "PDF creation date"),
}


def paper_date(paper: dict[str, Any]) -> tuple[date | None, str]:
    """(date, source) of a paper dict: its published date (else updated) and where it came
    from ('feed' for the arXiv feed and for records stored before sources were kept)."""
    raw = paper.get("published") or paper.get("updated")
    if not raw:
        return None, ""
    try:
        day = date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None, ""
    source = paper.get("published_source") if paper.get("published") else None
    return day, str(source or "feed")


def shown_date(paper: dict[str, Any], lang: str, sep: str = "-") -> str:
    """The date as a brief prints it: '2022-11-10' from the feed; with its source in brackets
    otherwise, and only the month when the arXiv id gave it ('2022-08（据 arXiv 编号推算的月份）').
    '' without a date."""
    day, source = paper_date(paper)
    if day is None:
        return ""
    text = day.isoformat().replace("-", sep)
    if source == "arxiv-id":
        text = text[:7]
    note = SOURCE_NOTES.get(source)
    if note is None:
        return text
    return f"{text}（{note[0]}）" if lang == "zh" else f"{text} ({note[1]})"
