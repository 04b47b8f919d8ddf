"""SS401–SS407: budgets, spreading, grace periods, overlapping selectors, autoscalers, partitions."""

import textwrap

import pytest

from sslint import versions


def workload(kind="StatefulSet", name="zk", labels="{app: zk}", replicas="3", namespace=None, selector=None,
             pod="", spec="", api="apps/v1") -> str:
    """A whole workload. Without a namespace: spec.replicas at 6:3, spec.selector at 7:3, the pod labels at
    11:7, and `pod` (pod spec fields) from line 13, column 7."""
    lines = [f"apiVersion: {api}", f"kind: {kind}", "metadata:", f"  name: {name}"]
    lines += [f"  namespace: {namespace}"] if namespace else []
    lines += ["spec:"] + ([f"  replicas: {replicas}"] if replicas is not None else [])
    lines += [f"  {line}" for line in textwrap.dedent(spec).splitlines() if line]
    lines += ["  selector:", f"    matchLabels: {selector or labels}"] if selector != "none" else []
    lines += ["  template:", "    metadata:", f"      labels: {labels}", "    spec:"]
    lines += [f"      {line}" for line in textwrap.dedent(pod).splitlines() if line]
    lines += ["      containers:", "        - name: main", "          image: nginx:1.27"]
    return "\n".join(lines) + "\n"


def budget(rule="maxUnavailable: 1", selector="matchLabels: {app: zk}", namespace=None, api="policy/v1") -> str:
    """A PodDisruptionBudget zk. Without a namespace: its rule (minAvailable/maxUnavailable) at 6:3."""
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return (f"apiVersion: {api}\nkind: PodDisruptionBudget\nmetadata:\n  name: zk{ns}\nspec:\n"
            f"  {rule}\n  selector:\n    {selector}\n")


def autoscaler(target="zk", kind="StatefulSet", low=2, high=5, namespace=None) -> str:
    """A HorizontalPodAutoscaler. Without a namespace: scaleTargetRef at 6:3, maxReplicas at 11:3."""
    ns = f"\n  namespace: {namespace}" if namespace else ""
    return (f"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {target}{ns}\nspec:\n"
            f"  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: {kind}\n    name: {target}\n"
            f"  minReplicas: {low}\n  maxReplicas: {high}\n")


def lint(sslint, files, rule, *args, paths=(".",)):
    return sslint("--format", "json", "--select", rule, *args, *paths, files=files)


def where(finding):
    return finding["file"], finding["line"], finding["column"]


def related(finding):
    return [(r["file"], r["line"], r["column"]) for r in finding["related"]]


# -- SS401 disruption-budget-missing -------------------------------------------------------------------


def test_the_budget_elsewhere_named_is_the_first_in_the_files(sslint):
    files = {"a.yaml": budget(selector="matchLabels: {tier: db}", namespace="b"),
             "b.yaml": budget(selector="matchLabels: {app: web}", namespace="c"),
             "zk.yaml": workload(namespace="a", labels="{app: web, tier: db}", selector="{app: web}")}
    [finding] = lint(sslint, files, "SS401").findings("SS401")
    assert "(PodDisruptionBudget b/zk selects these labels" in finding["message"]


def test_replicated_set_without_budget(sslint):
    run = lint(sslint, {"zk.yaml": workload()}, "SS401")
    [finding] = run.findings("SS401")
    assert where(finding) == ("zk.yaml", 6, 3) and run.code == 1
    assert "StatefulSet zk runs 3 replicas but no PodDisruptionBudget" in finding["message"]
    assert "maxUnavailable: 1" in finding["fix"] and "{app: zk}" in finding["fix"]


@pytest.mark.parametrize("name, selector, hinted", [
    ("zk-budget", "matchLabels: {app: kafka}", True),  # it bears the set's name
    ("quorum", "matchLabels: {app: zk}", True),  # it asks for the set's name
    ("quorum", "matchExpressions: [{key: app, operator: In, values: [zk]}]", True),
    ("quorum", "matchLabels: {app: kafka}", False),  # another application's, made elsewhere
    ("quorum", "matchLabels: {app: kafka}, matchExpressions: [{key: tier, operator: NotIn, values: [zk]}]", False),
    ("zk-connect-pdb", "matchLabels: {app: kafka}", False),  # another application's, whose name begins with zk-
])
def test_a_budget_that_selects_nothing_but_looks_written_for_the_set_is_named(sslint, name, selector, hinted):
    """Apache Pulsar's zk-budget selects app: zk, while the pods carry app: pulsar, component: zookeeper."""
    files = {"zk.yaml": workload(labels="{app: pulsar, component: zookeeper}"),
             "pdb.yaml": budget(selector=selector).replace("name: zk", f"name: {name}")}
    [finding] = lint(sslint, files, "SS401").findings("SS401")
    hint = f"(PodDisruptionBudget {name} selects "
    assert (hint in finding["message"]) is hinted
    if hinted:
        assert finding["message"].endswith("which no pod in the model carries: was it written for these pods?)")
        assert related(finding) == [("pdb.yaml", 7, 3)]
        assert finding["fix"].startswith(f"If PodDisruptionBudget {name} is meant for these pods, make its "
                                         "selector.matchLabels {app: pulsar, component: zookeeper}; else add a ")


def test_a_budget_of_another_workloads_pods_is_no_stray(sslint):
    files = {"zk.yaml": workload(labels="{app: pulsar, component: zookeeper}"),
             "pdb.yaml": budget(selector="matchLabels: {app: zk}"),
             "other.yaml": workload(kind="Deployment", name="other", labels="{app: zk}")}
    assert "PodDisruptionBudget zk selects" not in lint(sslint, files, "SS401").findings("SS401")[0]["message"]


def test_the_fixes_name_labels_that_select_only_the_sets_own_pods(sslint):
    """Its selector's labels, unless they also select another workload's pods (SS404's overlap): then all
    its pod labels, which a budget or an anti-affinity term may use without covering the other's pods."""
    data = workload(name="es-data", labels="{component: es, role: data}", selector="{component: es}")
    master = workload(kind="Deployment", name="es-master", labels="{component: es, role: master}",
                      selector="{component: es, role: master}")
    for rule in ("SS401", "SS402"):
        alone = lint(sslint, {"a/data.yaml": data}, rule, paths=["a"]).findings(rule)[0]["fix"]
        beside = lint(sslint, {"b/data.yaml": data, "b/master.yaml": master}, rule, paths=["b"]).findings(rule)
        assert "{component: es}" in alone and "{component: es, role: data}" in beside[0]["fix"]
        copies = lint(sslint, {"c/base/data.yaml": data, "c/overlay/data.yaml": data}, rule, paths=["c"]).findings(rule)
        assert all("{component: es}" in f["fix"] for f in copies)  # an overlay's copy is the same set


@pytest.mark.parametrize("replicas", [None, "1", "0", '"3"', "${REPLICAS}"])
def test_one_replica_or_an_unreadable_count_needs_no_budget(sslint, replicas):
    assert lint(sslint, {"zk.yaml": workload(replicas=replicas)}, "SS401").findings() == []


def test_an_autoscaler_that_can_scale_past_one_counts(sslint):
    run = lint(sslint, {"zk.yaml": workload(replicas=None), "hpa.yaml": autoscaler(high=5)}, "SS401")
    [finding] = run.findings("SS401")
    assert where(finding) == ("zk.yaml", 5, 1)  # spec: replicas is unset
    assert "can be scaled to 5 replicas by HorizontalPodAutoscaler zk" in finding["message"]
    assert related(finding) == [("hpa.yaml", 11, 3)]


@pytest.mark.parametrize(
    "selector",
    [
        "matchLabels: {app: zk}",
        "matchExpressions: [{key: app, operator: In, values: [kafka, zk]}]",
        "matchExpressions: [{key: app, operator: Exists}]",
        "matchExpressions: [{key: app, operator: NotIn, values: [kafka]}]",
        "matchExpressions: [{key: legacy, operator: DoesNotExist}]",
        "{}",  # policy/v1: every pod of the namespace
    ],
)
def test_budgets_select_with_labels_and_expressions(sslint, selector):
    run = lint(sslint, {"zk.yaml": workload(), "pdb.yaml": budget(selector=selector)}, "SS401")
    assert run.findings() == []


@pytest.mark.parametrize(
    "selector", ["matchLabels: {app: kafka}", "matchExpressions: [{key: app, operator: NotIn, values: [zk]}]"]
)
def test_a_budget_for_other_pods_does_not_count(sslint, selector):
    run = lint(sslint, {"zk.yaml": workload(), "pdb.yaml": budget(selector=selector)}, "SS401")
    assert [f["rule"] for f in run.findings()] == ["SS401"]


def test_a_v1beta1_budget_is_read_as_policy_v1_reads_it(sslint):
    """No target version serves policy/v1beta1 (SS307 reports it): its budget is judged as the policy/v1
    budget it must become, where an empty selector selects every pod of the namespace."""
    run = lint(sslint, {"zk.yaml": workload(), "pdb.yaml": budget(selector="{}", api="policy/v1beta1")}, "SS401")
    assert run.findings("SS401") == []


@pytest.mark.parametrize(
    "set_namespace, budget_namespace, covered",
    [(None, None, True), ("db", None, True), (None, "db", True), ("db", "db", True), ("db", "other", False)],
)
def test_budget_namespaces(sslint, set_namespace, budget_namespace, covered):
    files = {"zk.yaml": workload(namespace=set_namespace), "pdb.yaml": budget(namespace=budget_namespace)}
    assert bool(lint(sslint, files, "SS401").findings()) is not covered


def test_a_budget_in_another_namespace_is_named(sslint):
    files = {"zk.yaml": workload(namespace="db"), "pdb.yaml": budget(namespace="default")}
    [finding] = lint(sslint, files, "SS401").findings()
    assert where(finding) == ("zk.yaml", 7, 3)
    assert "StatefulSet db/zk" in finding["message"]
    assert ("(PodDisruptionBudget default/zk selects these labels, but a budget only covers pods of its own namespace)"
            in finding["message"])
    assert related(finding) == [("pdb.yaml", 5, 3)]


@pytest.mark.parametrize(
    "rule, replicas, blocks",
    [
        ("maxUnavailable: 0", "3", True),
        ("maxUnavailable: 0%", "3", True),
        ("maxUnavailable: 1", "3", False),
        ("maxUnavailable: 10%", "3", False),  # rounds up to 1
        ("minAvailable: 3", "3", True),
        ("minAvailable: 5", "3", True),
        ("minAvailable: 2", "3", False),
        ("minAvailable: 100%", "3", True),
        ("minAvailable: 90%", "3", True),  # 2.7 rounds up to 3
        ("minAvailable: 67%", "3", True),  # 2.01 rounds up to 3
        ("minAvailable: 50%", "3", False),  # 1.5 rounds up to 2
        ("minAvailable: 1", "1", True),  # one replica: drains hang too
        ("minAvailable: 1", None, True),  # replicas unset is 1
        ("minAvailable: 1", "0", False),  # no pods, nothing to evict
    ],
)
def test_a_budget_that_never_allows_an_eviction(sslint, rule, replicas, blocks):
    run = lint(sslint, {"zk.yaml": workload(replicas=replicas), "pdb.yaml": budget(rule=rule)}, "SS401")
    findings = run.findings("SS401")
    assert bool(findings) is blocks
    if blocks:
        [finding] = findings
        assert f"PodDisruptionBudget zk sets {rule}" in finding["message"]
        assert "never allows an eviction" in finding["message"]
        assert related(finding) == [("pdb.yaml", 6, 3)]


def test_a_percentage_says_how_it_rounds(sslint):
    run = lint(sslint, {"zk.yaml": workload(), "pdb.yaml": budget(rule="minAvailable: 90%")}, "SS401")
    assert "minAvailable: 90% for its 3 pods, which rounds up to all 3" in run.findings()[0]["message"]


def test_an_empty_v1beta1_budget_is_not_read_as_min_available_one(sslint):
    """policy/v1beta1 defaulted an empty budget to minAvailable: 1; policy/v1, which it must become, does not."""
    pdb = budget(api="policy/v1beta1").replace("  maxUnavailable: 1\n", "")
    assert lint(sslint, {"zk.yaml": workload(replicas="1"), "pdb.yaml": pdb}, "SS401").findings("SS401") == []


@pytest.mark.parametrize("api, unserved", [("policy/v1beta1", True), ("policy/v1", False)])
def test_a_blocking_budget_of_an_unserved_api_version_says_so(sslint, api, unserved):
    run = lint(sslint, {"zk.yaml": workload(), "pdb.yaml": budget(rule="minAvailable: 67%", api=api)}, "SS401")
    [finding] = run.findings("SS401")
    assert "minAvailable: 67% for its 3 pods, which rounds up to all 3" in finding["message"]
    note = f"(once it can be applied: Kubernetes {versions.default()} does not serve its apiVersion policy/v1beta1, see SS307)"
    assert finding["message"].endswith(note) is unserved
    assert finding["fix"].endswith(", and move it to policy/v1.") is unserved


def test_a_budget_over_several_workloads_counts_all_their_pods(sslint):
    files = {"a.yaml": workload(name="zk-a", labels="{app: zk, shard: a}", replicas="2"),
             "b.yaml": workload(name="zk-b", labels="{app: zk, shard: b}", replicas="2"),
             "pdb.yaml": budget(rule="minAvailable: 3")}
    assert lint(sslint, files, "SS401").findings() == []


def test_a_keda_scaled_object_is_an_autoscaler(sslint):
    """KEDA scales its target through an HPA of its own: a ScaledObject's maxReplicaCount (100 unset) counts as
    maxReplicas does, and its target is a Deployment unless scaleTargetRef says otherwise."""
    def scaled_object(target="kind: StatefulSet\n    name: zk", extra="\n  maxReplicaCount: 20"):
        return (f"apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: zk\nspec:\n  scaleTargetRef:\n"
                f"    {target}{extra}\n  triggers: [{{type: cpu, metadata: {{value: '60'}}}}]\n")
    [finding] = lint(sslint, {"zk.yaml": workload(replicas=None), "keda.yaml": scaled_object()}, "SS401").findings()
    assert "can be scaled to 20 replicas by ScaledObject zk" in finding["message"]
    assert related(finding) == [("keda.yaml", 9, 3)]
    [unset] = lint(sslint, {"zk.yaml": workload(replicas=None), "keda.yaml": scaled_object(extra="")}, "SS401").findings()
    assert "can be scaled to 100 replicas" in unset["message"]
    assert lint(sslint, {"zk.yaml": workload(replicas=None), "keda.yaml": scaled_object("name: zk")}, "SS401").findings() == []
    [managed] = lint(sslint, {"zk.yaml": workload(), "keda.yaml": scaled_object()}, "SS405").findings()
    assert "but ScaledObject zk scales it between 0 and 20 replicas" in managed["message"]


def test_a_budget_is_judged_at_the_autoscalers_largest_scale(sslint):
    files = {"zk.yaml": workload(), "pdb.yaml": budget(rule="minAvailable: 3"), "hpa.yaml": autoscaler(high=10)}
    assert lint(sslint, files, "SS401").findings() == []


def test_other_workloads_count_at_their_autoscalers_largest_scale_and_a_daemon_set_at_no_count(sslint):
    """A Deployment that leaves replicas to its autoscaler (3 to 6) runs more than one pod: minAvailable: 4 over it
    and 2 replicas of the set allows evictions. A DaemonSet runs one pod a node: no count, no claim."""
    web = workload(kind="Deployment", name="web", labels="{app: zk, part: web}", replicas=None)
    files = {"zk.yaml": workload(replicas="2"), "web.yaml": web, "hpa.yaml": autoscaler("web", "Deployment", 3, 6),
             "pdb.yaml": budget(rule="minAvailable: 4")}
    assert lint(sslint, files, "SS401").findings() == []
    [finding] = lint(sslint, {**files, "hpa.yaml": autoscaler("web", "Deployment", 1, 2)}, "SS401").findings()
    assert "sets minAvailable: 4 for its 4 pods" in finding["message"]
    agent = workload(kind="DaemonSet", name="agent", labels="{app: zk, part: agent}", replicas=None)
    assert lint(sslint, {"zk.yaml": workload(replicas="2"), "agent.yaml": agent, "pdb.yaml": budget(rule="minAvailable: 2")},
                "SS401").findings() == []


def test_in_a_dump_of_a_cluster_pods_and_replica_sets_are_counted_by_their_owners(sslint):
    """`kubectl get -o yaml` lists the set's pods beside it, each owned by it: they are its 3 pods, not 3 more."""
    pods = "".join(f"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: zk-{n}\n  labels: {{app: zk}}\n"
                   f"  ownerReferences: [{{apiVersion: apps/v1, kind: StatefulSet, name: zk, uid: u-zk, controller: true}}]\n"
                   f"spec: {{containers: [{{name: main, image: nginx}}]}}\n" for n in range(3))
    live = workload().replace("  name: zk\n", "  name: zk\n  uid: u-zk\n", 1)
    [finding] = lint(sslint, {"zk.yaml": live + pods, "pdb.yaml": budget(rule="minAvailable: 100%")}, "SS401").findings()
    assert "sets minAvailable: 100% for its 3 pods, which rounds up to all 3" in finding["message"]


def test_a_dumps_own_pods_do_not_turn_the_fix_to_labels_an_upgrade_changes(sslint):
    """The set's pods carry its selector's labels and the chart's version: they are its own, not another
    workload's, so the budget the fix proposes selects by the selector (helm.sh/chart changes on upgrade)."""
    labels = "{app: zk, helm.sh/chart: zk-1.0}"
    pods = "".join(f"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: zk-{n}\n  labels: {labels}\n"
                   f"  ownerReferences: [{{apiVersion: apps/v1, kind: StatefulSet, name: zk, uid: u-zk, controller: true}}]\n"
                   f"spec: {{containers: [{{name: main, image: nginx}}]}}\n" for n in range(3))
    live = workload(labels=labels, selector="{app: zk}").replace("  name: zk\n", "  name: zk\n  uid: u-zk\n", 1)
    [finding] = lint(sslint, {"zk.yaml": live + pods}, "SS401").findings()
    assert "with selector.matchLabels {app: zk} and maxUnavailable: 1" in finding["fix"]


def test_a_budget_that_blocks_the_eviction_of_a_single_pod_is_info(sslint):
    """Kubernetes documents maxUnavailable: 0 over one pod as the way to have the cluster's operator ask first."""
    [finding] = lint(sslint, {"zk.yaml": workload(replicas="1"), "pdb.yaml": budget(rule="maxUnavailable: 0")},
                     "SS401").findings()
    assert (finding["severity"], where(finding)) == ("info", ("zk.yaml", 6, 3))
    assert finding["message"].startswith("StatefulSet zk: PodDisruptionBudget zk sets maxUnavailable: 0 for its one pod, so "
                                         "it never allows an eviction: `kubectl drain` and node upgrades wait on the node")
    assert finding["fix"].startswith("If drains should not wait for a person, remove PodDisruptionBudget zk")
    [percent] = lint(sslint, {"zk.yaml": workload(replicas="1"), "pdb.yaml": budget(rule="minAvailable: 100%")},
                     "SS401").findings()
    assert "sets minAvailable: 100% for its one pod, so it never allows" in percent["message"]
    [scaled] = lint(sslint, {"zk.yaml": workload(replicas="1"), "pdb.yaml": budget(rule="maxUnavailable: 0"),
                             "hpa.yaml": autoscaler(low=1, high=3)}, "SS401").findings()
    assert (scaled["severity"], "for its 3 pods" in scaled["message"]) == ("warning", True)


def test_fragments_and_label_less_bases_are_skipped(sslint):
    patch = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: zk\nspec:\n  replicas: 5\n"
    base = workload(labels="{}", selector="none")
    assert lint(sslint, {"patch.yaml": patch, "base.yaml": base}, "SS401").findings() == []


# -- SS402 anti-affinity-missing -----------------------------------------------------------------------

ANTI_AFFINITY = """
affinity:
  podAntiAffinity:
    {kind}:
      - {term}
"""
REQUIRED = "requiredDuringSchedulingIgnoredDuringExecution"
PREFERRED = "preferredDuringSchedulingIgnoredDuringExecution"


def anti_affinity(key="kubernetes.io/hostname", required=True, selector="matchLabels: {app: zk}"):
    term = f"labelSelector: {{{selector}}}\n        topologyKey: {key}"
    if not required:
        term = (f"weight: 100\n        podAffinityTerm:\n          labelSelector: {{{selector}}}\n"
                f"          topologyKey: {key}")
    return ANTI_AFFINITY.format(kind=REQUIRED if required else PREFERRED, term=term)


def spread(key="kubernetes.io/hostname", when="DoNotSchedule", selector="matchLabels: {app: zk}"):
    return f"""
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: {key}
    whenUnsatisfiable: {when}
    labelSelector: {{{selector}}}
"""


def test_no_spreading_is_an_info_finding_that_passes_the_default_gate(sslint):
    run = lint(sslint, {"zk.yaml": workload()}, "SS402")
    [finding] = run.findings("SS402")
    assert where(finding) == ("zk.yaml", 6, 3) and finding["severity"] == "info" and run.code == 0
    assert "neither pod anti-affinity nor a topology spread constraint on kubernetes.io/hostname" in finding["message"]
    assert finding["fix"].startswith("Add a preferred (or required) pod anti-affinity term")


@pytest.mark.parametrize("value, said", [("'{\"podAntiAffinity\": {}}'", True), ("''", False), ("null", False),
                                         ("'{\"nodeAffinity\": {}}'", False), ("[podAntiAffinity]", False)])
def test_anti_affinity_in_the_alpha_annotation_is_said_to_be_ignored(sslint, value, said):
    """Spilo's manifest still spreads its pods with the annotation the scheduler stopped reading in 1.6."""
    annotated = workload().replace("      labels: {app: zk}\n", "      labels: {app: zk}\n      annotations:\n"
                                   f"        scheduler.alpha.kubernetes.io/affinity: {value}\n")
    [finding] = lint(sslint, {"zk.yaml": annotated}, "SS402").findings()
    if not said:
        assert "alpha" not in finding["message"] and finding["fix"].startswith("Add a preferred")
        return
    assert where(finding) == ("zk.yaml", 6, 3)
    assert finding["message"].endswith("(the pod template's scheduler.alpha.kubernetes.io/affinity annotation has "
                                       "been ignored since Kubernetes 1.6)")
    assert finding["fix"].startswith("Move the affinity in the pod template's scheduler.alpha.kubernetes.io/affinity "
                                     "annotation to spec.template.spec.affinity. Add a preferred")


def test_a_term_that_keeps_the_set_from_another_applications_pods_spreads_nothing(sslint):
    """A cache kept off the database's nodes (CloudNativePG labels its pods cnpg.io/cluster) is not kept off its
    own: SS402 says so at that term. A term written for its own pods that selects nothing is SS407's alone."""
    pod = anti_affinity(selector="matchLabels: {cnpg.io/cluster: orders-db}")
    [finding] = lint(sslint, {"zk.yaml": workload(pod=pod)}, "SS402,SS407").findings()
    assert (finding["rule"], finding["severity"], where(finding)) == ("SS402", "info", ("zk.yaml", 16, 15))
    assert ("StatefulSet zk runs 3 replicas, and its required pod anti-affinity term keeps them from the pods of "
            "cnpg.io/cluster=orders-db, not from each other") in finding["message"]
    typo = anti_affinity(selector="matchLabels: {app: zkk}")
    assert [f["rule"] for f in lint(sslint, {"zk.yaml": workload(pod=typo)}, "SS402,SS407").findings()] == ["SS407"]


@pytest.mark.parametrize(
    "pod",
    [
        anti_affinity(required=True),
        anti_affinity(required=False),
        anti_affinity(key="topology.kubernetes.io/zone", required=True),  # one per zone is one per node
        spread(),
        spread(when="ScheduleAnyway"),
    ],
)
def test_spreading_across_nodes_counts(sslint, pod):
    assert lint(sslint, {"zk.yaml": workload(pod=pod)}, "SS402").findings() == []


@pytest.mark.parametrize(
    "pod, what, line",
    [
        (anti_affinity(key="topology.kubernetes.io/zone", required=False), "preferred pod anti-affinity term", 19),
        (spread(key="topology.kubernetes.io/zone"), "topology spread constraint", 15),
    ],
)
def test_spreading_only_across_zones_is_reported_at_the_topology_key(sslint, pod, what, line):
    [finding] = lint(sslint, {"zk.yaml": workload(pod=pod)}, "SS402").findings()
    assert where(finding)[1] == line
    assert f"spreads them only by topology.kubernetes.io/zone ({what}), not across nodes" in finding["message"]


@pytest.mark.parametrize(
    "pod, ports, apart",
    [
        ("", "ports: [{containerPort: 4222, hostPort: 4222}]", True),  # the scheduler: one pod per node and host port
        ("hostNetwork: true", "ports: [{containerPort: 4222}]", True),  # the API server sets hostPort: 4222
        ("hostNetwork: true", "", False),  # no port the scheduler knows of
        ("hostNetwork: false", "ports: [{containerPort: 4222}]", False),
        ("", "ports: [{containerPort: 4222, hostPort: 0}]", False),
    ],
)
def test_a_host_port_keeps_replicas_on_different_nodes(sslint, pod, ports, apart):
    manifest = workload(pod=pod).replace("image: nginx:1.27\n", f"image: nginx:1.27\n          {ports}\n")
    assert (lint(sslint, {"zk.yaml": manifest}, "SS402").findings() == []) == apart


@pytest.mark.parametrize("version, restart, apart", [("1.34", "Always", True), ("1.33", "Always", False),
                                                     ("1.37", "OnFailure", False)])
def test_a_sidecars_host_port_counts_from_1_34(sslint, version, restart, apart):
    """From 1.34 the scheduler counts the host ports of init containers that run beside the others."""
    sidecar = (f"initContainers:\n  - name: proxy\n    image: envoy:1.31\n    restartPolicy: {restart}\n"
               "    ports: [{containerPort: 9901, hostPort: 9901}]")
    run = lint(sslint, {"zk.yaml": workload(pod=sidecar)}, "SS402", "--kubernetes-version", version)
    assert (run.findings() == []) == apart


def test_one_replica_has_nothing_to_spread_unless_an_autoscaler_scales_it(sslint):
    assert lint(sslint, {"zk.yaml": workload(replicas=None)}, "SS402").findings() == []
    run = lint(sslint, {"zk.yaml": workload(replicas=None), "hpa.yaml": autoscaler(high=3)}, "SS402")
    assert "can be scaled to 3 replicas by HorizontalPodAutoscaler zk" in run.findings()[0]["message"]


def test_only_statefulsets_are_inspected(sslint):
    assert lint(sslint, {"web.yaml": workload(kind="Deployment")}, "SS402").findings() == []


# -- SS403 grace-period-zero ---------------------------------------------------------------------------


def test_grace_period_zero(sslint):
    run = lint(sslint, {"zk.yaml": workload(pod="terminationGracePeriodSeconds: 0")}, "SS403")
    [finding] = run.findings("SS403")
    assert where(finding) == ("zk.yaml", 13, 7) and run.code == 1
    assert finding["message"].startswith("StatefulSet zk sets terminationGracePeriodSeconds: 0")


@pytest.mark.parametrize("value", ["30", "1", '"0"', "false", "null"])
def test_other_grace_periods_pass(sslint, value):
    pod = f"terminationGracePeriodSeconds: {value}"
    assert lint(sslint, {"zk.yaml": workload(pod=pod)}, "SS403").findings() == []


def test_grace_period_zero_in_a_deployment_is_not_this_rule(sslint):
    pod = "terminationGracePeriodSeconds: 0"
    assert lint(sslint, {"web.yaml": workload(kind="Deployment", pod=pod)}, "SS403").findings() == []


# -- SS404 duplicate-pod-selection ---------------------------------------------------------------------


ADMIN = workload(kind="Deployment", name="zk-admin", labels="{app: zk, role: admin}", selector="{app: zk}")


def test_a_broad_selector_is_reported_once_on_the_workload_that_has_it(sslint):
    files = {"zk.yaml": workload(labels="{app: zk, role: server}"), "admin.yaml": ADMIN}
    run = lint(sslint, files, "SS404")
    [finding] = run.findings("SS404")
    assert where(finding) == ("admin.yaml", 7, 3) and run.code == 1
    assert ("Deployment zk-admin's selector (app=zk) also selects the pods of StatefulSet zk (app=zk, role=server)"
            in finding["message"])
    assert related(finding) == [("zk.yaml", 11, 7)]


def test_two_workloads_with_the_same_labels_are_one_finding(sslint):
    files = {"a.yaml": workload(), "b.yaml": workload(kind="DaemonSet", name="zk-exporter", replicas=None)}
    run = lint(sslint, files, "SS404")
    [finding] = run.findings("SS404")
    assert where(finding) == ("a.yaml", 7, 3)
    assert "StatefulSet zk and DaemonSet zk-exporter select each other's pods" in finding["message"]
    assert related(finding) == [("b.yaml", 6, 3)]


@pytest.mark.parametrize(
    "selector, overlaps",
    [
        ("[{key: app, operator: In, values: [zk, kafka]}]", True),
        ("[{key: app, operator: In, values: [kafka]}]", False),
        ("[{key: role, operator: Exists}]", True),
        ("[{key: app, operator: NotIn, values: [redis]}]", True),
        ("[{key: app, operator: NotIn, values: [zk]}]", False),
        ("[{key: legacy, operator: DoesNotExist}]", True),
        ("[{key: role, operator: Exists}, {key: app, operator: In, values: [kafka]}]", False),
    ],
)
def test_selectors_with_expressions(sslint, selector, overlaps):
    tools = workload(kind="Deployment", name="tools", labels="{app: kafka, role: tools}").replace(
        "  selector:\n    matchLabels: {app: kafka, role: tools}", f"  selector:\n    matchExpressions: {selector}")
    files = {"zk.yaml": workload(labels="{app: zk, role: server}"), "tools.yaml": tools}
    assert bool(lint(sslint, files, "SS404").findings()) is overlaps


@pytest.mark.parametrize(
    "first, second, found",
    [(None, None, True), ("db", None, True), (None, "db", True), ("db", "db", True), ("db", "other", False)],
)
def test_overlap_namespaces(sslint, first, second, found):
    files = {"a.yaml": workload(namespace=first), "b.yaml": workload(kind="Deployment", name="web", namespace=second)}
    findings = lint(sslint, files, "SS404").findings()
    assert bool(findings) is found
    if found:  # one of them lands wherever it is applied: the finding holds only if that is the other's namespace
        condition = {("db", None): " (when Deployment web is applied to namespace db)",
                     (None, "db"): " (when StatefulSet zk is applied to namespace db)"}.get((first, second), "")
        assert (condition in findings[0]["message"]) and ("(when" in findings[0]["message"]) is bool(condition)


def test_a_workload_is_never_compared_with_itself_or_its_own_copies(sslint):
    files = {"base/zk.yaml": workload(), "overlays/prod/zk.yaml": workload(replicas="5")}
    assert lint(sslint, files, "SS404").findings() == []


def test_fragments_and_invalid_selectors_are_not_compared(sslint):
    patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {selector: {matchLabels: {app: zk}}}\n"
    mismatched = workload(kind="Deployment", name="web", labels="{app: web}", selector="{app: zk}")  # SS301
    assert lint(sslint, {"zk.yaml": workload(), "patch.yaml": patch}, "SS404").findings() == []
    assert lint(sslint, {"zk.yaml": workload(), "web.yaml": mismatched}, "SS404").findings() == []


def test_a_replication_controller_selector_defaults_to_its_labels(sslint):
    rc = workload(kind="ReplicationController", name="legacy", api="v1", selector="none")
    [finding] = lint(sslint, {"zk.yaml": workload(), "rc.yaml": rc}, "SS404").findings()
    assert "ReplicationController legacy and StatefulSet zk select each other's pods" in finding["message"]
    assert "ReplicationController legacy adopts the other's pods once they are orphaned" in finding["message"]


def test_a_controller_and_the_replica_set_it_owns_are_not_a_pair(sslint):
    owned = workload(kind="ReplicaSet", name="web-5d8f", labels="{app: zk, pod-template-hash: 5d8f}").replace(
        "  name: web-5d8f", "  name: web-5d8f\n  ownerReferences: [{kind: Deployment, name: web}]")
    files = {"deploy.yaml": workload(kind="Deployment", name="web"), "rs.yaml": owned}
    assert lint(sslint, files, "SS404").findings() == []


def test_when_the_broad_workload_is_context_the_linted_one_reports(sslint):
    files = {"app/zk.yaml": workload(labels="{app: zk, role: server}"), "ctx/admin.yaml": ADMIN}
    run = lint(sslint, files, "SS404", "--context", "ctx", paths=["app"])
    [finding] = run.findings("SS404")
    assert where(finding) == ("app/zk.yaml", 11, 7)
    assert "Deployment zk-admin's selector (app=zk) also selects the pods of StatefulSet zk" in finding["message"]
    assert related(finding) == [("ctx/admin.yaml", 7, 3)]


# -- SS405 replicas-managed-by-hpa ---------------------------------------------------------------------


def test_replicas_set_under_an_autoscaler(sslint):
    run = lint(sslint, {"zk.yaml": workload(), "hpa.yaml": autoscaler()}, "SS405")
    [finding] = run.findings("SS405")
    assert where(finding) == ("zk.yaml", 6, 3) and run.code == 1
    assert ("StatefulSet zk sets spec.replicas: 3, but HorizontalPodAutoscaler zk scales it between 2 and 5"
            in finding["message"])
    assert related(finding) == [("hpa.yaml", 6, 3)]


@pytest.mark.parametrize(
    "files",
    [
        {"zk.yaml": workload(replicas=None), "hpa.yaml": autoscaler()},
        {"zk.yaml": workload(namespace="db"), "hpa.yaml": autoscaler(namespace="other")},
        {"zk.yaml": workload(), "hpa.yaml": autoscaler(kind="Deployment")},
        {"zk.yaml": workload(), "hpa.yaml": autoscaler(low=3, high=3)},  # it can only choose 3 itself
    ],
    ids=["replicas-unset", "other-namespace", "targets-a-deployment", "fixed-at-the-same-count"],
)
def test_no_conflict_with_the_autoscaler(sslint, files):
    assert lint(sslint, files, "SS405").findings() == []


def test_a_set_read_from_a_cluster_is_judged_by_what_its_last_apply_set(sslint):
    """`kubectl get -o yaml` prints spec.replicas whatever was applied (the API server defaults it, the
    autoscaler writes it): only a last kubectl apply that set it resets the scale, and says so."""
    live = workload().replace("  name: zk\n", "  name: zk\n  resourceVersion: '4711'\n  uid: 0d1f\n", 1)
    assert lint(sslint, {"zk.yaml": live, "hpa.yaml": autoscaler()}, "SS405").findings() == []
    applied = '{"apiVersion":"apps/v1","kind":"StatefulSet","spec":{"replicas":2}}'
    annotated = live.replace("  uid: 0d1f\n", f"  uid: 0d1f\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{applied}'\n", 1)
    [finding] = lint(sslint, {"zk.yaml": annotated, "hpa.yaml": autoscaler()}, "SS405").findings()
    assert finding["message"].startswith("StatefulSet zk was last applied with spec.replicas: 2, but HorizontalPodAutoscaler zk "
                                         "scales it between 2 and 5 replicas: every apply resets the scale to 2")
    assert where(finding) == ("zk.yaml", 8, 5)
    for odd in ('"spec":{}', '"spec":{"replicas":true}', '"spec":{"replicas":[3]}'):
        unset = annotated.replace('"spec":{"replicas":2}', odd)
        assert lint(sslint, {"zk.yaml": unset, "hpa.yaml": autoscaler()}, "SS405").findings() == []


def test_an_autoscaler_without_a_namespace_lands_with_the_set(sslint):
    run = lint(sslint, {"zk.yaml": workload(namespace="db"), "hpa.yaml": autoscaler()}, "SS405")
    assert "StatefulSet db/zk" in run.findings()[0]["message"]


# -- SS406 partition-exceeds-replicas ------------------------------------------------------------------


def partitioned(partition, replicas="3", strategy="RollingUpdate"):
    spec = f"updateStrategy:\n  type: {strategy}\n  rollingUpdate:\n    partition: {partition}"
    return workload(replicas=replicas, spec=spec)


@pytest.mark.parametrize("partition, replicas", [(3, "3"), (5, "3"), (1, None)])
def test_a_partition_that_updates_no_pod(sslint, partition, replicas):
    run = lint(sslint, {"zk.yaml": partitioned(partition, replicas)}, "SS406")
    [finding] = run.findings("SS406")
    assert where(finding) == ("zk.yaml", 10 if replicas else 9, 7) and run.code == 1
    assert f"rollingUpdate.partition {partition} is not below its" in finding["message"]


@pytest.mark.parametrize("partition, replicas, strategy", [(2, "3", "RollingUpdate"), (0, "3", "RollingUpdate"),
                                                           (3, "3", "OnDelete"), ("${P}", "3", "RollingUpdate"),
                                                           (1, "0", "RollingUpdate")])
def test_partitions_that_pass(sslint, partition, replicas, strategy):
    assert lint(sslint, {"zk.yaml": partitioned(partition, replicas, strategy)}, "SS406").findings() == []


def test_a_partition_is_compared_with_the_autoscalers_largest_scale(sslint):
    assert lint(sslint, {"zk.yaml": partitioned(3), "hpa.yaml": autoscaler(high=6)}, "SS406").findings() == []
    [finding] = lint(sslint, {"zk.yaml": partitioned(6), "hpa.yaml": autoscaler(high=6)}, "SS406").findings()
    assert "the 6 replicas HorizontalPodAutoscaler zk can scale it to" in finding["message"]


def test_a_partition_counts_from_the_first_ordinal(sslint):
    """Pods redis-3 to redis-5 (ordinals.start 3): a partition of 3 updates those from ordinal 6, none of them;
    before 1.27 the cluster drops ordinals and the pods are 0 to 2."""
    spec = "ordinals: {start: 3}\nupdateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 3}}"
    files = {"zk.yaml": workload(spec=spec)}
    [finding] = lint(sslint, files, "SS406", "--kubernetes-version", "1.27").findings()
    assert ("only pods with an ordinal of 6 or more (ordinals.start 3 plus the partition) get a new template, and its "
            "pods are numbered 3 to 5, so") in finding["message"]
    [one] = lint(sslint, {"zk.yaml": workload(replicas="1", spec=spec)}, "SS406", "--kubernetes-version", "1.27").findings()
    assert "ordinal of 6 or more (ordinals.start 3 plus the partition) get a new template, and its pod is numbered 3," \
        in one["message"]
    [dropped] = lint(sslint, files, "SS406", "--kubernetes-version", "1.26").findings()
    assert "only pods with an ordinal of 3 or more get a new template, and there are none, so" in dropped["message"]
    assert lint(sslint, {"zk.yaml": workload(spec=spec.replace("partition: 3", "partition: 2"))}, "SS406").findings() == []


# -- SS407 anti-affinity-selects-nothing ---------------------------------------------------------------


def test_the_renamed_label_case(sslint):
    pod = anti_affinity(selector="matchExpressions: [{key: app, operator: In, values: [zk]}]")
    run = lint(sslint, {"zk.yaml": workload(labels="{app.kubernetes.io/name: zk}", pod=pod)}, "SS407")
    [finding] = run.findings("SS407")
    assert where(finding) == ("zk.yaml", 16, 15) and run.code == 1
    assert "StatefulSet zk: its required pod anti-affinity term selects app in (zk)" in finding["message"]
    assert "not even its own (app.kubernetes.io/name=zk)" in finding["message"]
    assert "{app.kubernetes.io/name: zk}" in finding["fix"]
    assert related(finding) == [("zk.yaml", 11, 7)]


@pytest.mark.parametrize("pod, what, at", [
    (spread().replace("    labelSelector: {matchLabels: {app: zk}}\n", ""), "topology spread constraint", (14, 11)),
    (anti_affinity(required=False).replace("          labelSelector: {matchLabels: {app: zk}}\n", ""),
     "preferred pod anti-affinity term", (17, 15)),
])
def test_a_term_without_a_label_selector_counts_no_pod(sslint, pod, what, at):
    """A null labelSelector matches no pod (the PodAffinityTerm reference; kubernetes#135797 for spread
    constraints): the term spreads nothing, which SS407 says and SS402 leaves to it."""
    assert "labelSelector" not in pod
    run = lint(sslint, {"zk.yaml": workload(pod=pod)}, "SS402,SS407")
    [finding] = run.findings()
    assert (finding["rule"], where(finding)[1:]) == ("SS407", at)
    assert finding["message"] == (f"StatefulSet zk: its {what} has no labelSelector, so it selects no pod, not even its own "
                                  "(app=zk): the scheduler never spreads the replicas by kubernetes.io/hostname, which is "
                                  "what the term was written for")
    assert finding["fix"] == "Add a labelSelector that matches the pod template's labels, for example matchLabels: {app: zk}."
    # an empty selector selects every pod of the namespace, its own too: it spreads them
    assert lint(sslint, {"zk.yaml": workload(pod=spread(selector=""))}, "SS402,SS407").findings() == []


def test_a_term_against_pods_made_elsewhere_passes_beside_one_that_spreads_the_set(sslint):
    """Keeping ZooKeeper off the nodes of Kafka brokers that an operator creates: no template of the model
    carries their labels, and the set spreads its own pods by another term."""
    other = "matchLabels: {strimzi.io/kind: Kafka}"
    both = (anti_affinity() + f"    {PREFERRED}:\n      - weight: 100\n        podAffinityTerm:\n"
            f"          labelSelector: {{{other}}}\n          topologyKey: kubernetes.io/hostname\n")
    assert lint(sslint, {"zk.yaml": workload(pod=both)}, "SS407").findings() == []
    assert lint(sslint, {"zk.yaml": workload(pod=anti_affinity(required=False, selector=other))}, "SS407").findings() == []
    # another value of its own key is meant for another application beside a term that spreads the set, else for it
    kafka = both.replace("{strimzi.io/kind: Kafka}", "{app: kafka}")
    assert lint(sslint, {"zk.yaml": workload(pod=kafka)}, "SS407").findings() == []
    assert len(lint(sslint, {"zk.yaml": workload(pod=anti_affinity(selector="matchLabels: {app: kafka}"))}, "SS407").findings()) == 1
    # a misspelt value of its own label key is still the renamed-label mistake, whatever else spreads the set
    typo = both.replace("{strimzi.io/kind: Kafka}", "{app: zookeper}").replace("{app: zk}", "{app: zookeeper}")
    [finding] = lint(sslint, {"zk.yaml": workload(labels="{app: zookeeper}", pod=typo)}, "SS407").findings()
    assert "selects app=zookeper" in finding["message"]


@pytest.mark.parametrize(
    "selector, selects_own",
    [
        ("matchLabels: {app: zk}", True),
        ("matchLabels: {app: zookeeper}", False),
        ("matchExpressions: [{key: app, operator: In, values: [zk, kafka]}]", True),
        ("matchExpressions: [{key: app, operator: In, values: [kafka]}]", False),
        ("matchExpressions: [{key: app, operator: NotIn, values: [kafka]}]", True),
        ("matchExpressions: [{key: app, operator: NotIn, values: [zk]}]", False),
        ("matchExpressions: [{key: app, operator: Exists}]", True),
        ("matchExpressions: [{key: ap, operator: Exists}]", False),  # (a key near its own: meant for its pods)
        ("matchExpressions: [{key: tier, operator: DoesNotExist}]", True),
        ("matchExpressions: [{key: app, operator: DoesNotExist}]", False),
        ("matchLabels: {app: zk}, matchExpressions: [{key: tier, operator: In, values: [db]}]", False),
    ],
)
def test_every_operator(sslint, selector, selects_own):
    run = lint(sslint, {"zk.yaml": workload(pod=anti_affinity(selector=selector))}, "SS407")
    assert bool(run.findings()) is not selects_own


@pytest.mark.parametrize("values", ["true", "zk", "{a: zk}"])
def test_a_selector_the_api_rejects_is_left_to_the_schema_check(sslint, values):
    """values must be a list: the API rejects anything else, as SS002 says; SS407 neither judges
    the term nor fails on it."""
    pod = anti_affinity(selector=f"matchExpressions: [{{key: app, operator: In, values: {values}}}]")
    run = lint(sslint, {"zk.yaml": workload(pod=pod)}, "SS407")
    assert run.code == 0 and run.findings() == []
    run = sslint("--format", "json", "--select", "SS002", ".")
    assert [(where(f)[1:], "matchExpressions" in f["message"]) for f in run.findings()] == [((16, 75), True)]  # at values


def test_a_term_against_another_template_of_the_model_passes(sslint):
    pod = anti_affinity(selector="matchLabels: {app: kafka}")
    files = {"zk.yaml": workload(pod=pod), "kafka.yaml": workload(name="kafka", labels="{app: kafka}")}
    assert lint(sslint, files, "SS407").findings() == []


@pytest.mark.parametrize(
    "target",
    [
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\n  labels: {app: kafka}\nspec:\n  containers: []\n",
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: backup\nspec:\n  schedule: '@daily'\n"
        "  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {app: kafka}\n"
        "        spec:\n          containers: []\n",
        "apiVersion: v1\nkind: PodTemplate\nmetadata:\n  name: kafka\ntemplate:\n  metadata:\n    labels: {app: kafka}\n"
        "  spec:\n    containers: []\n",
    ],
    ids=["pod", "cronjob", "podtemplate"],
)
def test_pods_and_job_templates_are_targets_too(sslint, target):
    pod = anti_affinity(selector="matchLabels: {app: kafka}")
    assert lint(sslint, {"zk.yaml": workload(pod=pod), "other.yaml": target}, "SS407").findings() == []


def test_a_template_in_an_explicit_other_namespace_does_not_count(sslint):
    pod = anti_affinity(selector="matchLabels: {app: kafka}")
    files = {"zk.yaml": workload(pod=pod, namespace="db"),
             "kafka.yaml": workload(name="kafka", labels="{app: kafka}", namespace="mq")}
    assert [where(f) for f in lint(sslint, files, "SS407").findings()] == [("zk.yaml", 17, 15)]


@pytest.mark.parametrize(
    "extra, checked",
    [("namespaceSelector: {}", False), ("namespaces: [mq]", False), ("namespaces: [db]", True),
     ("namespaceSelector: null", True)],
)
def test_terms_that_look_in_other_namespaces_are_not_judged(sslint, extra, checked):
    pod = anti_affinity(selector="matchLabels: {app: ingress}").replace(
        "        topologyKey", f"        {extra}\n        topologyKey")
    run = lint(sslint, {"zk.yaml": workload(pod=pod, namespace="db")}, "SS407")
    assert bool(run.findings()) is checked


def test_preferred_terms_and_spread_constraints_point_at_their_label_selector(sslint):
    selector = "matchLabels: {app: zookeeper}"
    pod = anti_affinity(required=False, selector=selector) + spread(selector=selector)
    run = lint(sslint, {"zk.yaml": workload(pod=pod)}, "SS407")
    assert [where(f)[1:] for f in run.findings()] == [(18, 17), (24, 11)]
    assert ["preferred pod anti-affinity term" in run.findings()[0]["message"],
            "topology spread constraint" in run.findings()[1]["message"]] == [True, True]


def test_deployments_are_checked(sslint):
    pod = anti_affinity(selector="matchLabels: {app: nothing}")
    [finding] = lint(sslint, {"web.yaml": workload(kind="Deployment", pod=pod)}, "SS407").findings()
    assert finding["message"].startswith("Deployment zk: its required pod anti-affinity term selects app=nothing")


def test_a_single_replica_is_not_checked(sslint):
    pod = anti_affinity(selector="matchLabels: {app: nothing}")
    assert lint(sslint, {"zk.yaml": workload(pod=pod, replicas=None)}, "SS407").findings() == []


def test_label_less_templates_and_unreadable_selectors_are_skipped(sslint):
    base = workload(labels="{}", selector="none", pod=anti_affinity(selector="matchLabels: {app: zk}"))
    templated = workload(pod=anti_affinity(selector="matchLabels: {app: ${APP}}"))
    assert lint(sslint, {"base.yaml": base, "templated.yaml": templated}, "SS407").findings() == []


# -- all together --------------------------------------------------------------------------------------


def test_a_well_run_set_is_clean(sslint):
    files = {"zk.yaml": workload(pod=anti_affinity()), "pdb.yaml": budget()}
    run = lint(sslint, files, "SS4")
    assert run.findings() == [] and run.code == 0


def test_findings_can_be_suppressed_by_annotation(sslint):
    annotation = "  annotations:\n    ignore-check.sslint.io/SS401: the operator creates the budget\n"
    annotated = workload().replace("  name: zk\n", "  name: zk\n" + annotation)
    run = lint(sslint, {"zk.yaml": annotated}, "SS401")
    assert run.findings()[0]["suppressed"] and run.code == 0


def test_list_items_and_json(sslint):
    item = "  - " + workload(pod="terminationGracePeriodSeconds: 0").replace("\n", "\n    ").rstrip()
    run = lint(sslint, {"list.yaml": f"apiVersion: v1\nkind: List\nitems:\n{item}\n"}, "SS403")
    assert [where(f)[1:] for f in run.findings()] == [(16, 11)]
    manifest = ('{"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "zk"},\n'
                ' "spec": {"replicas": 3,\n  "selector": {"matchLabels": {"app": "zk"}},\n'
                '  "template": {"metadata": {"labels": {"app": "zk"}}, "spec": {"containers": []}}}}\n')
    run = lint(sslint, {"zk.json": manifest}, "SS401", paths=["zk.json"])
    assert [where(f) for f in run.findings()] == [("zk.json", 2, 11)]
