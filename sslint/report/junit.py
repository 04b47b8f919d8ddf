"""JUnit XML, in the shape of the Jenkins xUnit plugin's junit-10.xsd that Jenkins, GitLab
(`artifacts: reports: junit:`) and most CI systems read.

    <testsuites name="sslint" tests failures errors time>
      <testsuite name="sslint" tests failures errors skipped time>
        <testcase name="SS102 governing-service-missing: StatefulSet db/web" classname="k8s/sts.yaml">
          <failure type="error" message="…">k8s/sts.yaml:7:3: SS102 … fix: … see …</failure>
        </testcase>
        <testcase name="no findings" classname="k8s/svc.yaml" />

One test case per rule and object (per rule and file for findings on no object, such as SS001),
with one <failure> per finding. A file without findings is one passing test case, so a clean run
still reports tests (Jenkins rejects a report with none). A test case whose findings are all
suppressed is <skipped>; a check that crashed is an <error>. `failures`, `skipped` and `errors`
count test cases, as JUnit does; `time` is always 0, so the report is the same on every run.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# XML 1.0 cannot carry these at all, not even as character references
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\x{ord(match.group()):02x}", text)


def _failure_text(finding) -> str:
    where, rule = finding.location, finding.rule
    lines = [f"{where.file}:{where.line}:{where.column}: {rule.id} {finding.message}",
             f"{finding.severity} {rule.name} · fix: {finding.fix_hint}"]
    lines += [f"see {r.file}:{r.line}:{r.column}: {r.message}" for r in finding.related_locations]
    return "\n".join(lines)


def _cases(result) -> list[tuple[str, str, list]]:
    """(classname, name, findings) per rule and object, files without findings as empty cases."""
    groups: dict[tuple, tuple[str, str, list]] = {}
    for finding in result.findings:
        rule, obj, file = finding.rule, finding.obj, finding.location.file
        subject = obj.ref if obj is not None else file
        key = (rule.id, file, obj)  # objects compare by identity
        groups.setdefault(key, (file, f"{rule.id} {rule.name}: {subject}", []))[2].append(finding)
    cases = list(groups.values())
    flagged = {file for file, _, _ in cases}
    cases += [(file, "no findings", []) for file in result.files if file not in flagged]
    return sorted(cases, key=lambda case: case[0])  # stable: findings keep their order within a file


def render(result, rules, *, color: bool = False) -> str:
    root = ET.Element("testsuites", name="sslint")
    suite = ET.SubElement(root, "testsuite", name="sslint")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for classname, name, findings in _cases(result):
        case = ET.SubElement(suite, "testcase", name=_xml(name), classname=_xml(classname), time="0")
        counts["tests"] += 1
        shown = [f for f in findings if not f.suppression]
        for finding in shown:
            failure = ET.SubElement(case, "failure", type=finding.severity, message=_xml(finding.message))
            failure.text = _xml(_failure_text(finding))
        if shown:
            counts["failures"] += 1
        elif findings:
            reasons = "; ".join(dict.fromkeys(f.suppression for f in findings))
            ET.SubElement(case, "skipped", message=_xml(f"suppressed: {reasons}"))
            counts["skipped"] += 1
    for message in result.internal_errors:
        case = ET.SubElement(suite, "testcase", name="sslint internal error", classname="sslint", time="0")
        error = ET.SubElement(case, "error", type="internal", message=_xml(message))
        error.text = _xml(message)
        counts["tests"] += 1
        counts["errors"] += 1
    for key, value in counts.items():
        suite.set(key, str(value))
        if key != "skipped":  # junit-10.xsd: <testsuites> has no `skipped`
            root.set(key, str(value))
    suite.set("time", "0")
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
