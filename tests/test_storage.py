"""SS201–SS208: the traps real projects set on purpose stay quiet; the mistakes are found, precisely."""

import pytest

from conftest import docs


def workload(kind="StatefulSet", name="db", replicas="3", volumes="", templates="", mounts="[{name: data, mountPath: /data}]",
             init="", namespace=None, extra_spec=""):
    replicas_line = f"\n  replicas: {replicas}" if replicas is not None else ""
    ns = f"\n  namespace: {namespace}" if namespace else ""
    service = "\n  serviceName: db" if kind == "StatefulSet" else ""
    return f"""apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}{ns}
spec:{service}{replicas_line}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:{init}
      containers:
        - name: main
          image: example/db:1
          volumeMounts: {mounts}{volumes}{templates}{extra_spec}
"""


CLAIM_VOLUME = "\n      volumes:\n        - name: data\n          persistentVolumeClaim: {claimName: shared}"
DATA_TEMPLATE = """
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}"""


def pvc(modes="[ReadWriteOnce]", name="shared", namespace=None):
    ns = f", namespace: {namespace}" if namespace else ""
    return f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: {name}{ns}}}\nspec:\n  accessModes: {modes}\n"


def hpa(target="db", kind="StatefulSet", maximum=5, namespace=None):
    ns = f", namespace: {namespace}" if namespace else ""
    return (f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: {target}{ns}}}\n"
            f"spec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: {kind}, name: {target}}}\n  maxReplicas: {maximum}\n")


def lint(sslint, *documents, select="SS2", version=None):
    args = ["--format", "json", "--select", select, "--fail-on", "never"]
    if version:
        args += ["--kubernetes-version", version]
    return sslint(*args, files={"m.yaml": docs(*documents)})


def rules(run):
    return [f["rule"] for f in run.findings()]


class TestSharedClaim:
    def test_statefulset_error_points_at_the_claim_name(self, sslint):
        run = lint(sslint, workload(volumes=CLAIM_VOLUME), pvc())
        [finding] = run.findings()
        assert (finding["rule"], finding["severity"], finding["line"], finding["column"]) == ("SS201", "error", 20, 35)
        assert "StatefulSet db: all 3 replicas mount the same PersistentVolumeClaim 'shared'" in finding["message"]
        assert "Multi-Attach" in finding["message"] and "volumeClaimTemplates" in finding["fix"]
        assert [r["message"] for r in finding["related"]] == ["PersistentVolumeClaim shared, the shared claim"]

    @pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet"])
    def test_other_kinds_are_warnings_with_their_own_fix(self, sslint, kind):
        [finding] = lint(sslint, workload(kind=kind, volumes=CLAIM_VOLUME)).findings()
        assert finding["severity"] == "warning" and "StatefulSet and volumeClaimTemplates" in finding["fix"]

    def test_replication_controller_selector_is_a_plain_map(self, sslint):
        rc = workload(kind="ReplicationController", volumes=CLAIM_VOLUME).replace("apps/v1", "v1").replace(
            "    matchLabels: {app: db}", "    app: db")
        assert rules(lint(sslint, rc)) == ["SS201"]

    @pytest.mark.parametrize(
        "kind, modes, flagged",
        [
            ("Deployment", "[ReadWriteMany]", False),
            ("StatefulSet", "[ReadWriteMany]", True),
            ("StatefulSet", "[ReadOnlyMany]", False),
            ("Deployment", "[ReadWriteOnce, ReadOnlyMany]", False),
            ("Deployment", "[ReadWriteOncePod]", True),
        ],
    )
    def test_access_modes_of_the_claim_in_the_model(self, sslint, kind, modes, flagged):
        run = lint(sslint, workload(kind=kind, volumes=CLAIM_VOLUME), pvc(modes))
        assert rules(run) == (["SS201"] if flagged else [])
        if modes == "[ReadWriteOncePod]":
            assert "never schedule" in run.findings()[0]["message"]

    @pytest.mark.parametrize("replicas", [None, "1", "0", "'3'"])
    def test_one_replica_unset_or_unknown_is_quiet(self, sslint, replicas):
        assert rules(lint(sslint, workload(kind="Deployment", replicas=replicas, volumes=CLAIM_VOLUME))) == []

    def test_an_autoscaler_that_can_scale_past_one_counts(self, sslint):
        run = lint(sslint, workload(kind="Deployment", replicas=None, volumes=CLAIM_VOLUME), hpa(kind="Deployment"))
        [finding] = run.findings()
        assert "up to 5 replicas (by HorizontalPodAutoscaler db)" in finding["message"]
        assert finding["related"][0]["message"] == "HorizontalPodAutoscaler db, scaling Deployment db"

    def test_an_autoscaler_in_another_namespace_or_capped_at_one_does_not(self, sslint):
        sts = workload(replicas="1", volumes=CLAIM_VOLUME, namespace="a")
        assert rules(lint(sslint, sts, hpa(namespace="b"), hpa(target="db", maximum=1))) == []

    def test_a_claim_in_another_namespace_is_not_this_claim(self, sslint):
        run = lint(sslint, workload(kind="Deployment", volumes=CLAIM_VOLUME, namespace="a"), pvc("[ReadWriteMany]", namespace="b"))
        assert rules(run) == ["SS201"]

    def test_a_volume_shadowed_by_a_claim_template_is_ss205_not_ss201(self, sslint):
        run = lint(sslint, workload(volumes="\n      volumes:\n        - name: data\n          persistentVolumeClaim: {claimName: data}",
                                    templates=DATA_TEMPLATE))
        assert rules(run) == ["SS205"]
        [finding] = run.findings()
        assert (finding["line"], finding["column"]) == (19, 11)
        assert (finding["related"][0]["line"], finding["related"][0]["column"]) == (22, 18)  # the template's name
        assert finding["fix"] == "Remove the pod volume 'data': the claim template already provides a volume of that name to every pod."

    @pytest.mark.parametrize("claim", ["{claimName: ''}", "{}"])
    def test_a_placeholder_volume_for_the_claim_template_is_not_reported(self, sslint, claim):
        """CockroachDB's operator writes the template's volume with an empty claimName, for the controller to fill."""
        run = lint(sslint, workload(volumes=f"\n      volumes:\n        - name: data\n          persistentVolumeClaim: {claim}",
                                    templates=DATA_TEMPLATE))
        assert rules(run) == []
        read_only = workload(volumes="\n      volumes:\n        - name: data\n          persistentVolumeClaim: {readOnly: true}",
                             templates=DATA_TEMPLATE)
        assert rules(lint(sslint, read_only)) == ["SS205"]  # the controller's volume is not read-only: that is lost

    def test_fragments_are_skipped(self, sslint):
        patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec:\n  replicas: 4\n"
        assert rules(lint(sslint, patch)) == []


class TestMountsAndTemplates:
    def test_mount_of_nothing_in_an_ephemeral_container_and_a_device(self, sslint):
        extra = """
      ephemeralContainers:
        - name: debug
          image: busybox
          volumeDevices: [{name: raw, devicePath: /dev/xvda}]"""
        run = lint(sslint, workload(templates=DATA_TEMPLATE, extra_spec="").replace(
            "          volumeMounts: [{name: data, mountPath: /data}]",
            "          volumeMounts: [{name: data, mountPath: /data}]" + extra))
        [finding] = run.findings()
        assert finding["rule"] == "SS202" and "container 'debug' mounts 'raw'" in finding["message"]
        assert (finding["line"], finding["column"]) == (21, 27)

    @pytest.mark.parametrize("kind, version, words", [
        ("StatefulSet", "1.33", "every pod fails to be created"),
        ("StatefulSet", "1.34", "the API server rejects the manifest"),
        ("Deployment", "1.25", "the API server rejects the manifest"),
    ])
    def test_undefined_mount_consequence_depends_on_kind_and_version(self, sslint, kind, version, words):
        [finding] = lint(sslint, workload(kind=kind), version=version).findings()
        assert finding["rule"] == "SS202" and words in finding["message"] and "(none is defined)" in finding["message"]

    def test_template_mounted_only_by_an_init_container_is_used(self, sslint):
        init = "\n      initContainers:\n        - name: init\n          image: busybox\n          volumeMounts: [{name: data, mountPath: /d}]"
        assert rules(lint(sslint, workload(mounts="[]", templates=DATA_TEMPLATE, init=init))) == []

    def test_unused_template_names_the_misspelt_mount(self, sslint):
        run = lint(sslint, workload(mounts="[{name: dat, mountPath: /data}]", templates=DATA_TEMPLATE))
        assert sorted(rules(run)) == ["SS202", "SS203"]
        [unused] = run.findings("SS203")
        assert "the mount 'dat' names nothing: a misspelling?" in unused["message"]
        assert (unused["line"], unused["column"]) == (19, 7)

    def test_a_mount_of_another_claim_template_is_no_stray(self, sslint):
        """'data' is mounted and 'wal' is not: 'data' names a template, so no mount is offered as its misspelling."""
        wal = DATA_TEMPLATE + DATA_TEMPLATE.replace("  volumeClaimTemplates:\n", "").replace("name: data", "name: wal")
        [unused] = lint(sslint, workload(templates=wal), select="SS203").findings()
        assert unused["message"].endswith("is provisioned for every pod")

    def test_fragment_adding_a_claim_template_is_quiet(self, sslint):
        patch = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  volumeClaimTemplates:\n"
                 "    - metadata: {name: backup}\n      spec:\n        resources: {requests: {storage: 20Gi}}\n")
        assert rules(lint(sslint, patch)) == []

    def test_fragment_values_are_still_checked(self, sslint):
        patch = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  volumeClaimTemplates:\n"
                 "    - metadata: {name: backup}\n      spec:\n        resources: {requests: {storage: lots}}\n")
        assert rules(lint(sslint, patch)) == ["SS204"]

    @pytest.mark.parametrize(
        "template_spec, words, position",
        [
            ("{accessModes: [ReadWriteOncePod, ReadWriteOnce], resources: {requests: {storage: 1Gi}}}",
             "combines ReadWriteOncePod with other access modes", (20, 14)),
            ("{accessModes: [ReadWriteOnce], resources: {requests: {storage: 0}}}", "requests storage 0, which is not positive", (20, 67)),
            ("{accessModes: [], resources: {requests: {storage: 1Gi}}}", "has no accessModes", (20, 7)),
            ("{resources: {requests: {storage: 1Gi}}}", "has no accessModes", (20, 7)),
        ],
    )
    def test_invalid_templates(self, sslint, template_spec, words, position):
        template = f"\n  volumeClaimTemplates:\n    - metadata: {{name: data}}\n      spec: {template_spec}"
        [finding] = lint(sslint, workload(templates=template), select="SS204").findings()
        assert words in finding["message"] and (finding["line"], finding["column"]) == position

    def test_template_name_must_be_a_dns_label(self, sslint):
        template = DATA_TEMPLATE.replace("{name: data}", "{name: Data_1}")
        run = lint(sslint, workload(mounts="[{name: Data_1, mountPath: /d}]", templates=template), select="SS204")
        [finding] = run.findings()
        assert "not a DNS-1123 label" in finding["message"] and (finding["line"], finding["column"]) == (19, 18)


class TestRetentionAndProvisioning:
    def test_both_retention_fields(self, sslint):
        policy = "\n  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete, whenDeleted: Delete}"
        run = lint(sslint, workload(templates=DATA_TEMPLATE, extra_spec=policy), select="SS206")
        assert [(f["line"], f["column"]) for f in run.findings()] == [(23, 42), (23, 62)]
        assert run.findings()[0]["message"].endswith("deleted when the set scales down; scaling up again starts from empty volumes")
        assert run.findings()[1]["message"].endswith("deleted when the StatefulSet is deleted; recreating the set starts from "
                                                     "empty volumes")
        # Before 1.27 the cluster drops the policy (SS306 says so): nothing is deleted.
        assert lint(sslint, workload(templates=DATA_TEMPLATE, extra_spec=policy), select="SS206", version="1.26").findings() == []

    @staticmethod
    def static_set(replicas="2", selector=""):
        template = DATA_TEMPLATE.replace("accessModes: [ReadWriteOnce]", f'accessModes: [ReadWriteOnce]\n        storageClassName: ""{selector}')
        return workload(replicas=replicas, templates=template)

    @staticmethod
    def pv(name, size="1Gi", extra=""):
        return (f"apiVersion: v1\nkind: PersistentVolume\nmetadata: {{name: {name}, labels: {{disk: ssd}}}}\nspec:\n"
                f"  capacity: {{storage: {size}}}\n  accessModes: [ReadWriteOnce]{extra}\n")

    @pytest.mark.parametrize(
        "volumes, missing",
        [
            ([("a", "1Gi", ""), ("b", "2Gi", "")], 0),
            ([("a", "1Gi", ""), ("b", "512Mi", "")], 1),
            ([("a", "1Gi", ""), ("b", "1Gi", "\n  storageClassName: fast")], 1),
            ([("a", "1Gi", ""), ("b", "1Gi", "\n  claimRef: {name: other}")], 1),
            ([("a", "1Gi", ""), ("b", "1Gi", "\n  claimRef: {name: data-db-1}")], 0),
            ([("a", "1Gi", ""), ("b", "1Gi", "\n  volumeMode: Block")], 1),
            ([], 2),
        ],
    )
    def test_counting_volumes_that_can_bind(self, sslint, volumes, missing):
        run = lint(sslint, self.static_set(), *[self.pv(*v) for v in volumes], select="SS207")
        findings = run.findings()
        assert len(findings) == (1 if missing else 0)
        if missing:
            assert f"so {missing} pod" in findings[0]["message"] and (findings[0]["line"], findings[0]["column"]) == (22, 9)

    @pytest.mark.parametrize("version, missing", [("1.37", 0), ("1.26", 2)])
    def test_claims_are_numbered_from_ordinals_start(self, sslint, version, missing):
        """Pre-bound volumes for a set moved from another cluster (KEP-3335): data-db-3 and data-db-4. Before
        1.27 the cluster drops ordinals, and the claims are data-db-0 and data-db-1."""
        sts = self.static_set().replace("  replicas: 2", "  replicas: 2\n  ordinals: {start: 3}")
        volumes = [self.pv(n, extra=f"\n  claimRef: {{name: data-db-{n}}}") for n in (3, 4)]
        findings = lint(sslint, sts, *volumes, select="SS207", version=version).findings()
        assert [f"so {missing} pods stay Pending" in f["message"] for f in findings] == ([True] if missing else [])

    def test_with_no_volume_in_the_manifests_the_finding_allows_for_ones_made_elsewhere(self, sslint):
        """An administrator may create the volumes apart from the application: the finding says what must exist."""
        [alone] = lint(sslint, self.static_set("1"), select="SS207").findings()
        assert alone["message"].endswith("its replica needs a PersistentVolume without a class, with ReadWriteOnce and at "
                                         "least 1Gi; the manifests define no PersistentVolume, so 1 pod stays Pending "
                                         "unless 1 matching PersistentVolume exists in the cluster")
        assert alone["fix"].startswith("Make sure 1 matching PersistentVolume exists (defined with these manifests")
        [short] = lint(sslint, self.static_set("3"), self.pv("a", "512Mi"), select="SS207").findings()
        assert short["message"].endswith("each of the 3 replicas needs a PersistentVolume without a class, with ReadWriteOnce "
                                         "and at least 1Gi; the manifests define 0 that can bind, so 3 pods stay Pending")
        assert short["fix"] == "Create 3 more matching PersistentVolumes, or set storageClassName to a class with a provisioner."

    def test_claims_the_set_has_bound_already_need_no_volume(self, sslint):
        """A dump of a namespace holds the set's bound claims, and no PersistentVolume (they are cluster-scoped)."""
        def claim(n, bound="\n  volumeName: pv-#"):  # (read from the cluster: a manifest's volumeName only asks for a volume)
            return (f"apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {{name: data-db-{n}, resourceVersion: '7'}}\n"
                    f"spec:\n  storageClassName: ''{bound.replace('#', str(n))}\n")
        assert lint(sslint, self.static_set("2"), claim(0), claim(1), select="SS207").findings() == []
        [finding] = lint(sslint, self.static_set("3"), claim(0), claim(1, "\nstatus: {phase: Bound}"), claim(2, ""),
                         select="SS207").findings()
        assert finding["message"].endswith("2 of its claims are bound already, and the manifests define no PersistentVolume, "
                                           "so 1 pod stays Pending unless 1 matching PersistentVolume exists in the cluster")
        asked = claim(0).replace(", resourceVersion: '7'", "")  # a manifest's claim that names a volume binds nothing yet
        assert "the manifests define no PersistentVolume, so 2 pods stay" in lint(sslint, self.static_set("2"), asked,
                                                                                  select="SS207").findings()[0]["message"]

    def test_claim_names_are_told_by_their_form_at_any_scale(self, sslint):
        """Two billion replicas: the names of their claims are never listed (that filled memory)."""
        sts = self.static_set(replicas="2000000000")
        reserved = self.pv("a", extra="\n  claimRef: {name: data-db-1999999999}")
        [finding] = lint(sslint, sts, reserved, self.pv("b", extra="\n  claimRef: {name: data-db-02}"), select="SS207").findings()
        assert "define 1 that can bind, so 1999999999 pods stay Pending" in finding["message"]

    def test_a_volume_reserved_for_a_claim_of_another_namespace_cannot_bind(self, sslint):
        sts = self.static_set("1").replace("  name: db\n", "  name: db\n  namespace: prod\n", 1)
        mine, theirs = (self.pv(n, extra=f"\n  claimRef: {{namespace: {ns}, name: data-db-0}}") for n, ns in (("a", "prod"), ("b", "test")))
        assert rules(lint(sslint, sts, mine, select="SS207")) == [] and rules(lint(sslint, sts, theirs, select="SS207")) == ["SS207"]

    def test_claim_selector_must_select_the_volume(self, sslint):
        selector = "\n        selector: {matchLabels: {disk: hdd}}"
        run = lint(sslint, self.static_set("1", selector), self.pv("a"), select="SS207")
        assert rules(run) == ["SS207"]

    def test_dynamic_provisioning_is_not_counted(self, sslint):
        assert rules(lint(sslint, workload(templates=DATA_TEMPLATE), select="SS207")) == []


def test_unused_pod_volume_is_info_and_devices_count_as_use(sslint):
    volumes = "\n      volumes:\n        - {name: data, emptyDir: {}}\n        - {name: disk, emptyDir: {}}\n        - {name: spare, emptyDir: {}}"
    mounts = "[{name: data, mountPath: /d}]\n          volumeDevices: [{name: disk, devicePath: /dev/x}]"
    [finding] = lint(sslint, workload(kind="Deployment", mounts=mounts, volumes=volumes)).findings()
    assert (finding["rule"], finding["severity"], finding["line"]) == ("SS208", "info", 21)
    assert "pod volume 'spare' is mounted by no container" in finding["message"]


@pytest.mark.parametrize("annotation", [
    """sidecar.istio.io/userVolumeMount: '{"certs": {"mountPath": "/etc/certs"}, "state": {"mountPath": "/s"}}'""",
    """sidecar.istio.io/userVolumeMount: '[{"name": "certs", "mountPath": "/etc/certs"}, {"name": "state", "mountPath": "/s"}]'""",
    """consul.hashicorp.com/consul-sidecar-user-volume-mount: '[{"name": "certs", "mountPath": "/c"}, {"name": "state", "mountPath": "/s"}]'""",
    """dapr.io/volume-mounts: "certs:/mnt/certs, state:/mnt/state\"""",
])
def test_a_volume_an_injected_sidecar_mounts_is_in_use(sslint, annotation):
    """Istio, Consul and Dapr mount pod volumes (and claims) in the sidecar they add, as an annotation asks:
    neither SS208 nor SS203 speaks of those, and a volume the annotation does not name is still unused."""
    volumes = "\n      volumes:\n        - {name: certs, emptyDir: {}}\n        - {name: spare, emptyDir: {}}"
    state = DATA_TEMPLATE.replace("name: data", "name: state")
    sts = workload(volumes=volumes, templates=DATA_TEMPLATE + state.replace("  volumeClaimTemplates:\n", ""))
    sts = sts.replace("      labels: {app: db}\n", f"      labels: {{app: db}}\n      annotations:\n        {annotation}\n", 1)
    [finding] = lint(sslint, sts, select="SS203,SS208").findings()
    assert (finding["rule"], finding["line"]) == ("SS208", 22)
    assert "pod volume 'spare'" in finding["message"]


@pytest.mark.parametrize("value", ["certs", "'" + "[" * 100_000 + "'"])
def test_an_injector_annotation_that_is_not_json_mounts_nothing(sslint, value):
    """Not JSON, or nested deeper than the interpreter reads: no mount, and no internal error."""
    volumes = "\n      volumes:\n        - {name: certs, emptyDir: {}}"
    sts = workload(kind="Deployment", volumes=volumes).replace(
        "      labels: {app: db}\n", f"      labels: {{app: db}}\n      annotations:\n        sidecar.istio.io/userVolumeMount: {value}\n", 1)
    run = lint(sslint, sts, select="SS208")
    assert rules(run) == ["SS208"] and run.code == 0


def test_in_a_dump_of_a_cluster_the_replica_sets_a_deployment_owns_are_not_reported_again(sslint):
    """`kubectl get deploy,rs -o yaml`: a ReplicaSet whose owner is in the model repeats its template; the
    Deployment's finding is the one (the Deployment documentation: do not manage ReplicaSets it owns)."""
    volumes = "\n      volumes:\n        - {name: data, emptyDir: {}}\n        - {name: spare, emptyDir: {}}"
    deployment = workload(kind="Deployment", name="api", volumes=volumes).replace("  name: api\n", "  name: api\n  uid: u-api\n", 1)
    owned = workload(kind="ReplicaSet", name="api-7b9d5c8f46", volumes=volumes).replace(
        "  name: api-7b9d5c8f46\n", "  name: api-7b9d5c8f46\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, "
        "name: api, uid: u-api, controller: true}]\n", 1)
    orphan = owned.replace("uid: u-api,", "uid: u-gone,")  # (an owner that is not in the model)
    run = lint(sslint, deployment, owned, orphan, select="SS208")
    assert [(f["object"]["kind"], f["object"]["name"]) for f in run.findings()] == [
        ("Deployment", "api"), ("ReplicaSet", "api-7b9d5c8f46")]
    assert [f["line"] for f in run.findings()] == [20, 62]
    # an operator's set (owned by a Prometheus, which no rule checks) is checked itself
    prometheus = "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, uid: u-prom}\nspec: {}\n"
    by_operator = owned.replace("kind: Deployment, name: api, uid: u-api", "kind: Prometheus, name: k8s, uid: u-prom")
    assert len(lint(sslint, prometheus, by_operator, select="SS208").findings()) == 1

