"""The four report formats, as their consumers read them."""

import json
from pathlib import Path

import jsonschema
import pytest

from functools import partial

from conftest import docs, service
from conftest import statefulset as replicated_statefulset

statefulset = partial(replicated_statefulset, replicas=1)  # one replica: the operations rules stay out of the way
from sslint.data import data_dir

SARIF_SCHEMA = json.loads((data_dir("schemas") / "sarif-schema-2.1.0.json").read_text())

FILES = {
    "k8s/sts.yaml": docs(statefulset(service="web", namespace="db"), statefulset(name="api", service="missing", labels="{app: api}")),
    "k8s/svc.yaml": service(namespace="db", spec="type: NodePort"),
}


def validate_sarif(text: str) -> dict:
    document = json.loads(text)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(document)
    return document


def test_sarif_is_valid_and_complete(sslint, tmp_path):
    run = sslint("--format", "sarif", files=FILES)
    sarif = validate_sarif(run.out)
    [sarif_run] = sarif["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "sslint"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids[:4] == ["SS001", "SS002", "SS003", "SS101"]
    ss103 = driver["rules"][rule_ids.index("SS103")]
    assert ss103["name"] == "governing-service-not-headless"
    assert ss103["defaultConfiguration"] == {"level": "error"}
    assert "## Why is this bad?" in ss103["help"]["markdown"]
    assert ss103["helpUri"] == "https://github.com/sslint/sslint/blob/main/docs/rules.md#ss103"
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    results = sarif_run["results"]
    # (warnings: a set of one replica loses only its pod's own name)
    assert [(r["ruleId"], r["level"]) for r in results] == [("SS103", "warning"), ("SS102", "warning")]
    not_headless = results[0]
    assert rule_ids[not_headless["ruleIndex"]] == "SS103"
    assert not_headless["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "k8s/sts.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 7, "startColumn": 3},
    }
    [related] = not_headless["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "k8s/svc.yaml"
    assert related["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 3}
    assert "Service db/web" in related["message"]["text"]
    assert set(not_headless["partialFingerprints"]) == {"sslintFindingHash/v1"}


def test_fingerprints_survive_unrelated_edits(sslint):
    before = sslint("--format", "sarif", files=FILES).out
    edited = {**FILES, "k8s/sts.yaml": "# a new comment\n# and another\n" + FILES["k8s/sts.yaml"]}
    after = sslint("--format", "sarif", files=edited).out
    prints = lambda text: [r["partialFingerprints"] for r in json.loads(text)["runs"][0]["results"]]
    lines = lambda text: [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in json.loads(text)["runs"][0]["results"]]
    assert prints(before) == prints(after) and lines(before) != lines(after)


def test_sarif_of_a_parse_error_and_a_suppression(sslint):
    files = {"bad.yaml": "a: [\n", "sts.yaml": "# sslint-ignore-file: SS102 -- the operator adds it\n" + statefulset(service="x")}
    sarif = validate_sarif(sslint("--format", "sarif", files=files).out)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["SS001", "SS102"]
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 2, "startColumn": 1}
    assert results[1]["suppressions"] == [{"kind": "inSource", "justification": "comment on line 1: the operator adds it"}]


def test_json_shape(sslint):
    run = sslint("--format", "json", files=FILES)
    document = run.json
    assert set(document) == {"tool", "findings", "summary", "notices"}
    assert document["summary"] == {"files": 2, "findings": 2, "suppressed": 0, "errors": 0, "warnings": 2, "infos": 0}
    finding = document["findings"][1]
    assert set(finding) == {"rule", "name", "severity", "message", "fix", "file", "line", "column", "object",
                            "related", "suppressed", "fingerprint"}
    assert finding["object"] == {"kind": "StatefulSet", "namespace": None, "name": "api"}
    assert (finding["rule"], finding["name"], finding["line"], finding["column"]) == ("SS102", "governing-service-missing", 24, 3)


def test_text_is_grouped_by_file_with_a_fix_and_a_summary(sslint):
    files = {**FILES, "other.yaml": statefulset(name="x", service="Bad", labels="{app: x}")}
    out = sslint(files=files).out
    assert out == (
        "k8s/sts.yaml:7:3: SS103 StatefulSet db/web: governing Service db/web is not headless (it is of type NodePort); "
        "the pod gets no DNS record of its own (<pod>.web)\n"
        "    warning governing-service-not-headless · fix: Keep Service db/web, which a headless Service cannot replace "
        "(its node ports reach the pods from outside the cluster), and create a headless Service (clusterIP: None) "
        "under another name that selects the pods, and point serviceName at it, which on a live set means recreating "
        "StatefulSet db/web (kubectl delete statefulset web -n db --cascade=orphan, then apply: its pods and claims "
        "stay) and restarting its pods, which take their DNS name only when created (kubectl rollout restart "
        "statefulset web -n db).\n"
        "    see k8s/svc.yaml:7:3: Service db/web, not headless\n"
        "k8s/sts.yaml:24:3: SS102 StatefulSet api: spec.serviceName 'missing' names no Service in the namespace it is "
        "applied to: its pod gets no DNS name of its own (<pod>.<service>)\n"
        "    warning governing-service-missing · fix: spec.serviceName cannot be changed on a live StatefulSet: create "
        "(or rename) a headless Service 'missing' (clusterIP: None, selecting the pods) in the namespace it is applied to.\n"
        "\n"
        "other.yaml:6:3: SS105 StatefulSet x: spec.serviceName 'Bad' is not lower-case letters, digits and '-', starting "
        "and ending with a letter or digit (a DNS-1123 label): the API server of Kubernetes 1.37 rejects it\n"
        "    error service-name-invalid · fix: Name the governing Service with a DNS-1123 label, such as 'bad', and set "
        "spec.serviceName to it.\n"
        "\n"
        "Found 3 problems (1 error, 2 warnings) in 2 of 3 files.\n"
    )
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_text_when_clean(sslint):
    assert sslint(files={"a.yaml": docs(statefulset(), service())}).out == "No problems found in 1 file.\n"


def test_github_annotations_escape_their_text(sslint):
    out = sslint("--format", "github", files={"we,ird:name.yaml": statefulset(service="missing")}).out
    [line] = out.splitlines()
    assert line.startswith("::warning file=we%2Cird%3Aname.yaml,line=6,col=3,title=SS102 governing-service-missing::")
    assert "%0Afix: spec.serviceName cannot be changed" in line


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_every_format_runs_on_the_examples(sslint, fmt):
    examples = Path(__file__).resolve().parents[1] / "examples"
    run = sslint("--format", fmt, str(examples))
    assert run.code == 1 and run.out
