"""HTML for the staff dashboard: a reported event's stack frames and breadcrumbs.

Reads the occurrence's stored (already scrubbed) context; every value is escaped.
"""

import json
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _frame_html(frame: dict) -> SafeString:
    where = frame.get("module") or frame.get("filename") or frame.get("abs_path") or "?"
    lineno = frame.get("lineno")
    header = format_html(
        "<div class='errors-frame-head'>{} in <strong>{}</strong>{}</div>",
        where,
        frame.get("function") or "?",
        f" line {lineno}" if lineno is not None else "",
    )
    lines: list[tuple[Any, ...]] = []
    start = (lineno or 0) - len(frame.get("pre_context") or [])
    for offset, text in enumerate(frame.get("pre_context") or []):
        lines.append(("", start + offset, text))
    if frame.get("context_line") is not None:
        lines.append((" errors-line-current", lineno or "", frame["context_line"]))
    for offset, text in enumerate(frame.get("post_context") or []):
        lines.append(("", (lineno or 0) + 1 + offset, text))
    code = format_html_join(
        "",
        "<div class='errors-line{}'><span class='errors-lineno'>{}</span>{}</div>",
        lines,
    )
    variables = ""
    if frame.get("vars"):
        variables = format_html(
            "<details><summary>Local variables</summary><pre class='errors-pre'>{}</pre></details>",
            json.dumps(frame["vars"], indent=2, default=str),
        )
    css = "errors-frame errors-frame-app" if frame.get("in_app") else "errors-frame"
    return format_html(
        "<div class='{}'>{}<pre class='errors-code'>{}</pre>{}</div>", css, header, code, variables
    )


def exception_html(context: dict) -> SafeString | str:
    """Render the exception chain, outermost first; the app's own frames are highlighted."""
    chain = context.get("exception") or []
    if not chain:
        return ""
    parts = []
    for exception in reversed(chain):
        frames = list(reversed(exception.get("frames") or []))  # the crashing frame first
        parts.append(
            format_html(
                "<div class='errors-exception'><h4>{}: {}</h4>{}</div>",
                exception.get("type") or "Error",
                exception.get("value") or "",
                format_html_join("", "{}", ((_frame_html(f),) for f in frames)),
            )
        )
    return format_html_join("", "{}", ((p,) for p in parts))


def breadcrumbs_html(context: dict) -> SafeString | str:
    """Render the breadcrumbs (what happened before the error), oldest first, as a table."""
    crumbs = context.get("breadcrumbs") or []
    if not crumbs:
        return ""
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                c.get("timestamp") or "",
                c.get("category") or c.get("type") or "",
                c.get("level") or "",
                c.get("message") or "",
                json.dumps(c["data"], default=str) if c.get("data") else "",
            )
            for c in crumbs
            if isinstance(c, dict)
        ),
    )
    return format_html(
        "<table class='errors-breadcrumbs'><thead><tr><th>When</th><th>Category</th>"
        "<th>Level</th><th>Message</th><th>Data</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )
