"""GitHub Actions workflow commands: one annotation per unsuppressed finding."""

from __future__ import annotations

_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result, rules, *, color: bool = False) -> str:
    lines = []
    for finding in result.findings:
        if finding.suppression:
            continue
        where, rule = finding.location, finding.rule
        properties = f"file={_property(where.file)},line={where.line},col={where.column},title={_property(f'{rule.id} {rule.name}')}"
        message = _data(finding.message + "\nfix: " + finding.fix_hint)
        lines.append(f"::{_LEVELS[finding.severity]} {properties}::{message}")
    return "".join(line + "\n" for line in lines)
