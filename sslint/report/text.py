"""Text for a person: findings grouped by file, `path:line:col: ID message`, a fix hint, a summary."""

from __future__ import annotations

from collections import Counter

import click

_COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def summary(result) -> str:
    shown = [f for f in result.findings if not f.suppression]
    suppressed = len(result.findings) - len(shown)
    files = len(result.files)  # (those read, and the templates and files a stream or a build comes from)
    where = f"{files} file{'s' if files != 1 else ''}"
    if not shown:
        line = f"No problems found in {where}."
    else:
        counts = Counter(f.severity for f in shown)
        parts = [f"{counts[s]} {s}{'s' if counts[s] > 1 and s != 'info' else ''}" for s in ("error", "warning", "info") if counts[s]]
        flagged = len({f.location.file for f in shown})
        line = f"Found {len(shown)} problem{'s' if len(shown) > 1 else ''} ({', '.join(parts)}) in {flagged} of {where}."
    return line + (f" {suppressed} suppressed." if suppressed else "")


def render(result, rules, *, color: bool = False) -> str:
    def style(text, **kwargs):
        return click.style(text, **kwargs) if color else text

    lines = [style(f"note: {notice}", dim=True) for notice in result.notices]
    current = None
    for finding in result.findings:
        if finding.suppression:
            continue
        where = finding.location
        if where.file != current:
            if current is not None or lines:
                lines.append("")
            current = where.file
        rule = finding.rule
        lines.append(
            f"{style(f'{where.file}:{where.line}:{where.column}:', bold=True)} "
            f"{style(rule.id, fg=_COLOURS[finding.severity], bold=True)} {finding.message}"
        )
        lines.append(f"    {style(f'{finding.severity} {rule.name}', fg=_COLOURS[finding.severity])} · fix: {finding.fix_hint}")
        for related in finding.related_locations:
            lines.append(f"    see {related.file}:{related.line}:{related.column}: {related.message}")
    if lines:
        lines.append("")
    lines.append(style(summary(result), bold=True))
    return "\n".join(lines) + "\n"
