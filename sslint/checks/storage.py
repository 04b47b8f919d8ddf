"""SS2xx: storage. A pod template's claims are shared by every replica; a StatefulSet's
volumeClaimTemplates give each pod its own claim, `<template>-<set>-<ordinal>`."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Callable, Iterator

from sslint import versions
from sslint.finding import Finding, Related
from sslint.model import Model, Obj, integer, other_builds, same_namespace, scale_bounds, unrendered
from sslint.names import is_dns1123_label
from sslint.quantity import format_bytes, parse_quantity
from sslint.selectors import selects

POD = ("spec", "template", "spec")
TEMPLATES = ("spec", "volumeClaimTemplates")
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")


# -- the pod template and claim templates, as (path, entry) pairs ---------------------------------
# Several rules read them from the same object: they ask for obj.derived(_volumes) and the like.


def _volumes(obj: Obj) -> list[tuple[tuple, dict]]:
    return [(POD + ("volumes", n), v) for n, v in obj.items(*POD, "volumes") if isinstance(v.get("name"), str)]


def _claim_templates(obj: Obj) -> list[tuple[tuple, dict, str]]:
    found = []
    for n, template in obj.items(*TEMPLATES):
        name = template.get("metadata", {}).get("name") if isinstance(template.get("metadata"), dict) else None
        found.append((TEMPLATES + (n,), template, name if isinstance(name, str) else None))
    return found


def _mounts(obj: Obj) -> list[tuple[tuple, str, str]]:
    """(path of the volumeMount or volumeDevice entry, volume name, container name) for every container."""
    found = []
    for list_name in CONTAINER_LISTS:
        for n, container in obj.items(*POD, list_name):
            for field in ("volumeMounts", "volumeDevices"):
                mounts = container.get(field)
                for m, mount in enumerate(mounts if isinstance(mounts, list) else []):
                    if isinstance(mount, dict) and isinstance(mount.get("name"), str):
                        found.append((POD + (list_name, n, field, m), mount["name"], str(container.get("name", "?"))))
    return found


# Sidecar injectors that mount pod volumes into the container they add, named in a pod template
# annotation: Istio (a JSON map from volume name to mount, or a JSON list of mounts), Consul (a JSON
# list of mounts) and Dapr ("name:/path,name:/path"). Sources: istio's injection template,
# consul-k8s's connect-inject webhook, docs.dapr.io "Mount Pod volumes to the Dapr sidecar".
_JSON_MOUNTS = ("sidecar.istio.io/userVolumeMount", "consul.hashicorp.com/consul-sidecar-user-volume-mount")
_DAPR_MOUNTS = ("dapr.io/volume-mounts", "dapr.io/volume-mounts-rw")


def _injected_mounts(obj: Obj) -> set[str]:
    """The names of the pod volumes that an injected sidecar mounts, as its pod template's annotations ask."""
    annotations = obj.get("spec", "template", "metadata", "annotations")
    if not isinstance(annotations, dict):
        return set()
    names = set()
    for key in _JSON_MOUNTS:
        if isinstance(annotations.get(key), str):
            try:
                mounts = json.loads(annotations[key])
            except (ValueError, RecursionError):  # (not JSON, or nested past the interpreter's depth)
                continue
            if isinstance(mounts, dict):
                names.update(name for name in mounts if isinstance(name, str))
            elif isinstance(mounts, list):
                names.update(m["name"] for m in mounts if isinstance(m, dict) and isinstance(m.get("name"), str))
    for key in _DAPR_MOUNTS:
        if isinstance(annotations.get(key), str):
            names.update(pair.split(":", 1)[0].strip() for pair in annotations[key].split(",") if ":" in pair)
    return names


def _claim_name(template_name: str, sts: Obj) -> str:
    return f"{template_name}-{sts.name}-<ordinal>"


def _modes(spec) -> list[str]:
    modes = spec.get("accessModes") if isinstance(spec, dict) else None
    return [m for m in modes if isinstance(m, str)] if isinstance(modes, list) else []


# -- SS201 -----------------------------------------------------------------------------------------


def _scale(workload: Obj, model: Model) -> tuple[int, Obj | None] | None:
    """How many replicas may share the claim, and the autoscaler that makes it more than one. (Not
    Model.most_replicas, which knows nothing when spec.replicas cannot be read: here an autoscaler
    that can run several pods is enough.)"""
    for autoscaler in model.autoscalers_of(workload):
        _, maximum, _ = scale_bounds(autoscaler)
        if integer(maximum) is not None and maximum > 1:
            return maximum, autoscaler
    if workload.replicas is not None and workload.replicas > 1:
        return workload.replicas, None
    return None


def shared_claim_in_template(workload: Obj, model: Model, version: str) -> Iterator[Finding]:
    if workload.fragment:
        return
    scale = _scale(workload, model)
    if scale is None:
        return
    count, autoscaler = scale
    is_set = workload.kind == "StatefulSet"
    template_names = {name for _, _, name in workload.derived(_claim_templates)} if is_set else set()
    for path, volume in workload.derived(_volumes):
        claim = volume.get("persistentVolumeClaim")
        claim_name = claim.get("claimName") if isinstance(claim, dict) else None
        if not isinstance(claim_name, str) or volume["name"] in template_names:  # a shadowed volume is SS205
            continue
        claims = model.named("PersistentVolumeClaim", claim_name, workload)
        modes = _modes(claims[0].get("spec")) if claims else []
        if "ReadOnlyMany" in modes or ("ReadWriteMany" in modes and not is_set):
            continue
        if "ReadWriteOncePod" in modes:
            consequence = "the claim is ReadWriteOncePod, so only one pod can use it and the others never schedule"
        elif "ReadWriteOnce" in modes:
            consequence = ("the claim is ReadWriteOnce, so a pod on another node fails with a Multi-Attach error, "
                           "and pods on one node write the same data")
        elif "ReadWriteMany" in modes:
            consequence = "every replica reads and writes the same data instead of keeping its own"
        else:
            consequence = ("unless the claim is ReadWriteMany, a pod on another node fails with a Multi-Attach error, "
                           "and pods that do start write the same data")
        replicas = f"up to {count} replicas (by {autoscaler.ref})" if autoscaler else f"all {count} replicas"
        related = [Related(c, ("spec", "accessModes"), f"{c.ref}, the shared claim") for c in claims[:1]]
        if autoscaler:
            related.append(Related(autoscaler, scale_bounds(autoscaler)[2], f"{autoscaler.ref}, scaling {workload.ref}"))
        if is_set:
            fix = (f"Replace volume {volume['name']!r} with a volumeClaimTemplates entry named {volume['name']!r}, so "
                   f"each pod gets its own claim ({_claim_name(volume['name'], workload)}); claim templates cannot "
                   "be added to a live StatefulSet: delete it with --cascade=orphan and apply again.")
        else:
            fix = ("Give each replica its own storage with a StatefulSet and volumeClaimTemplates, use a ReadWriteMany "
                   "claim if the application is built to share it, or run one replica.")
        yield Finding(
            f"{workload.ref}: {replicas} mount the same PersistentVolumeClaim {claim_name!r} (volume "
            f"{volume['name']!r}); {consequence}",
            workload,
            path + ("persistentVolumeClaim", "claimName"),
            fix=fix,
            related=related,
            severity=None if is_set else "warning",
        )


# -- SS202, SS203, SS205, SS208: names that must meet ----------------------------------------------


def volume_mount_undefined(workload: Obj, model: Model, version: str) -> Iterator[Finding]:
    if workload.fragment:
        return
    volumes = {v["name"] for _, v in workload.derived(_volumes)}
    templates = {name for _, _, name in workload.derived(_claim_templates) if name} if workload.kind == "StatefulSet" else set()
    defined = sorted(volumes | templates)
    rejected = workload.kind != "StatefulSet" or versions.at_least(version, versions.STATEFULSET_TEMPLATE_VALIDATED)
    consequence = "the API server rejects the manifest" if rejected else "every pod fails to be created"
    for path, name, container in workload.derived(_mounts):
        if name in volumes or name in templates:
            continue
        kinds = "pod volume or volumeClaimTemplate" if workload.kind == "StatefulSet" else "pod volume"
        known = f" (defined: {', '.join(defined)})" if defined else " (none is defined)"
        yield Finding(
            f"{workload.ref}: container {container!r} mounts {name!r}, which names no {kinds}{known}; {consequence}",
            workload,
            path,
            fix=f"Correct the mount's name, or define {name!r} under spec.template.spec.volumes"
            + (" or spec.volumeClaimTemplates." if workload.kind == "StatefulSet" else "."),
        )


def claim_template_unused(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    if sts.fragment:
        return
    mounted = {name for _, name, _ in sts.derived(_mounts)}
    defined = {v["name"] for _, v in sts.derived(_volumes)} | {n for _, _, n in sts.derived(_claim_templates)}
    for path, _, name in sts.derived(_claim_templates):
        if name is None or name in mounted or name in sts.derived(_injected_mounts):
            continue
        strays = sorted(mounted - defined)  # mounts that name nothing (SS202): a misspelt one is the usual cause
        hint = f"; the mount {strays[0]!r} names nothing: a misspelling?" if len(strays) == 1 else ""
        yield Finding(
            f"{sts.ref}: volumeClaimTemplate {name!r} is mounted by no container, yet a claim "
            f"({_claim_name(name, sts)}) is provisioned for every pod{hint}",
            sts,
            path,
            fix=f"Mount {name!r} in the container that needs it (volumeMounts: - name: {name}), or remove the template "
            "(claim templates cannot change on a live StatefulSet: delete it with --cascade=orphan, then apply).",
        )


def claim_template_shadowed(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    templates = {name: path for path, _, name in sts.derived(_claim_templates) if name}
    for path, volume in sts.derived(_volumes):
        name = volume["name"]
        if name not in templates:
            continue
        claim = volume.get("persistentVolumeClaim")
        if isinstance(claim, dict) and not claim.get("claimName") and not claim.get("readOnly"):
            continue  # a placeholder for the template's claim, as CockroachDB's operator writes: nothing is lost
        source = (f"its persistentVolumeClaim {claim.get('claimName')!r} is never mounted"
                  if isinstance(claim, dict) else "its source is never used")
        yield Finding(
            f"{sts.ref}: pod volume {name!r} has the name of a volumeClaimTemplate, so the controller replaces it "
            f"with each pod's own claim ({_claim_name(name, sts)}); {source}",
            sts,
            path,
            # Not "or rename one of the two": a renamed claim template leaves the containers the pod volume (often
            # a claim the replicas share, SS201) and cannot change on a live set (SS305); a renamed pod volume
            # is only unused.
            fix=f"Remove the pod volume {name!r}: the claim template already provides a volume of that name to every pod.",
            related=[Related(sts, templates[name] + ("metadata", "name"), f"volumeClaimTemplate {name!r}")],
        )


def pod_volume_unused(workload: Obj, model: Model, version: str) -> Iterator[Finding]:
    if workload.fragment:
        return
    mounted = {name for _, name, _ in workload.derived(_mounts)}
    templates = {name for _, _, name in workload.derived(_claim_templates)} if workload.kind == "StatefulSet" else set()
    for path, volume in workload.derived(_volumes):
        name = volume["name"]
        if name in mounted or name in templates or name in workload.derived(_injected_mounts):  # shadowed: SS205
            continue
        yield Finding(
            f"{workload.ref}: pod volume {name!r} is mounted by no container or init container",
            workload,
            path,
            fix=f"Mount {name!r} where it is needed, or remove it (a misspelt volumeMount name is the usual cause).",
        )


# -- SS204: what the API (from 1.34) rejects in a claim template ---------------------------------


def claim_template_invalid(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    rejected = versions.at_least(version, versions.STATEFULSET_TEMPLATE_VALIDATED)
    consequence = "the API server rejects the StatefulSet" if rejected else "its claims fail and the pods stay Pending"
    for path, template, name in sts.derived(_claim_templates):
        label = repr(name) if name else f"#{path[-1] + 1}"

        def problem(what: str, where: tuple, fix: str) -> Finding:
            return Finding(f"{sts.ref}: volumeClaimTemplate {label} {what}; {consequence}", sts, path + where, fix=fix)

        if name is None and not sts.fragment:
            yield problem("has no metadata.name", ("metadata",), "Name the template; mounts refer to it by name.")
        elif name is not None and not is_dns1123_label(name) and not unrendered(name):
            yield problem("has a name that is not a DNS-1123 label (lower-case letters, digits, '-'; at most 63)",
                          ("metadata", "name"), "Rename the template (and its volumeMounts) with a DNS-1123 label.")
        spec = template.get("spec")
        spec = spec if isinstance(spec, dict) else {}
        storage_path = ("spec", "resources", "requests", "storage")
        storage = sts.get(*path, *storage_path)
        if storage is None:
            if not sts.fragment:  # a patch may leave the request to the base
                yield problem("requests no storage (spec.resources.requests.storage)", storage_path,
                              "Request the size each pod's claim needs, e.g. resources: {requests: {storage: 10Gi}}.")
        elif not unrendered(storage):
            amount = parse_quantity(storage)
            if amount is None:
                yield problem(f"requests storage {storage!r}, which is not a Kubernetes quantity", storage_path,
                              "Write the size as a quantity such as 10Gi, 500Mi or 1T.")
            elif amount <= 0:
                yield problem(f"requests storage {storage!r}, which is not positive", storage_path,
                              "Request a positive size, such as 10Gi.")
        modes = spec.get("accessModes")
        if not modes:
            if not sts.fragment:
                yield problem("has no accessModes", ("spec",), "Set accessModes, usually [ReadWriteOnce].")
            continue
        if not isinstance(modes, list):
            continue  # a shape SS002 reports
        for n, mode in enumerate(modes):
            if mode not in ACCESS_MODES and not unrendered(mode):
                yield problem(f"has an unknown access mode {mode!r} (one of {', '.join(ACCESS_MODES)})",
                              ("spec", "accessModes", n), "Use ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.")
        if "ReadWriteOncePod" in modes and len(set(_modes(spec))) > 1:
            yield problem("combines ReadWriteOncePod with other access modes", ("spec", "accessModes"),
                          "ReadWriteOncePod must be the only access mode: keep it alone, or drop it.")


# -- SS206 -----------------------------------------------------------------------------------------


def claim_retention_delete(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    policy = ("spec", "persistentVolumeClaimRetentionPolicy")
    for field, when, again in (("whenScaled", "when the set scales down", "scaling up again"),
                               ("whenDeleted", "when the StatefulSet is deleted", "recreating the set")):
        if sts.get(*policy, field) == "Delete" and not versions.dropped(policy, version):  # (else SS306's)
            yield Finding(
                f"{sts.ref}: persistentVolumeClaimRetentionPolicy.{field} is Delete, so each pod's claim and its data "
                f"are deleted {when}; {again} starts from empty volumes",
                sts,
                policy + (field,),
                fix=f"Use {field}: Retain (the default) unless the data is disposable; then suppress this finding with "
                "a reason.",
            )


# -- SS207 -----------------------------------------------------------------------------------------


def _can_bind(pv: Obj, claim_spec: dict, request: Decimal, ours: Callable[[Any], bool],
              sts_namespace: str | None) -> bool:
    """Could this PersistentVolume bind one claim made from the template (class "", modes, size, selector)?
    `ours` tells the claim names the set makes."""
    if pv.get("spec", "storageClassName") not in (None, ""):
        return False
    claim_ref = pv.get("spec", "claimRef", "name")
    if claim_ref is not None and not ours(claim_ref):
        return False
    reserved_in = pv.get("spec", "claimRef", "namespace")  # (a PersistentVolume has no namespace of its own)
    if isinstance(reserved_in, str) and reserved_in and sts_namespace is not None and reserved_in != sts_namespace:
        return False
    capacity = parse_quantity(pv.get("spec", "capacity", "storage"))
    if capacity is None or capacity < request:
        return False
    pv_modes = _modes(pv.mapping("spec"))
    if not set(_modes(claim_spec)) <= set(pv_modes):
        return False
    if (pv.get("spec", "volumeMode") or "Filesystem") != (claim_spec.get("volumeMode") or "Filesystem"):
        return False
    selector = claim_spec.get("selector")
    return selector is None or selects(selector, pv.mapping("metadata", "labels"))


def claim_unprovisionable(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    if sts.fragment or not sts.replicas:
        return
    replicas = sts.replicas
    for path, template, name in sts.derived(_claim_templates):
        spec = template.get("spec")
        if not isinstance(spec, dict) or spec.get("storageClassName") != "" or name is None:
            continue
        request = parse_quantity(sts.get(*path, "spec", "resources", "requests", "storage"))
        if request is None:
            continue  # SS204
        first = versions.first_ordinal(sts.get("spec", "ordinals", "start"), version)  # pods and claims count from it
        prefix = f"{name}-{sts.name}-"

        def ours(claim, prefix=prefix, first=first) -> bool:  # <template>-<set>-<ordinal>, told without listing them
            ordinal = claim[len(prefix):] if isinstance(claim, str) and claim.startswith(prefix) else ""
            return (ordinal.isascii() and ordinal.isdigit() and str(int(ordinal)) == ordinal
                    and first <= int(ordinal) < first + replicas)

        # Claims the set has made already and that are bound (a dump of a cluster holds them): theirs need no
        # volume more; and the volumes that can bind the others.
        bound = {c.name for c in model.of_kind("PersistentVolumeClaim") if ours(c.name) and same_namespace(c, sts)
                 and (c.get("status", "phase") == "Bound" or c.from_cluster and c.get("spec", "volumeName"))}
        defined = [pv for pv in model.of_kind("PersistentVolume") if not other_builds(pv, sts)]  # (cluster-scoped)
        volumes = [pv for pv in defined if _can_bind(pv, spec, request, ours, sts.namespace)
                   and pv.get("spec", "claimRef", "name") not in bound]
        missing = replicas - len(bound) - len(volumes)
        if missing <= 0:
            continue
        modes = ", ".join(map(str, _modes(spec))) or "no access mode"
        plural = missing > 1
        needed = f"{missing} matching PersistentVolume{'s' if plural else ''} {'exist' if plural else 'exists'}"
        stay = f"{missing} {'pods stay' if plural else 'pod stays'} Pending"
        have = f"{len(bound)} of its claims {'is' if len(bound) == 1 else 'are'} bound already, and " if bound else ""
        if defined:
            found = f"{have}the manifests define {len(volumes)} {'more ' if bound else ''}that can bind, so {stay}"
            create = f"Create {missing} more matching PersistentVolume{'s' if plural else ''}"
        else:  # an administrator may create them apart from the application's manifests
            found = f"{have}the manifests define no PersistentVolume, so {stay} unless {needed} in the cluster"
            create = f"Make sure {needed} (defined with these manifests, or created by the cluster's administrator)"
        yield Finding(
            f"{sts.ref}: volumeClaimTemplate {name!r} has storageClassName \"\" (no dynamic provisioning), so "
            f"{f'each of the {replicas} replicas needs' if replicas > 1 else 'its replica needs'} a PersistentVolume "
            f"without a class, with {modes} and at least {format_bytes(request)}; {found}",
            sts,
            path + ("spec", "storageClassName"),
            fix=f"{create}, or set storageClassName to a class with a provisioner.",
            related=[Related(pv, ("spec", "capacity"), f"{pv.ref}, can bind one claim") for pv in volumes[:3]],
        )
