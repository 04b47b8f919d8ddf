"""Fitting the ecosystem: GitLab Code Quality, JUnit XML, --format auto, --statistics, the progress
line, and the GitHub Action, each as its consumer reads it."""

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from functools import partial
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import ROOT, docs, service
from conftest import statefulset as replicated_statefulset

statefulset = partial(replicated_statefulset, replicas=1)  # one replica: the operations rules stay out of the way

TWO_MOUNTS = "\n          volumeMounts:\n            - {name: a, mountPath: /a}\n            - {name: b, mountPath: /b}"
FILES = {
    "k8s/sts.yaml": docs(statefulset(service="web", namespace="db"), statefulset(name="api", service="missing", labels="{app: api}")),
    "k8s/svc.yaml": service(namespace="db", spec="type: NodePort"),
    "k8s/mounts.yaml": statefulset(name="mounts", service="mounts", labels="{app: mounts}", extra=TWO_MOUNTS)
    + "---\n" + service(name="mounts", selector="{app: mounts}"),
    "k8s/clean.yaml": docs(statefulset(name="ok", service="ok", labels="{app: ok}"), service(name="ok", selector="{app: ok}")),
}
SUPPRESSED = {"sts.yaml": "# sslint-ignore-file: SS102 -- the operator adds it\n" + statefulset(service="x"),
              "other.yaml": statefulset(name="other", service="missing", labels="{app: other}")}


@pytest.fixture(autouse=True)
def not_on_github_actions(monkeypatch):
    """These tests may themselves run on GitHub Actions; --format auto must not see it unless told."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


# GitLab Code Quality


def test_gitlab_shape(sslint):
    run = sslint("--format", "gitlab", files=FILES)
    issues = json.loads(run.out)
    assert run.code == 1 and isinstance(issues, list)
    findings = sslint("--format", "json", files=FILES).findings()
    assert len(issues) == len(findings) == 4
    for issue, finding in zip(issues, findings):
        assert set(issue) == {"type", "check_name", "description", "content", "categories", "fingerprint", "severity", "location"}
        assert issue["type"] == "issue" and issue["categories"] == ["Bug Risk"]
        assert issue["check_name"] == finding["rule"]
        assert issue["description"] == f"{finding['rule']} {finding['name']}: {finding['message']}"
        assert issue["content"] == {"body": f"Fix: {finding['fix']}"}
        assert issue["location"] == {"path": finding["file"], "lines": {"begin": finding["line"]}}
        assert issue["fingerprint"] == finding["fingerprint"] and re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
    assert [(i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("SS202", "k8s/mounts.yaml", 18), ("SS202", "k8s/mounts.yaml", 19), ("SS103", "k8s/sts.yaml", 7), ("SS102", "k8s/sts.yaml", 24)]


def test_gitlab_fingerprints_are_unique_and_survive_unrelated_edits(sslint):
    before = json.loads(sslint("--format", "gitlab", files=FILES).out)
    edited = {**FILES, "k8s/sts.yaml": "# a comment\n# another\n" + FILES["k8s/sts.yaml"]}
    after = json.loads(sslint("--format", "gitlab", files=edited).out)
    assert [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] for i in before] != [i["location"]["lines"]["begin"] for i in after]
    assert len({i["fingerprint"] for i in before}) == len(before)


def test_a_result_holds_its_model_but_is_not_told_apart_by_it(tmp_path, monkeypatch):
    """The command line keeps the model (never freed before the process ends); a library caller
    comparing or printing results sees their findings, files and notices only."""
    from sslint.engine import Options, run

    (tmp_path / "a.yaml").write_text(docs(statefulset(), service()))
    monkeypatch.chdir(tmp_path)
    first, second = run(Options(paths=["a.yaml"])), run(Options(paths=["a.yaml"]))
    assert [o.name for o in first.model.objects] == ["web", "web"] and first.model is not second.model
    assert first == second and "model" not in repr(first)


def test_gitlab_tells_apart_findings_of_one_rule_object_and_field(sslint, tmp_path, monkeypatch):
    from sslint import catalogue
    from sslint.engine import Options, run
    from sslint.report import gitlab

    sslint(files={"sts.yaml": statefulset(service="missing")})  # writes the file, in tmp_path
    monkeypatch.chdir(tmp_path)
    result = run(Options(paths=["sts.yaml"]))
    [finding] = result.findings
    result.findings.append(finding)  # the same rule, object and field path twice
    first = [i["fingerprint"] for i in json.loads(gitlab.render(result, catalogue.rules()))]
    second = [i["fingerprint"] for i in json.loads(gitlab.render(result, catalogue.rules()))]
    assert len(set(first)) == 2 and first == second


@pytest.mark.parametrize("severity, expected", [("error", "major"), ("warning", "minor"), ("info", "info")])
def test_gitlab_severity_mapping(sslint, severity, expected):
    files = {"sts.yaml": statefulset(service="missing"), ".sslint.yaml": f"severity: {{SS102: {severity}}}\n"}
    [issue] = json.loads(sslint("--format", "gitlab", "--fail-on", "never", files=files).out)
    assert issue["severity"] == expected


def test_gitlab_leaves_suppressed_findings_out(sslint):
    issues = json.loads(sslint("--format", "gitlab", files=SUPPRESSED).out)
    assert [(i["check_name"], i["location"]["path"]) for i in issues] == [("SS102", "other.yaml")]
    assert json.loads(sslint("--format", "gitlab", "clean", files={"clean/a.yaml": docs(statefulset(), service())}).out) == []


# JUnit XML


def check_junit_shape(root: ET.Element) -> None:
    """The structure the Jenkins xUnit plugin's junit-10.xsd allows, for what sslint writes."""
    time = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")
    assert root.tag == "testsuites"
    assert set(root.attrib) <= {"name", "time", "tests", "failures", "errors"}
    assert all(child.tag == "testsuite" for child in root)
    for suite in root:
        assert {"name", "tests", "failures", "errors"} <= set(suite.attrib)
        assert set(suite.attrib) <= {"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp",
                                     "hostname", "id", "package", "file", "log", "url"}
        assert time.fullmatch(suite.get("time", "0"))
        for case in suite:
            assert case.tag in {"testsuite", "properties", "testcase", "system-out", "system-err"}
            if case.tag != "testcase":
                continue
            assert "name" in case.attrib and set(case.attrib) <= {"name", "time", "classname", "group"}
            for outcome in case:
                assert outcome.tag in {"skipped", "error", "failure", "system-out", "system-err"}
                assert set(outcome.attrib) <= {"type", "message"} and len(outcome) == 0


def junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode())
    check_junit_shape(root)
    return root


def test_junit_one_case_per_rule_and_object(sslint):
    root = junit(sslint("--format", "junit", files=FILES).out)
    [suite] = root
    cases = [(c.get("classname"), c.get("name"), len(c.findall("failure"))) for c in suite.iter("testcase")]
    assert cases == [
        ("k8s/clean.yaml", "no findings", 0),
        ("k8s/mounts.yaml", "SS202 volume-mount-undefined: StatefulSet mounts", 2),
        ("k8s/sts.yaml", "SS103 governing-service-not-headless: StatefulSet db/web", 1),
        ("k8s/sts.yaml", "SS102 governing-service-missing: StatefulSet api", 1),
        ("k8s/svc.yaml", "no findings", 0),
    ]
    counts = {"tests": "5", "failures": "3", "errors": "0"}
    assert {k: suite.get(k) for k in counts} == counts and suite.get("skipped") == "0" and suite.get("name") == "sslint"
    assert {k: root.get(k) for k in counts} == counts


def test_junit_failure_carries_message_location_fix_and_related(sslint):
    root = junit(sslint("--format", "junit", files=FILES).out)
    finding = sslint("--format", "json", files=FILES).findings("SS103")[0]
    [case] = [c for c in root.iter("testcase") if c.get("name").startswith("SS103")]
    [failure] = case.findall("failure")
    assert failure.get("type") == "warning" and failure.get("message") == finding["message"]
    assert failure.text.splitlines() == [
        f"k8s/sts.yaml:7:3: SS103 {finding['message']}",
        f"warning governing-service-not-headless · fix: {finding['fix']}",
        "see k8s/svc.yaml:7:3: Service db/web, not headless",
    ]


def test_junit_escapes_what_xml_cannot_carry(sslint):
    files = {"a.yaml": statefulset(service='"we<b>&\\x07\\"q"')}
    run = sslint("--format", "junit", files=files)
    [failure] = junit(run.out).iter("failure")
    assert "'we<b>&\\x07\"q'" in failure.get("message") and "\x07" not in run.out


def test_junit_suppressed_is_skipped_and_clean_run_has_tests(sslint):
    [suite] = junit(sslint("--format", "junit", files=SUPPRESSED).out)
    skipped = [c for c in suite.iter("testcase") if c.find("skipped") is not None]
    assert [c.get("name") for c in skipped] == ["SS102 governing-service-missing: StatefulSet web"]
    assert skipped[0].find("skipped").get("message") == "suppressed: comment on line 1: the operator adds it"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "1", "1")
    [clean] = junit(sslint("--format", "junit", "clean", files={"clean/a.yaml": docs(statefulset(), service())}).out)
    assert (clean.get("tests"), clean.get("failures")) == ("1", "0")


def test_junit_reports_a_parse_error_per_file(sslint):
    [suite] = junit(sslint("--format", "junit", files={"bad.yaml": "a: [\n"}).out)
    [case] = suite.iter("testcase")
    assert (case.get("classname"), case.get("name")) == ("bad.yaml", "SS001 parse-error: bad.yaml")


@pytest.mark.parametrize("fmt", ["gitlab", "junit"])
def test_new_formats_run_on_the_examples(sslint, fmt):
    run = sslint("--format", fmt, str(ROOT / "examples"))
    assert run.code == 1 and run.out


# --format auto


def test_auto_is_text_off_github_actions(sslint):
    assert sslint(files=FILES).out == sslint("--format", "text", files=FILES).out
    assert sslint("--format", "auto", files=FILES).out.startswith("k8s/mounts.yaml:18:15: SS202 ")


def test_auto_is_annotations_on_github_actions(sslint, monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = sslint(files=FILES).out
    assert out == sslint("--format", "github", files=FILES).out and out.startswith("::error file=k8s/mounts.yaml,line=18,")
    sslint("-o", "report.txt", files=FILES)  # annotations work on standard output only
    assert (tmp_path / "report.txt").read_text().startswith("k8s/mounts.yaml:18:15: SS202 ")
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert sslint(files=FILES).out.startswith("k8s/mounts.yaml:18:15: ")


def test_format_choices_come_from_the_registry(sslint):
    from sslint.report import FORMATS

    help_text = sslint("--help").out
    assert "[default: auto]" in help_text and set(FORMATS) == {"text", "json", "sarif", "github", "gitlab", "junit"}
    for name in [*FORMATS, "auto"]:
        assert name in help_text


# --statistics

STATISTICS = ("Statistics (findings per rule):\n"
              "SS202  volume-mount-undefined          2\n"
              "SS102  governing-service-missing       1\n"
              "SS103  governing-service-not-headless  1\n")


def test_statistics_after_a_text_report(sslint):
    run = sslint("--statistics", files=FILES)
    assert run.out == sslint(files=FILES).out + "\n" + STATISTICS and run.err == ""


def test_statistics_beside_a_machine_report(sslint, tmp_path):
    run = sslint("--format", "json", "--statistics", files=FILES)
    assert json.loads(run.out)["summary"]["findings"] == 4 and run.err == STATISTICS
    run = sslint("--format", "sarif", "-o", "out.sarif", "--statistics", files=FILES)
    assert run.out == STATISTICS and json.loads((tmp_path / "out.sarif").read_text())["version"] == "2.1.0"


def test_statistics_count_suppressed_findings_apart(sslint):
    files = {**SUPPRESSED, "bad.yaml": "a: [\n"}
    out = sslint("--statistics", files=files).out
    assert out.endswith("Statistics (findings per rule):\n"
                        "SS001  parse-error                1\n"
                        "SS102  governing-service-missing  1  (+1 suppressed)\n")
    assert sslint("--statistics", "clean", files={"clean/a.yaml": docs(statefulset(), service())}).out.endswith(
        "\nStatistics: no findings.\n")


# Progress


def many_files(count: int) -> dict[str, str]:
    return {f"many/sts{n:03}.yaml": statefulset(name=f"s{n}", service=f"s{n}", labels=f"{{app: s{n}}}")
            + "---\n" + service(name=f"s{n}", selector=f"{{app: s{n}}}") for n in range(count)}


def test_engine_reports_loading_progress(sslint, tmp_path, monkeypatch):
    from sslint.engine import Options, run

    sslint(files=many_files(5))
    monkeypatch.chdir(tmp_path)
    calls = []
    run(Options(paths=["many"], progress=lambda loaded, total: calls.append((loaded, total))))
    assert calls == [(n, 5) for n in range(1, 6)]
    assert run(Options(paths=["many"])).findings == []  # the default is to tell no one


def test_engine_reports_progress_around_parallel_loading(sslint, tmp_path, monkeypatch):
    from sslint import engine

    sslint(files=many_files(40))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(engine, "PARALLEL_BYTES", 0)
    calls = []
    result = engine.run(engine.Options(paths=["many"], jobs=2, progress=lambda loaded, total: calls.append((loaded, total))))
    assert calls.count((40, 40)) == 1 and calls[-1] == (40, 40)
    assert {total for _, total in calls} == {40} and len(result.files) == 40
    loaded = [loaded for loaded, _ in calls]  # as files are loaded, here or in the worker
    assert loaded == sorted(loaded) and any(0 < n < 40 for n in loaded)


def test_progress_line_on_a_terminal_only_for_many_files(sslint, monkeypatch):
    files = many_files(60)
    assert sslint(files=files).err == ""  # standard error is not a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    run = sslint("--no-cache", files=files)  # a run the cache answers is over before a line could help
    assert run.code == 0 and run.out == "No problems found in 60 files.\n"
    assert "sslint: loaded 60 files; checking…" in run.err and run.err.endswith("\r\x1b[K")
    assert sslint("clean", files={"clean/a.yaml": docs(statefulset(), service())}).err == ""


# The GitHub Action

ACTION = ROOT / "action.yml"
in_source_tree = pytest.mark.skipif(not ACTION.exists(), reason="not a source tree (action.yml is not shipped)")


def action() -> dict:
    return YAML(typ="safe").load(ACTION.read_text())


@in_source_tree
def test_action_is_a_well_formed_composite_action():
    spec = action()
    assert {"name", "description", "inputs", "runs"} <= set(spec)
    assert spec["runs"]["using"] == "composite"
    inputs = spec["inputs"]
    assert {"paths", "args", "sarif-file", "fail-on"} <= set(inputs)
    assert all(isinstance(i.get("description"), str) and i["description"] for i in inputs.values())
    steps = spec["runs"]["steps"]
    for step in steps:
        assert ("run" in step) != ("uses" in step)
        if "run" in step:
            assert step["shell"] == "bash"
    text = ACTION.read_text()
    used = set(re.findall(r"inputs\.([a-z0-9-]+)", text))
    assert used <= set(inputs), used - set(inputs)
    steps_by_name = {step.get("name"): step for step in steps}
    assert '"${{ github.action_path }}"' in steps_by_name["Install sslint"]["run"]
    upload = next(step for step in steps if step.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "always()" in upload["if"] and upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert steps.index(upload) < steps.index(steps_by_name["Fail on sslint's exit code"])
    for name, output in spec["outputs"].items():
        assert output["value"].startswith("${{ ") and output["description"]


@in_source_tree
def test_readme_workflow_uses_the_action_as_declared():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## GitHub Actions", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```yaml\n(.*?)```", section, re.S)
    workflow = YAML(typ="safe").load(block)
    [step] = [s for s in workflow["jobs"]["sslint"]["steps"] if s.get("uses", "").startswith("sslint/sslint@")]
    assert set(step["with"]) <= set(action()["inputs"])
    assert workflow["permissions"]["security-events"] == "write"


def run_scripts() -> dict[str, str]:
    return {step["name"]: step["run"] for step in action()["runs"]["steps"] if "run" in step}


@in_source_tree
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_action_scripts_are_valid_bash():
    for name, script in run_scripts().items():
        plain = re.sub(r"\$\{\{.*?\}\}", "placeholder", script)
        checked = subprocess.run(["bash", "-n"], input=plain, capture_output=True, text=True)
        assert checked.returncode == 0, (name, checked.stderr)


@in_source_tree
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize("fail_on, code", [("", "1"), ("never", "0")])
def test_action_run_step_as_the_runner_runs_it(tmp_path, fail_on, code):
    sslint_bin = Path(sys.executable).parent / "sslint"
    if not sslint_bin.exists():
        pytest.skip("no sslint script beside this Python")
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s/sts.yaml").write_text(statefulset(service="missing"))
    (tmp_path / "k8s/other.yaml").write_text(statefulset(name="db", service="db", labels="{app: db}"))
    outputs = tmp_path / "outputs"
    env = {**os.environ, "PATH": f"{sslint_bin.parent}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(outputs),
           "SSLINT_PATHS": "k8s/sts.yaml", "SSLINT_ARGS": "--select SS1 --no-cache", "SSLINT_FAIL_ON": fail_on,
           "SSLINT_SARIF": "out dir.sarif"}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", run_scripts()["Run sslint"]],
                          cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert outputs.read_text().splitlines() == [f"exit-code={code}", "sarif=true"]
    results = json.loads((tmp_path / "out dir.sarif").read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["SS102"]
    assert done.stdout.startswith("Statistics (findings per rule):\nSS102")
