"""SS1xx: a StatefulSet's stable network identity through its governing Service."""

from __future__ import annotations

import os
import re
from typing import Callable, Iterator

from sslint import versions
from sslint.finding import Finding, Related
from sslint.model import Model, Obj, same_namespace, unrendered
from sslint.names import DNS1123_LABEL, is_dns1035_label, is_dns1123_label, within
from sslint.selectors import labels_text, map_selects

SERVICE_NAME = ("spec", "serviceName")


def _service_name(sts: Obj) -> str | None:
    """The governing Service's name, when it is one that can be looked up."""
    name = sts.get(*SERVICE_NAME)
    if not isinstance(name, str) or not name or unrendered(name):
        return None
    return name


def _service_name_form(version: str) -> tuple[str, Callable[[str], bool]]:
    """What a Service's name must be at the version: a DNS-1035 label, or from 1.36 a DNS-1123 one."""
    if versions.at_least(version, versions.SERVICE_NAME_RELAXED):
        return "DNS-1123 label", is_dns1123_label
    return "DNS-1035 label", is_dns1035_label


def _lookup_name(sts: Obj, version: str) -> str | None:
    """The serviceName, when a Service could have it (SS105 reports the others)."""
    name = _service_name(sts)
    return name if name is not None and _service_name_form(version)[1](name) else None


def _governing_service(sts: Obj, model: Model, version: str) -> Obj | None:
    """The Service the set's serviceName names: of several a run may hold (namespace-less ones from
    different directories can share a name), one in the set's own namespace, then one that selects
    the pods, then the nearest (in the set's file, then its directory), then the first by path:
    whatever order the files were given in."""
    name = _lookup_name(sts, version)
    if sts.fragment or name is None:
        return None
    services = model.named("Service", name, sts)  # its own namespace's first
    if len(services) > 1:
        labels = sts.pod_labels
        here, directory = sts.source.path, os.path.dirname(sts.source.path)
        return min(services, key=lambda s: (s.namespace != sts.namespace, not _fits(sts, s, labels, model),
                                            s.source.path != here, os.path.dirname(s.source.path) != directory,
                                            s.source.path, s.document.index))
    return services[0] if services else None


def _fits(sts: Obj, service: Obj, labels: dict, model: Model) -> bool:
    """Whether the Service gives the pods their names: it selects them, or it has no selector and the
    files hold the Endpoints someone else writes for it."""
    selector = service.get("spec", "selector")
    if isinstance(selector, dict) and selector:
        return map_selects(selector, labels)
    return _endpoints_written(sts, service, model) is not None


def _endpoints_written(sts: Obj, service: Obj, model: Model) -> Obj | None:
    """Endpoints of the set's Service without a selector, written by someone else (an Endpoints of its
    name, or an EndpointSlice labelled with it), when the run holds them where the set can be."""
    found = model.named("Endpoints", service.name, service)
    found += [s for s in model.in_namespace_of("EndpointSlice", service)
              if s.get("metadata", "labels", "kubernetes.io/service-name") == service.name]
    return next((e for e in found if same_namespace(e, sts)), None)


def service_name_missing(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    value = sts.get(*SERVICE_NAME)
    if sts.fragment or value not in (None, ""):
        return
    required = value is None and not versions.at_least(version, versions.SERVICE_NAME_OPTIONAL)
    if not required and _single(sts, model):
        return  # only the DNS names are lost, and a single replica (metacontroller's) has no peers to use them
    no_names = "its pods get no stable DNS names (<pod>.<service>.<namespace>.svc), so peers cannot address one replica"
    if value == "":  # present, as the schema asks: only the DNS names are lost
        yield Finding(f"{sts.ref} has an empty spec.serviceName: {no_names}", sts, SERVICE_NAME)
        return
    consequence = (
        f"Kubernetes {version}'s published schema requires the field, so validation against it (kubeconform, "
        "kubeval, kubectl's client-side validation) rejects the manifest, though the API server, and so kubectl "
        "apply with its default server-side field validation, accepts it"
        if required
        else no_names
    )
    null = "serviceName" in sts.mapping("spec")  # `serviceName: null` (or `serviceName:`): said, and pointed at
    yield Finding(
        f"{sts.ref} has {'a null' if null else 'no'} spec.serviceName: {consequence}",
        sts,
        SERVICE_NAME if null else ("spec",),
        severity="error" if required else None,
    )


def service_name_invalid(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    name = _service_name(sts)
    if name is None or _lookup_name(sts, version):
        return
    form, _ = _service_name_form(version)
    problems = []
    if len(name) > 63:
        problems.append(f"is {len(name)} characters long (at most 63)")
    if form == "DNS-1035 label" and is_dns1123_label(name[:63]):
        problems.append(f"starts with a digit, which a Service's name may do only from Kubernetes "
                        f"{versions.SERVICE_NAME_RELAXED}")
    elif not DNS1123_LABEL.fullmatch(name[:63]) or form == "DNS-1035 label" and not is_dns1035_label(name[:63]):
        start = "starting with a letter and ending" if form == "DNS-1035 label" else "starting and ending"
        problems.append(f"is not lower-case letters, digits and '-', {start} with a letter or digit (a {form})")
    rejected = versions.at_least(version, versions.SERVICE_NAME_OPTIONAL) and not is_dns1123_label(name)
    consequence = (
        f"the API server of Kubernetes {version} rejects it"
        if rejected
        else "no Service can have that name, so the pods never get their DNS names"
    )
    suggestion = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    if form == "DNS-1035 label":
        suggestion = suggestion.lstrip("0123456789-")
    suggestion = suggestion[:63].rstrip("-")
    yield Finding(
        f"{sts.ref}: spec.serviceName {name!r} {' and '.join(problems)}: {consequence}",
        sts,
        SERVICE_NAME,
        fix=f"Name the governing Service with a {form}{f', such as {suggestion!r}' if suggestion else ''}, "
        "and set spec.serviceName to it.",
    )


def _is_headless(service: Obj) -> bool:
    return service.get("spec", "clusterIP") == "None" and (service.get("spec", "type") or "ClusterIP") == "ClusterIP"


def _single(sts: Obj, model: Model) -> bool:
    """At most one replica, whatever an autoscaler does: no peers to find each other by name."""
    most, _ = model.most_replicas(sts)
    return most is not None and most <= 1


def _likely_meant(sts: Obj, name: str, model: Model) -> tuple[Obj, str] | tuple[None, None]:
    """The Service the author probably meant, and why: a near spelling, else a headless one selecting the pods."""
    limit = min(2, max(1, len(name) // 3))
    near = [(within(name, s.name, limit), s) for s in model.spelled_like("Service", sts, name, limit)]
    near = [(d, s) for d, s in near if d is not None]
    if near:
        return min(near, key=lambda pair: pair[0])[1], "a near spelling"
    # Of the headless Services that select its pods, the one that asks most of them (tempo-ingester-discovery,
    # not the gossip ring that selects every memberlist pod); the first of equals.
    headless = [s for s in model.selecting("Service", sts, sts.pod_labels) if _is_headless(s)]
    selecting = max(headless, key=lambda s: len(s.mapping("spec", "selector")), default=None)
    return (selecting, "the headless Service that selects its pods") if selecting else (None, None)


def governing_service_missing(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    name = _lookup_name(sts, version)
    if sts.fragment or name is None or model.named("Service", name, sts):
        return
    where = f"namespace {sts.namespace}" if sts.namespace else "the namespace it is applied to"
    single = _single(sts, model)  # (no peers to find it: a warning, as upstream sets of one ship this way)
    lost = ("its pod gets no DNS name of its own (<pod>.<service>)" if single else
            "its pods get no DNS names, and peer discovery by <pod>.<service> fails")
    message = f"{sts.ref}: spec.serviceName {name!r} names no Service in {where}: {lost}"
    meant, why = _likely_meant(sts, name, model)
    elsewhere = model.named_elsewhere("Service", name, sts)
    related = []
    if meant:
        message += f"; did you mean {meant.name!r}?" if why == "a near spelling" else f"; did you mean {meant.name!r}, {why}?"
        related.append(Related(meant, ("metadata", "name"), f"{meant.ref}, the likely governing Service ({why})"))
    if elsewhere:
        other = elsewhere[0]
        message += f" (a Service {name!r} exists in namespace {other.namespace}, but a governing Service must share the StatefulSet's namespace)"
        related.append(Related(other, ("metadata", "namespace"), f"{other.ref}, in another namespace"))
    fix = (
        f"spec.serviceName cannot be changed on a live StatefulSet: create (or rename) a headless Service "
        f"{name!r} (clusterIP: None, selecting the pods) in {where}"
        + (f", or, before the set is first applied, set serviceName to {meant.name!r}" if meant else "")
        + "."
    )
    yield Finding(message, sts, SERVICE_NAME, fix=fix, related=related, severity="warning" if single else None)


def governing_service_not_headless(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    service = _governing_service(sts, model, version)
    if service is None:
        return
    if _is_headless(service):
        return
    service_type = service.get("spec", "type") or "ClusterIP"
    cluster_ip = service.get("spec", "clusterIP")
    if service_type != "ClusterIP":
        reason, where = f"it is of type {service_type}", ("spec", "type")
    elif cluster_ip:
        reason, where = f"its clusterIP is {cluster_ip!r}", ("spec", "clusterIP")
    else:
        reason = "it has no clusterIP: None, so it gets a cluster IP"
        where = ("spec", "type") if service.get("spec", "type") else ("spec",)
    single = _single(sts, model)
    lost = (f"the pod gets no DNS record of its own (<pod>.{service.name})" if single else
            f"the pods get no per-pod DNS records (<pod>.{service.name}), so no replica can be addressed by its own name")
    kubectl_set = f"statefulset {sts.name}" + (f" -n {sts.namespace}" if sts.namespace else "")
    repoint = (f"which on a live set means recreating {sts.ref} (kubectl delete {kubectl_set} --cascade=orphan, then "
               f"apply: its pods and claims stay) and restarting its pods, which take their DNS name only when created "
               f"(kubectl rollout restart {kubectl_set}).")
    # A headless Service that selects the pods may be there already (a chart's <name>-headless).
    headless = max((s for s in model.selecting("Service", sts, sts.pod_labels) if _is_headless(s) and s.name != service.name),
                   key=lambda s: len(s.mapping("spec", "selector")), default=None)  # (a copy of its own name: no other)
    if headless is not None:
        another = f"point serviceName at {headless.ref}, which is headless and selects the pods, {repoint}"
    else:
        another = f"create a headless Service (clusterIP: None) under another name that selects the pods, and point serviceName at it, {repoint}"
    # What the Service is for besides the pods' names, which a headless one would lose.
    selector = service.get("spec", "selector")
    endpoints = _endpoints_written(sts, service, model) if not isinstance(selector, dict) or not selector else None
    purpose = {"NodePort": "its node ports reach the pods from outside the cluster",
               "LoadBalancer": "its load balancer reaches the pods from outside the cluster"}.get(
                   service_type if isinstance(service_type, str) else None)  # (another shape: SS002's)
    if endpoints is not None:
        purpose = (f"{endpoints.ref}, written by a controller of its own as Patroni writes its leader's, "
                   "gives it its addresses")
    if purpose:
        fix = f"Keep {service.ref}, which a headless Service cannot replace ({purpose}), and {another}"
    elif service_type == "ExternalName":  # (no cluster IP to keep: the type may change in place)
        labels = labels_text(sts.pod_labels) or "the pod template's labels"
        fix = (f"An ExternalName Service has no cluster IP, so {service.ref} can change in place: give it type "
               f"ClusterIP, clusterIP: None and a selector of the pods ({labels}), and remove externalName (its name "
               f"then resolves to the pods themselves); or, if clients need the external name, {another}")
    elif headless is not None:
        fix = f"Keep {service.ref} for clients, and {another}"
    else:
        fix = (f"spec.clusterIP cannot change on an existing Service. If nothing uses the cluster IP of {service.ref}, "
               f"delete it and create it again with clusterIP: None and type ClusterIP (its name then resolves to the "
               f"pods themselves); if clients do (a headless Service has none to share them out), keep it and {another}")
    related = [Related(service, where, f"{service.ref}, not headless")]
    if headless is not None:
        related.append(Related(headless, ("metadata", "name"), f"{headless.ref}, headless, selecting the pods"))
    yield Finding(
        f"{sts.ref}: governing {service.ref} is not headless ({reason}); {lost}",
        sts,
        SERVICE_NAME,
        fix=fix,
        related=related,
        severity="warning" if single else None,
    )


def governing_service_selector_mismatch(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    service = _governing_service(sts, model, version)
    if service is None:
        return
    selector = service.get("spec", "selector")
    labels = sts.mapping("spec", "template", "metadata", "labels")
    if not labels:  # labels added later (kustomize commonLabels); SS301 covers a template without them
        return
    if service.get("spec", "type") == "ExternalName":
        return  # a DNS alias, whose selector nothing reads: SS103 says what it must become
    if not isinstance(selector, dict) or not selector:
        if _endpoints_written(sts, service, model):
            return  # a controller of its own keeps them (as Patroni does), and the files say so
        yield Finding(
            f"{sts.ref}: governing {service.ref} has no selector: Kubernetes keeps no endpoints for it, so the pods get "
            "no DNS records unless another controller writes the Service's Endpoints itself (as Patroni does)",
            sts,
            SERVICE_NAME,
            fix=f"Give {service.ref} a spec.selector that matches the pod template's labels.",
            related=[Related(service, ("spec",), f"{service.ref}, without a selector")],
        )
    elif not map_selects(selector, labels):
        missing = ", ".join(f"{k}={v}" for k, v in selector.items() if str(labels.get(k)) != str(v) or k not in labels)
        yield Finding(
            f"{sts.ref}: governing {service.ref} selects {missing}, which the pod template's labels do not carry; "
            "the pods get no DNS records",
            sts,
            SERVICE_NAME,
            fix=f"Make {service.ref}'s spec.selector a subset of the pod template's labels "
            f"({labels_text(labels)}).",
            related=[Related(service, ("spec", "selector"), f"{service.ref}'s selector")],
        )
