"""One run: paths → load → model → checks → severity and suppression → findings."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from sslint import catalogue, discover, suppress, versions
from sslint.checks import CHECKS
from sslint.finding import Finding, Location
from sslint.load import ParseError, SourceFile, load
from sslint.model import Model

STDIN = "-"


@dataclass
class Options:
    paths: list[str]
    context: list[str] = field(default_factory=list)  # files and directories, never reported on
    selected: set[str] | None = None  # rule ids; None: every rule
    severities: dict[str, str] = field(default_factory=dict)  # rule id → severity, from the config
    kubernetes_version: str = versions.DEFAULT
    exclude: list[str] = field(default_factory=list)
    stdin_filename: str | None = None


@dataclass
class Result:
    findings: list[Finding]  # suppressed ones included, marked
    files: list[str]  # the files linted (reported on)
    notices: list[str]


def _read(path: Path | str, stdin_filename: str | None) -> SourceFile:
    if path == STDIN:
        name = stdin_filename or "<stdin>"
        raw = sys.stdin.buffer.read()
        return load(raw, name, as_json=name.endswith(".json") or raw.lstrip()[:1] in (b"{", b"["))
    shown = discover.display(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        source = SourceFile(shown)
        source.errors.append(_unreadable(error))
        return source
    return load(raw, shown, as_json=path.suffix == ".json")


def _unreadable(error: OSError) -> ParseError:
    return ParseError(1, 1, f"cannot be read: {error.strerror or error}")


def _locate(finding: Finding) -> None:
    obj = finding.obj
    finding.location = Location(obj.source.path, *obj.position(finding.path))
    finding.related_locations = [
        Location(r.obj.source.path, *r.obj.position(r.path), r.message) for r in finding.related
    ]


def run(options: Options) -> Result:
    rules = catalogue.rules()
    selected = set(rules) if options.selected is None else options.selected
    stdin = STDIN in options.paths
    targets = discover.expand([p for p in options.paths if p != STDIN], options.exclude)
    context = discover.expand(options.context, options.exclude)
    explicit_files = [Path(p) for p in options.paths if p != STDIN and not Path(p).is_dir()]
    if stdin and options.stdin_filename:
        explicit_files.append(Path(options.stdin_filename))
    context += discover.siblings(explicit_files)

    sources, notices, model = [], [], Model()
    if stdin:
        sources.append(_read(STDIN, options.stdin_filename))
    seen = set()
    for path in targets:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            sources.append(_read(path, None))
    if stdin and options.stdin_filename:
        seen.add(Path(options.stdin_filename).resolve())
    for source in sources:
        model.add(source, context=False)
    for path in context:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            model.add(_read(path, None), context=True)

    templates = [s.path for s in sources if s.template]
    if templates:
        notices.append(
            f"skipped {len(templates)} Helm template file{'s' if len(templates) > 1 else ''} "
            f"(render them first: helm template … | sslint -): {', '.join(templates[:3])}"
            + (" …" if len(templates) > 3 else "")
        )

    findings = []
    if "SS001" in selected:
        for source in sources:
            for error in source.errors:
                finding = Finding(error.message, rule=rules["SS001"])
                finding.location = Location(source.path, error.line, error.column)
                findings.append(finding)
    for rule_id in sorted(selected & CHECKS.keys()):
        rule, check = rules[rule_id], CHECKS[rule_id]
        for kind in rule.kinds:
            for obj in model.of_kind(kind):
                if obj.context:
                    continue
                for finding in check(obj, model, options.kubernetes_version):
                    finding.rule = rule
                    _locate(finding)
                    findings.append(finding)
    for finding in findings:
        finding.severity = options.severities.get(finding.rule.id) or finding.severity or finding.rule.severity
    suppress.apply(findings, {s.path: s.pragmas for s in sources})
    findings.sort(key=lambda f: (f.location.file, f.location.line, f.location.column, f.rule.id))
    return Result(findings, [s.path for s in sources if not s.template], notices)
