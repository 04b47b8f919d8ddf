"""Rendered inputs: `helm template … | sslint -` and kustomizations, reported against their sources."""

import shutil

import pytest

from conftest import docs, statefulset

RENDERED = """---
# Source: db/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: db-headless
spec:
  clusterIP: None
  selector: {app: db}
---
# Source: db/templates/statefulset.yaml
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db-headles
  replicas: 1
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:17
"""


def test_helm_output_on_stdin_is_reported_against_the_template(sslint):
    run = sslint("--format", "json", "--select", "SS102", "-", stdin=RENDERED)
    [finding] = run.findings()
    assert (finding["file"], finding["line"], finding["column"]) == ("db/templates/statefulset.yaml", 6, 3)
    assert "did you mean 'db-headless'?" in finding["message"]
    # the summary counts the templates among the files, whatever the findings (it said "in 2 of 1 file")
    assert sslint("--select", "SS102", "-", stdin=RENDERED).out.endswith("Found 1 problem (1 warning) in 1 of 3 files.\n")
    assert sslint("--select", "SS103", "-", stdin=RENDERED).out.endswith("No problems found in 3 files.\n")
    assert sslint("--format", "json", "--select", "SS103", "-", stdin=RENDERED).json["summary"]["files"] == 3


def test_the_places_a_finding_relates_to_are_traced_to_their_templates_too(sslint):
    """SS103 names the Service, which a `# Source:` line places in another template."""
    rendered = RENDERED.replace("  clusterIP: None\n", "").replace("serviceName: db-headles\n", "serviceName: db-headless\n")
    [finding] = sslint("--format", "json", "--select", "SS103", "-", stdin=rendered).findings()
    assert (finding["file"], finding["line"]) == ("db/templates/statefulset.yaml", 6)
    assert [(r["file"], r["line"], r["column"]) for r in finding["related"]] == [("db/templates/service.yaml", 5, 1)]


def test_suppression_comments_in_rendered_output_still_apply(sslint):
    rendered = RENDERED.replace("serviceName: db-headles", "serviceName: db-headles  # sslint-ignore: SS102")
    run = sslint("--format", "json", "--select", "SS102", "-", stdin=rendered)
    assert run.code == 0 and run.findings()[0]["suppressed"].startswith("comment on line")


KUSTOMIZE = {
    "base/kustomization.yaml": "resources: [sts.yaml, svc.yaml]\n",
    "base/sts.yaml": statefulset(name="db", service="db-hs", labels="{app: db}", replicas=1),
    "base/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {clusterIP: None, selector: {app: db}}\n",
    "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: prod-\npatches:\n  - path: patch.yaml\n",
    "overlay/patch.yaml": ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n"
                           "    metadata: {labels: {app: db}}\n    spec:\n      containers: [{name: db, image: postgres:18}]\n"),
}


def test_patch_files_named_by_a_kustomization_are_fragments(sslint):
    run = sslint("--format", "json", "--select", "SS1,SS3", ".", files=KUSTOMIZE)
    # the patch has a pod template, yet it is no whole StatefulSet: only the base's own mistake shows
    assert [(f["file"], f["rule"]) for f in run.findings()] == [("base/sts.yaml", "SS102")]


SIDECAR = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  template:\n    spec:\n"
           "      containers: [{name: backup, image: 'restic:0.17', volumeMounts: [{name: data, mountPath: /d}]}]\n")


@pytest.mark.parametrize("linted", [".", "overlays/prod", "overlays/prod/patches"])
def test_a_patch_named_from_another_directory_is_a_fragment_too(sslint, linted):
    """A kustomization above the patch (patches/ under the overlay) or in a directory the run reads
    (../../common, from the overlay) names it."""
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": statefulset(name="db", service="db", labels="{app: db}", replicas=1),
             "overlays/prod/kustomization.yaml": ("resources: [../../base]\npatches:\n  - path: patches/sidecar.yaml\n"
                                                  "  - path: ../../common/sidecar.yaml\n"),
             "overlays/prod/patches/sidecar.yaml": SIDECAR, "common/sidecar.yaml": SIDECAR}
    run = sslint("--format", "json", "--select", "SS2,SS3", linted, files=files)
    assert run.findings() == [] and run.code == 0


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_kustomize_build_is_traced_back_to_the_source_file(sslint):
    run = sslint("--format", "json", "--select", "SS102", "--kustomize", "overlay", files=KUSTOMIZE)
    [finding] = run.findings()
    assert (finding["file"], finding["line"], finding["column"]) == ("base/sts.yaml", 6, 3)
    assert "StatefulSet prod-db: spec.serviceName 'db-hs' names no Service" in finding["message"]
    assert "did you mean 'prod-db', the headless Service that selects its pods?" in finding["message"]  # the built names, as the cluster will see them


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_overlays_that_build_one_base_alike_give_a_finding_each_that_names_it(sslint):
    """Two clusters' overlays that only patch the replicas build objects of the same names: the base's
    mistake is found in each build, and each finding says which (and is told apart by its fingerprint)."""
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": statefulset(name="db", service="db-hs", labels="{app: db}", replicas=1),
             **{f"overlays/{env}/kustomization.yaml": ("resources: [../../base]\nreplicas: [{name: db, count: 1}]\n")
                for env in ("east", "west")}}
    run = sslint("--format", "json", "--select", "SS102", "--kustomize", "overlays/east", "overlays/west", files=files)
    found = run.findings()
    assert [(f["file"], f["line"], f["column"]) for f in found] == [("base/sts.yaml", 6, 3)] * 2
    assert sorted(f["message"].rsplit(" (", 1)[1] for f in found) == [
        "as overlays/east/kustomization.yaml builds it)", "as overlays/west/kustomization.yaml builds it)"]
    assert len({f["fingerprint"] for f in found}) == 2
    # The sets of two overlays are for two clusters (or namespaces): they never meet (no SS404 between them),
    # and each is pointed at its own build's Service.
    files["base/kustomization.yaml"] = "resources: [sts.yaml, svc.yaml]\n"
    files["base/svc.yaml"] = "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {clusterIP: None, selector: {app: db}}\n"
    for env in ("east", "west"):
        files[f"overlays/{env}/kustomization.yaml"] = f"resources: [../../base]\nnamePrefix: {env}-\n"
    apart = sslint("--format", "json", "--select", "SS1,SS4", "--kustomize", "overlays/east", "overlays/west", files=files)
    assert sorted((f["rule"], f["message"].split(":")[0], f["message"].split("did you mean ")[1][:9])
                  for f in apart.findings()) == [("SS102", "StatefulSet east-db", "'east-db'"),
                                                 ("SS102", "StatefulSet west-db", "'west-db'")]


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_a_value_an_overlays_patch_sets_is_reported_in_the_patch(sslint):
    """Atlantis's dev overlay gives the base's set its serviceName; another overlay raises its replicas:
    the finding is at the patch's key, not at the base's `spec:` or at its `replicas: 1`."""
    patch = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec:\n  {}\n"
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": statefulset(name="db", service=None, labels="{app: db}", replicas=1),
             "overlays/dev/kustomization.yaml": "resources: [../../base]\npatches:\n  - path: name.yaml\n  - path: size.yaml\n",
             "overlays/dev/name.yaml": patch.format("serviceName: db-hs"),
             "overlays/dev/size.yaml": patch.format("replicas: 3")}
    run = sslint("--format", "json", "--select", "SS102,SS401,SS406", "--kustomize", "overlays/dev", files=files)
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in run.findings()] == [
        ("SS102", "overlays/dev/name.yaml", 6, 3), ("SS401", "overlays/dev/size.yaml", 6, 3)]
    files["overlays/dev/kustomization.yaml"] += "  - path: again.yaml\n"  # two patches set it: the last listed wins
    files["overlays/dev/again.yaml"] = patch.format("replicas: 3")
    run = sslint("--format", "json", "--select", "SS401", "--kustomize", "overlays/dev", files=files)
    assert [(f["file"], f["line"]) for f in run.findings()] == [("overlays/dev/again.yaml", 6)]
    files["base/sts.yaml"] = files["base/sts.yaml"].replace("replicas: 1", "replicas: 3")  # the patch's value: the base's
    run = sslint("--format", "json", "--select", "SS401", "--kustomize", "overlays/dev", files=files)
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in run.findings()] == [("SS401", "base/sts.yaml", 6, 3)]


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_a_patch_is_matched_by_the_whole_name_and_list_items_by_theirs(sslint):
    """db-replica's patch is not db's (a name holds the other), and a volume a patch adds is the patch's
    item of that name, wherever the build puts it in the list."""
    patch = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {}\nspec:\n  {}\n"
    template = ("  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec: {accessModes: [ReadWriteOnce], "
                "resources: {requests: {storage: 1Gi}}}\n")
    volumes = "\n      volumes:\n        - name: cfg\n          emptyDir: {}"
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": docs(statefulset(name="db", service="db", labels="{app: db}", replicas=1, extra=volumes)
                                   .replace("nginx:1.27", "nginx:1.27\n          volumeMounts: [{name: cfg, mountPath: /c}]")
                                   + template,
                                   statefulset(name="db-replica", service="db", labels="{app: dbr}", replicas=1)),
             "ov/kustomization.yaml": "resources: [../base]\npatches:\n  - path: replica.yaml\n  - path: db.yaml\n"
                                      "  - path: vol.yaml\n",
             "ov/replica.yaml": patch.format("db-replica", "replicas: 2"),
             "ov/db.yaml": patch.format("db", "replicas: 2"),
             "ov/vol.yaml": patch.format("db", "template:\n    spec:\n      volumes:\n        - name: data\n"
                                               "          persistentVolumeClaim: {claimName: shared}")}
    run = sslint("--format", "json", "--select", "SS401,SS205", "--kustomize", "ov", files=files)
    assert sorted((f["rule"], f["file"], f["line"], f["column"]) for f in run.findings()) == [
        ("SS205", "ov/vol.yaml", 9, 11), ("SS401", "ov/db.yaml", 6, 3), ("SS401", "ov/replica.yaml", 6, 3)]


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
@pytest.mark.parametrize("overlay, where", [
    ({"kustomization.yaml": "resources: [../base]\npatches:\n  - path: ops.yaml\n    target: {kind: StatefulSet, name: db}\n",
      "ops.yaml": "- op: add\n  path: /metadata/labels\n  value: {tier: db}\n- op: replace\n  path: /spec/replicas\n  value: 3\n"},
     ("ov/ops.yaml", 6, 3)),  # a JSON patch's operation: its value
    ({"kustomization.yaml": "resources: [../base]\nreplicas:\n  - name: db\n    count: 3\n"},
     ("ov/kustomization.yaml", 4, 5)),  # the kustomization's replicas field
    ({"kustomization.yaml": "resources: [../base]\npatches:\n  - path: any.yaml\n    target: {kind: StatefulSet, name: db}\n",
      "any.yaml": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: not-important}\nspec:\n  replicas: 3\n"},
     ("ov/any.yaml", 5, 3)),  # a patch its entry aims, whatever it calls the object
    ({"kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../base]\n"
                            "replicas: [{name: db, count: 3}]\n"},
     ("ov/kustomization.yaml", 4, 23)),  # a kustomization that says its kind
    ({"kustomization.yaml": "resources: [../base]\npatches:\n  - path: ops.yaml\n    target: {kind: StatefulSet, name: 'd.*'}\n",
      "ops.yaml": "- {op: add, path: '/spec/template/metadata/labels/\u00b2', value: x}\n- {op: replace, path: /spec/replicas, value: 3}\n"},
     ("ov/ops.yaml", 2, 39)),  # a target's name is a regular expression; a pointer step of other digits is a key
    ({"kustomization.yaml": "resources: [../base, dep.yaml]\nreplicas: [{name: db, count: 3}]\npatches:\n  - path: ops.yaml\n"
                            "    target: {kind: Deployment}\n",
      "dep.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec:\n  replicas: 1\n  selector: "
                  "{matchLabels: {app: dep}}\n  template: {metadata: {labels: {app: dep}}, spec: {containers: [{name: a, image: a}]}}\n",
      "ops.yaml": "- {op: replace, path: /spec/replicas, value: 3}\n"},
     ("ov/kustomization.yaml", 2, 23)),  # an operation aimed at a Deployment is not the set's
    ({"kustomization.yaml": "resources: [../base]\npatchesStrategicMerge:\n  - |-\n    apiVersion: apps/v1\n"
                            "    kind: StatefulSet\n    metadata: {name: db}\n    spec:\n      replicas: 3\n"},
     ("ov/kustomization.yaml", 8, 7)),  # a patch written inline, in a block scalar: at its line in the kustomization
])
def test_where_an_overlay_sets_the_replicas_is_where_they_are_reported(sslint, overlay, where):
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": statefulset(name="db", service="db", labels="{app: db}", replicas=1),
             **{f"ov/{name}": text for name, text in overlay.items()}}
    [finding] = sslint("--format", "json", "--select", "SS401", "--kustomize", "ov", files=files).findings()
    assert (finding["file"], finding["line"], finding["column"]) == where


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_a_container_the_build_adds_or_orders_is_found_where_it_is_written(sslint):
    """A container appended by a JSON patch (`-`) is the operation's, and so is one a patch written inline
    in the kustomization adds (at its line there); two mounts of one volume stay apart."""
    mounts = "\n          volumeMounts:\n            - {name: scratch, mountPath: /a}\n            - {name: scratch, mountPath: /b, subPath: b}"
    base = statefulset(name="db", service="db", labels="{app: db}", replicas=1, extra=mounts)
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n", "base/sts.yaml": base,
             "ov/kustomization.yaml": "resources: [../base]\npatches:\n  - path: add.yaml\n    target: {kind: StatefulSet}\n",
             "ov/add.yaml": "- op: add\n  path: /spec/template/spec/containers/-\n  value:\n    name: extra\n    image: busybox\n"
                            "    volumeMounts: [{name: nope, mountPath: /n}]\n"}
    run = sslint("--format", "json", "--select", "SS202", "--kustomize", "ov", files=files)
    assert [(f["file"], f["line"]) for f in run.findings()] == [("base/sts.yaml", 18), ("base/sts.yaml", 19), ("ov/add.yaml", 6)]
    files["ov/kustomization.yaml"] = ("resources: [../base]\npatches:\n  - patch: |\n      - op: add\n        path: "
                                      "/spec/template/spec/containers/0\n        value: {name: extra, image: b, volumeMounts: "
                                      "[{name: nope, mountPath: /n}]}\n    target: {kind: StatefulSet}\n")
    run = sslint("--format", "json", "--select", "SS202", "--kustomize", "ov", files=files)
    assert [(f["file"], f["line"], f["column"]) for f in run.findings() if "'extra'" in f["message"]] == [
        ("ov/kustomization.yaml", 6, 55)]  # the mount, in `value: {…, volumeMounts: [{name: nope …`


OPS = "- {op: replace, path: /spec/replicas, value: 2}"


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
@pytest.mark.parametrize("patch, where", [
    (f"|\n\n      {OPS}\n", ("ov/kustomization.yaml", 6, 45)),  # a blank first line
    (f"|2\n          # deeper\n      {OPS}\n", ("ov/kustomization.yaml", 6, 45)),  # the indicator gives the indentation
    (f"'[{{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 2}}]'  # 1->2 |\n",
     ("base/sts.yaml", 7, 3)),  # a flow scalar's lines are not the file's, whatever its comment ends with
])
def test_an_inline_patch_is_followed_only_where_its_lines_are_the_files(sslint, patch, where):
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": statefulset(name="db", service="db", labels="{app: db}", replicas=1),
             "ov/kustomization.yaml": f"resources: [../base]\npatches:\n  - target: {{kind: StatefulSet}}\n    patch: {patch}"}
    [finding] = sslint("--format", "json", "--select", "SS401", "--kustomize", "ov", files=files).findings()
    assert (finding["file"], finding["line"], finding["column"]) == where


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_a_level_between_names_the_object_as_the_levels_below_built_it(sslint):
    """top names the set mid-db, the name mid's namePrefix gave it; the built name is top-mid-db-x."""
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": statefulset(name="db", service="db", labels="{app: db}", replicas=1),
             "mid/kustomization.yaml": "resources: [../base]\nnamePrefix: mid-\n",
             "top/kustomization.yaml": "resources: [../mid]\nnamePrefix: top-\nnameSuffix: -x\nreplicas: [{name: mid-db, count: 4}]\n"}
    [finding] = sslint("--format", "json", "--select", "SS401", "--kustomize", "top", files=files).findings()
    assert (finding["file"], finding["line"], finding["column"]) == ("top/kustomization.yaml", 4, 27)
    # A name the object has, as written or built, comes first: b-db's entry is not a-b-db's (written db).
    files = {"base/kustomization.yaml": "resources: [sts.yaml, other.yaml]\n",
             "base/sts.yaml": statefulset(name="db", service="db", labels="{app: db}", replicas=1),
             "base/other.yaml": statefulset(name="b-db", service="db", labels="{app: other}", replicas=1),
             "ov/kustomization.yaml": "resources: [../base]\nnamePrefix: a-b-\nreplicas:\n  - {name: b-db, count: 2}\n"
                                      "  - {name: db, count: 2}\n"}
    run = sslint("--format", "json", "--select", "SS401", "--kustomize", "ov", files=files)
    assert sorted((f["message"].split(" runs")[0], f["line"]) for f in run.findings()) == [
        ("StatefulSet a-b-b-db", 4), ("StatefulSet a-b-db", 5)]


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_an_object_whose_origin_a_patch_erased_is_the_kustomizations(sslint):
    """A JSON patch that sets metadata.annotations whole erases kustomize's origin annotation: the built
    stream's lines are no file's, so the finding is at the kustomization, and what the patch sets is its."""
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": statefulset(name="db", service="db-hs", labels="{app: db}", replicas=1),
             "ov/kustomization.yaml": "resources: [../base]\npatches:\n  - path: ops.yaml\n    target: {kind: StatefulSet}\n",
             "ov/ops.yaml": "- {op: add, path: /metadata/annotations, value: {team: db}}\n- {op: replace, path: /spec/replicas, value: 2}\n"}
    run = sslint("--format", "json", "--select", "SS102,SS401", "--kustomize", "ov", files=files)
    assert [(f["rule"], f["file"], f["line"], f["column"]) for f in run.findings()] == [
        ("SS102", "ov/kustomization.yaml", 1, 1), ("SS401", "ov/ops.yaml", 2, 39)]


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_a_volume_one_overlay_defines_binds_no_claim_of_another(sslint):
    """PersistentVolumes have no namespace: east's volume is still not in west's cluster (SS207)."""
    template = ("  volumeClaimTemplates:\n    - metadata: {name: data}\n      spec: {accessModes: [ReadWriteOnce], "
                "storageClassName: '', resources: {requests: {storage: 1Gi}}}\n")
    volume = ("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: disk}\nspec: {capacity: {storage: 1Gi}, "
              "accessModes: [ReadWriteOnce], hostPath: {path: /d}}\n")
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": statefulset(name="db", service="db", labels="{app: db}", replicas=1) + template,
             "overlays/east/kustomization.yaml": "resources: [../../base, pv.yaml]\n", "overlays/east/pv.yaml": volume,
             "overlays/west/kustomization.yaml": "resources: [../../base]\n"}
    run = sslint("--format", "json", "--select", "SS207", "--kustomize", "overlays/east", "overlays/west", files=files)
    assert [f["message"].rsplit("(as ", 1)[1] for f in run.findings()] == ["overlays/west/kustomization.yaml builds it)"]


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_kustomize_traces_the_places_a_finding_relates_to(sslint):
    """The Service a finding names is shown where its source file has it, not at the built stream's line."""
    files = {**KUSTOMIZE, "base/sts.yaml": statefulset(name="db", service="db", labels="{app: db}", replicas=1),
             "base/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec:\n  selector: {app: db}\n"}
    [finding] = sslint("--format", "json", "--select", "SS103", "--kustomize", "overlay", files=files).findings()
    assert (finding["file"], finding["line"]) == ("base/sts.yaml", 6)
    assert [(r["file"], r["line"], r["column"]) for r in finding["related"]] == [("base/svc.yaml", 4, 1)]


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_a_set_an_overlay_renames_is_traced_to_the_one_set_of_its_file(sslint):
    """A JSON patch replaces /metadata/name (Agoric's instagoric): the built name holds no name of the base."""
    files = {"base/kustomization.yaml": "resources: [sts.yaml]\n",
             "base/sts.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n---\n"
                               + statefulset(name="node", service="node-hs", labels="{app: node}", replicas=1)),
             "overlay/kustomization.yaml": ("resources: [../base]\npatches:\n  - target: {kind: StatefulSet, name: node}\n"
                                            "    patch: |-\n      - op: replace\n        path: /metadata/name\n"
                                            "        value: seed\n")}
    [finding] = sslint("--format", "json", "--select", "SS102", "--kustomize", "overlay", files=files).findings()
    assert (finding["file"], finding["line"], finding["column"]) == ("base/sts.yaml", 10, 3)  # its serviceName, not 1:1


def test_a_failing_kustomize_build_says_how_to_see_the_whole_error(sslint, tmp_path, monkeypatch):
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "kustomize").write_text("#!/bin/sh\necho 'Error: accumulating resources: missing.yaml' >&2\nexit 1\n")
    (tools / "kustomize").chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))  # no kubectl: kustomize build
    run = sslint("--format", "json", "--kustomize", "overlay", files=KUSTOMIZE)
    assert [(f["file"], f["rule"], f["message"], f["fix"]) for f in run.findings() if f["rule"] == "SS001"] == [(
        "overlay/kustomization.yaml", "SS001", "kustomize build failed: Error: accumulating resources: missing.yaml",
        "Run `kustomize build overlay` to see the whole error, and correct the kustomization or the files it names.",
    )]


def test_kubectls_quoted_error_is_told_by_its_last_words(sslint, tmp_path, monkeypatch):
    """kubectl (klog) quotes a multi-line error between `err=<` and a lone `>`."""
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "kubectl").write_text("#!/bin/sh\nprintf 'E1127 run.go:72] \"command failed\" err=<\\n\\ttrouble configuring "
                                   "builtin PatchTransformer with config: `\\n\\t`: unable to parse SM or JSON patch\\n >\\n' >&2\n"
                                   "exit 1\n")
    (tools / "kubectl").chmod(0o755)
    monkeypatch.setenv("PATH", str(tools))
    [finding] = [f for f in sslint("--format", "json", "--kustomize", "overlay", files=KUSTOMIZE).findings() if f["rule"] == "SS001"]
    assert finding["message"] == "kustomize build failed: unable to parse SM or JSON patch"


@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_kustomize_on_a_directory_without_a_kustomization_says_so(sslint):
    run = sslint("--format", "json", "--kustomize", "overlay", "base/sts.yaml", files={**KUSTOMIZE, "overlay/kustomization.yaml": "",
                                                                                  "plain/x.yaml": "a: 1\n"})
    assert run.json["notices"] == []
    run = sslint("--format", "json", "--kustomize", "plain", files={"plain/x.yaml": "a: 1\n"})
    assert run.json["notices"] == ["--kustomize: plain holds no kustomization, so its files are linted as they are"]


def test_kustomize_without_kubectl_is_exit_2(sslint, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    run = sslint("--kustomize", "overlay", files=KUSTOMIZE)
    assert run.code == 2 and "--kustomize needs kubectl (or kustomize) on PATH" in run.err


@pytest.mark.parametrize("kustomization", ["patches: x\n", "patches: {path: x}\n", "patchesJson6902: 3\n", "patches: [\n"])
def test_a_kustomization_above_the_linted_files_in_another_shape_is_passed_over(sslint, kustomization):
    files = {"kustomization.yaml": kustomization, "k8s/sts.yaml": statefulset(name="db", service="db", labels="{app: db}")}
    run = sslint("--format", "json", "--select", "SS102", "k8s", files=files)
    assert run.code == 1 and [f["rule"] for f in run.findings()] == ["SS102"] and not run.err


def test_a_file_linted_alone_sees_the_resources_its_kustomization_builds_from(sslint):
    """pre-commit passes the changed file alone: the Service and budget that its kustomization takes from
    ../shared (through a base that names the other back: no loop) are context, and remote ones are not fetched."""
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: kafka-hs}\nspec: {clusterIP: None, selector: {app: kafka}}\n"
    files = {"base/kustomization.yaml": ("resources:\n  - sts.yaml\n  - ../shared\n"
                                         "  - https://github.com/example/kafka//config?ref=v1\n  - github.com/example/x\n"),
             "base/sts.yaml": statefulset(name="kafka", service="kafka-hs", labels="{app: kafka}", replicas=1),
             "shared/kustomization.yaml": "resources: [svc.yaml, ../base]\n",
             "shared/svc.yaml": service}
    assert sslint("--format", "json", "--select", "SS1", "base/sts.yaml", files=files).findings() == []
    files["base/kustomization.yaml"] = "resources: [sts.yaml]\n"
    [finding] = sslint("--format", "json", "--select", "SS1", "base/sts.yaml", files=files).findings()
    assert (finding["file"], finding["rule"]) == ("base/sts.yaml", "SS102")


def test_a_kustomization_naming_a_symlink_loop_or_an_excluded_resource(sslint, tmp_path):
    """A patch or resource that is a symlink loop names nothing (Python 3.11 raises RuntimeError on it), and
    the config's `exclude` keeps a resource out of the context as it keeps it out of the targets."""
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: kafka-hs}\nspec: {clusterIP: None, selector: {app: kafka}}\n"
    files = {"base/kustomization.yaml": "resources: [sts.yaml, loop, ../shared/svc.yaml]\npatches: [{path: loop}]\n",
             "base/sts.yaml": statefulset(name="kafka", service="kafka-hs", labels="{app: kafka}", replicas=1),
             "shared/svc.yaml": service}
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "loop").symlink_to("loop")
    assert sslint("--format", "json", "--select", "SS1", "base/sts.yaml", files=files).findings() == []
    run = sslint("--format", "json", "--select", "SS1", "base/sts.yaml", files={**files, ".sslint.yaml": "exclude: [shared/*]\n"})
    assert [f["rule"] for f in run.findings()] == ["SS102"]



@pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None, reason="no kubectl")
def test_a_built_object_is_traced_to_the_source_object_whose_name_it_holds_most_of(sslint):
    """prod-redis-replicas holds both 'redis' and 'redis-replicas': its finding belongs to the second."""
    replicas = statefulset(name="redis-replicas", service="redis", labels="{app: replicas}", replicas=1).replace(
        "image: nginx:1.27", "image: nginx:1.27\n          volumeMounts: [{name: dta, mountPath: /data}]")
    files = {"base/kustomization.yaml": "resources: [redis.yaml]\n",
             "base/redis.yaml": docs(statefulset(name="redis", service="redis", labels="{app: redis}", replicas=1), replicas,
                                     "apiVersion: v1\nkind: Service\nmetadata: {name: redis}\nspec: {clusterIP: None, selector: {app: redis}}\n"),
             "overlay/kustomization.yaml": "resources: [../base]\nnamePrefix: prod-\n"}
    [finding] = sslint("--format", "json", "--select", "SS202", "--kustomize", "overlay", files=files).findings()
    assert (finding["file"], finding["line"]) == ("base/redis.yaml", 34)
    # with nameSuffix -replicas, the built redis-replicas is redis: the suffix that explains every built name
    files["overlay/kustomization.yaml"] = "resources: [../base]\nnameSuffix: -replicas\n"
    files["base/redis.yaml"] = files["base/redis.yaml"].replace("image: nginx:1.27\n", "image: nginx:1.27\n          volumeMounts: [{name: dtb, mountPath: /d}]\n", 1)
    found = sslint("--format", "json", "--select", "SS202", "--kustomize", "overlay", files=files).findings()
    assert sorted((f["message"].split(":")[0], f["line"]) for f in found) == [
        ("StatefulSet redis-replicas", 17), ("StatefulSet redis-replicas-replicas", 35)]
