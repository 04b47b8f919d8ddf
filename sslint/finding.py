"""What a check reports, and where the engine places it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("info", "warning", "error")  # lowest first


def dotted(path: tuple) -> str:
    """A field path as messages write it: spec.template.spec.containers[0].image."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".") or "the object"


@dataclass
class Related:
    obj: Any  # a model object
    path: tuple
    message: str


@dataclass
class Location:
    file: str
    line: int
    column: int
    message: str = ""


@dataclass
class Finding:
    """One problem. A check fills message, obj, path (and may set fix, related, severity);
    the engine fills rule, location, related_locations and suppression."""

    message: str
    obj: Any = None
    path: tuple = ()
    fix: str | None = None
    related: list[Related] = field(default_factory=list)
    severity: str | None = None
    rule: Any = None
    location: Location | None = None
    related_locations: list[Location] = field(default_factory=list)
    suppression: str | None = None  # how it was suppressed, with the reason given

    @property
    def fix_hint(self) -> str:
        return self.fix or self.rule.fix_summary


def fingerprint(finding: Finding) -> str:
    """Identifies a finding across unrelated edits: rule, file, object and field path, never a line number."""
    import hashlib

    obj = finding.obj
    identity = (
        [obj.kind, obj.namespace or "", obj.name or "", "/".join(map(str, finding.path))]
        if obj is not None
        else [finding.message]
    )
    if obj is not None and obj.built:  # two overlays may build objects of one name from the same base
        identity.append(obj.source.path)
    text = "\x1f".join([finding.rule.id, finding.location.file, *identity])
    return hashlib.sha256(text.encode()).hexdigest()[:32]
