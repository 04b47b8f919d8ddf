"""Suppression: by object annotation, by a comment on (or above) the flagged line, or for a file.

    metadata.annotations:  ignore-check.sslint.io/SS102: "the operator creates the Service"
    a comment:             # sslint-ignore: SS102, SS104 -- the operator creates the Service
    a whole file:          # sslint-ignore-file: SS101 -- reason
"""

from __future__ import annotations

import re

from sslint.finding import Finding

ANNOTATION_PREFIX = "ignore-check.sslint.io/"
_COMMENT = re.compile(r"sslint-ignore(-file)?\s*:\s*(.*?)\s*(?:--\s*(.*))?$")


def _names(rule) -> set[str]:
    return {rule.id.lower(), rule.name, "all"}


def _by_annotation(finding: Finding) -> str | None:
    annotations = finding.obj.mapping("metadata", "annotations") if finding.obj is not None else {}
    for key, reason in annotations.items():
        if isinstance(key, str) and key.startswith(ANNOTATION_PREFIX):
            if key[len(ANNOTATION_PREFIX):].lower() in _names(finding.rule):
                return f"annotation {key}" + (f": {reason}" if reason else "")
    return None


def _by_comment(finding: Finding, pragmas: dict) -> str | None:
    line = finding.location.line
    for number, (text, standalone) in pragmas.items():
        match = _COMMENT.match(text)
        if not match:
            continue
        whole_file, rules, reason = match.groups()
        applies = whole_file or number == line or (standalone and number == line - 1)
        tokens = {t.strip().lower() for t in rules.split(",") if t.strip()}
        if applies and tokens & _names(finding.rule):
            return f"comment on line {number}" + (f": {reason}" if reason else "")
    return None


def apply(findings: list[Finding], pragmas_of: dict) -> None:
    """Mark suppressed findings (they are kept, and counted in reports)."""
    for finding in findings:
        finding.suppression = _by_annotation(finding) or _by_comment(finding, pragmas_of.get(finding.location.file, {}))
