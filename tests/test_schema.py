"""SS002: the bundled Kubernetes schemas, with messages a person understands, at the offending key."""

import pytest

from conftest import statefulset


def lint(sslint, text, version=None, select="SS002"):
    args = ["--format", "json", "--select", select, "--fail-on", "never"]
    if version:
        args += ["--kubernetes-version", version]
    return sslint(*args, files={"m.yaml": text})


def messages(run):
    return [(f["line"], f["column"], f["message"].split(": ", 1)[1]) for f in run.findings()]


def test_nested_unknown_field_points_at_the_key(sslint):
    text = statefulset().replace("          image: nginx:1.27", "          image: nginx:1.27\n          imagePolicy: x")
    assert messages(lint(sslint, text)) == [
        (17, 11, "unknown field 'imagePolicy' in spec.template.spec.containers[0]; did you mean 'imagePullPolicy'? "
                 "(kubectl rejects it; the API server would drop it)")]


@pytest.mark.parametrize(
    "field, message",
    [
        ("replicas: true", "spec.replicas is the boolean true, but must be an integer"),
        ("replicas: [3]", "spec.replicas is a list, but must be an integer"),
        ("updateStrategy: {rollingUpdate: {maxUnavailable: [1]}}",
         "spec.updateStrategy.rollingUpdate.maxUnavailable is a list, but must be a string or an integer"),
        ("minReadySeconds: '10'", "spec.minReadySeconds is the string '10', but must be an integer"),
    ],
)
def test_wrong_types(sslint, field, message):
    run = lint(sslint, statefulset().replace("  replicas: 3\n", f"  {field}\n"))
    assert [m for *_, m in messages(run)] == [message]


def test_missing_required_field(sslint):
    text = statefulset().replace("        - name: main\n", "        - ")
    assert messages(lint(sslint, text)) == [(15, 21, "spec.template.spec.containers[0] is missing the required field 'name'")]


def test_required_fields_the_api_server_accepts_missing_are_not_reported(sslint):
    """The OpenAPI definitions require a header's value, a sysctl's value and a sleep's seconds, but the API
    server reads them as "" and 0 and accepts them (0 seconds from 1.33); a header without a name is rejected."""
    probe = ("\n          readinessProbe:\n            httpGet: {path: /, port: 80, httpHeaders: [{name: X-Probe}, {value: v}]}"
             "\n          lifecycle:\n            preStop: {sleep: {}}")
    sysctls = "      securityContext: {sysctls: [{name: net.core.somaxconn}]}\n"
    text = statefulset(extra=probe).replace("    spec:\n      containers:", f"    spec:\n{sysctls}      containers:")
    assert messages(lint(sslint, text, version="1.33")) == [
        (19, 73, "spec.template.spec.containers[0].readinessProbe.httpGet.httpHeaders[1] is missing the required field 'name'")]
    assert [m for *_, m in messages(lint(sslint, text, version="1.32"))] == [
        "spec.template.spec.containers[0].readinessProbe.httpGet.httpHeaders[1] is missing the required field 'name'",
        "spec.template.spec.containers[0].lifecycle.preStop.sleep is missing the required field 'seconds'"]


def test_status_fragments_and_removed_api_versions_are_skipped(sslint):
    exported = statefulset() + "status: {replicas: 3, bogus: 1}\n"
    patch = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec:\n  replica: 3\n"
    old = statefulset().replace("apps/v1", "apps/v1beta2") + "  unknown: 1\n"
    for text in (exported, patch, old):
        assert lint(sslint, text).findings() == []


@pytest.mark.parametrize("service", [None, "null"])
def test_fields_other_rules_report_are_left_to_them(sslint, service):
    text = statefulset(service=service).replace("  selector:\n    matchLabels: {app: web}\n", "")
    assert sorted(f["rule"] for f in lint(sslint, text, version="1.32", select="SS002,SS101,SS301").findings()) == ["SS101", "SS301"]


def test_a_null_int_or_string_is_unset_and_a_null_quantity_is_zero(sslint):
    """Helm leaves `maxUnavailable: {{ .Values.x }}` empty: the API server reads a null int-or-string as
    unset (a pointer, or a targetPort defaulted from 0), though each branch of its oneOf admitted null;
    a null quantity in requests or limits is an amount of 0 (Quantity's UnmarshalJSON)."""
    sts = statefulset().replace("  replicas: 3\n", "  replicas: 3\n  updateStrategy: {rollingUpdate: {maxUnavailable: }}\n")
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80, targetPort: }]\n"
    for manifest in (sts, service):
        assert lint(sslint, manifest).findings() == []
    assert [m for *_, m in messages(lint(sslint, service.replace("targetPort: ", "targetPort: [80]")))] == [
        "spec.ports[0].targetPort is a list, but must be a string or an integer"]
    [finding] = lint(sslint, statefulset(extra="\n          resources: {limits: {memory: }}")).findings()
    assert finding["message"].endswith("spec.template.spec.containers[0].resources.limits.memory is null, which the "
                                       "API server reads as an amount of 0")


def test_a_misspelling_of_a_field_set_beside_it_is_to_be_removed_not_renamed(sslint):
    """CockroachDB's operator output has terminationGracePeriodSecs beside terminationGracePeriodSeconds."""
    text = statefulset().replace("    spec:\n      containers:", "    spec:\n      terminationGracePeriodSecs: 60\n"
                                 "      terminationGracePeriodSeconds: 60\n      containers:")
    [finding] = lint(sslint, text).findings()
    assert finding["message"] == ("StatefulSet web: unknown field 'terminationGracePeriodSecs' in spec.template.spec; "
                                  "'terminationGracePeriodSeconds' is set beside it (kubectl rejects it; the API server "
                                  "would drop it)")
    assert finding["fix"] == "Remove 'terminationGracePeriodSecs': spec.template.spec sets 'terminationGracePeriodSeconds' already."
    [null] = lint(sslint, text.replace("terminationGracePeriodSeconds: 60", "terminationGracePeriodSeconds:")).findings()
    assert "did you mean 'terminationGracePeriodSeconds'?" in null["message"]  # (a null sibling: the misspelling may take its place)


def test_values_left_for_flux_or_envsubst_are_not_judged(sslint):
    text = statefulset().replace("  replicas: 3\n", "  replicas: ${REPLICAS:=3}\n")
    assert lint(sslint, text).findings() == []


def test_a_field_of_a_later_kubernetes_says_when_it_arrives_not_how_to_spell_it(sslint):
    """resizePolicy is in the schema from 1.27; at 1.26 'did you mean ...?' would mislead."""
    text = statefulset().replace("          image: nginx:1.27", "          image: nginx:1.27\n          resizePolicy: []")
    [finding] = lint(sslint, text, version="1.26").findings()
    assert (finding["line"], finding["column"]) == (17, 11)
    assert finding["message"] == ("StatefulSet web: field 'resizePolicy' in spec.template.spec.containers[0] is unknown to "
                                  "Kubernetes 1.26 (kubectl rejects it; the API server would drop it): Kubernetes has it "
                                  "from 1.27, and its feature (InPlacePodVerticalScaling) is on by default from 1.33")
    assert finding["fix"] == ("Remove 'resizePolicy', or target Kubernetes 1.33 or later (--kubernetes-version), or 1.27 "
                              "or later if the clusters turn InPlacePodVerticalScaling on.")
    assert lint(sslint, text, version="1.27").findings() == []
    assert "did you mean" in lint(sslint, text.replace("resizePolicy:", "resizePolicyy:"), version="1.37").findings()[0]["message"]


@pytest.mark.parametrize("containers, on, gated", [
    ("initContainers", ("SidecarContainers", "1.29"), "1.28"),  # a sidecar: in the schema from 1.28, on from 1.29
    ("containers", ("ContainerRestartRules", "1.35"), "1.34"),  # in the schema from 1.28, for sidecars: here from 1.34
])
def test_a_field_before_its_release_says_when_its_feature_is_on(sslint, containers, on, gated):
    text = statefulset(extra="\n          restartPolicy: Always").replace("      containers:", f"      {containers}:")
    if containers == "initContainers":
        text += "      containers: [{name: app, image: app}]\n"
    [finding] = lint(sslint, text, version="1.27").findings()
    gate, release = on
    assert finding["message"].endswith(f"Kubernetes has it from {gated}, and its feature ({gate}) is on by default from {release}")
    assert finding["fix"] == (f"Remove 'restartPolicy', or target Kubernetes {release} or later (--kubernetes-version), or "
                              f"{gated} or later if the clusters turn {gate} on.")


def test_a_field_of_two_gates_names_both(sslint):
    text = statefulset().replace("    spec:\n      containers:", "    spec:\n      volumes:\n        - name: bundle\n"
                                 "          projected: {sources: [{clusterTrustBundle: {name: ca, path: ca.pem}}]}\n      containers:")
    [finding] = lint(sslint, text, version="1.28").findings()
    assert finding["message"].endswith("Kubernetes has it from 1.29, and its features (ClusterTrustBundle and "
                                       "ClusterTrustBundleProjection) are on by default from 1.37")


def test_a_field_of_one_release_says_which_and_that_later_ones_removed_it(sslint):
    """The pod's workloadRef (GenericWorkload) is in the 1.35 schema only: "1.35 or later" would mislead
    before it, and after it the field is no misspelling."""
    text = statefulset().replace("    spec:\n      containers:", "    spec:\n      workloadRef: {name: w}\n      containers:")
    [before] = lint(sslint, text, version="1.34").findings()
    assert (before["line"], before["column"]) == (14, 7)
    assert before["message"].endswith("(kubectl rejects it; the API server would drop it): Kubernetes 1.35 has it, where "
                                      "its feature may still be off")
    assert before["fix"] == ("Remove 'workloadRef', or target Kubernetes 1.35 (--kubernetes-version) if the clusters run "
                             "it with its feature on.")
    [after] = lint(sslint, text, version="1.37").findings()
    assert after["message"] == ("StatefulSet web: field 'workloadRef' in spec.template.spec is unknown to Kubernetes 1.37 "
                                "(kubectl rejects it; the API server would drop it): Kubernetes 1.35 had it, and later "
                                "releases removed it")
    assert after["fix"] == "Remove 'workloadRef'."


def test_pod_level_resources_are_dropped_before_1_34(sslint):
    """In the schema from 1.32 (unknown before: SS002's), but behind PodLevelResources, off by default
    until 1.34: SS306's."""
    text = statefulset().replace("    spec:\n      containers:", "    spec:\n      resources: {limits: {cpu: '1'}}\n      containers:")
    for version, rules in (("1.31", ["SS002"]), ("1.32", ["SS306"]), ("1.33", ["SS306"]), ("1.34", [])):
        assert [f["rule"] for f in lint(sslint, text, version=version, select="SS002,SS306").findings()] == rules


def test_a_merge_key_overwrites_the_keys_written_before_it_as_kubectl_reads_it(sslint):
    """go-yaml v2 (kubectl) applies `<<` where it stands: the label is d's string "2", not the number."""
    text = statefulset().replace("metadata:\n  name: web\n", "metadata:\n  name: web\n  annotations: &d {version: '2'}\n"
                                 "  labels:\n    version: 2\n    <<: *d\n", 1)
    assert lint(sslint, text).findings() == []
    after = text.replace("    version: 2\n    <<: *d\n", "    <<: *d\n    version: 2\n")  # written after: it wins
    assert [m for *_, m in messages(lint(sslint, after))] == ["metadata.labels.version is the number 2, but must be a string"]


def test_the_schema_follows_the_target_version(sslint):
    text = statefulset() + "  ordinals: {start: 1}\n"
    assert [f["rule"] for f in lint(sslint, text, version="1.25", select="SS002,SS306").findings()] == ["SS002"]
    assert [f["rule"] for f in lint(sslint, text, version="1.26", select="SS002,SS306").findings()] == ["SS306"]
    assert lint(sslint, text, version="1.27", select="SS002,SS306").findings() == []


@pytest.mark.parametrize(
    "text, message",
    [
        ("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  clusterIp: None\n",
         "unknown field 'clusterIp' in spec; did you mean 'clusterIP'?"),
        ("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec:\n  accessModes: ReadWriteOnce\n",
         "spec.accessModes is the string 'ReadWriteOnce', but must be a list"),
        ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  maxReplicas: 3\n",
         "spec is missing the required field 'scaleTargetRef'"),
    ],
)
def test_other_inspected_kinds(sslint, text, message):
    [(line, column, found)] = messages(lint(sslint, text))
    assert found.startswith(message) and line == 5 - ("missing" in message)


# -- SS003 object-defined-twice -------------------------------------------------------------------------

SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: db{namespace}\nspec:\n  clusterIP: None\n  selector: {{app: {app}}}\n"


def twice(sslint, files, *args):
    run = sslint("--format", "json", "--select", "SS003", *args, ".", files=files)
    return [(f["file"], f["line"], f["column"], [(r["file"], r["line"]) for r in f["related"]]) for f in run.findings()]


def test_each_later_definition_in_one_file_is_reported_against_the_first(sslint):
    text = "---\n".join(SERVICE.format(namespace="", app=app) for app in ("solr", "kafka", "zk"))
    assert twice(sslint, {"all.yaml": text}) == [("all.yaml", 12, 3, [("all.yaml", 4)]), ("all.yaml", 20, 3, [("all.yaml", 4)])]


def test_any_kind_a_chart_renders_twice_counts(sslint):
    """A ConfigMap that a chart and its subchart both render fails `helm install` as well."""
    config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1'}\n"
    assert twice(sslint, {"all.yaml": config + "---\n" + config}) == [("all.yaml", 8, 12, [("all.yaml", 3)])]


def test_a_cluster_scoped_object_is_one_whatever_namespace_it_is_given(sslint):
    volume = "apiVersion: v1\nkind: PersistentVolume\nmetadata: {{name: pv1{ns}}}\nspec: {{capacity: {{storage: 1Gi}}}}\n"
    text = volume.format(ns=", namespace: a") + "---\n" + volume.format(ns=", namespace: b")
    assert twice(sslint, {"pv.yaml": text}) == [("pv.yaml", 8, 12, [("pv.yaml", 3)])]


def test_a_lists_items_are_definitions_too(sslint):
    items = "".join(f"- apiVersion: v1\n  kind: Service\n  metadata: {{name: db}}\n  spec: {{selector: {{app: {a}}}}}\n"
                    for a in ("solr", "kafka"))
    assert twice(sslint, {"dump.yaml": "apiVersion: v1\nkind: List\nitems:\n" + items}) == [("dump.yaml", 10, 14, [("dump.yaml", 6)])]


@pytest.mark.parametrize("files", [
    {"a.yaml": SERVICE.format(namespace="", app="solr"), "b.yaml": SERVICE.format(namespace="", app="kafka")},  # two files
    {"a.yaml": SERVICE.format(namespace="\n  namespace: search", app="solr") + "---\n"
     + SERVICE.format(namespace="\n  namespace: streaming", app="kafka")},  # two namespaces
    {"a.yaml": SERVICE.format(namespace="", app="solr") + "---\n"
     + SERVICE.format(namespace="\n  namespace: default", app="kafka")},  # one may land elsewhere: not told
    {"a.yaml": SERVICE.format(namespace="", app="solr") + "---\n" + statefulset(name="db", service="db")},  # two kinds
    {"kustomization.yaml": "resources: [a.yaml]\npatches:\n  - path: p.yaml\n", "a.yaml": SERVICE.format(namespace="", app="s"),
     "p.yaml": SERVICE.format(namespace="", app="solr") + "---\n" + SERVICE.format(namespace="", app="kafka")},  # patches
])
def test_what_is_not_one_object_defined_twice(sslint, files):
    assert twice(sslint, files) == []


def test_a_rendered_chart_on_standard_input_is_reported_at_its_templates(sslint):
    stream = "".join(f"---\n# Source: chart/templates/{t}.yaml\n" + SERVICE.format(namespace="", app=t) for t in ("solr", "kafka"))
    run = sslint("--format", "json", "--select", "SS003", "-", stdin=stream)
    [finding] = run.findings()
    assert (finding["file"], finding["line"], finding["column"]) == ("chart/templates/kafka.yaml", 4, 3)
    assert [(r["file"], r["line"]) for r in finding["related"]] == [("chart/templates/solr.yaml", 4)]
    assert finding["message"] == ("Service db is defined a second time in <stdin>: `kubectl apply` applies this definition "
                                  "over the first (what only the first sets is lost), and `helm install` fails (the object "
                                  "already exists)")
