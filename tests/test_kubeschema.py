"""The bundled Kubernetes schemas: regenerated output equals what is committed, and validation matches the API."""

from __future__ import annotations

import copy
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from sslint import kubeschema

SCHEMAS = ROOT / "schemas" / "kubernetes"
LOCAL_WHEEL = Path("/tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl")


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_kubernetes_schemas",
                                                  ROOT / "scripts" / "generate_kubernetes_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wheel_or_skip() -> Path:
    """No network in the default run: regenerate only from a wheel already on disk."""
    named = os.environ.get("KUBERNETES_VALIDATE_WHEEL")
    wheel = Path(named) if named else LOCAL_WHEEL
    if not wheel.is_file():
        pytest.skip("no kubernetes-validate wheel on disk (set KUBERNETES_VALIDATE_WHEEL)")
    return wheel


def test_the_committed_schemas_are_what_the_script_generates():
    generator = load_generator()
    files = generator.generate(wheel_or_skip())
    committed = {path.name: path.read_bytes() for path in SCHEMAS.iterdir()}
    assert sorted(files) == sorted(committed)
    for name, content in files.items():
        assert content == committed[name], f"schemas/kubernetes/{name} is stale: run the script"


def test_the_bundle_stays_small():
    assert sum(path.stat().st_size for path in SCHEMAS.iterdir()) < 5_000_000


def test_the_versions_bundled():
    versions = kubeschema.VERSIONS
    assert list(versions) == sorted(versions, key=lambda v: tuple(map(int, v.split("."))))
    assert len(versions) >= 6 and versions[-1] == "1.37" and versions[0] == "1.25"


def test_every_version_has_a_statefulset_and_a_service():
    for version in kubeschema.VERSIONS:
        assert kubeschema.validator_for(version, "apps/v1", "StatefulSet") is not None
        assert kubeschema.validator_for(version, "v1", "Service") is not None


def test_api_versions_only_where_the_release_served_them():
    for version in kubeschema.VERSIONS:
        minor = int(version.split(".")[1])
        kinds = kubeschema.kinds_for(version)
        # policy/v1beta1 was removed in 1.25, autoscaling/v2beta2 in 1.26.
        assert ("policy/v1beta1/PodDisruptionBudget" in kinds) == (minor < 25)
        assert ("autoscaling/v2beta2/HorizontalPodAutoscaler" in kinds) == (minor < 26)
        assert "policy/v1/PodDisruptionBudget" in kinds
        assert "autoscaling/v2/HorizontalPodAutoscaler" in kinds
    assert kubeschema.schema_for("1.37", "policy/v1beta1", "PodDisruptionBudget") is None
    assert kubeschema.validator_for("1.37", "apps/v1beta1", "StatefulSet") is None


def test_an_unknown_version_is_an_error():
    with pytest.raises(ValueError, match="1.99"):
        kubeschema.schema_for("1.99", "apps/v1", "StatefulSet")


STATEFULSET = {
    "apiVersion": "apps/v1",
    "kind": "StatefulSet",
    "metadata": {"name": "web", "labels": {"app": "web"}, "creationTimestamp": None},
    "spec": {
        "serviceName": "web",
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{
                "name": "nginx", "image": "nginx:1.27",
                "ports": [{"containerPort": 80, "name": "web"}],
                "resources": {"requests": {"cpu": "100m", "memory": 128974848}},
                "volumeMounts": [{"name": "www", "mountPath": "/usr/share/nginx/html"}],
            }]},
        },
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "50%"}},
        "volumeClaimTemplates": [{
            "metadata": {"name": "www"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        }],
    },
}


def errors(document: dict, version: str = "1.37") -> list[tuple[str, str]]:
    validator = kubeschema.validator_for(version, "apps/v1", "StatefulSet")
    return sorted((".".join(map(str, e.absolute_path)), e.validator) for e in validator.iter_errors(document))


def changed(edit) -> dict:
    document = copy.deepcopy(STATEFULSET)
    edit(document)
    return document


def test_a_valid_statefulset_validates_in_every_version():
    for version in kubeschema.VERSIONS:
        assert errors(STATEFULSET, version) == [], version


def test_a_string_where_an_integer_belongs():
    assert errors(changed(lambda d: d["spec"].update(replicas="3"))) == [("spec.replicas", "type")]


def test_an_unknown_field_is_an_error():
    assert errors(changed(lambda d: d["spec"].update(replica=3))) == [("spec", "additionalProperties")]
    assert errors(changed(lambda d: d["metadata"].update(lables={}))) == [("metadata", "additionalProperties")]


def test_a_missing_required_field_is_an_error():
    assert errors(changed(lambda d: d["spec"].pop("selector"))) == [("spec", "required")]
    containers = changed(lambda d: d["spec"]["template"]["spec"].pop("containers"))
    assert errors(containers) == [("spec.template.spec", "required")]


def test_service_name_became_optional_in_1_33():
    without = changed(lambda d: d["spec"].pop("serviceName"))
    for version in kubeschema.VERSIONS:
        expected = [("spec", "required")] if version in ("1.25", "1.26", "1.27", "1.28", "1.29", "1.30",
                                                         "1.31", "1.32") else []
        assert errors(without, version) == expected, version


def test_what_real_manifests_carry():
    # `kubectl create --dry-run -o yaml` writes `status: {}`; StatefulSetStatus requires replicas.
    assert errors(changed(lambda d: d.update(status={}))) == [("status", "required")]
    # A quantity is oneOf two nullable types, so null matches both and fails (the API server reads it as
    # an amount of 0); int-or-string is one type list, which admits null (the generator makes it so).
    null_quantity = changed(lambda d: d["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]
                            .update(cpu=None))
    assert errors(null_quantity) == [("spec.template.spec.containers.0.resources.requests.cpu", "oneOf")]
    null_int_or_string = changed(lambda d: d["spec"].update(updateStrategy={"rollingUpdate": {"maxUnavailable": None}}))
    assert errors(null_int_or_string) == []


def test_nothing_is_read_at_import():
    code = ("import sslint.kubeschema as k; "
            "assert k._index.cache_info().currsize == 0 and k._definitions.cache_info().currsize == 0")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_identical_definitions_are_stored_once_cycles_included():
    generator = load_generator()

    def ref(name):
        return {"$ref": ("ref", name)}

    def graph(leaf_type):
        return {
            "root:v1/Node": {"properties": {"child": ref("x.Tree")}},
            "x.Tree": {"properties": {"children": {"items": ref("x.Forest")}, "leaf": ref("x.Leaf")}},
            "x.Forest": {"properties": {"trees": {"items": ref("x.Tree")}}},
            "x.Leaf": {"type": leaf_type},
            "x.Other": {"type": "boolean"},
        }

    same = generator.content_ids(graph("string")), generator.content_ids(graph("string"))
    different = generator.content_ids(graph("integer"))
    assert same[0] == same[1]
    # A change below a cycle changes every id that reaches it, and nothing else.
    assert all(same[0][name] != different[name] for name in ("root:v1/Node", "x.Tree", "x.Forest", "x.Leaf"))
    assert same[0]["x.Other"] == different["x.Other"]
    assert same[0]["x.Tree"].startswith("Tree.") and same[0]["root:v1/Node"].startswith("Node.")


def test_a_definition_that_refers_to_itself_is_checked_to_any_depth(monkeypatch):
    """Definitions are compiled when a value first meets them, so a recursive one needs nothing special."""
    tree = {"type": "object", "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/t.Tree"}}}}
    monkeypatch.setattr(kubeschema, "_definitions", lambda: {"t.Tree": tree})
    monkeypatch.setattr(kubeschema, "_COMPILED", {})
    check = kubeschema._reference("t.Tree")
    assert check({"name": "a", "children": [{"name": "b", "children": [{"name": "c", "children": []}]}]})
    assert not check({"name": "a", "children": [{"name": "b", "children": [{"name": 3}]}]})
    assert not check({"name": "a", "children": [{"name": "b", "children": [{"size": 1}]}]})
