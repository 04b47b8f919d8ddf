"""JSON: one object with every finding (suppressed ones marked), a summary and the run's notices.

    {"tool": {"name", "version"}, "findings": [{"rule", "name", "severity", "message", "fix",
     "file", "line", "column", "object": {"kind", "namespace", "name"} | null,
     "related": [{"file", "line", "column", "message"}], "suppressed": null | "how, and why",
     "fingerprint"}], "summary": {"files", "findings", "suppressed", "errors", "warnings", "infos"},
     "notices": [str]}
"""

from __future__ import annotations

import json

from sslint import __version__
from sslint.finding import fingerprint


def _finding(finding) -> dict:
    obj = finding.obj
    return {
        "rule": finding.rule.id,
        "name": finding.rule.name,
        "severity": finding.severity,
        "message": finding.message,
        "fix": finding.fix_hint,
        "file": finding.location.file,
        "line": finding.location.line,
        "column": finding.location.column,
        "object": {"kind": obj.kind, "namespace": obj.namespace, "name": obj.name} if obj is not None else None,
        "related": [
            {"file": r.file, "line": r.line, "column": r.column, "message": r.message}
            for r in finding.related_locations
        ],
        "suppressed": finding.suppression,
        "fingerprint": fingerprint(finding),
    }


def render(result, rules, *, color: bool = False) -> str:
    shown = [f for f in result.findings if not f.suppression]
    document = {
        "tool": {"name": "sslint", "version": __version__},
        "findings": [_finding(f) for f in result.findings],
        "summary": {
            "files": len(result.files),
            "findings": len(shown),
            "suppressed": len(result.findings) - len(shown),
            **{f"{s}s": sum(f.severity == s for f in shown) for s in ("error", "warning", "info")},
        },
        "notices": result.notices,
    }
    return json.dumps(document, indent=2) + "\n"
