"""The command-line contract: paths, options, configuration, suppression, exit codes."""

import json
import os

import pytest

from functools import partial

from conftest import docs, service
from conftest import statefulset as replicated_statefulset

statefulset = partial(replicated_statefulset, replicas=1)  # one replica: the operations rules stay out of the way
from sslint import __version__

BROKEN = {"sts.yaml": statefulset(service="missing")}
CLEAN = {"a.yaml": docs(statefulset(), service())}


def test_exit_codes(sslint):
    assert sslint(files=CLEAN).code == 0
    assert sslint(files=BROKEN).code == 1
    run = sslint("nowhere.yaml")
    assert run.code == 2 and run.err == "sslint: error: nowhere.yaml: no such file or directory\n"


def test_a_bug_in_sslint_is_an_internal_error_with_exit_2_not_a_usage_error(sslint, monkeypatch):
    """Exit 1 means findings; a crash (here a ValueError deep in the loader) must not look like them,
    nor like a bad option."""
    from sslint import load

    def broken(*args, **kwargs):
        raise ValueError("not enough values to unpack")

    monkeypatch.setattr(load, "_read", broken)
    run = sslint("--no-cache", files=CLEAN)
    assert run.code == 2 and "Traceback" in run.err and "ValueError: not enough values to unpack" in run.err
    assert run.err.endswith("sslint: internal error (a bug in sslint; please report it with the traceback above)\n")
    assert "sslint: error:" not in run.err


def test_default_path_is_the_working_directory(sslint):
    run = sslint("--format", "json", files={"deep/er/sts.yaml": statefulset(service="missing")})
    assert run.positions() == [("deep/er/sts.yaml", 6, 3)]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "xml"], "Invalid value for '-f' / '--format'"),
        (["--select", "SS999"], "--select: 'SS999' is not a rule id, name or id prefix"),
        (["--ignore", "nope"], "--ignore: 'nope' is not a rule id"),
        (["--kubernetes-version", "1.99"], "--kubernetes-version 1.99 is not supported; supported: 1.25, 1.26"),
        (["--fail-on", "sometimes"], "Invalid value for '--fail-on'"),
        (["--explain", "SS1"], "--explain SS1: names 5 rules"),
        (["--bogus"], "No such option '--bogus'"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(sslint, args, message):
    run = sslint(*args, files=CLEAN)
    assert run.code == 2
    assert run.err.count("\n") == 1 and run.err.startswith("sslint: error: ") and message in run.err


@pytest.mark.parametrize(
    "fail_on, code", [("error", 0), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on(sslint, fail_on, code):
    files = {"a.yaml": replicated_statefulset(service=None)}  # SS101: a warning from 1.33 (three replicas: peers)
    assert sslint("--fail-on", fail_on, "--select", "SS101", files=files).code == code


def test_select_ignore_by_id_name_and_prefix(sslint):
    files = {"a.yaml": docs(statefulset(service="Bad_Name"),
                            replicated_statefulset(name="db", service=None, labels="{app: db}"))}
    rules = lambda *args: sorted(f["rule"] for f in sslint("--format", "json", *args, files=files).findings()
                                 if not f["rule"].startswith("SS4"))  # (three replicas: the operations rules speak too)
    assert rules() == ["SS101", "SS105"]
    assert rules("--select", "SS105") == ["SS105"]
    assert rules("--select", "service-name-missing") == ["SS101"]
    assert rules("--select", "SS1", "--ignore", "SS101") == ["SS105"]
    assert rules("--select", "SS101,SS105") == ["SS101", "SS105"]


def test_stdin_with_a_filename_and_its_siblings(sslint):
    run = sslint("--format", "json", "--stdin-filename", "k8s/sts.yaml", "-",
                 files={"k8s/svc.yaml": service("other")}, stdin=statefulset(service="othr"))
    [finding] = run.findings()
    assert (finding["file"], finding["line"]) == ("k8s/sts.yaml", 6)
    assert "did you mean 'other'?" in finding["message"]


def test_a_file_named_twice_is_linted_once(sslint, tmp_path):
    """By another spelling of its path, through its directory, through a symlink; and a file that
    --stdin-filename names is standard input's, not read from the disk as well."""
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "sts.yaml").write_text(statefulset(service="missing"))
    (tmp_path / "link.yaml").symlink_to(tmp_path / "k8s" / "sts.yaml")
    run = sslint("--format", "json", "k8s/sts.yaml", "./k8s/../k8s/sts.yaml", "k8s", "link.yaml")
    assert run.positions() == [("k8s/sts.yaml", 6, 3)]
    run = sslint("--format", "json", "--stdin-filename", "link.yaml", "-", "k8s", stdin=statefulset(service="gone"))
    [finding] = run.findings()
    assert (finding["file"], "'gone'" in finding["message"]) == ("link.yaml", True)


def test_stdin_json(sslint):
    manifest = json.dumps({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "x"},
                           "spec": {"serviceName": "Bad", "template": {}}})
    run = sslint("--format", "json", "--select", "SS1", "-", stdin=manifest)
    assert run.positions() == [("<stdin>", 1, 86)]  # the serviceName key; SS105 alone, no SS102 too


def test_output_file_is_written_whole(sslint, tmp_path):
    run = sslint("--format", "sarif", "-o", "out/report.sarif", ".", files={**BROKEN, "out/.keep": ""})
    assert run.code == 1 and run.out == ""
    assert json.loads((tmp_path / "out/report.sarif").read_text())["version"] == "2.1.0"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".keep", "report.sarif"]  # no temporary left
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "out/report.sarif").stat().st_mode & 0o777 == 0o666 & ~umask  # as `> out/report.sarif` makes it


def test_unwritable_output_is_exit_2(sslint):
    run = sslint("-o", "no/such/dir/report.txt", files=CLEAN)
    assert run.code == 2 and "--output no/such/dir/report.txt" in run.err


def test_list_rules_explain_version(sslint):
    listing = sslint("--list-rules").out
    assert listing.splitlines()[4].split()[:3] == ["SS102", "governing-service-missing", "error"]
    assert sslint("--explain", "governing-service-missing").out.startswith("# SS102 governing-service-missing (error)")
    assert sslint("--version").out.strip() == f"sslint, version {__version__}"


def test_parse_errors_are_findings_and_other_files_are_still_linted(sslint):
    run = sslint("--format", "json", files={"bad.yaml": "a: [\n", "sts.yaml": statefulset(service="missing")})
    assert [(f["rule"], f["file"]) for f in run.findings()] == [("SS001", "bad.yaml"), ("SS102", "sts.yaml")]


def test_hidden_directories_and_other_suffixes_are_skipped(sslint):
    run = sslint("--format", "json", files={".git/x.yaml": "a: [", "notes.txt": "a: [", "b.yml": "a: ["})
    assert [f["file"] for f in run.findings()] == ["b.yml"]


def test_helm_templates_are_skipped_with_one_notice(sslint):
    """A template that does not parse, anywhere, and under a chart's templates/ one that does too."""
    template = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {{ .Release.Name }}\n"
    parses = "apiVersion: v1\nkind: Service\nmetadata:\n  name: '{{ .Release.Name }}'\n"
    run = sslint(files={"chart/templates/a.yaml": template, "other/b.yaml": template, "chart/Chart.yaml": "name: c\n",
                        "chart/templates/svc.yaml": parses, "app/svc.yaml": parses, **CLEAN})
    assert run.code == 0
    assert run.out.count("note: skipped 3 Helm template files") == 1 and "app/svc.yaml" not in run.out


def test_a_chart_template_is_told_from_inside_its_directory_too(tmp_path, monkeypatch):
    from pathlib import Path

    from sslint.discover import in_chart_templates

    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("name: c\n")
    monkeypatch.chdir(tmp_path / "chart" / "templates")  # the path shown, svc.yaml, has no parent to tell
    assert in_chart_templates(Path("svc.yaml")) and not in_chart_templates(Path("../svc.yaml"))
    (tmp_path / "shared").mkdir()  # a chart whose templates/ is a link to templates kept elsewhere
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "Chart.yaml").write_text("name: l\n")
    (tmp_path / "linked" / "templates").symlink_to(tmp_path / "shared")
    assert in_chart_templates(tmp_path / "linked" / "templates" / "sts.yaml")


def test_a_stream_whose_strings_hold_go_templates_is_linted(sslint):
    """Rendered output with a PrometheusRule ({{ $labels.instance }}) or a Vault agent template annotation is no
    Helm template: its mistakes are found (it used to be skipped whole, with a notice)."""
    rule = ("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  groups:\n"
            "    - name: g\n      rules:\n        - alert: Down\n          expr: up == 0\n"
            "          annotations: {summary: 'Instance {{ $labels.instance }} down'}\n")
    sts = statefulset(service="web-headles").replace("    metadata:\n", "    metadata:\n      annotations:\n"
                                                     "        vault.hashicorp.com/agent-inject-template-db: |\n"
                                                     "          {{- with secret \"db/creds\" -}}{{ .Data.password }}{{- end }}\n", 1)
    run = sslint("--format", "json", "--select", "SS102", "-", stdin=docs(rule, sts))
    assert [f["rule"] for f in run.findings()] == ["SS102"] and "skipped" not in run.err + run.out


class TestConfig:
    def test_found_upward_and_applied(self, sslint, tmp_path):
        files = {".sslint.yaml": "ignore: [SS102]\n", "sub/sts.yaml": statefulset(service="missing")}
        sslint(files=files)
        import os

        os.chdir(tmp_path / "sub")
        from sslint.cli import main

        with pytest.raises(SystemExit) as exit_info:
            main(["sts.yaml"])
        assert exit_info.value.code == 0

    def test_severity_fail_on_version_context_exclude(self, sslint):
        config = """
            severity: {service-name-missing: info}
            fail-on: warning
            kubernetes-version: "1.32"
            context: [ctx/*.yaml]
            exclude: [skip/*]
            """
        files = {".sslint.yaml": config, "app/a.yaml": statefulset(service=None, labels="{app: web, role: a}"),
                 "app/b.yaml": statefulset(name="b", labels="{app: web, role: b}"),
                 "ctx/svc.yaml": service(), "skip/c.yaml": "a: ["}
        run = sslint("--format", "json", "app", "skip/c.yaml", files=files)
        assert [(f["rule"], f["severity"]) for f in run.findings()] == [("SS101", "info")]
        assert run.code == 0

    @pytest.mark.parametrize(
        "text, message",
        [
            ("selct: [SS101]\n", ".sslint.yaml:1:1: selct: unknown key 'selct'"),
            ("fail-on: sometimes\n", ".sslint.yaml:1:1: fail-on: 'sometimes' is not one of"),
            ("kubernetes-version: 1.30\n", 'kubernetes-version must be a quoted string such as "1.33", not the number 1.3'),
            ("kubernetes-version: '1.99'\n", "kubernetes-version 1.99 is not supported"),
            ("select: [SS9]\n", "select: 'SS9' is not a rule id"),
            ("severity:\n  SS101: fatal\n", ".sslint.yaml:2:3: severity.SS101: 'fatal' is not one of"),
            ("a: [\n", ".sslint.yaml:2:1:"),
        ],
    )
    def test_bad_config_is_one_line_exit_2(self, sslint, text, message):
        run = sslint(files={".sslint.yaml": text, **CLEAN})
        assert run.code == 2 and run.err.count("\n") == 1 and message in run.err, run.err

    def test_explicit_config(self, sslint):
        run = sslint("--config", "conf/lint.yaml", files={"conf/lint.yaml": "ignore: [SS1]\n", **BROKEN})
        assert run.code == 0
        assert sslint("--config", "absent.yaml", files=CLEAN).code == 2


class TestSuppression:
    def test_by_annotation_with_reason(self, sslint):
        sts = statefulset(service="missing").replace(
            "  name: web\n", '  name: web\n  annotations:\n    ignore-check.sslint.io/SS102: "created by the operator"\n'
        )
        run = sslint("--format", "json", files={"a.yaml": sts})
        [finding] = run.findings()
        assert run.code == 0 and finding["suppressed"] == "annotation ignore-check.sslint.io/SS102: created by the operator"
        assert run.json["summary"]["suppressed"] == 1 and run.json["summary"]["findings"] == 0

    def test_by_name_on_the_line_and_on_the_line_above(self, sslint):
        on_line = statefulset(service="missing  # sslint-ignore: governing-service-missing -- legacy")
        above = statefulset(service="missing").replace("  serviceName", "  # sslint-ignore: SS102\n  serviceName")
        for text in (on_line, above):
            run = sslint("--format", "json", files={"a.yaml": text})
            assert run.code == 0 and run.findings()[0]["suppressed"].startswith("comment on line")

    def test_a_comment_for_another_rule_or_line_does_not_suppress(self, sslint):
        other_rule = statefulset(service="missing  # sslint-ignore: SS103")
        other_line = statefulset(service="missing").replace("  replicas", "  replicas: 3 # sslint-ignore: SS102\n  x")
        for text in (other_rule, other_line):
            assert sslint(files={"a.yaml": text}).code == 1

    def test_file_level(self, sslint):
        run = sslint("--format", "json", files={"a.yaml": "# sslint-ignore-file: SS1 -- x\n" + statefulset(service="missing")})
        assert run.code == 1  # a prefix is not a rule: suppression names ids or names
        run = sslint("--format", "json", files={"a.yaml": "# sslint-ignore-file: SS102 -- x\n" + statefulset(service="missing")})
        assert run.code == 0 and run.findings()[0]["suppressed"] == "comment on line 1: x"


def test_output_to_a_device_or_fifo_is_written_not_replaced(sslint, tmp_path):
    import os
    import stat
    import threading

    run = sslint("--format", "json", "-o", os.devnull, files=CLEAN)
    assert run.code == 0 and stat.S_ISCHR(os.stat(os.devnull).st_mode)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo).read()))
    reader.start()
    run = sslint("--format", "json", "-o", str(fifo))
    reader.join(timeout=10)
    assert run.code == 0 and json.loads(received[0])["summary"]["findings"] == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_the_shipped_examples(sslint):
    from conftest import ROOT

    correct = sslint("--format", "json", str(ROOT / "examples" / "correct"))
    assert correct.code == 0 and correct.json["findings"] == []
    broken = sslint("--format", "json", str(ROOT / "examples" / "broken"))
    assert broken.code == 1 and {"SS102", "SS103", "SS104"} <= {f["rule"] for f in broken.json["findings"]}


def test_worker_processes_give_the_same_report(sslint, monkeypatch):
    from sslint import engine

    files = {f"team{n}/app.yaml": docs(replicated_statefulset(name=f"s{n}", service="missing" if n % 2 else f"s{n}",
                                                              labels=f"{{app: s{n}}}"), service(f"s{n}", f"{{app: s{n}}}"))
             for n in range(6)}
    files["team0/bad.yaml"] = "a: ["
    files["team1/app.yaml"] = files["team1/app.yaml"].replace("  name: s1\n", "  name: s1\n  annotations: {ignore-check.sslint.io/SS102: x}\n")
    serial = sslint("--format", "json", "--jobs", "1", "--no-cache", files=files)
    monkeypatch.setattr(engine, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(engine, "PARALLEL_OBJECTS", 0)
    for jobs in ("2", "3"):
        parallel = sslint("--format", "json", "--jobs", jobs, "--no-cache")
        assert parallel.out == serial.out and parallel.code == serial.code == 1
    assert {f["rule"] for f in serial.json["findings"]} >= {"SS001", "SS102", "SS401"}
    assert any(f["suppressed"] for f in serial.json["findings"])


@pytest.mark.parametrize(
    "cpus, limit, workers",
    [
        ({5}, None, 0),  # a container pinned to one CPU (a cpuset) of a large machine
        ({5, 6}, None, 1),
        (set(range(8)), None, 3),  # at most 4 processes
        (set(range(8)), "max 100000", 3),  # cgroup v2: no limit
        (set(range(8)), "140000 100000", 0),  # docker --cpus 1.4: to the nearest whole CPU
        (set(range(8)), "150000 100000", 1),
        (set(range(8)), "30000 100000", 0),  # less than one: one
        (set(range(8)), "garbage", 3),  # unreadable: no limit
        (set(range(8)), ("-1", "100000"), 3),  # cgroup v1: no limit
        (set(range(8)), ("200000", "100000"), 1),
    ],
)
def test_the_default_jobs_are_the_cpus_this_process_may_use(sslint, monkeypatch, tmp_path, cpus, limit, workers):
    """Workers beyond the CPUs this process may run on, or beyond its container's CPU limit, would
    only take turns with it: none is started."""
    from sslint import cli

    forks = []
    fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or fork())
    monkeypatch.delattr(os, "process_cpu_count", raising=False)  # (Python 3.13: the cpuset too, and PYTHON_CPU_COUNT)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: cpus, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(cli, "CGROUP_CPU_MAX", str(tmp_path / "cpu.max"))
    monkeypatch.setattr(cli, "CGROUP_CFS", (str(tmp_path / "quota"), str(tmp_path / "period")))
    if isinstance(limit, str):
        (tmp_path / "cpu.max").write_text(limit + "\n")
    elif limit:
        (tmp_path / "quota").write_text(limit[0] + "\n")
        (tmp_path / "period").write_text(limit[1] + "\n")
    files = {f"team/app{n}.yaml": docs(replicated_statefulset(name=f"s{n}", labels=f"{{app: s{n}}}"), service(f"s{n}", f"{{app: s{n}}}"))
             for n in range(250)}  # 500 objects, 91 KB: shared out when there are cores to share them
    run = sslint("--format", "json", "--no-cache", "team", files=files)
    assert len(forks) == 2 * workers and run.code == 1  # workers to load, then workers to check
    assert run.json == sslint("--format", "json", "--no-cache", "--jobs", "1", "team").json


def test_one_process_and_workers_give_findings_and_internal_errors_in_rule_order(monkeypatch):
    """One process runs each object through all its rules, workers take whole rules: both give the
    findings rule by rule, and within a rule kind by kind in model order (ties in the report keep it),
    internal errors alike."""
    from sslint import catalogue, engine
    from sslint.finding import Finding
    from sslint.load import load
    from sslint.model import Model

    def every_object(obj, model, version):
        yield Finding(f"{obj.kind} {obj.name}", obj, ("metadata", "name"))

    def fails_on_odd(obj, model, version):
        if int(obj.name[1:]) % 2:
            raise ValueError(obj.name)
        yield Finding(f"{obj.kind} {obj.name}", obj, ("metadata",))

    monkeypatch.setitem(engine.CHECKS, "SS301", every_object)  # StatefulSet, Deployment, ReplicaSet …
    monkeypatch.setitem(engine.CHECKS, "SS404", fails_on_odd)
    kinds = ["Deployment", "StatefulSet", "Service", "ReplicaSet"] * 3  # each rule's kinds interleaved in the model
    model = Model()
    model.add(load("".join(f"---\nkind: {kind}\napiVersion: v1\nmetadata: {{name: o{n}}}\n" for n, kind in enumerate(kinds))
                   .encode(), "m.yaml"), context=False)
    rules = catalogue.rules()
    expected = [(rule_id, f"{kind} o{n}") for rule_id in ("SS301", "SS404") for kind in rules[rule_id].kinds
                for n, k in enumerate(kinds) if k == kind and (rule_id == "SS301" or n % 2 == 0)]
    monkeypatch.setattr(engine, "PARALLEL_OBJECTS", 0)
    for jobs in (1, 2, 3):
        findings, errors = engine._check(model, rules, {"SS301", "SS404"}, "1.33", jobs)
        assert [(f.rule.id, f.message) for f in findings] == expected
        assert [e.split(" on ")[1].split(" (")[0] for e in errors] == [
            f"{kind} o{n}" for kind in rules["SS404"].kinds for n, k in enumerate(kinds) if k == kind and n % 2]


def _read_in_pieces_alike(sslint, monkeypatch, name: str, text: str) -> tuple[list, list]:
    """The JSON report of one long file, of the file and through standard input, by one process; with
    two and three jobs, cut in pieces (of 300 characters) that the workers read too, the report must
    be the same. The report's findings, and the pieces."""
    from sslint import engine
    from sslint import load as loader

    serial = sslint("--format", "json", "--jobs", "1", "--no-cache", name, files={name: text})
    serial_stdin = sslint("--format", "json", "--jobs", "1", "-", stdin=text)
    monkeypatch.setattr(engine, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(engine, "PARALLEL_OBJECTS", 0)
    monkeypatch.setattr(loader, "PIECE", 300)
    spans = loader.cut(text.encode())[1]
    assert len(spans) > 10
    for jobs in ("2", "3"):
        assert sslint("--format", "json", "--jobs", jobs, "--no-cache", name).out == serial.out
        assert sslint("--format", "json", "--jobs", jobs, "-", stdin=text).out == serial_stdin.out
    return serial.json["findings"], spans


@pytest.mark.parametrize("broken", [False, True])
def test_a_long_stream_is_read_in_pieces_by_the_workers_with_the_same_report(sslint, monkeypatch, broken):
    """`helm template … | sslint -` is one long stream: with more than one job it is cut at `---`
    lines and the pieces read by the workers too. The report is the one process's: findings and
    their lines, the templates they come from, suppressions, and (a piece with an error) parse errors."""
    rendered = "".join(
        f"---\n# Source: db/templates/app{n}.yaml\n"
        + docs(replicated_statefulset(name=f"s{n}", service="missing" if n % 3 else f"s{n}", labels=f"{{app: s{n}}}"),
               service(f"s{n}", f"{{app: s{n}}}"))
        for n in range(12))
    rendered = rendered.replace("serviceName: missing", "serviceName: missing  # sslint-ignore: SS102", 1)
    if broken:
        rendered = rendered.replace("  name: s7\n", "  name: s7\n  labels: {a: [\n", 1)
    findings, _ = _read_in_pieces_alike(sslint, monkeypatch, "stream.yaml", rendered)
    assert "SS102" in {f["rule"] for f in findings} and ("SS001" in {f["rule"] for f in findings}) == broken
    assert {f["file"] for f in findings} == {"stream.yaml"}  # a rendered file on disk is reported where it is
    assert any(f["suppressed"] for f in findings)
    streamed = sslint("--format", "json", "--jobs", "2", "-", stdin=rendered).findings("SS102")
    assert {f["file"] for f in streamed} == {f"db/templates/app{n}.yaml" for n in range(12) if n % 3 and not (broken and n == 7)}


@pytest.mark.parametrize("broken", [False, True])
def test_a_long_list_is_read_in_pieces_by_the_workers_with_the_same_report(sslint, monkeypatch, broken):
    """`kubectl get sts,svc -A -o yaml | sslint -` is one List document: with more than one job it is
    cut between its items and the pieces read by the workers too. The report is the one process's:
    findings and their lines and columns, suppressions, and (a piece with an error) parse errors."""
    from sslint import load as loader

    def item(manifest: str) -> str:
        return "".join(("- " if n == 0 else "  ") + line for n, line in enumerate(manifest.splitlines(keepends=True)))

    dump = "apiVersion: v1\nitems:\n" + "".join(
        item(replicated_statefulset(name=f"s{n}", service="missing" if n % 3 else f"s{n}", labels=f"{{app: s{n}}}"))
        + item(service(f"s{n}", f"{{app: s{n}}}")) for n in range(12)) + "kind: List\nmetadata:\n  resourceVersion: \"\"\n"
    dump = dump.replace("serviceName: missing", "serviceName: missing  # sslint-ignore: SS102", 1)
    if broken:
        dump = dump.replace("    name: s7\n", "    name: s7\n    labels: {a: [\n", 1)
    findings, spans = _read_in_pieces_alike(sslint, monkeypatch, "dump.yaml", dump)
    assert all(continues for *_, continues in spans[1:])
    assert (None in [loader.read_piece(dump, *span) for span in spans]) == broken
    if broken:
        assert [f["rule"] for f in findings] == ["SS001"]  # one document: broken, it holds no object
    else:
        lines = dump.splitlines()
        missing = [f for f in findings if f["rule"] == "SS102"]
        assert len(missing) == 8 and sum(bool(f["suppressed"]) for f in missing) == 1
        assert all(lines[f["line"] - 1][f["column"] - 1:].startswith("serviceName: missing") for f in missing)


def test_the_command_ends_at_once_with_its_report_and_exit_code_whole(tmp_path):
    """`sslint` (cli.console) ends the process without freeing the run's objects: what it wrote must
    be complete and its exit code kept, through a pipe too."""
    import subprocess
    import sys

    (tmp_path / "sts.yaml").write_text(replicated_statefulset(service="missing"))
    command = [sys.executable, "-m", "sslint", "--no-cache", "--format", "json", "sts.yaml"]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr == ""
    assert "SS102" in [f["rule"] for f in json.loads(done.stdout)["findings"]]
    bad = subprocess.run([*command, "--fail-on", "nope"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.startswith("sslint: error:") and bad.stdout == ""


@pytest.mark.parametrize("cache", ["--no-cache", "a first run, which stores"])
def test_a_small_run_imports_only_what_it_needs(tmp_path, cache):
    """Start-up is most of a pre-commit run: git (subprocess) and the explanations of schema errors
    (jsonschema) are imported only by a run that uses them; multiprocessing by none (worker processes
    are forked and fed through pipes), nor tempfile, not even by a run that writes to the cache."""
    import subprocess
    import sys

    (tmp_path / "sts.yaml").write_text(replicated_statefulset(service="missing"))
    options = "'--no-cache', " if cache == "--no-cache" else ""
    code = (f"import sys\nfrom sslint import cli\ntry:\n    cli.main([{options}'--jobs', '2', 'sts.yaml'])\n"
            "except SystemExit as done:\n    print(done.code, sorted(set(sys.modules) & "
            "{'multiprocessing', 'subprocess', 'jsonschema', 'tempfile'}), file=sys.stderr)\n")
    env = {**os.environ, "SSLINT_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("SSLINT_NO_CACHE", None)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert "SS102" in done.stdout
    assert done.stderr == "1 []\n"
    stored = [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert (stored != []) == (cache != "--no-cache") and not [name for name in stored if name.endswith(".tmp")]
