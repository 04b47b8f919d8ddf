"""One run: paths → load → model → checks → severity and suppression → findings."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from sslint import catalogue, discover, history, suppress, versions
from sslint.checks import CHECKS
from sslint.finding import Finding, Location
from sslint.load import ParseError, SourceFile, load
from sslint.model import Model

STDIN = "-"
MAX_FILE_BYTES = 32 * 2**20  # a larger manifest is reported, not read: it bounds time and memory


@dataclass
class Options:
    paths: list[str]
    context: list[str] = field(default_factory=list)  # files and directories, never reported on
    selected: set[str] | None = None  # rule ids; None: every rule
    severities: dict[str, str] = field(default_factory=dict)  # rule id → severity, from the config
    kubernetes_version: str = field(default_factory=versions.default)
    exclude: list[str] = field(default_factory=list)
    stdin_filename: str | None = None
    diff_base: str | None = None  # a git revision to compare StatefulSets with (SS305)


@dataclass
class Result:
    findings: list[Finding]  # suppressed ones included, marked
    files: list[str]  # the files linted (reported on)
    notices: list[str]
    internal_errors: list[str] = field(default_factory=list)  # checks that failed: the run is not trustworthy


def _read(path: Path | str, stdin_filename: str | None) -> SourceFile:
    """One file (or standard input) loaded; a file that cannot be read, or is too large, is an SS001."""
    name = (stdin_filename or "<stdin>") if path == STDIN else discover.display(path)
    try:
        if path == STDIN:
            raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with open(path, "rb") as stream:
                raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return _unreadable(name, f"cannot be read: {error.strerror or error}")
    if len(raw) > MAX_FILE_BYTES:
        return _unreadable(name, f"larger than {MAX_FILE_BYTES // 2**20} MiB; not read (split the file)")
    as_json = name.endswith(".json") or (path == STDIN and raw.lstrip()[:1] in (b"{", b"["))
    return load(raw, name, as_json=as_json)


def _unreadable(name: str, message: str) -> SourceFile:
    source = SourceFile(name)
    source.errors.append(ParseError(1, 1, message))
    return source


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

    if options.diff_base:
        model.previous = Model()
        for source in history.revision_sources(options.diff_base, Path.cwd()):
            model.previous.add(source, context=True)

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
    internal_errors = []
    for rule_id in sorted(selected & CHECKS.keys()):
        rule, check = rules[rule_id], CHECKS[rule_id]
        for kind in rule.kinds:
            for obj in model.of_kind(kind):
                if obj.context:
                    continue
                try:
                    produced = list(check(obj, model, options.kubernetes_version))
                except Exception as error:  # a bug in one check must not hide every other finding
                    line, column = obj.position(())
                    internal_errors.append(f"internal error in {rule.id} {rule.name} on {obj.ref} "
                                           f"({obj.source.path}:{line}:{column}): {type(error).__name__}: {error}")
                    continue
                for finding in produced:
                    finding.rule = rule
                    _locate(finding)
                    findings.append(finding)
    for finding in findings:
        finding.severity = options.severities.get(finding.rule.id) or finding.severity or finding.rule.severity
    suppress.apply(findings, {s.path: s.pragmas for s in sources})
    findings.sort(key=lambda f: (f.location.file, f.location.line, f.location.column, f.rule.id))
    return Result(findings, [s.path for s in sources if not s.template], notices, internal_errors)
