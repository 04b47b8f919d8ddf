"""SARIF 2.1.0, as GitHub code scanning reads it: one run, every rule's documentation,
%SRCROOT%-relative URIs, related locations, partialFingerprints, and suppressions."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from sslint import __version__
from sslint.finding import fingerprint

_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://github.com/sslint/sslint"


def _artifact(file: str) -> dict:
    if Path(file).is_absolute():
        return {"uri": Path(file).as_uri()}
    return {"uri": quote(file), "uriBaseId": "%SRCROOT%"}


def _location(location, **extra) -> dict:
    region = {"startLine": location.line, "startColumn": location.column}
    return {**extra, "physicalLocation": {"artifactLocation": _artifact(location.file), "region": region}}


def _rule(rule) -> dict:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary.strip()},
        "fullDescription": {"text": rule.why.strip()},
        "help": {"text": f"{rule.summary.strip()}\n\n{rule.fix.strip()}", "markdown": rule.documentation()},
        "helpUri": f"{INFORMATION_URI}/blob/main/docs/rules.md#{rule.id.lower()}",
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"tags": ["kubernetes", "statefulset"], "kinds": list(rule.kinds)},
    }


def _result(finding, index: dict) -> dict:
    result = {
        "ruleId": finding.rule.id,
        "ruleIndex": index[finding.rule.id],
        "level": _LEVELS[finding.severity],
        "message": {"text": f"{finding.message}\nFix: {finding.fix_hint}"},
        "locations": [_location(finding.location)],
        "partialFingerprints": {"sslintFindingHash/v1": fingerprint(finding)},
    }
    if finding.related_locations:
        result["relatedLocations"] = [
            _location(r, id=n, message={"text": r.message}) for n, r in enumerate(finding.related_locations, 1)
        ]
    if finding.suppression:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.suppression}]
    return result


def render(result, rules, *, color: bool = False) -> str:
    index = {rule_id: n for n, rule_id in enumerate(rules)}
    run = {
        "tool": {
            "driver": {
                "name": "sslint",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules.values()],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index) for f in result.findings],
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [{"message": {"text": n}, "level": "note"} for n in result.notices],
            }
        ],
    }
    document = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"
