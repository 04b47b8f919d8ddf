"""Kubernetes versions sslint knows, and the one table of releases where behaviour changes."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple


def supported() -> tuple[str, ...]:
    """The versions sslint can target: those whose Kubernetes schemas it ships, oldest first."""
    from sslint import kubeschema

    return kubeschema.VERSIONS


def default() -> str:
    return supported()[-1]


# Behaviour changes; rules ask `at_least(version, CHANGE)`.
SERVICE_NAME_OPTIONAL = "1.33"  # spec.serviceName optional; must be a DNS-1123 label when set
SERVICE_NAME_RELAXED = "1.36"  # Service names are DNS-1123 labels (may start with a digit): RelaxedServiceNameValidation, beta
STATEFULSET_NAME_LABEL = "1.27"  # StatefulSet names are validated as DNS-1123 labels, no longer subdomains (kubernetes#114172)
# A regular container's restartPolicy: the API rejects it from 1.28, when the field came for sidecars (init
# containers), until 1.34, which drops it while ContainerRestartRules is off (SS306); 1.35 keeps it.
CONTAINER_RESTART_POLICY = ("1.28", "1.34")
STATEFULSET_TEMPLATE_VALIDATED = "1.34"  # the API validates a StatefulSet's volume mounts and claim templates
SIDECAR_HOST_PORTS = "1.34"  # the scheduler counts the host ports of sidecars (init containers, restartPolicy: Always)
# kubernetes#129017: the API rejects a negative spec.revisionHistoryLimit (on create). An update may change the
# field from the same release, as far as the record tells: 1.31 refuses (kubernetes#130263), and the "updates to
# statefulset spec … are forbidden" text of 1.35 clusters lists it among the fields that may change.
REVISION_HISTORY_LIMIT_CHECKED = "1.33"


class Feature(NamedTuple):
    """A feature whose field the API server drops while the feature is off by default."""

    release: str | None  # the first release whose default keeps the field; None: no release yet
    gate: str
    since: str | None = None  # the release that brought the field, when sslint targets older ones (before it,
    # the field is unknown: SS002's)
    effect: str = "so the cluster behaves as if the field were not there"


_POD = ("spec", "template", "spec")
_CONTAINERS = ("containers", "initContainers")
_SLEEP = Feature("1.30", "PodLifecycleSleepAction", "1.29")
_DRA = Feature("1.34", "DynamicResourceAllocation", "1.26")
_RESTART_RULES = Feature("1.35", "ContainerRestartRules", "1.34")
_LABEL_KEYS = Feature("1.31", "MatchLabelKeysInPodAffinity", "1.29")
_AFFINITY_TERMS = (("requiredDuringSchedulingIgnoredDuringExecution", "[]"),
                   ("preferredDuringSchedulingIgnoredDuringExecution", "[]", "podAffinityTerm"))

# The fields of a StatefulSet and of its pod template that a cluster drops while their feature is off by
# default (a path's "[]" stands for each item of a list). Sources: the StatefulSet strategy and
# pkg/api/pod/util.go (dropDisabledFields and its helpers), pkg/features/kube_features.go for each
# gate's default by release, and the feature-gates reference; ClusterTrustBundleProjection and
# PodCertificateRequest on from 1.37 as that reference alone says. Not here: the pod's workloadRef
# (GenericWorkload, 1.35 only: the table has no last release), and an init container's restartPolicy
# other than Always in 1.34 (ContainerRestartRules: one feature a path).
FEATURE_FIELDS = {
    ("spec", "minReadySeconds"): Feature("1.23", "StatefulSetMinReadySeconds"),
    ("spec", "ordinals"): Feature("1.27", "StatefulSetStartOrdinal", "1.26"),
    ("spec", "persistentVolumeClaimRetentionPolicy"): Feature("1.27", "StatefulSetAutoDeletePVC"),
    ("spec", "updateStrategy", "rollingUpdate", "maxUnavailable"): Feature("1.35", "MaxUnavailableStatefulSet"),
    _POD + ("resources",): Feature("1.34", "PodLevelResources", "1.32"),  # (pod-level)
    _POD + ("initContainers", "[]", "restartPolicy"): Feature(
        "1.29", "SidecarContainers", "1.28", "so the sidecar runs as an ordinary init container, which the pod waits "
        "for to exit (with probes or a lifecycle, the API server rejects it)"),
    **{_POD + (c, "[]", "resizePolicy"): Feature("1.33", "InPlacePodVerticalScaling", "1.27") for c in _CONTAINERS},
    _POD + ("resourceClaims",): _DRA,
    **{_POD + (c, "[]", "resources", "claims"): _DRA for c in _CONTAINERS},
    _POD + ("schedulingGates",): Feature("1.27", "PodSchedulingReadiness", "1.26"),
    _POD + ("hostUsers",): Feature("1.33", "UserNamespacesSupport", effect="so the pods share the host's user namespace"),
    **{_POD + (c, "[]", "lifecycle", hook, "sleep"): _SLEEP for c in _CONTAINERS for hook in ("postStart", "preStop")},
    **{_POD + (c, "[]", "lifecycle", "stopSignal"): Feature(None, "ContainerStopSignals", "1.33") for c in _CONTAINERS},
    _POD + ("securityContext", "supplementalGroupsPolicy"): Feature("1.33", "SupplementalGroupsPolicy", "1.31"),
    _POD + ("securityContext", "seLinuxChangePolicy"): Feature("1.33", "SELinuxChangePolicy", "1.32"),
    _POD + ("volumes", "[]", "image"): Feature(
        "1.35", "ImageVolume", "1.31", "and with it the volume and every mount of it"),
    **{_POD + (c, "[]", "volumeMounts", "[]", "recursiveReadOnly"): Feature("1.31", "RecursiveReadOnlyMounts", "1.30")
       for c in _CONTAINERS},
    _POD + ("containers", "[]", "restartPolicy"): _RESTART_RULES,
    **{_POD + (c, "[]", "restartPolicyRules"): _RESTART_RULES for c in _CONTAINERS},
    _POD + ("hostnameOverride",): Feature("1.35", "HostnameOverride", "1.34"),
    **{_POD + (c, "[]", "env", "[]", "valueFrom", "fileKeyRef"): Feature(
        "1.35", "EnvFiles", "1.34", "and then rejects the variable's empty valueFrom") for c in _CONTAINERS},
    **{_POD + (c, "[]", "securityContext", "procMount"): Feature("1.33", "ProcMountType") for c in _CONTAINERS},
    _POD + ("topologySpreadConstraints", "[]", "minDomains"): Feature("1.27", "MinDomainsInPodTopologySpread"),
    **{_POD + ("topologySpreadConstraints", "[]", policy): Feature("1.26", "NodeInclusionPolicyInPodTopologySpread")
       for policy in ("nodeAffinityPolicy", "nodeTaintsPolicy")},
    _POD + ("topologySpreadConstraints", "[]", "matchLabelKeys"): Feature("1.27", "MatchLabelKeysInPodTopologySpread"),
    **{_POD + ("affinity", affinity) + term + (keys,): _LABEL_KEYS for affinity in ("podAffinity", "podAntiAffinity")
       for term in _AFFINITY_TERMS for keys in ("matchLabelKeys", "mismatchLabelKeys")},
    _POD + ("volumes", "[]", "projected", "sources", "[]", "clusterTrustBundle"): Feature(
        "1.37", "ClusterTrustBundle and ClusterTrustBundleProjection", "1.29"),  # (the projection needs both)
    _POD + ("volumes", "[]", "projected", "sources", "[]", "podCertificate"): Feature("1.37", "PodCertificateRequest", "1.34"),
}

# Values with which a FEATURE_FIELDS field does what its absence does: a cluster that keeps the field
# defaults it so, and a dump of such a cluster carries them (no behaviour is lost where it is dropped).
_ABSENT_ALIKE = {
    ("spec", "minReadySeconds"): lambda v: type(v) is int and v == 0,
    ("spec", "ordinals"): lambda v: type(v) is dict and set(v) <= {"start"} and v.get("start", 0) == 0
    and type(v.get("start", 0)) is int,
    ("spec", "persistentVolumeClaimRetentionPolicy"): lambda v: type(v) is dict
    and set(v) <= {"whenDeleted", "whenScaled"} and all(value == "Retain" for value in v.values()),
    ("spec", "updateStrategy", "rollingUpdate", "maxUnavailable"): lambda v: type(v) is int and v == 1,
    _POD + ("resources",): lambda v: v == {},
    _POD + ("hostUsers",): lambda v: v is True,
    _POD + ("securityContext", "supplementalGroupsPolicy"): lambda v: v == "Merge",
    _POD + ("securityContext", "seLinuxChangePolicy"): lambda v: v == "Recursive",
    _POD + ("topologySpreadConstraints", "[]", "minDomains"): lambda v: type(v) is int and v == 1,
    _POD + ("topologySpreadConstraints", "[]", "nodeAffinityPolicy"): lambda v: v == "Honor",
    _POD + ("topologySpreadConstraints", "[]", "nodeTaintsPolicy"): lambda v: v == "Ignore",
    **{_POD + (c, "[]", "volumeMounts", "[]", "recursiveReadOnly"): lambda v: v == "Disabled" for c in _CONTAINERS},
    **{_POD + (c, "[]", "securityContext", "procMount"): lambda v: v == "Default" for c in _CONTAINERS},
    **{_POD + (c, "[]", "resizePolicy"): lambda v: type(v) is list and all(
        type(e) is dict and e.get("restartPolicy", "NotRequired") == "NotRequired" for e in v) for c in _CONTAINERS},
    _POD + ("containers", "[]", "restartPolicy"): lambda v: v == "Always",  # (a set's pods restart Always anyway)
}


_GATES_RENAMED = {"UserNamespacesSupport": ("1.28", "UserNamespacesStatelessPodsSupport")}  # gate → (release, old name)


def gate(feature: Feature, version: str) -> str:
    """The name of the feature's gate in this version."""
    renamed, old = _GATES_RENAMED.get(feature.gate, (None, None))
    return old if renamed is not None and not at_least(version, renamed) else feature.gate


def absent_alike(field: tuple, value: object) -> bool:
    """Whether a field of FEATURE_FIELDS (its path as written there) holds a value that does what the
    field's absence does: an empty list or mapping, or the value the field defaults to."""
    return value == [] or value == {} or _ABSENT_ALIKE.get(field, lambda v: False)(value)


def has_default(field: tuple) -> bool:
    """Whether a field of FEATURE_FIELDS has a value that does what its absence does (_ABSENT_ALIKE)."""
    return field in _ABSENT_ALIKE


@cache
def dropped_fields(version: str) -> tuple[tuple[tuple, Feature], ...]:
    """The FEATURE_FIELDS that a cluster of this version does not keep: their feature is off by default
    (or, before the release that brought them, they are unknown to it)."""
    return tuple((field, feature) for field, feature in FEATURE_FIELDS.items()
                 if feature.release is None or not at_least(version, feature.release))


# apiVersions no longer served: (apiVersion, kind) → (release that stopped serving it, replacement, what changes).
_APPS_V1 = "apps/v1, which requires spec.selector (it no longer defaults to the pod template's labels)"
REMOVED_API_VERSIONS = {
    **{
        (api, kind): ("1.16", _APPS_V1)
        for api in ("apps/v1beta1", "apps/v1beta2")
        for kind in ("StatefulSet", "Deployment", "ReplicaSet", "DaemonSet")
        if not (api == "apps/v1beta1" and kind in ("ReplicaSet", "DaemonSet"))
    },
    **{(("extensions/v1beta1", kind)): ("1.16", _APPS_V1) for kind in ("Deployment", "ReplicaSet", "DaemonSet")},
    ("policy/v1beta1", "PodDisruptionBudget"): (
        "1.25", "policy/v1, where an empty selector selects every pod in the namespace (it selected none)"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): ("1.25", "autoscaling/v2, whose metric targets are restructured"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): ("1.26", "autoscaling/v2"),
    # StatefulSet's name until 1.5 (kubernetes/kubernetes#35534): manifests of that time still circulate.
    ("apps/v1alpha1", "PetSet"): ("1.5", "kind: StatefulSet (PetSet's name since 1.5) under " + _APPS_V1),
}


@cache  # (rules ask for every object: a handful of versions, parsed once)
def parse(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def at_least(version: str, release: str) -> bool:
    return parse(version) >= parse(release)


def removed(api_version: str, kind: str, version: str) -> tuple[str, str] | None:
    """(release, replacement) when `version` no longer serves this apiVersion of the kind."""
    entry = REMOVED_API_VERSIONS.get((api_version, kind))
    return entry if entry and at_least(version, entry[0]) else None


# The apiVersions Kubernetes serves each kind SS307 inspects under, the one to move to first.
SERVED = {
    **dict.fromkeys(("StatefulSet", "Deployment", "ReplicaSet", "DaemonSet"), ("apps/v1",)),
    "PodDisruptionBudget": ("policy/v1",),
    "HorizontalPodAutoscaler": ("autoscaling/v2", "autoscaling/v1"),
}


def never_served(api_version: str, kind: str) -> str | None:
    """The replacement when no Kubernetes release served the kind under this apiVersion (`apiVersion: v1`
    on a StatefulSet: "no matches for kind"). A custom resource's group, a domain, makes another kind
    (model.kind_of) and never comes here; an apiVersion still to be substituted (`${API}`) is the
    caller's to pass over."""
    served = SERVED.get(kind)
    if served is None or not api_version or api_version in served or (api_version, kind) in REMOVED_API_VERSIONS:
        return None
    return _APPS_V1 if served[0] == "apps/v1" else served[0]


def dropped(path: tuple, version: str) -> bool:
    """A field (or one below it; list items by their index) that a cluster of this version does not keep
    (FEATURE_FIELDS): the API server removes it once it has decoded the request, before it validates it,
    and nothing reads it."""
    return any(_under(path, field) for field, _ in dropped_fields(version))


def feature_of(path: tuple) -> Feature | None:
    """The feature of a FEATURE_FIELDS field (its path with list items by their index), if it is one."""
    return next((feature for field, feature in FEATURE_FIELDS.items() if len(path) == len(field) and _under(path, field)),
                None)


def _under(path: tuple, field: tuple) -> bool:
    return len(path) >= len(field) and all(step == at or step == "[]" and type(at) is int for step, at in zip(field, path))


def first_ordinal(start: object, version: str) -> int:
    """The ordinal of a StatefulSet's first pod: spec.ordinals.start (`start`) where the version keeps
    the field and it is a whole number, else 0."""
    kept = not dropped(("spec", "ordinals"), version)
    return start if kept and type(start) is int and start >= 0 else 0


def defaults_selector(api_version: str) -> bool:
    """The oldest workload apiVersions default spec.selector to the pod template's labels (from
    apps/v1beta2 on, the selector is required)."""
    return api_version in ("apps/v1beta1", "extensions/v1beta1")
