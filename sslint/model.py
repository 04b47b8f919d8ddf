"""The cluster model: every Kubernetes object of a run, indexed by kind, name and namespace.

Namespaces follow kubectl: an object without metadata.namespace lands in whatever namespace it
is applied to, so it may share a namespace with any object; only two explicit, different
namespaces are apart, and objects two kustomizations built (overlays of one base, for other
clusters).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Callable, Iterable

from sslint.load import Document, SourceFile
from sslint.names import SHARED_BIGRAMS_LOST, bigrams
from sslint.selectors import map_selects, selects

WORKLOAD_KINDS = frozenset(("StatefulSet", "Deployment", "ReplicaSet", "ReplicationController", "DaemonSet"))

# The API groups that serve the kinds sslint reads ("" is the core group, apiVersion "v1"). A kind of
# the same name from another group is another kind: OpenKruise's apps.kruise.io StatefulSet is no
# apps StatefulSet, Knative's serving.knative.dev Service no Service. The model names it as kubectl
# does, StatefulSet.apps.kruise.io, so no rule and no lookup takes it for the Kubernetes kind.
_GROUPS = {
    **dict.fromkeys(("Service", "Endpoints", "PersistentVolumeClaim", "PersistentVolume", "ReplicationController",
                     "Pod", "PodTemplate"), ("",)),
    "StatefulSet": ("apps",),
    **dict.fromkeys(("Deployment", "ReplicaSet", "DaemonSet"), ("apps", "extensions")),
    "PodDisruptionBudget": ("policy",),
    "HorizontalPodAutoscaler": ("autoscaling",),
    "EndpointSlice": ("discovery.k8s.io",),
}


def kind_of(kind: Any, api_version: Any) -> Any:
    """The kind as the model knows it: `kind`, or `kind.group` when a custom resource's group (a
    domain, with a dot) serves a kind of that name. A wrong Kubernetes group (`apiVersion: v1` on a
    StatefulSet) is the author's slip, not another kind; an apiVersion still to be rendered is
    taken as Kubernetes'."""
    if type(api_version) is not str or "." not in api_version:  # (most objects: a core or dotless group)
        return kind
    groups = _GROUPS.get(kind) if isinstance(kind, str) else None
    if groups is None or unrendered(api_version):
        return kind
    group = api_version.rpartition("/")[0]
    return f"{kind}.{group}" if "." in group and group not in groups else kind


@dataclass(eq=False, slots=True)
class Obj:
    kind: str
    api_version: str
    data: dict
    source: SourceFile
    document: Document
    prefix: tuple  # where the object sits in its document: () or ("items", n) in a List
    context: bool  # loaded only to resolve references: never reported on
    name: str | None = field(init=False)  # metadata.name, when it is a string
    namespace: str | None = field(init=False)  # metadata.namespace, when it is a non-empty string
    # A workload without a pod template, or any object of a file a kustomization names as a patch,
    # is a patch, not a whole object.
    fragment: bool = field(init=False)
    # Built by a kustomization (its source is the build; its document names the file it comes from).
    built: bool = field(init=False)
    _derived: dict = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self):
        metadata = self.data.get("metadata")
        name, namespace = (metadata.get("name"), metadata.get("namespace")) if type(metadata) is dict else (None, None)
        self.name = name if isinstance(name, str) else None
        self.namespace = namespace if isinstance(namespace, str) and namespace else None
        self.fragment = self.source.patch or (
            self.kind in WORKLOAD_KINDS and not isinstance(self.get("spec", "template"), dict))
        self.built = self.document.origin is not None and self.document.origin_line is None

    @property
    def ref(self) -> str:
        return object_ref(self.kind, self.namespace, self.name)

    def derived(self, build: Callable[[Obj], Any]) -> Any:
        """build(self), built once per object: what several rules read from the same object (shared
        by them all: never changed by a caller). `build` is a module-level function, the cache's key."""
        if build not in self._derived:
            self._derived[build] = build(self)
        return self._derived[build]

    def get(self, *path, default: Any = None) -> Any:
        """The value at a field path, or `default` where the path does not exist in this shape."""
        node: Any = self.data
        for step in path:  # exact types: the loader builds plain dicts and lists, with string keys
            if type(node) is dict:
                node = node.get(step)
            elif type(node) is list and type(step) is int and 0 <= step < len(node):
                node = node[step]
            else:
                return default
            if node is None:
                return default
        return node

    def mapping(self, *path) -> dict:
        value = self.get(*path)
        return value if isinstance(value, dict) else {}

    def items(self, *path) -> list[tuple[int, dict]]:
        """(index, entry) for each mapping in the list at `path`; other shapes yield nothing."""
        value = self.get(*path)
        return [(n, v) for n, v in enumerate(value) if isinstance(v, dict)] if isinstance(value, list) else []

    @property
    def replicas(self) -> int | None:
        """spec.replicas, 1 when unset (the API default); None when it is not an integer."""
        return integer(self.get("spec", "replicas", default=1))

    @property
    def from_cluster(self) -> bool:
        """Whether the object was read from a cluster (`kubectl get -o yaml`, a backup), not written to be
        applied: the API server has given it a resourceVersion, a uid or managedFields."""
        metadata = self.data.get("metadata")
        return type(metadata) is dict and any(metadata.get(k) for k in ("resourceVersion", "uid", "managedFields"))

    @property
    def pod_labels(self) -> dict:
        return self.mapping("spec", "template", "metadata", "labels")

    def position(self, path: tuple) -> tuple[int, int]:
        """Line and column of the most specific key of `path` that the file spells out."""
        return self.document.nearest(self.prefix + tuple(path))


def unrendered(value: Any) -> bool:
    """Text a tool is still to substitute (`${VAR}` for envsubst and Flux, `{{ }}` for Helm): what it
    becomes is unknown, so no rule judges it."""
    return isinstance(value, str) and ("${" in value or "{{" in value)


def scale_bounds(autoscaler: Obj) -> tuple[Any, Any, tuple]:
    """An autoscaler's fewest and most replicas, as written (its defaults where unset), and the path of
    the most: a HorizontalPodAutoscaler's minReplicas (1) and maxReplicas, a KEDA ScaledObject's
    minReplicaCount (0) and maxReplicaCount (100)."""
    if autoscaler.kind == "ScaledObject":
        return (autoscaler.get("spec", "minReplicaCount", default=0), autoscaler.get("spec", "maxReplicaCount", default=100),
                ("spec", "maxReplicaCount"))
    return autoscaler.get("spec", "minReplicas", default=1), autoscaler.get("spec", "maxReplicas"), ("spec", "maxReplicas")


def integer(value: Any) -> int | None:
    """The value when it is an integer, else None: a YAML `true` is a bool, never an int here."""
    return value if type(value) is int else None


def object_ref(kind: str, namespace: str | None, name: str | None) -> str:
    """How messages name an object: `StatefulSet db/web`, or `StatefulSet web` without a namespace."""
    name = name or "(unnamed)"
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


class ObjectRef:
    """An object's identity without its data: what the reports of a cached run need."""

    __slots__ = ("kind", "namespace", "name")
    built = False  # (a run that builds a kustomization is never answered from the cache)

    def __init__(self, kind: str, namespace: str | None, name: str | None):
        self.kind, self.namespace, self.name = kind, namespace, name

    @property
    def ref(self) -> str:
        return object_ref(self.kind, self.namespace, self.name)


def same_namespace(a: Obj, b: Obj) -> bool:
    return (a.namespace is None or b.namespace is None or a.namespace == b.namespace) and not other_builds(a, b)


def other_builds(a: Obj, b: Obj) -> bool:
    """Whether two kustomizations built the objects: overlays build one base for other clusters or
    namespaces, so objects of two builds are never in one namespace, nor in two of one cluster."""
    return a.built and b.built and a.source is not b.source


def _objects_of(document: Document) -> Iterable[tuple[dict, tuple, str, str]]:
    """The objects of a document, with their kind and apiVersion: itself, or a List's items. The API's
    own lists (a StatefulSetList, as `kubectl get --raw` and client libraries print them) leave these
    out of their items: they are the list's kind less `List`, and its apiVersion."""
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str) or not isinstance(data.get("apiVersion"), str):
        return
    if data["kind"].endswith("List") and isinstance(data.get("items"), list):
        kind = data["kind"][:-len("List")] or None  # (a plain List says nothing of its items)
        for index, item in enumerate(data["items"]):
            if isinstance(item, dict):
                typed = kind is not None and "kind" not in item  # (an item of the list's own kind)
                item_kind = kind if typed else item.get("kind")
                item_api_version = item.get("apiVersion", data["apiVersion"] if typed else None)
                if isinstance(item_kind, str) and isinstance(item_api_version, str):
                    yield item, ("items", index), item_kind, item_api_version
    else:
        yield data, (), data["kind"], data["apiVersion"]


class _SelectorIndex:
    """Objects of one kind by the labels their selector requires, so finding the objects that
    select a pod's labels looks at a few candidates instead of every object."""

    def __init__(self, objects: list[Obj], selector_of: Callable[[Obj], Any], label_selector: bool):
        self._selector_of, self._label_selector = selector_of, label_selector
        self._order = {id(obj): n for n, obj in enumerate(objects)}
        self._by_pair: dict[tuple[str, str], list[Obj]] = defaultdict(list)
        self._unkeyed: list[Obj] = []  # selectors with no required label: match-all or expressions only
        for obj in objects:
            selector = selector_of(obj)
            pairs = selector.get("matchLabels") if label_selector and isinstance(selector, dict) else selector
            if isinstance(pairs, dict) and pairs:
                key, value = next(iter(pairs.items()))
                self._by_pair[str(key), str(value)].append(obj)
            elif isinstance(selector, dict):
                self._unkeyed.append(obj)

    def selecting(self, labels: dict) -> list[Obj]:
        candidates = [o for pair in labels.items() for o in self._by_pair.get((str(pair[0]), str(pair[1])), [])]
        test = selects if self._label_selector else map_selects
        found = [o for o in candidates + self._unkeyed if test(self._selector_of(o), labels)]
        return sorted(found, key=lambda o: self._order[id(o)])  # in model order, whichever label found them


# Where objects of any kind (Job, CronJob, PodTemplate, Argo Rollout …) keep the labels of the pods they make.
TEMPLATE_LABELS = (
    ("spec", "template", "metadata", "labels"),
    ("spec", "jobTemplate", "spec", "template", "metadata", "labels"),
    ("template", "metadata", "labels"),
)


class LabelIndex:
    """Labelled things (an object and a set of pod labels) by each label they carry, so the ones a
    selector may select are looked up instead of scanned; callers still test each with `selects`."""

    def __init__(self, labelled: list[tuple[Obj, dict]]):
        self.labelled = labelled
        self._by_label: dict[tuple[str, str], list[tuple[Obj, dict]]] = defaultdict(list)
        for entry in labelled:
            for key, value in entry[1].items():
                self._by_label[str(key), str(value)].append(entry)

    def candidates(self, selector: dict) -> list[tuple[Obj, dict]]:
        labels = _required_labels(selector)
        return self.labelled if labels is None else [entry for label in labels for entry in self._by_label.get(label, [])]


def _required_labels(selector: dict) -> list[tuple[str, str]] | None:
    """Labels of which every pod the selector selects carries one; None when the selector requires no
    label value (only NotIn, Exists, DoesNotExist, or nothing)."""
    for key, value in (selector.get("matchLabels") or {}).items():
        return [(str(key), str(value))]
    for expression in selector.get("matchExpressions") or []:
        if expression.get("operator") == "In" and isinstance(expression.get("values"), list):
            return [(str(expression.get("key")), value) for value in dict.fromkeys(map(str, expression["values"]))]
    return None


def _template_labels(obj: Obj) -> list[dict]:
    if obj.kind == "Pod":
        return [obj.mapping("metadata", "labels")]
    spec = obj.data.get("spec")
    if "template" not in obj.data and not (type(spec) is dict and ("template" in spec or "jobTemplate" in spec)):
        return []  # a Service, a ConfigMap …: told in two looks, not by following three paths
    return [labels for path in TEMPLATE_LABELS if isinstance(labels := obj.get(*path), dict)]


class Model:
    def __init__(self):
        self.objects: list[Obj] = []
        self._by_kind: dict[str, list[Obj]] = defaultdict(list)
        self._by_kind_name: dict[tuple[str, str], list[Obj]] = defaultdict(list)
        self._by_kind_namespace: dict[tuple[str, str | None], list[Obj]] = defaultdict(list)
        self._selector_indexes: dict[tuple, _SelectorIndex] = {}
        self._spellings: dict[tuple, tuple] = {}
        self._autoscalers: dict | None = None
        self._pod_templates: LabelIndex | None = None
        self._owned: set[int] | None = None
        self._derived: dict[Callable, Any] = {}
        self.previous: Model | None = None  # the manifests at --diff-base

    def add(self, source: SourceFile, context: bool) -> None:
        for document in source.documents:
            for data, prefix, kind, api_version in _objects_of(document):
                obj = Obj(kind_of(kind, api_version), api_version, data, source, document, prefix, context)
                self.objects.append(obj)
                self._by_kind[obj.kind].append(obj)
                self._by_kind_namespace[obj.kind, obj.namespace].append(obj)
                if obj.name is not None:
                    self._by_kind_name[obj.kind, obj.name].append(obj)

    def derived(self, build: Callable[[Model], Any]) -> Any:
        """build(model), built once per model: an index a rule derives from every object."""
        if build not in self._derived:
            self._derived[build] = build(self)
        return self._derived[build]

    def of_kind(self, kind: str) -> list[Obj]:
        return self._by_kind.get(kind, [])

    @property
    def pod_templates(self) -> LabelIndex:
        """Every pod template (and Pod) in the model, by label; built on first use."""
        if self._pod_templates is None:
            self._pod_templates = LabelIndex([(o, labels) for o in self.objects for labels in _template_labels(o)])
        return self._pod_templates

    def in_namespace_of(self, kind: str, near: Obj) -> list[Obj]:
        """Objects of `kind` that can share `near`'s namespace."""
        if near.namespace is None:
            found = self.of_kind(kind)
        else:
            found = self._by_kind_namespace.get((kind, near.namespace), []) + self._by_kind_namespace.get((kind, None), [])
        return [o for o in found if not other_builds(o, near)] if near.built else found

    def named(self, kind: str, name: str, near: Obj) -> list[Obj]:
        """Objects of `kind` called `name` that can share `near`'s namespace, same namespace first."""
        found = [o for o in self._by_kind_name.get((kind, name), []) if same_namespace(o, near) and o is not near]
        return sorted(found, key=lambda o: o.namespace != near.namespace)

    def named_elsewhere(self, kind: str, name: str, near: Obj) -> list[Obj]:
        """Objects of `kind` called `name` in an explicit namespace other than `near`'s."""
        return [o for o in self._by_kind_name.get((kind, name), []) if not same_namespace(o, near) and not other_builds(o, near)]

    def spelled_like(self, kind: str, near: Obj, name: str, limit: int) -> list[Obj]:
        """Named objects of `kind` that can share `near`'s namespace and whose names may be within
        `limit` edits of `name` (names.within decides), in model order: those at most `limit` longer
        or shorter that share enough of its bigrams, looked up by length, number of bigrams and bigram
        instead of compared one by one."""
        key = (kind, near.namespace, id(near.source) if near.built else None)
        if key not in self._spellings:
            named = [o for o in self.in_namespace_of(kind, near) if o.name]
            grams_of = [bigrams(o.name) for o in named]
            counts: dict[int, set[int]] = defaultdict(set)  # length → how many bigrams names of it have
            index: dict[tuple, list[int]] = defaultdict(list)  # (length, count, bigram or None for all) → numbers
            for number, (obj, grams) in enumerate(zip(named, grams_of)):
                counts[len(obj.name)].add(len(grams))
                index[len(obj.name), len(grams), None].append(number)
                for gram in grams:
                    index[len(obj.name), len(grams), gram].append(number)
            self._spellings[key] = named, grams_of, counts, index
        named, grams_of, counts, index = self._spellings[key]
        grams = bigrams(name)
        found: set[int] = set()
        for length in range(len(name) - limit, len(name) + limit + 1):
            for count in counts.get(length, ()):
                shared = max(len(grams), count) - SHARED_BIGRAMS_LOST * limit  # as names.within requires, at least
                if shared <= 0:  # short names: all of them
                    found.update(index[length, count, None])
                    continue
                # A name with `shared` of the bigrams lacks at most len(grams) - shared of them: all those
                # no name has, and `lacking` more. So it has one of any lacking + 1 of the others, and two
                # of any lacking + 2: only that many of the rarest are looked up, and (when there are
                # that many) only names that two of them hold are compared.
                postings = [p for p in (index.get((length, count, gram)) for gram in grams) if p]
                lacking = len(postings) - shared
                if lacking < 0:
                    continue
                postings.sort(key=len)
                if lacking + 2 <= len(postings):
                    held = Counter(chain.from_iterable(postings[: lacking + 2]))
                    looked_up = [number for number, times in held.items() if times > 1]
                else:
                    looked_up = set().union(*postings[: lacking + 1])
                found.update(number for number in looked_up if len(grams_of[number] & grams) >= shared)
        return [named[number] for number in sorted(found)]

    def selecting(self, kind: str, near: Obj, labels: dict, selector_path: tuple = ("spec", "selector")) -> list[Obj]:
        """Objects of `kind` that can share `near`'s namespace and whose selector (a LabelSelector,
        or a plain map for Services and ReplicationControllers) selects `labels`."""
        return [o for o in self._selecting(kind, labels, selector_path) if same_namespace(o, near) and o is not near]

    def selecting_elsewhere(self, kind: str, near: Obj, labels: dict, selector_path: tuple = ("spec", "selector")) -> list[Obj]:
        """Objects of `kind` in an explicit namespace other than `near`'s whose selector selects `labels`."""
        return [o for o in self._selecting(kind, labels, selector_path)
                if not same_namespace(o, near) and not other_builds(o, near)]

    def _selecting(self, kind: str, labels: dict, selector_path: tuple) -> list[Obj]:
        key = (kind, selector_path)
        if key not in self._selector_indexes:
            plain = kind in ("Service", "ReplicationController")
            self._selector_indexes[key] = _SelectorIndex(
                self.of_kind(kind), lambda o: o.get(*selector_path), label_selector=not plain
            )
        return self._selector_indexes[key].selecting(labels)

    def most_replicas(self, workload: Obj) -> tuple[int | None, Obj | None]:
        """The most pods the workload can run: spec.replicas (1 when unset), or an autoscaler's maximum
        when that is higher (and then the autoscaler); None when replicas is not a number."""
        most, scaler = workload.replicas, None
        if most is None:
            return None, None
        for autoscaler in self.autoscalers_of(workload):
            _, ceiling, _ = scale_bounds(autoscaler)
            if integer(ceiling) is not None and ceiling > most:
                most, scaler = ceiling, autoscaler
        return most, scaler

    def owned(self, obj: Obj) -> bool:
        """Whether the object is a dump's copy of a workload's template that rules check on the workload:
        an ownerReference's uid is that of a workload of the model that is reported on (a Deployment's
        ReplicaSets, a set's pods). An operator's set (owned by a Prometheus) is checked itself."""
        if self._owned is None:
            owners = {metadata["uid"]: o for kind in WORKLOAD_KINDS for o in self._by_kind.get(kind, ()) if not o.context
                      and type(metadata := o.data.get("metadata")) is dict and isinstance(metadata.get("uid"), str)}
            self._owned = set()
            for candidate in self.objects if owners else ():  # (manifests give no uids: only a dump is searched)
                for _, reference in candidate.items("metadata", "ownerReferences"):
                    owner = owners.get(reference.get("uid")) if isinstance(reference.get("uid"), str) else None
                    if owner is not None and owner is not candidate:
                        self._owned.add(id(candidate))
        return id(obj) in self._owned

    def autoscalers_of(self, workload: Obj) -> list[Obj]:
        """The HorizontalPodAutoscalers and KEDA ScaledObjects whose scaleTargetRef names `workload`, in a
        namespace it can share. (A ScaledObject's target is a Deployment unless it says otherwise.)"""
        if self._autoscalers is None:
            self._autoscalers = defaultdict(list)
            scaled_objects = [o for o in self.of_kind("ScaledObject") if o.api_version.startswith("keda.sh/")]
            for autoscaler in self.of_kind("HorizontalPodAutoscaler") + scaled_objects:
                keda = autoscaler.kind == "ScaledObject"
                kind = autoscaler.get("spec", "scaleTargetRef", "kind", default="Deployment" if keda else None)
                name = autoscaler.get("spec", "scaleTargetRef", "name")
                if isinstance(kind, str) and isinstance(name, str):
                    api_version = autoscaler.get("spec", "scaleTargetRef", "apiVersion", default="apps/v1" if keda else None)
                    self._autoscalers[kind_of(kind, api_version), name].append(autoscaler)
        return [h for h in self._autoscalers.get((workload.kind, workload.name), []) if same_namespace(h, workload)]
