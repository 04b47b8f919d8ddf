"""SS301–SS307: what the API server rejects, and what a cluster version silently drops."""

import pytest

from conftest import statefulset
from sslint import versions


def lint(sslint, text, select="SS3", version=None):
    args = ["--format", "json", "--select", select, "--fail-on", "never"]
    if version:
        args += ["--kubernetes-version", version]
    return sslint(*args, files={"m.yaml": text})


def found(run):
    return [(f["rule"], f["line"], f["column"]) for f in run.findings()]


class TestSelector:
    @pytest.mark.parametrize("api, required", [("apps/v1beta1", False), ("apps/v1beta2", True)])
    def test_only_the_oldest_api_versions_default_the_selector(self, sslint, api, required):
        text = statefulset().replace("apps/v1", api).replace("  selector:\n    matchLabels: {app: web}\n", "")
        assert [rule for rule, *_ in found(lint(sslint, text, select="SS301"))] == (["SS301"] if required else [])

    def test_empty_selector(self, sslint):
        text = statefulset().replace("    matchLabels: {app: web}\n", "    matchLabels: {}\n")
        [finding] = lint(sslint, text, select="SS301").findings()
        assert "spec.selector is empty" in finding["message"] and (finding["line"], finding["column"]) == (8, 3)

    @pytest.mark.parametrize("operator, values, ok", [("In", "[web]", True), ("NotIn", "[web]", False),
                                                      ("Exists", "[]", True), ("DoesNotExist", "[]", False)])
    def test_match_expressions(self, sslint, operator, values, ok):
        text = statefulset().replace("    matchLabels: {app: web}", f"    matchExpressions: [{{key: app, operator: {operator}, values: {values}}}]")
        assert [r for r, *_ in found(lint(sslint, text, select="SS301"))] == ([] if ok else ["SS301"])

    def test_replication_controller_map_selector(self, sslint):
        rc = ("apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\nspec:\n  selector: {app: other}\n"
              "  template:\n    metadata: {labels: {app: rc}}\n    spec: {containers: [{name: a, image: b}]}\n")
        assert found(lint(sslint, rc, select="SS301")) == [("SS301", 5, 3)]
        assert found(lint(sslint, rc.replace("  selector: {app: other}\n", ""), select="SS301")) == []


@pytest.mark.parametrize("name, words", [("Web", "not a DNS-1123 label"), ("web_1", "not a DNS-1123 label"),
                                         ("a" * 53, "53 characters long")])
def test_set_names(sslint, name, words):
    [finding] = lint(sslint, statefulset(name=name), select="SS302").findings()
    assert words in finding["message"] and (finding["line"], finding["column"]) == (4, 3)


@pytest.mark.parametrize("name, version, rejected", [
    ("RELEASE-NAME-rabbitmq", "1.25", True),  # no DNS-1123 subdomain either: always rejected
    ("rabbitmq.v2", "1.26", False),  # a subdomain: accepted until 1.27, but no pod can take it as hostname
    ("rabbitmq.v2", "1.27", True),  # kubernetes#114172: validated as a label
])
def test_what_becomes_of_a_name_that_is_no_label(sslint, name, version, rejected):
    [finding] = lint(sslint, statefulset(name=name), select="SS302", version=version).findings()
    said = ("the API server rejects the manifest" if rejected
            else "its pods, whose hostname is <name>-<ordinal>, can never be created")
    assert finding["message"].endswith(f"at most 63 characters), so {said}")


@pytest.mark.parametrize("length, how_often", [(53, "for about 3 templates in 4"), (54, "almost always"), (60, "almost always")])
def test_a_long_name_fails_as_often_as_the_hash_is_too_long(sslint, length, how_often):
    """The hash is a 32-bit number in decimal: at 53 characters it fits while it has at most 9 digits."""
    [finding] = lint(sslint, statefulset(name="a" * length), select="SS302").findings()
    assert f"then exceeds 63 characters {how_often}, and the controller cannot create a pod" in finding["message"]


@pytest.mark.parametrize("kind, version, said", [
    ("StatefulSet", "1.27", None),  # unknown there: SS002's
    ("StatefulSet", "1.30", "every pod fails to be created"),  # the set's template is validated from 1.34 only
    ("Deployment", "1.30", "the API server rejects the manifest"),
    ("Deployment", "1.33", "the API server rejects the manifest"),
    ("StatefulSet", "1.34", None),  # dropped while ContainerRestartRules is off (SS306's, unless Always)
    ("StatefulSet", "1.35", None),
])
def test_a_regular_containers_restart_policy(sslint, kind, version, said):
    text = statefulset(extra="\n          restartPolicy: OnFailure").replace("kind: StatefulSet", f"kind: {kind}")
    found = [(f["line"], f["column"], f["message"]) for f in lint(sslint, text, select="SS303", version=version).findings()]
    assert found == ([(17, 11, f"{kind} web: container 'main' sets restartPolicy, which Kubernetes {version} allows on init "
                                f"containers (sidecars) only; {said}")] if said else [])
    unrendered = text.replace("restartPolicy: OnFailure", "restartPolicy: '{{ .Values.restartPolicy }}'")
    assert lint(sslint, unrendered, select="SS303", version=version).findings() == []  # (it may render to nothing)


@pytest.mark.parametrize("kind, version, said", [
    ("StatefulSet", "1.33", "every pod fails to be created"),  # the pods are: "cannot be set on create"
    ("StatefulSet", "1.34", "the API server rejects the manifest"),
    ("Deployment", "1.25", "the API server rejects the manifest"),
])
def test_ephemeral_containers_in_a_template(sslint, kind, version, said):
    text = statefulset().replace("kind: StatefulSet", f"kind: {kind}") + (
        "      ephemeralContainers:\n        - {name: debug, image: busybox:1.36}\n")
    found = [(f["line"], f["column"], f["message"]) for f in lint(sslint, text, select="SS303", version=version).findings()]
    assert found == [(17, 7, f"{kind} web: the pod template lists ephemeralContainers, which `kubectl debug` adds to a "
                             f"running pod and no pod may be created with; {said}")]
    assert lint(sslint, statefulset() + "      ephemeralContainers: []\n", select="SS303").findings() == []


@pytest.mark.parametrize("version, host_users, expected", [
    ("1.32", "", []),  # procMount is dropped while ProcMountType is off (SS306's)
    ("1.33", "", [(18, 13), (23, 13)]),  # the init container's and the container's
    ("1.33", "      hostUsers: true\n", [(18, 13), (23, 13)]),
    ("1.33", "      hostUsers: false\n", []),  # the pods' own user namespace
    ("1.33", "      hostUsers: ${HOST_USERS}\n", []),  # still to be substituted
])
def test_unmasked_proc_wants_a_user_namespace(sslint, version, host_users, expected):
    text = statefulset().replace("      containers:\n", f"""{host_users}      initContainers:
        - name: init
          image: busybox:1.36
          securityContext:
            procMount: Unmasked
      containers:
""") + "          securityContext: {procMount: Unmasked}\n"
    text = text.replace("{procMount: Unmasked}", "\n            procMount: Unmasked")
    run = lint(sslint, text, select="SS303", version=version)
    assert [(f["line"] - bool(host_users), f["column"]) for f in run.findings()] == expected
    if expected:
        assert run.findings()[0]["message"] == (
            "StatefulSet web: container 'init' sets procMount: Unmasked, which Kubernetes 1.33 allows only in pods with a "
            "user namespace of their own (hostUsers: false); every pod fails to be created")
    assert lint(sslint, text.replace("Unmasked", "Default"), select="SS303", version=version).findings() == []


def test_active_deadline_in_a_deployment(sslint):
    text = statefulset().replace("kind: StatefulSet", "kind: Deployment").replace("  serviceName: web\n", "").replace(
        "    spec:\n      containers:", "    spec:\n      activeDeadlineSeconds: 60\n      containers:")
    [finding] = lint(sslint, text, select="SS303").findings()
    assert "activeDeadlineSeconds" in finding["message"] and (finding["line"], finding["column"]) == (13, 7)


@pytest.mark.parametrize(
    "spec, path_words",
    [
        ("replicas: -1", "spec.replicas is -1"),
        ("minReadySeconds: -5", "spec.minReadySeconds is -5"),
        ("ordinals: {start: -1}", "spec.ordinals.start is -1"),
        ("updateStrategy: {rollingUpdate: {maxUnavailable: 0}}", "maxUnavailable is 0; it must be at least 1"),
        ("updateStrategy: {rollingUpdate: {maxUnavailable: '0%'}}", "maxUnavailable is '0%'"),
        ("updateStrategy: {rollingUpdate: {maxUnavailable: 150%}}", "maxUnavailable is '150%'"),
        ("updateStrategy: {rollingUpdate: {partition: -2}}", "partition is -2"),
        ("updateStrategy: {type: Recreate}", "spec.updateStrategy.type is 'Recreate', not one of RollingUpdate, OnDelete"),
        ("persistentVolumeClaimRetentionPolicy: {whenScaled: Keep}", "whenScaled is 'Keep', not one of Retain, Delete"),
    ],
)
def test_spec_values(sslint, spec, path_words):
    text = f"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: web}}\nspec:\n  {spec}\n"
    [finding] = lint(sslint, text, select="SS304").findings()
    assert path_words in finding["message"] and finding["line"] == 5


@pytest.mark.parametrize("value", ["1", "100%", "'1%'", "3"])
def test_valid_max_unavailable(sslint, value):
    text = f"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: web}}\nspec:\n  updateStrategy: {{rollingUpdate: {{maxUnavailable: {value}}}}}\n"
    assert found(lint(sslint, text, select="SS304")) == []


@pytest.mark.parametrize("version, reported", [("1.32", False), ("1.33", True)])
def test_a_negative_revision_history_limit_is_rejected_from_1_33(sslint, version, reported):
    """kubernetes#129017: before 1.33 the API server accepts it."""
    text = statefulset() + "  revisionHistoryLimit: -1\n"
    found = [(f["line"], f["message"]) for f in lint(sslint, text, select="SS304", version=version).findings()]
    assert found == ([(17, "StatefulSet web: spec.revisionHistoryLimit is -1; it must not be negative; the API server "
                           "rejects the manifest")] if reported else [])


@pytest.mark.parametrize(
    "field, invalid, before, at",
    [
        ("updateStrategy: {rollingUpdate: {maxUnavailable: 2}}", "updateStrategy: {rollingUpdate: {maxUnavailable: 0}}",
         "1.34", "1.35"),
        ("ordinals: {start: 1}", "ordinals: {start: -1}", "1.26", "1.27"),
        ("persistentVolumeClaimRetentionPolicy: {whenScaled: Delete}",
         "persistentVolumeClaimRetentionPolicy: {whenScaled: Keep}", "1.26", "1.27"),
    ],
)
def test_fields_dropped_before_their_release(sslint, field, invalid, before, at):
    def manifest(spec):
        return f"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: web}}\nspec:\n  {spec}\n"

    [finding] = lint(sslint, manifest(field), select="SS306", version=before).findings()
    assert f"Kubernetes {before} drops spec." in finding["message"] and f"before {at}" in finding["message"]
    assert lint(sslint, manifest(field), select="SS306", version=at).findings() == []
    # The API server drops the field before it validates (its feature off): SS306 alone speaks, not SS304.
    assert [f["rule"] for f in lint(sslint, manifest(invalid), select="SS304,SS306", version=before).findings()] == ["SS306"]
    assert [f["rule"] for f in lint(sslint, manifest(invalid), select="SS304,SS306", version=at).findings()] == ["SS304"]


@pytest.mark.parametrize("field", [
    "updateStrategy: {rollingUpdate: {maxUnavailable: 1}}", "ordinals: {start: 0}", "minReadySeconds: 0",
    "persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Retain}",
])
def test_a_dropped_field_that_does_what_its_absence_does_is_not_reported(sslint, field):
    """The values a newer cluster defaults (a dump of it linted for an older one): nothing is lost when dropped."""
    text = f"apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: web}}\nspec:\n  {field}\n"
    assert lint(sslint, text, select="SS306", version="1.25").findings() == []


def _pod(field: str) -> str:
    """The test StatefulSet with `field` (YAML at the pod spec's indentation) in its pod template."""
    return statefulset().replace("    spec:\n      containers:", f"    spec:\n      {field}\n      containers:")


_CONTAINER = "\n          "  # (statefulset(extra=…) writes after the container's image)


@pytest.mark.parametrize(
    "text, shown, dropped, kept",
    [
        (_pod("initContainers: [{name: proxy, image: envoy, restartPolicy: Always}]"),
         "spec.template.spec.initContainers[0].restartPolicy", "1.28", "1.29"),
        (statefulset(extra=_CONTAINER + "resizePolicy: [{resourceName: memory, restartPolicy: RestartContainer}]"),
         "spec.template.spec.containers[0].resizePolicy", "1.32", "1.33"),
        (_pod("resourceClaims: [{name: gpu, resourceClaimTemplateName: gpu}]"),
         "spec.template.spec.resourceClaims", "1.33", "1.34"),
        (_pod("volumes: [{name: model, image: {reference: 'quay.io/m:1'}}]"),
         "spec.template.spec.volumes[0].image", "1.34", "1.35"),
        (_pod("topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, "
              "labelSelector: {matchLabels: {app: web}}, nodeTaintsPolicy: Honor}]"),
         "spec.template.spec.topologySpreadConstraints[0].nodeTaintsPolicy", "1.25", "1.26"),
        (_pod("affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, "
              "podAffinityTerm: {topologyKey: zone, labelSelector: {matchLabels: {app: web}}, "
              "matchLabelKeys: [pod-template-hash]}}]}}"),
         "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"
         ".podAffinityTerm.matchLabelKeys", "1.30", "1.31"),
    ],
)
def test_pod_template_fields_dropped_before_their_release(sslint, text, shown, dropped, kept):
    [finding] = lint(sslint, text, select="SS002,SS306", version=dropped).findings()
    assert finding["rule"] == "SS306"
    assert f"Kubernetes {dropped} drops {shown}: " in finding["message"]
    assert f"or target Kubernetes {kept} or later" in finding["fix"]
    assert lint(sslint, text, select="SS002,SS306", version=kept).findings() == []


def test_a_sidecar_on_1_28_is_said_to_run_as_an_init_container(sslint):
    text = _pod("initContainers:\n        - name: proxy\n          image: envoy\n          restartPolicy: Always")
    [finding] = lint(sslint, text, select="SS306", version="1.28").findings()
    assert (finding["line"], finding["column"]) == (17, 11)
    assert "so the sidecar runs as an ordinary init container, which the pod waits for to exit" in finding["message"]
    assert finding["fix"].startswith("Remove the field, enable the SidecarContainers feature gate on the cluster")


def test_a_field_before_the_release_that_brought_it_is_unknown_not_dropped(sslint):
    """resizePolicy came in 1.27: on 1.26 kubectl rejects it as unknown (SS002), SS306 says nothing."""
    text = statefulset(extra=_CONTAINER + "resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]")
    assert [f["rule"] for f in lint(sslint, text, select="SS002,SS306", version="1.26").findings()] == ["SS002"]


def test_a_feature_off_in_every_release_says_so(sslint):
    text = statefulset(extra=_CONTAINER + "lifecycle: {stopSignal: SIGINT}")
    [finding] = lint(sslint, text, select="SS306").findings()
    newest = versions.default()
    assert f"its feature (ContainerStopSignals) is off by default in Kubernetes {newest}" in finding["message"]
    assert finding["fix"] == "Remove the field, or enable the ContainerStopSignals feature gate on the cluster."
    assert lint(sslint, text, select="SS306", version="1.32").findings() == []  # unknown there: SS002's


def test_a_projection_that_needs_two_gates_names_both(sslint):
    text = _pod("volumes: [{name: ca, projected: {sources: [{clusterTrustBundle: {name: ca, path: ca.pem}}]}}]")
    [finding] = lint(sslint, text, select="SS306", version="1.36").findings()
    assert "its feature (ClusterTrustBundle and ClusterTrustBundleProjection) is off by default before 1.37" in finding["message"]
    assert finding["fix"].startswith("Remove the field, enable the ClusterTrustBundle and ClusterTrustBundleProjection "
                                     "feature gates on the cluster")


def test_a_renamed_gate_is_named_as_the_version_calls_it(sslint):
    text = _pod("hostUsers: false")
    assert "(UserNamespacesStatelessPodsSupport)" in lint(sslint, text, select="SS306", version="1.27").findings()[0]["message"]
    assert "(UserNamespacesSupport)" in lint(sslint, text, select="SS306", version="1.32").findings()[0]["message"]
    assert lint(sslint, text, select="SS306", version="1.33").findings() == []


@pytest.mark.parametrize("field, version", [
    ("hostUsers: true", "1.30"),
    ("hostUsers: ${HOST_USERS}", "1.30"),  # (still to be substituted: it may be the default)
    ("securityContext: {supplementalGroupsPolicy: Merge}", "1.31"),
    ("securityContext: {seLinuxChangePolicy: Recursive}", "1.32"),
    ("resourceClaims: []", "1.30"),
    ("schedulingGates: []", "1.26"),
    ("topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, "
     "labelSelector: {matchLabels: {app: web}}, minDomains: 1}]", "1.26"),
    ("topologySpreadConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, "
     "labelSelector: {matchLabels: {app: web}}, nodeAffinityPolicy: Honor, nodeTaintsPolicy: Ignore}]", "1.25"),
])
def test_a_dropped_pod_field_at_its_default_is_not_reported(sslint, field, version):
    assert lint(sslint, _pod(field), select="SS306", version=version).findings() == []
    # the same field with another value is (the test reaches the field at this version)
    other = (field.replace("true", "false").replace("${HOST_USERS}", "false").replace("Merge", "Strict")
             .replace("Recursive", "MountOption").replace("[]", "[{name: gate}]").replace("Honor", "Ignore")
             .replace("minDomains: 1", "minDomains: 2"))
    if "resourceClaims" not in field:
        assert lint(sslint, _pod(other), select="SS306", version=version).findings() != []


@pytest.mark.parametrize("text, version", [
    (statefulset(extra=_CONTAINER + "securityContext: {procMount: Default}"), "1.30"),
    (statefulset(extra=_CONTAINER + "volumeMounts: [{name: v, mountPath: /v, recursiveReadOnly: Disabled}]"), "1.30"),
    (statefulset(extra=_CONTAINER + "resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]"), "1.30"),
    (statefulset(extra=_CONTAINER + "restartPolicy: Always"), "1.34"),
])
def test_a_dropped_container_field_at_its_default_is_not_reported(sslint, text, version):
    assert lint(sslint, text, select="SS306", version=version).findings() == []


def test_an_env_file_reference_on_1_34_leaves_a_value_the_api_server_rejects(sslint):
    text = statefulset(extra=_CONTAINER + "env: [{name: A, valueFrom: {fileKeyRef: {volumeName: cfg, path: a.env, key: A}}}]")
    [finding] = lint(sslint, text, select="SS306", version="1.34").findings()
    assert finding["message"].endswith("its feature (EnvFiles) is off by default before 1.35, and then rejects the "
                                       "variable's empty valueFrom")
    assert lint(sslint, text, select="SS306", version="1.35").findings() == []


def test_a_dropped_field_of_the_wrong_type_is_still_rejected(sslint):
    """The API server decodes the request before it removes what the version does not keep: a wrong type,
    or an unknown field under a dropped one, fails the apply (SS002); a missing required field does not."""
    wrong = _pod("hostUsers: 'false'")
    assert sorted(f["rule"] for f in lint(sslint, wrong, select="SS002,SS306", version="1.30").findings()) == ["SS002", "SS306"]
    unknown = _pod("resourceClaims: [{name: gpu, resourceClaimTemplateNam: gpu}]")
    assert sorted(f["rule"] for f in lint(sslint, unknown, select="SS002,SS306", version="1.33").findings()) == ["SS002", "SS306"]


def test_the_schema_does_not_judge_what_the_api_server_drops_unread(sslint):
    """A claim without its required name: on 1.33 the whole list is dropped before validation."""
    text = _pod("resourceClaims: [{resourceClaimTemplateName: gpu}]")
    assert [f["rule"] for f in lint(sslint, text, select="SS002,SS306", version="1.33").findings()] == ["SS306"]
    [finding] = lint(sslint, text, select="SS002,SS306", version="1.34").findings()
    assert finding["rule"] == "SS002" and "missing the required field 'name'" in finding["message"]


def test_a_deployments_template_loses_the_same_fields_unjudged(sslint):
    """The API server drops a pod template's gated fields in every kind's template: SS002 judges none of
    them where they are dropped (SS306 speaks of StatefulSets only)."""
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  selector: {matchLabels: {app: a}}\n"
            "  template:\n    metadata: {labels: {app: a}}\n    spec:\n      resourceClaims: [{resourceClaimTemplateName: gpu}]\n"
            "      containers: [{name: a, image: b}]\n")
    assert lint(sslint, text, select="SS002,SS306", version="1.33").findings() == []
    [finding] = lint(sslint, text, select="SS002,SS306", version="1.34").findings()
    assert finding["rule"] == "SS002" and "missing the required field 'name'" in finding["message"]


@pytest.mark.parametrize(
    "api, kind, last_served, removed_in",
    [
        ("apps/v1beta1", "StatefulSet", "1.15", "1.16"),
        ("apps/v1beta2", "StatefulSet", "1.15", "1.16"),
        ("extensions/v1beta1", "Deployment", "1.15", "1.16"),
        ("policy/v1beta1", "PodDisruptionBudget", "1.24", "1.25"),
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.25", "1.26"),
        ("apps/v1alpha1", "PetSet", "1.4", "1.5"),
    ],
)
def test_removed_api_versions_at_their_boundary(api, kind, last_served, removed_in):
    assert versions.removed(api, kind, last_served) is None
    assert versions.removed(api, kind, removed_in)[0] == removed_in
    assert versions.removed("apps/v1", kind, removed_in) is None


def test_an_old_statefulset_is_reported_once_as_such(sslint):
    text = statefulset().replace("apps/v1", "apps/v1beta1").replace("  selector:\n    matchLabels: {app: web}\n", "")
    run = sslint("--format", "json", "--fail-on", "never", files={"m.yaml": text + "---\n" + "apiVersion: v1\nkind: Service\n"
                 "metadata: {name: web}\nspec: {clusterIP: None, selector: {app: web}}\n"})
    assert [f["rule"] for f in run.findings() if f["rule"].startswith("SS3") or f["rule"] == "SS002"] == ["SS307"]
    assert "requires spec.selector" in run.findings("SS307")[0]["fix"]


@pytest.mark.parametrize("api", ["v1", "extensions/v1beta1", "apps/v1alpha1", "app/v1"])
def test_an_apiversion_that_never_served_the_kind_is_reported_once(sslint, api):
    """kubectl apply fails with "no matches for kind": SS307 says where to move, SS301 does not ask for a selector."""
    text = statefulset().replace("apps/v1", api).replace("  selector:\n    matchLabels: {app: web}\n", "")
    [finding] = lint(sslint, text, select="SS002,SS3").findings()
    assert (finding["rule"], finding["line"], finding["column"]) == ("SS307", 1, 1)
    assert finding["message"] == (f"StatefulSet web uses apiVersion {api}, under which Kubernetes serves no StatefulSet: "
                                  f'`kubectl apply` fails (no matches for kind "StatefulSet" in version "{api}")')
    assert finding["fix"].startswith("Move to apps/v1, which requires spec.selector")


def test_an_apiversion_still_to_be_substituted_is_no_excuse_for_a_missing_selector(sslint):
    text = statefulset().replace("apps/v1", "${STS_API}").replace("  selector:\n    matchLabels: {app: web}\n", "")
    assert [f["rule"] for f in lint(sslint, text, select="SS3").findings()] == ["SS301"]


@pytest.mark.parametrize("api, kind", [("autoscaling/v1", "HorizontalPodAutoscaler"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
                                       ("policy/v1", "PodDisruptionBudget"), ("apps.kruise.io/v1beta1", "StatefulSet"),
                                       ("{{ .Values.apiVersion }}", "StatefulSet")])
def test_served_custom_and_unrendered_apiversions_are_not(api, kind, sslint):
    text = f"apiVersion: '{api}'\nkind: {kind}\nmetadata: {{name: x}}\nspec: {{}}\n"
    assert lint(sslint, text, select="SS307").findings() == []


def test_a_petset_is_reported_once_as_statefulsets_old_name(sslint):
    """Its other mistakes (no selector, a PetSet's Service) are those of a kind no cluster serves."""
    text = statefulset().replace("apps/v1", "apps/v1alpha1").replace("kind: StatefulSet", "kind: PetSet")
    run = sslint("--format", "json", files={"m.yaml": text.replace("  selector:\n    matchLabels: {app: web}\n", "")})
    assert [(f["rule"], f["line"], f["column"]) for f in run.findings()] == [("SS307", 1, 1)]
    finding = run.findings("SS307")[0]
    assert finding["message"].startswith("PetSet web uses apiVersion apps/v1alpha1, which Kubernetes stopped serving in 1.5")
    assert finding["fix"].startswith("Move to kind: StatefulSet (PetSet's name since 1.5) under apps/v1, which requires spec.selector")


FLUX = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nats}
spec:
  serviceName: nats
  replicas: 3
  podManagementPolicy: ${POD_MANAGEMENT_POLICY:=Parallel}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: "${MAX_UNAVAILABLE:=1}"}}
  selector: {matchLabels: {app: nats}}
  template:
    metadata: {labels: {app: nats}}
    spec:
      containers: [{name: nats, image: "nats:2.10", volumeMounts: [{name: data, mountPath: /data}]}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: ["${ACCESS_MODE:=ReadWriteOnce}"]
        resources: {requests: {storage: "${STORAGE_SIZE:=10Gi}"}}
"""


def test_values_left_for_flux_or_envsubst_are_not_judged(sslint):
    """`${VAR}` is substituted after sslint reads the file (Flux postBuild, envsubst): what it becomes is unknown."""
    assert lint(sslint, FLUX, select="SS2,SS3", version="1.35").findings() == []
    wrong = FLUX.replace("${POD_MANAGEMENT_POLICY:=Parallel}", "Paralel").replace('"${STORAGE_SIZE:=10Gi}"', "10GB")
    assert sorted(f["rule"] for f in lint(sslint, wrong, select="SS2,SS3", version="1.35").findings()) == ["SS204", "SS304"]
