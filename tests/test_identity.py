"""SS101–SS105: the governing Service, across files, namespaces, versions and shapes."""

import json

import pytest

from conftest import docs, service, statefulset


def lint(sslint, files, *args, paths=(".",)):
    return sslint("--format", "json", "--select", "SS1", *args, *paths, files=files)


def test_a_correct_set_and_headless_service_are_clean(sslint):
    run = lint(sslint, {"a.yaml": docs(statefulset(), service())})
    assert run.code == 0 and run.findings() == []


@pytest.mark.parametrize(
    "set_namespace, service_namespace, found",
    [(None, None, True), ("db", None, True), (None, "db", True), ("db", "db", True), ("db", "other", False)],
)
def test_namespaces_unset_match_anything_explicit_must_agree(sslint, set_namespace, service_namespace, found):
    run = lint(sslint, {"a.yaml": docs(statefulset(namespace=set_namespace), service(namespace=service_namespace))})
    assert [f["rule"] for f in run.findings()] == ([] if found else ["SS102"])


def test_missing_service_mentions_the_one_in_another_namespace(sslint):
    run = lint(sslint, {"a.yaml": docs(statefulset(namespace="shop"), service(namespace="default"))})
    [finding] = run.findings("SS102")
    assert "exists in namespace default" in finding["message"]
    assert finding["object"] == {"kind": "StatefulSet", "namespace": "shop", "name": "web"}
    assert (finding["line"], finding["column"]) == (7, 3)
    assert [(r["line"], r["column"]) for r in finding["related"]] == [(23, 3)]


@pytest.mark.parametrize("replicas, scaled, single", [(3, False, False), (1, False, True), (1, True, False)])
def test_what_a_missing_or_not_headless_service_costs_depends_on_the_replicas(sslint, replicas, scaled, single):
    """One replica has no peers: it only loses its own name, a warning (Argo CD's application controller and
    Jenkins ship a set of one this way); an autoscaler that can add replicas gives it peers, and an error."""
    for rule, svc, words in (("SS102", "", ("its pod gets no DNS name of its own (<pod>.<service>)",
                                             "its pods get no DNS names, and peer discovery by <pod>.<service> fails")),
                             ("SS103", service(spec="type: ClusterIP"), ("the pod gets no DNS record of its own (<pod>.web)",
                                                                          "the pods get no per-pod DNS records (<pod>.web)"))):
        files = {"a.yaml": docs(*filter(None, (statefulset(replicas=replicas), svc))), **({"hpa.yaml": HPA} if scaled else {})}
        [finding] = lint(sslint, files).findings(rule)
        assert (words[0] in finding["message"]) is single and (words[1] in finding["message"]) is not single
        assert finding["severity"] == ("warning" if single else "error")


def test_missing_service_suggests_a_close_spelling(sslint):
    run = lint(sslint, {"a.yaml": docs(statefulset(service="ngnix", labels="{app: nginx}"), service("nginx", "{app: nginx}"))})
    [finding] = run.findings("SS102")
    assert finding["message"].endswith("peer discovery by <pod>.<service> fails; did you mean 'nginx'?")
    assert "cannot be changed on a live StatefulSet" in finding["fix"]


def test_missing_service_suggests_the_headless_service_that_selects_the_pods(sslint):
    run = lint(sslint, {"a.yaml": docs(statefulset(service="web"), service("web-peers"))})
    [finding] = run.findings("SS102")
    assert finding["message"].endswith("its pods get no DNS names, and peer discovery by <pod>.<service> fails; "
                                       "did you mean 'web-peers', the headless Service that selects its pods?")
    assert finding["related"][0]["message"] == ("Service web-peers, the likely governing Service (the headless "
                                                "Service that selects its pods)")
    # Of several, the one that asks most of its pods: not a gossip ring that selects every member of a release.
    ring = service("ring", "{part: memberlist}")
    labels = "{app: web, part: memberlist}"
    run = lint(sslint, {"a.yaml": docs(ring, statefulset(service="web", labels=labels), service("web-peers", labels))})
    assert "did you mean 'web-peers', the headless Service" in run.findings("SS102")[0]["message"]


def test_a_far_name_is_not_suggested(sslint):
    run = lint(sslint, {"a.yaml": docs(statefulset(service="argocd-application-controller", labels="{app: a}"),
                                       service("argocd-applicationset-controller", "{app: b}"))})
    assert "did you mean" not in run.findings("SS102")[0]["message"]


def test_service_in_an_unchanged_sibling_file_is_found(sslint, tmp_path):
    run = lint(sslint, {"k8s/sts.yaml": statefulset(), "k8s/svc.yaml": service()}, paths=["k8s/sts.yaml"])
    assert run.findings() == [] and run.json["summary"]["files"] == 1


def test_service_given_as_context_is_found_and_context_is_never_reported(sslint):
    broken_context = statefulset(name="other", service="nothing")
    run = lint(sslint, {"app/sts.yaml": statefulset(), "ctx/svc.yaml": docs(service(), broken_context)},
               "--context", "ctx", paths=["app"])
    assert run.findings() == []


def test_list_items_are_objects(sslint):
    items = "\n".join("  - " + d.replace("\n", "\n    ").rstrip() for d in (statefulset(service="db"), service("dbx")))
    run = lint(sslint, {"list.yaml": f"apiVersion: v1\nkind: List\nitems:\n{items}\n"})
    [finding] = run.findings("SS102")
    assert (finding["line"], finding["column"]) == (9, 7)
    assert "did you mean 'dbx'?" in finding["message"]


def test_json_list_items_are_objects_with_their_positions(sslint):
    """`kubectl get -o json`: a finding in an item is placed in that item, on one line or indented."""
    sts = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
           "spec": {"serviceName": "db", "selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "dbx"}, "spec": {"clusterIP": "None", "selector": {"app": "web"}}}
    for indent in (None, 4):
        text = json.dumps({"apiVersion": "v1", "kind": "List", "items": [svc, sts]}, indent=indent)
        at = text.index('"serviceName"')
        [finding] = lint(sslint, {"list.json": text}).findings("SS102")
        assert (finding["line"], finding["column"]) == (text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at))
        assert "did you mean 'dbx'?" in finding["message"]


def test_fragments_are_skipped(sslint):
    patch = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  serviceName: missing\n"
    assert lint(sslint, {"patch.yaml": patch}).findings() == []


def test_older_api_versions_are_checked_too(sslint):
    old = statefulset(service="missing").replace("apps/v1", "apps/v1beta2")
    assert [f["rule"] for f in lint(sslint, {"a.yaml": old}).findings()] == ["SS102"]


def test_json_manifests_report_positions(sslint):
    manifest = """{
\t"apiVersion": "apps/v1", "kind": "StatefulSet",
\t"metadata": {"name": "web"},
\t"spec": {
\t\t"serviceName": "missing",
\t\t"selector": {"matchLabels": {"app": "web"}},
\t\t"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}
\t}
}
"""
    run = lint(sslint, {"sts.json": manifest})
    assert run.positions("SS102") == [("sts.json", 5, 3)]


@pytest.mark.parametrize(
    "spec, related, kept",
    [
        ("type: ClusterIP", (6, 3), None),
        ("clusterIP: 10.0.0.12", (6, 3), None),
        ("type: NodePort", (6, 3), "its node ports reach the pods from outside the cluster"),
        ("type: LoadBalancer", (6, 3), "its load balancer reaches the pods from outside the cluster"),
        ("ports: [{port: 80}]", (5, 1), None),
    ],
)
def test_not_headless(sslint, spec, related, kept):
    run = lint(sslint, {"svc.yaml": service(spec=spec), "sts.yaml": statefulset()})
    [finding] = run.findings("SS103")
    assert (finding["file"], finding["line"], finding["column"]) == ("sts.yaml", 6, 3)
    assert [(r["file"], r["line"], r["column"]) for r in finding["related"]] == [("svc.yaml", *related)]
    assert "not headless" in finding["message"] and "Service web" in finding["message"]
    assert finding["message"].endswith("the pods get no per-pod DNS records (<pod>.web), so no replica can be "
                                       "addressed by its own name")
    if kept:  # a Service that serves more than the names is not to be deleted: a second one is the fix
        assert finding["fix"].startswith(f"Keep Service web, which a headless Service cannot replace ({kept}), and "
                                         "create a headless Service (clusterIP: None) under another name")
    else:
        assert finding["fix"].startswith("spec.clusterIP cannot change on an existing Service. If nothing uses the "
                                         "cluster IP of Service web, delete it and create it again with clusterIP: None")
        assert "; if clients do (a headless Service has none to share them out), keep it and create a headless" in finding["fix"]
    assert "recreating StatefulSet web (kubectl delete statefulset web --cascade=orphan" in finding["fix"]
    assert finding["fix"].endswith("(kubectl rollout restart statefulset web).")


@pytest.mark.parametrize("selector", [None, "{app: other}"])
def test_an_external_name_service_can_become_headless_in_place(sslint, selector):
    """It has no cluster IP to keep, and nothing reads its selector: SS103 says to change it, SS104 nothing."""
    svc = service(spec="type: ExternalName\n  externalName: db.example.com", selector=selector)
    run = lint(sslint, {"svc.yaml": svc, "sts.yaml": statefulset()})
    assert [f["rule"] for f in run.findings()] == ["SS103"]
    assert run.findings()[0]["fix"].startswith(
        "An ExternalName Service has no cluster IP, so Service web can change in place: give it type ClusterIP, "
        "clusterIP: None and a selector of the pods (app=web), and remove externalName")


@pytest.mark.parametrize("kind", ["[NodePort]", "{a: b}"])
def test_a_service_type_of_another_shape_is_still_a_finding(sslint, kind):
    """SS002 reports the type; SS103 still says the Service is not headless, and does not fail."""
    run = lint(sslint, {"svc.yaml": service(spec=f"type: {kind}"), "sts.yaml": statefulset()})
    assert run.code == 1 and [f["rule"] for f in run.findings("SS103")] == ["SS103"]
    assert "Service web, delete it and create it again" in run.findings("SS103")[0]["fix"]


def test_a_headless_service_that_selects_the_pods_is_offered(sslint):
    """Mimir's chart: serviceName names the alertmanager's client Service, while its -headless Service
    is there, selecting the pods: the fix points serviceName at it, and keeps the other."""
    headless = service(name="web-headless")
    run = lint(sslint, {"svc.yaml": docs(service(spec="type: ClusterIP"), headless), "sts.yaml": statefulset()})
    [finding] = run.findings("SS103")
    assert finding["fix"].startswith("Keep Service web for clients, and point serviceName at Service web-headless, which "
                                     "is headless and selects the pods, which on a live set means recreating StatefulSet web")
    assert [(r["line"], r["message"]) for r in finding["related"]] == [
        (6, "Service web, not headless"), (12, "Service web-headless, headless, selecting the pods")]
    same_name = lint(sslint, {"a.yaml": docs(service(spec="type: NodePort"), statefulset()), "b.yaml": service()})
    assert "point serviceName at Service web," not in same_name.findings("SS103")[0]["fix"]  # (it points there already)
    node_port = lint(sslint, {"svc.yaml": docs(service(spec="type: NodePort"), headless), "sts.yaml": statefulset()})
    assert node_port.findings("SS103")[0]["fix"].startswith(
        "Keep Service web, which a headless Service cannot replace (its node ports reach the pods from outside the "
        "cluster), and point serviceName at Service web-headless")


def test_a_service_whose_endpoints_a_controller_writes_is_kept(sslint):
    """Patroni's governing Service has no selector and a cluster IP that follows the leader: the fix is
    a second, headless Service, not this one recreated."""
    endpoints = "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: web\nsubsets: []\n"
    run = lint(sslint, {"a.yaml": docs(statefulset(), service(selector=None, spec="type: ClusterIP"), endpoints)})
    [finding] = run.findings("SS103")
    assert finding["fix"].startswith("Keep Service web, which a headless Service cannot replace (Endpoints web, "
                                     "written by a controller of its own as Patroni writes its leader's, gives it "
                                     "its addresses), and create a headless Service")


@pytest.mark.parametrize("spec", ["clusterIP: None", "{type: ClusterIP, clusterIP: None}"])
def test_headless(sslint, spec):
    spec = spec if not spec.startswith("{") else "type: ClusterIP\n  clusterIP: None"
    assert lint(sslint, {"a.yaml": docs(statefulset(), service(spec=spec))}).findings("SS103") == []


def test_selector_mismatch_names_the_missing_labels(sslint):
    run = lint(sslint, {"a.yaml": docs(statefulset(), service(selector="{app: web, tier: db}"))})
    [finding] = run.findings("SS104")
    assert "selects tier=db, which the pod template's labels do not carry" in finding["message"]
    assert [(r["line"], r["column"]) for r in finding["related"]] == [(24, 3)]


def test_service_without_selector(sslint):
    run = lint(sslint, {"a.yaml": docs(statefulset(), service(selector=None))})
    assert "has no selector" in run.findings("SS104")[0]["message"]


ENDPOINTS = "apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: {name}\nsubsets: []\n"
SLICE = ("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: web-abc\n"
         "  labels: {{kubernetes.io/service-name: {name}}}\naddressType: IPv4\nendpoints: []\n")


@pytest.mark.parametrize("written, found", [(ENDPOINTS.format(name="web"), False), (SLICE.format(name="web"), False),
                                            (ENDPOINTS.format(name="other"), True), (SLICE.format(name="other"), True)],
                         ids=["its endpoints", "its endpoint slice", "another's endpoints", "another's slice"])
def test_a_service_without_selector_whose_endpoints_the_files_hold(sslint, written, found):
    """Patroni and Spilo ship a selector-less Service and the Endpoints their controller writes."""
    run = lint(sslint, {"a.yaml": docs(statefulset(), service(selector=None), written)})
    assert bool(run.findings("SS104")) == found


@pytest.mark.parametrize("version, severity", [("1.32", "error"), ("1.33", "warning")])
def test_a_null_service_name_is_said_and_pointed_at(sslint, version, severity):
    [finding] = lint(sslint, {"a.yaml": statefulset(service="null")}, "--kubernetes-version", version).findings("SS101")
    assert (finding["severity"], finding["line"], finding["column"]) == (severity, 6, 3)
    assert finding["message"].startswith("StatefulSet web has a null spec.serviceName: ")


def test_the_service_whose_endpoints_the_files_hold_governs_whatever_the_order(sslint):
    """Neither same-named Service selects the pods; the one without a selector, whose Endpoints the files
    hold, gives them their names."""
    written = docs(statefulset(), service(selector=None), ENDPOINTS.format(name="web"))
    other = service(selector="{app: postgres}")
    for paths in (["x", "y"], ["y", "x"]):
        assert lint(sslint, {"x/a.yaml": written, "y/b.yaml": other}, paths=paths).findings("SS104") == []


def test_endpoints_in_another_namespace_are_not_the_governing_services(sslint):
    files = {"a.yaml": docs(statefulset(namespace="db"), service(selector=None),
                            ENDPOINTS.format(name="web").replace("  name: web", "  name: web\n  namespace: other"))}
    assert [f["rule"] for f in lint(sslint, files).findings("SS104")] == ["SS104"]


def test_of_two_services_of_one_name_the_one_selecting_the_pods_governs(sslint):
    """Namespace-less Services of two projects in one run may share a name: either may land with the set."""
    other = service(selector="{app: jaeger}")
    for files in ({"a.yaml": other, "b.yaml": docs(statefulset(), service())},
                  {"a.yaml": docs(statefulset(), service()), "b.yaml": other}):
        assert lint(sslint, files).findings("SS104") == []


def test_of_same_named_services_none_selecting_the_pods_the_nearest_is_named_whatever_the_order(sslint):
    """The one in the set's file, then in its directory, then the first by path: `sslint x y` and
    `sslint y x` name the same one."""
    other = service(selector="{app: jaeger}")
    files = {"x/a.yaml": other, "y/b.yaml": docs(statefulset(), service(selector="{app: db}")), "y/c.yaml": other,
             "z/a.yaml": statefulset(name="cache", service="web"), "z/b.yaml": other}
    for paths in (["x", "y", "z"], ["z", "y", "x"]):
        named = {f["object"]["name"]: f["related"][0]["file"] for f in lint(sslint, files, paths=paths).findings("SS104")}
        assert named == {"web": "y/b.yaml", "cache": "z/b.yaml"}


def test_selector_checks_wait_for_template_labels(sslint):
    # A kustomize base: commonLabels add the labels later.
    base = statefulset().replace("    metadata:\n      labels: {app: web}\n", "")
    assert lint(sslint, {"a.yaml": docs(base, service())}).findings("SS104") == []


@pytest.mark.parametrize("version, severity", [("1.32", "error"), ("1.33", "warning")])
def test_service_name_missing_depends_on_the_version(sslint, version, severity):
    run = lint(sslint, {"a.yaml": statefulset(service=None)}, "--kubernetes-version", version)
    [finding] = run.findings("SS101")
    assert finding["severity"] == severity and (finding["line"], finding["column"]) == (5, 1)


@pytest.mark.parametrize("version", ["1.32", "1.33"])
def test_an_empty_service_name_loses_the_dns_names_but_is_accepted(sslint, version):
    """The schema requires the key, which `serviceName: ""` gives (metacontroller writes it so)."""
    [finding] = lint(sslint, {"a.yaml": statefulset(service='""')}, "--kubernetes-version", version).findings()
    assert (finding["rule"], finding["severity"], finding["line"], finding["column"]) == ("SS101", "warning", 6, 3)
    assert finding["message"].startswith("StatefulSet web has an empty spec.serviceName: its pods get no stable DNS")


HPA = ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n"
       "  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: web}\n  maxReplicas: 3\n")


@pytest.mark.parametrize("replicas, scaled, reported", [(1, False, False), (0, False, False), (1, True, True),
                                                        ("'3'", False, True)])
@pytest.mark.parametrize("name, version", [('""', "1.32"), ('""', "1.33"), (None, "1.33"), ("null", "1.33")])
def test_an_optional_service_name_on_one_replica_is_not_reported(sslint, replicas, scaled, reported, name, version):
    """A single replica (metacontroller's leader-elected controller) has no peers to address it; an
    autoscaler that can add some, or a replica count sslint cannot read, keeps the finding."""
    files = {"a.yaml": statefulset(service=name, replicas=replicas), **({"hpa.yaml": HPA} if scaled else {})}
    run = lint(sslint, files, "--kubernetes-version", version)
    assert [f["rule"] for f in run.findings("SS101")] == (["SS101"] if reported else [])


@pytest.mark.parametrize("name", [None, "null"])
def test_a_missing_service_name_the_schema_requires_is_reported_on_one_replica_too(sslint, name):
    run = lint(sslint, {"a.yaml": statefulset(service=name, replicas=1)}, "--kubernetes-version", "1.32")
    assert [(f["rule"], f["severity"]) for f in run.findings("SS101")] == [("SS101", "error")]


@pytest.mark.parametrize(
    "name, version, words",
    [
        ("Web", "1.33", "rejects it"),
        ("Web", "1.32", "no Service can have that name"),
        ("1web", "1.35", "'1web' starts with a digit, which a Service's name may do only from Kubernetes 1.36: no "
                         "Service can have that name"),
        ("1Web", "1.35", "'1Web' is not lower-case letters, digits and '-', starting with a letter and ending with a "
                         "letter or digit (a DNS-1035 label): the API server of Kubernetes 1.35 rejects it"),
        ("a" * 64, "1.37", "64 characters long"),
        ("web-", "1.37", "rejects it"),
    ],
)
def test_service_name_invalid(sslint, name, version, words):
    run = lint(sslint, {"a.yaml": statefulset(service=name)}, "--kubernetes-version", version)
    [finding] = run.findings("SS105")
    assert words in finding["message"] and (finding["line"], finding["column"]) == (6, 3)


def test_a_service_name_may_start_with_a_digit_from_1_36(sslint):
    """RelaxedServiceNameValidation (beta, on, in 1.36; GA in 1.37): a Service named '3scale-redis' exists and
    governs the set; before 1.36 no Service can have the name, and the fix offers one that can."""
    files = {"a.yaml": statefulset(service="3scale-redis") + "---\n" + service(name="3scale-redis")}
    assert lint(sslint, files, "--kubernetes-version", "1.36").findings() == []
    [finding] = lint(sslint, files, "--kubernetes-version", "1.35").findings()
    assert (finding["rule"], finding["fix"]) == (
        "SS105", "Name the governing Service with a DNS-1035 label, such as 'scale-redis', and set spec.serviceName to it.")


def test_placeholders_are_not_names(sslint):
    assert lint(sslint, {"a.yaml": statefulset(service="${SERVICE}")}).findings() == []


def test_the_bounded_edit_distance_agrees_with_the_full_one():
    import random

    from sslint.names import within as _within

    def full(a, b):
        d = [[i + j if not i or not j else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
                if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        return d[-1][-1]

    def edited(text):  # up to three edits, so that many pairs are near and share a prefix or suffix
        letters = list(text)
        for _ in range(generator.randint(0, 3)):
            at, kind = generator.randrange(len(letters) + 1), generator.randrange(4)
            if kind == 0:
                letters.insert(at, generator.choice("ab-c"))
            elif kind == 1 and letters:
                del letters[min(at, len(letters) - 1)]
            elif kind == 2 and letters:
                letters[min(at, len(letters) - 1)] = generator.choice("ab-c")
            elif kind == 3 and len(letters) > 1:
                at = min(at, len(letters) - 2)
                letters[at], letters[at + 1] = letters[at + 1], letters[at]
        return "".join(letters)

    generator = random.Random(7)
    for n in range(6000):
        a = "".join(generator.choice("ab-c") for _ in range(generator.randint(1, 9)))
        b = edited(a) if n % 2 else "".join(generator.choice("ab-c") for _ in range(generator.randint(1, 9)))
        for limit in (1, 2):
            distance = full(a, b)
            assert _within(a, b, limit) == (distance if distance <= limit else None), (a, b, limit)
