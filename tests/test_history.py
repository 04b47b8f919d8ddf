"""SS305 with --diff-base: the same StatefulSet at a git revision, wherever its file lived."""

import subprocess

import pytest

from conftest import statefulset

TEMPLATE = """
  volumeClaimTemplates:
    - metadata: {name: data, labels: {tier: db}}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 10Gi}}
"""


def git(cwd, *args):
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    def commit(files: dict[str, str]):
        git(tmp_path, "init", "-q")
        for name, text in files.items():
            (tmp_path / name).write_text(text)
        git(tmp_path, "add", "-A")
        git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    return commit


def changes(sslint, tmp_path, files):
    for path in tmp_path.glob("*.yaml"):
        path.unlink()
    run = sslint("--format", "json", "--select", "SS305", "--diff-base", "HEAD", files=files)
    assert run.code in (0, 1), run.err
    return [(f["file"], f["line"], f["message"].split(": ", 1)[1]) for f in run.findings()]


def test_a_moved_file_is_matched_by_object_identity(sslint, tmp_path, repo):
    repo({"old-name.yaml": statefulset()})
    found = changes(sslint, tmp_path, {"new/place.yaml": statefulset(service="web-hs")})
    assert found == [("new/place.yaml", 6, 'spec.serviceName changed from "web" (at HEAD) to "web-hs"; '
                                         "this field cannot change on a live StatefulSet")]


@pytest.mark.parametrize(
    "before, after, expected",
    [
        ("", "\n  podManagementPolicy: OrderedReady", []),  # the default, spelled out
        ("", "\n  podManagementPolicy: Parallel", ['spec.podManagementPolicy changed from "OrderedReady"']),
        (TEMPLATE, TEMPLATE.replace("10Gi", "10240Mi"), []),  # the same amount
        (TEMPLATE, TEMPLATE.replace("{tier: db}", "{tier: data}"), ["volumeClaimTemplate 'data' labels changed"]),
        (TEMPLATE, TEMPLATE.replace("{name: data,", "{name: disk,"),
         ["volumeClaimTemplate 'data' was removed", "volumeClaimTemplate 'disk' was added"]),
        (TEMPLATE, "", ["volumeClaimTemplate 'data' was removed"]),
        ("", "\n  replicas: 7\n  minReadySeconds: 5\n  revisionHistoryLimit: 3", []),
        ("", "\n  revisionHistoryLimit: 10", []),  # the default, spelled out
    ],
)
def test_which_changes_are_reported(sslint, tmp_path, repo, before, after, expected):
    repo({"s.yaml": statefulset() + before})
    found = changes(sslint, tmp_path, {"s.yaml": statefulset() + after})
    assert len(found) == len(expected), found
    for words, (_, _, message) in zip(expected, found):
        assert message.startswith(words), message


@pytest.mark.parametrize("version, reported", [("1.32", True), ("1.33", False)])
def test_revision_history_limit_may_change_from_1_33(sslint, tmp_path, repo, version, reported):
    """Before 1.33 the update is refused like any other spec field's (kubernetes#130263 on 1.31); its
    default, written out or left out, is no change."""
    repo({"s.yaml": statefulset() + "  revisionHistoryLimit: 10\n"})
    (tmp_path / "s.yaml").write_text(statefulset() + "  revisionHistoryLimit: 3\n")
    run = sslint("--format", "json", "--select", "SS305", "--diff-base", "HEAD", "--kubernetes-version", version, "s.yaml")
    found = [(f["line"], f["message"]) for f in run.findings()]
    assert found == ([(17, "StatefulSet web: spec.revisionHistoryLimit changed from 10 (at HEAD) to 3; this field cannot "
                           "change on a live StatefulSet")] if reported else [])
    (tmp_path / "s.yaml").write_text(statefulset())
    run = sslint("--format", "json", "--select", "SS305", "--diff-base", "HEAD", "--kubernetes-version", version, "s.yaml")
    assert run.findings() == []


def test_selector_change_names_old_and_new(sslint, tmp_path, repo):
    repo({"s.yaml": statefulset()})
    new = statefulset(labels="{app: web, tier: db}")
    [(file, line, message)] = changes(sslint, tmp_path, {"s.yaml": new})
    assert line == 8 and 'spec.selector changed from {"matchLabels": {"app": "web"}} (at HEAD) to' in message


def test_another_namespace_or_a_fragment_is_not_the_same_object(sslint, tmp_path, repo):
    repo({"s.yaml": statefulset(namespace="a")})
    assert changes(sslint, tmp_path, {"s.yaml": statefulset(namespace="b", service="x")}) == []
    patch = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web, namespace: a}\nspec:\n  serviceName: x\n"
    assert changes(sslint, tmp_path, {"s.yaml": patch}) == []


def test_outside_a_repository_or_with_an_unknown_ref_is_exit_2(sslint, tmp_path, repo):
    run = sslint("--diff-base", "HEAD", files={"s.yaml": statefulset()})
    assert run.code == 2 and "is not inside a git repository" in run.err
    repo({"s.yaml": statefulset()})
    run = sslint("--diff-base", "no-such-branch")
    assert run.code == 2 and run.err == "sslint: error: --diff-base no-such-branch: no such revision in this repository\n"
