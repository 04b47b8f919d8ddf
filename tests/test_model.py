"""The model: label selectors, namespaces, indexes."""

import pytest

from sslint.load import load
from sslint.model import Model
from sslint.selectors import map_selects, selects

LABELS = {"app": "zk", "tier": "data", "version": "3"}


@pytest.mark.parametrize(
    "selector, selected",
    [
        ({}, True),
        ({"matchLabels": {"app": "zk"}}, True),
        ({"matchLabels": {"app": "kafka"}}, False),
        ({"matchLabels": {"version": 3}}, True),  # a number in YAML matches the label's text
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["zk", "kafka"]}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "In", "values": ["kafka"]}]}, False),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["kafka"]}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["zk"]}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, True),
        ({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, False),
        ({"matchExpressions": [{"key": "app", "operator": "Matches", "values": ["zk"]}]}, False),
        ({"matchLabels": {"app": "zk"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]}, False),
        (None, False),
        ("app=zk", False),
        ({"matchLabels": ["app"]}, False),
    ],
)
def test_label_selectors(selector, selected):
    assert selects(selector, LABELS) is selected


def test_service_selectors_are_plain_maps_and_empty_selects_nothing():
    assert map_selects({"app": "zk"}, LABELS) and not map_selects({"app": "zk", "x": "y"}, LABELS)
    assert not map_selects({}, LABELS) and not map_selects(None, LABELS)


def model_of(text: str) -> Model:
    model = Model()
    model.add(load(text.encode(), "m.yaml"), context=False)
    return model


PDBS = """
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: by-label, namespace: db}
spec: {selector: {matchLabels: {app: zk}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: by-expression}
spec: {selector: {matchExpressions: [{key: tier, operator: In, values: [data]}]}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: elsewhere, namespace: web}
spec: {selector: {matchLabels: {app: zk}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: other-app, namespace: db}
spec: {selector: {matchLabels: {app: kafka}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: zk, namespace: db}
spec: {template: {metadata: {labels: {app: zk, tier: data}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: zk}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: zk}, maxReplicas: 5}
"""


def test_selecting_uses_namespaces_and_every_selector_form():
    model = model_of(PDBS)
    [sts] = model.of_kind("StatefulSet")
    assert sorted(p.name for p in model.selecting("PodDisruptionBudget", sts, sts.pod_labels)) == ["by-expression", "by-label"]
    assert [h.name for h in model.autoscalers_of(sts)] == ["zk"]
    assert sts.replicas == 1 and sts.ref == "StatefulSet db/zk"


def test_list_items_and_non_objects():
    """A List's items; the API's own lists (a StatefulSetList of `kubectl get --raw`) leave out their items'
    kind and apiVersion, which are the list's kind less `List` and its apiVersion. A plain List's item says its own."""
    model = model_of("apiVersion: v1\nkind: ServiceList\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: a}}\n"
                     "- {metadata: {name: b}}\n---\nfoo: bar\n---\n- 1\n---\napiVersion: apps/v1\nkind: StatefulSetList\n"
                     "items: [{metadata: {name: c}}, 7]\n---\napiVersion: v1\nkind: List\nitems: [{metadata: {name: d}}, "
                     "{kind: StatefulSet, metadata: {name: e}}]\n")
    assert [(o.kind, o.api_version, o.name, o.prefix) for o in model.objects] == [
        ("Service", "v1", "a", ("items", 0)), ("Service", "v1", "b", ("items", 1)), ("StatefulSet", "apps/v1", "c", ("items", 0))]


def test_the_spelling_index_misses_no_service_within_the_distance():
    """spelled_like narrows the Services a misspelt name is compared with; it must keep every one
    `within` would accept, for names of every length (short ones share no bigram at all)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sslint.names import within

    letters = "abcdef-1"

    @st.composite
    def misspelt(draw, name):  # the name after one or two edits: what a typo does
        for _ in range(draw(st.integers(1, 2))):
            at = draw(st.integers(0, len(name)))
            edit = draw(st.sampled_from(["swap", "substitute", "insert", "delete"]))
            letter = draw(st.sampled_from(letters))
            if edit == "swap" and at + 1 < len(name):
                name = name[:at] + name[at + 1] + name[at] + name[at + 2:]
            elif edit == "substitute" and at < len(name):
                name = name[:at] + letter + name[at + 1:]
            elif edit == "insert":
                name = name[:at] + letter + name[at:]
            elif edit == "delete" and len(name) > 1:
                name = name[:at] + name[at + 1:]
        return name

    @st.composite
    def cases(draw):
        wanted = draw(st.text(alphabet=letters, min_size=1, max_size=12))
        services = draw(st.lists(st.one_of(misspelt(wanted), st.text(alphabet=letters, min_size=1, max_size=12)),
                                 min_size=1, max_size=8))
        return wanted, services

    @settings(max_examples=400, deadline=None)
    @given(case=cases())
    def check(case):
        wanted, services = case
        model = Model()
        text = "\n---\n".join(f"{{kind: Service, apiVersion: v1, metadata: {{name: '{n}'}}}}" for n in services)
        model.add(load(text.encode(), "s.yaml"), context=False)
        near = model.of_kind("Service")[0]
        for limit in (1, 2):
            found = model.spelled_like("Service", near, wanted, limit)
            expected = [s for s in model.in_namespace_of("Service", near) if within(wanted, s.name, limit) is not None]
            assert [s for s in found if within(wanted, s.name, limit) is not None] == expected

    check()


def test_a_custom_resource_of_a_kubernetes_kind_name_is_another_kind(sslint):
    """OpenKruise's StatefulSet and Knative's Service share a name with Kubernetes kinds: no rule for those
    kinds inspects them and no lookup takes them for them; `apiVersion: v1` on a StatefulSet is a slip."""
    from conftest import statefulset

    kruise = (statefulset(name="worker", service=None).replace("apps/v1", "apps.kruise.io/v1beta1")
              + "  updateStrategy: {rollingUpdate: {maxUnavailable: 2, partition: 3}}\n  reserveOrdinals: [1]\n")
    knative = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: web}\nspec: {template: {spec: {}}}\n"
    hpa = ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n"
           "  scaleTargetRef: {apiVersion: apps.kruise.io/v1beta1, kind: StatefulSet, name: web}\n  maxReplicas: 5\n")
    run = sslint("--format", "json", "--fail-on", "never", "--kubernetes-version", "1.32", "--select", "SS1,SS3,SS405",
                 files={"m.yaml": "---\n".join([kruise, statefulset(), knative, hpa])})
    [finding] = run.findings()
    assert (finding["rule"], finding["line"]) == ("SS102", 24)  # of the apps/v1 StatefulSet web: the Knative Service is not its
    assert "names no Service" in finding["message"] and "exists in namespace" not in finding["message"]
    model = Model()
    model.add(load(b"apiVersion: v1\nkind: StatefulSet\nmetadata: {name: a}\n---\n" + kruise.encode(), "m.yaml"), context=False)
    assert [obj.kind for obj in model.objects] == ["StatefulSet", "StatefulSet.apps.kruise.io"]
