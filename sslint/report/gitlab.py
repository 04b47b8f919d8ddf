"""GitLab Code Quality (a subset of the Code Climate issue format): a JSON array, one issue per
unsuppressed finding, for `artifacts: reports: codequality:`.

    [{"type": "issue", "check_name", "description", "content": {"body"}, "categories", "fingerprint",
      "severity", "location": {"path", "lines": {"begin"}}}]

GitLab reads description, check_name, fingerprint, severity and location; the rest (the fix in
`content.body`) is for other Code Climate consumers.

Severity: error → major, warning → minor, info → info. `critical` and `blocker` are left to
security scanners, and ESLint's and most linters' GitLab reports use major/minor the same way, so
a merge request that merges several tools' reports ranks sslint's findings beside theirs.
GitLab shows one issue per fingerprint, so each fingerprint is made unique within the report.
"""

from __future__ import annotations

import hashlib
import json

from sslint.finding import fingerprint

SEVERITIES = {"error": "major", "warning": "minor", "info": "info"}


def _path(file: str) -> str:
    # GitLab matches `path` against the repository's files: relative, without a leading ./
    return file[2:] if file.startswith("./") else file


def _unique(print_: str, seen: set) -> str:
    """The finding's own fingerprint; a repeat of one (same rule, object and field) is told apart by
    how many came before it, which stays the same across unrelated edits."""
    candidate, repeat = print_, 0
    while candidate in seen:
        repeat += 1
        candidate = hashlib.sha256(f"{print_}\x1f{repeat}".encode()).hexdigest()[:32]
    seen.add(candidate)
    return candidate


def render(result, rules, *, color: bool = False) -> str:
    issues, seen = [], set()
    for finding in result.findings:
        if finding.suppression:
            continue
        rule = finding.rule
        issues.append({
            "type": "issue",
            "check_name": rule.id,
            "description": f"{rule.id} {rule.name}: {finding.message}",
            "content": {"body": f"Fix: {finding.fix_hint}"},
            "categories": ["Bug Risk"],
            "fingerprint": _unique(fingerprint(finding), seen),
            "severity": SEVERITIES[finding.severity],
            "location": {"path": _path(finding.location.file), "lines": {"begin": finding.location.line}},
        })
    return json.dumps(issues, indent=2) + "\n"
