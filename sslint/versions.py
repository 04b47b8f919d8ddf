"""Kubernetes versions sslint knows, and the one table of releases where behaviour changes."""

from __future__ import annotations

from functools import cache


def supported() -> tuple[str, ...]:
    """The versions sslint can target: those whose Kubernetes schemas it ships, oldest first."""
    from sslint import kubeschema

    return kubeschema.VERSIONS


def default() -> str:
    return supported()[-1]


# Behaviour changes; rules ask `at_least(version, CHANGE)`.
SERVICE_NAME_OPTIONAL = "1.33"  # spec.serviceName optional; must be a DNS-1123 label when set
SERVICE_NAME_RELAXED = "1.36"  # Service names are DNS-1123 labels (may start with a digit): RelaxedServiceNameValidation, beta
STATEFULSET_TEMPLATE_VALIDATED = "1.34"  # the API validates a StatefulSet's volume mounts and claim templates
SIDECAR_HOST_PORTS = "1.34"  # the scheduler counts the host ports of sidecars (init containers, restartPolicy: Always)

# StatefulSet fields that a cluster drops while their feature is off by default:
# field path → (first release that keeps the field, feature gate).
FEATURE_FIELDS = {
    ("spec", "minReadySeconds"): ("1.23", "StatefulSetMinReadySeconds"),
    ("spec", "ordinals"): ("1.27", "StatefulSetStartOrdinal"),
    ("spec", "persistentVolumeClaimRetentionPolicy"): ("1.27", "StatefulSetAutoDeletePVC"),
    ("spec", "updateStrategy", "rollingUpdate", "maxUnavailable"): ("1.35", "MaxUnavailableStatefulSet"),
    ("spec", "template", "spec", "resources"): ("1.34", "PodLevelResources"),  # (pod-level; in the schema from 1.32)
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
    ("spec", "template", "spec", "resources"): lambda v: v == {},
}


def absent_alike(path: tuple, value: object) -> bool:
    """Whether a field of FEATURE_FIELDS holds a value that does what the field's absence does."""
    return _ABSENT_ALIKE.get(path, lambda v: False)(value)


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


def dropped(path: tuple, version: str) -> bool:
    """A field (or one below it) that the API server drops before anything reads or validates it: its
    feature is off by default at this version (FEATURE_FIELDS; SS306 says so)."""
    return any(path[:len(field)] == field and not at_least(version, release)
               for field, (release, _) in FEATURE_FIELDS.items())


def first_ordinal(start: object, version: str) -> int:
    """The ordinal of a StatefulSet's first pod: spec.ordinals.start (`start`) where the version keeps
    the field and it is a whole number, else 0."""
    kept = not dropped(("spec", "ordinals"), version)
    return start if kept and type(start) is int and start >= 0 else 0


def defaults_selector(api_version: str) -> bool:
    """The oldest workload apiVersions default spec.selector to the pod template's labels (from
    apps/v1beta2 on, the selector is required)."""
    return api_version in ("apps/v1beta1", "extensions/v1beta1")
