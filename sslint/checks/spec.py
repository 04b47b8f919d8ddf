"""SS3xx: what the API server rejects in a workload, or silently drops at the target version."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Iterator

from sslint import versions
from sslint.finding import Finding, dotted
from sslint.model import Model, Obj, integer, unrendered
from sslint.names import is_dns1123_label, is_dns1123_subdomain
from sslint.quantity import parse_quantity
from sslint.selectors import labels_text, map_selects, selects

MAX_SET_NAME = 52  # pods carry controller-revision-hash=<name>-<hash of up to 10>, a label value of at most 63


# -- SS301 -----------------------------------------------------------------------------------------


def selector_mismatch(workload: Obj, model: Model, version: str) -> Iterator[Finding]:
    if workload.fragment:
        return
    selector = workload.get("spec", "selector")
    labels = workload.pod_labels
    plain = workload.kind == "ReplicationController"  # a map that defaults to the template's labels
    if selector is None:
        if not plain and not versions.defaults_selector(workload.api_version) and (
                unrendered(workload.api_version) or not versions.never_served(workload.api_version, workload.kind)):
            yield Finding(
                f"{workload.ref} has no spec.selector; {workload.api_version} requires one, so the API server "
                "rejects the manifest",
                workload,
                ("spec",),
                fix="Add spec.selector.matchLabels with the pod template's identifying labels "
                f"({labels_text(labels) or 'give the template labels first'}).",
            )
        return
    if not isinstance(selector, dict):
        return  # a shape SS002 reports
    empty = not selector if plain else not (selector.get("matchLabels") or selector.get("matchExpressions"))
    if empty:
        if not plain:
            yield Finding(
                f"{workload.ref}: spec.selector is empty, which the API server rejects for a {workload.kind} "
                "(it would select every pod in the namespace)",
                workload,
                ("spec", "selector"),
                fix=f"Select the pod template's identifying labels ({labels_text(labels) or 'give the template labels first'}).",
            )
        return
    if (map_selects if plain else selects)(selector, labels):
        return
    hint = (" (if a kustomization adds them with labels/commonLabels, lint `kubectl kustomize` output instead)"
            if not labels else "")
    yield Finding(
        f"{workload.ref}: spec.selector does not select the pod template's labels "
        f"({labels_text(labels) or 'none'}), so the API server rejects the manifest{hint}",
        workload,
        ("spec", "selector"),
        fix="Make the selector match the template's labels: every matchLabels pair must be among "
        "spec.template.metadata.labels and every matchExpressions term must hold for them.",
    )


# -- SS302 -----------------------------------------------------------------------------------------


def name_invalid(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    name = sts.name
    if name is None or unrendered(name):
        return
    if not is_dns1123_label(name):
        rejected = not is_dns1123_subdomain(name) or versions.at_least(version, versions.STATEFULSET_NAME_LABEL)
        yield Finding(
            f"{sts.ref}: the name {name!r} is not a DNS-1123 label (lower-case letters, digits and '-', at most 63 "
            "characters), so " + ("the API server rejects the manifest" if rejected else
                                  "its pods, whose hostname is <name>-<ordinal>, can never be created"),
            sts,
            ("metadata", "name"),
            fix="Rename the StatefulSet with lower-case letters, digits and '-', at most 52 characters.",
        )
    elif len(name) > MAX_SET_NAME:
        # The hash is a 32-bit number in decimal: it fits only while it has at most 62 - len(name) digits.
        fits = min(1.0, 10 ** (62 - len(name)) / 2**32)
        how_often = "almost always" if fits < 0.05 else f"for about {round(4 * (1 - fits))} templates in 4"
        yield Finding(
            f"{sts.ref}: the name is {len(name)} characters long; the pods' controller-revision-hash label "
            f"(<name>-<hash>, the hash a number of up to 10 digits) then exceeds 63 characters {how_often}, and the "
            "controller cannot create a pod of such a template",
            sts,
            ("metadata", "name"),
            fix=f"Shorten the name to at most {MAX_SET_NAME} characters.",
        )
    replicas = sts.replicas or 1
    for n, template in sts.items("spec", "volumeClaimTemplates"):
        template_name = template.get("metadata", {}).get("name") if isinstance(template.get("metadata"), dict) else None
        if isinstance(template_name, str):
            claim = f"{template_name}-{name}-{replicas - 1}"
            if len(claim) > 253:
                yield Finding(
                    f"{sts.ref}: claim names such as {claim[:40]}… are {len(claim)} characters long (at most 253), so "
                    "the claims cannot be created",
                    sts,
                    ("spec", "volumeClaimTemplates", n, "metadata", "name"),
                    fix="Shorten the claim template's name or the StatefulSet's name.",
                )


# -- SS303 -----------------------------------------------------------------------------------------


def pod_template_invalid(workload: Obj, model: Model, version: str) -> Iterator[Finding]:
    pod = ("spec", "template", "spec")
    restart = workload.get(*pod, "restartPolicy")
    if restart is not None and restart != "Always":
        yield Finding(
            f"{workload.ref}: the pod template's restartPolicy is {restart!r}; a {workload.kind} accepts only Always, "
            "so the API server rejects the manifest",
            workload,
            pod + ("restartPolicy",),
            fix="Remove restartPolicy (it defaults to Always); for run-to-completion work use a Job.",
        )
    # What the API server's checks of a pod spec cause: a StatefulSet's template escapes them before 1.34, and
    # then the pods it makes fail them.
    if workload.kind != "StatefulSet" or versions.at_least(version, versions.STATEFULSET_TEMPLATE_VALIDATED):
        outcome = "the API server rejects the manifest"
    else:
        outcome = "every pod fails to be created"
    first, dropped = versions.CONTAINER_RESTART_POLICY
    if versions.at_least(version, first) and not versions.at_least(version, dropped):
        for n, container in workload.items(*pod, "containers"):
            if container.get("restartPolicy") is not None and not unrendered(container["restartPolicy"]):
                yield Finding(
                    f"{workload.ref}: container {container.get('name')!r} sets restartPolicy, which Kubernetes {version} "
                    f"allows on init containers (sidecars) only; {outcome}",
                    workload,
                    pod + ("containers", n, "restartPolicy"),
                    fix="Remove the container's restartPolicy (it restarts as the pod's restartPolicy says), or move a "
                    "sidecar to initContainers with restartPolicy: Always.",
                )
    host_users = workload.get(*pod, "hostUsers") in (None, True)  # (false: the pods have a user namespace of their own)
    for field in ("initContainers", "containers"):
        for n, container in workload.items(*pod, field):
            proc_mount = pod + (field, n, "securityContext", "procMount")
            if host_users and workload.get(*proc_mount) == "Unmasked" and not versions.dropped(proc_mount, version):
                yield Finding(
                    f"{workload.ref}: container {container.get('name')!r} sets procMount: Unmasked, which Kubernetes "
                    f"{version} allows only in pods with a user namespace of their own (hostUsers: false); {outcome}",
                    workload,
                    proc_mount,
                    fix="Set spec.template.spec.hostUsers: false (the pods get their own user namespace), or remove "
                    "procMount to keep /proc masked.",
                )
    ephemeral = workload.get(*pod, "ephemeralContainers")
    if isinstance(ephemeral, list) and ephemeral:
        yield Finding(
            f"{workload.ref}: the pod template lists ephemeralContainers, which `kubectl debug` adds to a running pod "
            f"and no pod may be created with; {outcome}",
            workload,
            pod + ("ephemeralContainers",),
            fix="Remove ephemeralContainers from the template: attach a debugging container with `kubectl debug` "
            "when needed, or make it a container (or a sidecar: an init container with restartPolicy: Always).",
        )
    if workload.get(*pod, "activeDeadlineSeconds") is not None:
        yield Finding(
            f"{workload.ref}: the pod template sets activeDeadlineSeconds, which a {workload.kind} does not support; "
            "the API server rejects the manifest",
            workload,
            pod + ("activeDeadlineSeconds",),
            fix="Remove activeDeadlineSeconds: long-running pods must not be killed on a deadline (use a Job for that).",
        )


# -- SS304 -----------------------------------------------------------------------------------------

_ENUMS = {
    ("spec", "podManagementPolicy"): ("OrderedReady", "Parallel"),
    ("spec", "updateStrategy", "type"): ("RollingUpdate", "OnDelete"),
    ("spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"): ("Retain", "Delete"),
    ("spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"): ("Retain", "Delete"),
}
_NON_NEGATIVE = (
    ("spec", "replicas"),
    ("spec", "minReadySeconds"),
    ("spec", "revisionHistoryLimit"),
    ("spec", "ordinals", "start"),
    ("spec", "updateStrategy", "rollingUpdate", "partition"),
)
_PERCENT = re.compile(r"([0-9]+)%")


def spec_value_invalid(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    def invalid(path: tuple, what: str, fix: str) -> Finding:
        return Finding(f"{sts.ref}: {'.'.join(path)} {what}; the API server rejects the manifest", sts, path, fix=fix)

    for path, allowed in _ENUMS.items():
        value = sts.get(*path)
        if value is not None and value not in allowed and not unrendered(value) and not versions.dropped(path, version):
            yield invalid(path, f"is {value!r}, not one of {', '.join(allowed)}", f"Use {' or '.join(allowed)}.")
    for path in _NON_NEGATIVE:
        value = integer(sts.get(*path))
        if path == ("spec", "revisionHistoryLimit") and not versions.at_least(version, versions.REVISION_HISTORY_LIMIT_CHECKED):
            continue  # accepted before (the controller then keeps no history, or fails on unpatched releases)
        if value is not None and value < 0 and not versions.dropped(path, version):
            yield invalid(path, f"is {value}; it must not be negative", "Use 0 or a positive number.")
    strategy = ("spec", "updateStrategy")
    if sts.get(*strategy, "type") == "OnDelete" and sts.get(*strategy, "rollingUpdate") is not None:
        yield invalid(strategy + ("rollingUpdate",), "is set with type OnDelete",
                      "Remove rollingUpdate, or use type RollingUpdate (partition and maxUnavailable belong to it).")
    path = strategy + ("rollingUpdate", "maxUnavailable")
    value = sts.get(*path) if not versions.dropped(path, version) else None  # (a dropped field cannot be rejected)
    percent = _PERCENT.fullmatch(value) if isinstance(value, str) else None
    if integer(value) is not None and value < 1:
        yield invalid(path, f"is {value}; it must be at least 1", "Use 1 or more, or a percentage from 1% to 100%.")
    elif isinstance(value, str) and (percent is None or not 1 <= int(percent.group(1)) <= 100) and not unrendered(value):
        yield invalid(path, f"is {value!r}; it must be at least 1, or a percentage from 1% to 100%",
                      "Use 1 or more, or a percentage from 1% to 100%.")


# -- SS306 -----------------------------------------------------------------------------------------


def field_ignored_by_version(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    for field, gate, off, effect, fix in _dropped_here(version):
        for path, value in _reached(sts.data, field):
            if not (versions.absent_alike(field, value) or unrendered(value) and versions.has_default(field)):
                yield Finding(f"{sts.ref}: Kubernetes {version} drops {dotted(path)}: its feature ({gate}) {off}, {effect}",
                              sts, path, fix=fix)


@cache  # (asked for every StatefulSet: the texts depend on the version alone)
def _dropped_here(version: str) -> tuple[tuple[tuple, str, str, str, str], ...]:
    """(field, gate, what is off, effect, fix) of each field this version knows and drops (before the
    release that brought it, a field is unknown: SS002 says so)."""
    texts = []
    for field, feature in versions.dropped_fields(version):
        if feature.since is not None and not versions.at_least(version, feature.since):
            continue
        gate = versions.gate(feature, version)
        gates = f"{gate} feature gate{'s' if ' and ' in gate else ''}"
        if feature.release is None:
            off = f"is off by default in Kubernetes {version}"
            fix = f"Remove the field, or enable the {gates} on the cluster."
        else:
            off = f"is off by default before {feature.release}"
            fix = (f"Remove the field, enable the {gates} on the cluster, or target Kubernetes "
                   f"{feature.release} or later (--kubernetes-version).")
        texts.append((field, gate, off, feature.effect, fix))
    return tuple(texts)


def _reached(node: object, field: tuple, at: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """(path, value) of each value set at `field` ("[]": each item of a list), list items by index."""
    if not field:
        yield at, node
    elif field[0] == "[]":
        for n, item in enumerate(node if type(node) is list else ()):
            yield from _reached(item, field[1:], at + (n,))
    elif type(node) is dict and node.get(field[0]) is not None:
        yield from _reached(node[field[0]], field[1:], at + (field[0],))


# -- SS307 -----------------------------------------------------------------------------------------


def api_version_removed(obj: Obj, model: Model, version: str) -> Iterator[Finding]:
    removed = versions.removed(obj.api_version, obj.kind, version)
    replacement = None if removed or unrendered(obj.api_version) else versions.never_served(obj.api_version, obj.kind)
    if removed is not None:
        release, replacement = removed
        what = f"which Kubernetes stopped serving in {release}: `kubectl apply` fails on a {version} cluster"
    elif replacement is not None:
        what = (f"under which Kubernetes serves no {obj.kind}: `kubectl apply` fails (no matches for kind "
                f"\"{obj.kind}\" in version \"{obj.api_version}\")")
    else:
        return
    yield Finding(f"{obj.ref} uses apiVersion {obj.api_version}, {what}", obj, ("apiVersion",), fix=f"Move to {replacement}.")


# -- SS305 -----------------------------------------------------------------------------------------

UPDATABLE = frozenset(("replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy",
                       "minReadySeconds"))  # and revisionHistoryLimit, from REVISION_HISTORY_LIMIT_CHECKED
_SPEC_DEFAULTS = {"podManagementPolicy": "OrderedReady", "serviceName": "", "revisionHistoryLimit": 10}


def _shown(value) -> str:
    text = "unset" if value is None else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "…"


def _template_key(template: dict) -> dict:
    """A claim template as the API compares it, without its storage request (compared by amount)."""
    metadata = template.get("metadata") if isinstance(template.get("metadata"), dict) else {}
    spec = dict(template.get("spec")) if isinstance(template.get("spec"), dict) else {}
    spec.setdefault("volumeMode", "Filesystem")
    resources = dict(spec["resources"]) if isinstance(spec.get("resources"), dict) else {}
    if isinstance(resources.get("requests"), dict):
        resources["requests"] = {k: v for k, v in resources["requests"].items() if k != "storage"}
    spec["resources"] = resources
    return {"labels": metadata.get("labels") or {}, "annotations": metadata.get("annotations") or {}, "spec": spec}


def _storage(template: dict):
    spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    resources = spec.get("resources") if isinstance(spec.get("resources"), dict) else {}
    requests = resources.get("requests") if isinstance(resources.get("requests"), dict) else {}
    return requests.get("storage")


def _template_changes(sts: Obj, old: Obj, ref: str) -> Iterator[tuple[tuple, str, str | None]]:
    """(path in the new manifest, what changed, a specific fix) for each claim template that differs."""
    def by_name(obj):
        named = {}
        for n, template in obj.items("spec", "volumeClaimTemplates"):
            name = template["metadata"].get("name") if isinstance(template.get("metadata"), dict) else None
            if isinstance(name, str):
                named[name] = (n, template)
        return named

    new_templates, old_templates = by_name(sts), by_name(old)
    for name, (n, template) in new_templates.items():
        path = ("spec", "volumeClaimTemplates", n)
        if name not in old_templates:
            yield path, f"volumeClaimTemplate {name!r} was added (not in {ref})", None
            continue
        before = old_templates[name][1]
        old_size, new_size = parse_quantity(_storage(before)), parse_quantity(_storage(template))
        if old_size is not None and new_size is not None and old_size != new_size:
            claims = f"{name}-{sts.name}-<ordinal>"
            yield (path + ("spec", "resources", "requests", "storage"),
                   f"volumeClaimTemplate {name!r} storage changed from {_storage(before)} (at {ref}) to {_storage(template)}",
                   f"Expand each existing claim instead ({claims}: kubectl patch pvc … -p "
                   f"'{{\"spec\":{{\"resources\":{{\"requests\":{{\"storage\":\"{_storage(template)}\"}}}}}}}}', where its "
                   f"StorageClass allows expansion), then kubectl delete statefulset {sts.name} --cascade=orphan and apply.")
        old_key, new_key = _template_key(before), _template_key(template)
        for part in ("labels", "annotations", "spec"):
            if old_key[part] != new_key[part]:
                where = path + (("metadata", part) if part != "spec" else ("spec",))
                yield where, (f"volumeClaimTemplate {name!r} {part} changed from {_shown(old_key[part])} (at {ref}) "
                              f"to {_shown(new_key[part])}"), None
    for name in old_templates.keys() - new_templates.keys():
        yield ("spec", "volumeClaimTemplates"), f"volumeClaimTemplate {name!r} was removed (present at {ref})", None


def immutable_field_changed(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    if model.previous is None or sts.fragment:
        return
    old = next((o for o in model.previous.of_kind("StatefulSet")
                if o.name == sts.name and o.namespace == sts.namespace and not o.fragment), None)
    if old is None:
        return
    ref = old.source.path.split(":", 1)[0]
    way_out = (f"The API server rejects this update. Apply it by recreating the set without touching its pods: "
               f"kubectl delete statefulset {sts.name} --cascade=orphan, then kubectl apply (the new set adopts "
               "the running pods and their claims).")
    changes = []
    new_spec, old_spec = sts.mapping("spec"), old.mapping("spec")
    updatable = UPDATABLE | ({"revisionHistoryLimit"} if versions.at_least(version, versions.REVISION_HISTORY_LIMIT_CHECKED)
                             else set())
    for key in sorted((new_spec.keys() | old_spec.keys()) - updatable - {"volumeClaimTemplates"}):
        before, after = old_spec.get(key, _SPEC_DEFAULTS.get(key)), new_spec.get(key, _SPEC_DEFAULTS.get(key))
        if before != after:
            path = ("spec", key) if key in new_spec else ("spec",)
            changes.append((path, f"spec.{key} changed from {_shown(before)} (at {ref}) to {_shown(after)}", None))
    changes += _template_changes(sts, old, ref)
    for path, what, fix in changes:
        yield Finding(f"{sts.ref}: {what}; this field cannot change on a live StatefulSet", sts, path,
                      fix=(fix or way_out))
