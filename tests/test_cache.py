"""The cache: a repeat run over unchanged inputs gives the very same report; any change is seen."""

import pytest

from conftest import docs, service, statefulset

FILES = {
    "k8s/a.yaml": docs(statefulset(service="web", namespace="db"), statefulset(name="api", service="missing", labels="{app: api}")),
    "k8s/b.yaml": service(namespace="db", spec="type: NodePort"),
    "k8s/c.yaml": "# sslint-ignore-file: SS401 -- budgets live elsewhere\n" + statefulset(name="x", service="Bad", labels="{app: x}"),
    "k8s/bad.yaml": "a: [",
    "k8s/list.json": '{"apiVersion": "v1", "kind": "List", "items": []}',
}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab", "junit"])
def test_a_repeat_run_gives_the_same_report(sslint, fmt):
    cold = sslint("--format", fmt, "--statistics", files=FILES)
    from sslint import cache

    assert any(p.is_file() for p in (cache.directory() / "runs").rglob("*"))
    warm = sslint("--format", fmt, "--statistics")
    assert (warm.out, warm.err, warm.code) == (cold.out, cold.err, cold.code)
    fresh = sslint("--format", fmt, "--statistics", "--no-cache")
    assert (fresh.out, fresh.code) == (cold.out, cold.code)


def test_changes_to_inputs_or_options_are_seen(sslint, tmp_path):
    first = sslint("--format", "json", files=FILES)
    (tmp_path / "k8s/b.yaml").write_text(service(namespace="db"))  # now headless
    second = sslint("--format", "json")
    assert [f["rule"] for f in first.findings("SS103")] == ["SS103"] and second.findings("SS103") == []
    (tmp_path / "k8s/new.yaml").write_text("a: [")
    assert len(sslint("--format", "json").findings("SS001")) == 2
    assert sslint("--format", "json", "--kubernetes-version", "1.32").findings("SS101") == []
    assert {f["severity"] for f in sslint("--format", "json", "--select", "SS105").findings()} == {"error"}
