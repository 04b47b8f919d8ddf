"""SS4xx: how a replicated workload lives through node drains, scheduling, updates and autoscaling."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Iterator, NamedTuple

from sslint import versions
from sslint.finding import Finding, Related
from sslint.model import WORKLOAD_KINDS, LabelIndex, Model, Obj, integer, kind_of, same_namespace, scale_bounds, unrendered
from sslint.names import within
from sslint.selectors import labels_text, selects

NODE_KEY = "kubernetes.io/hostname"
# Affinity before Kubernetes 1.6 (Spilo's and cockroachdb's old manifests still carry it): since then the
# scheduler reads spec.affinity only (kubernetes/kubernetes#37299; a feature gate, off, kept it until 1.8).
ALPHA_AFFINITY = "scheduler.alpha.kubernetes.io/affinity"
REPLICAS = ("spec", "replicas")
SELECTOR = ("spec", "selector")
POD_LABELS = ("spec", "template", "metadata", "labels")
POD_SPEC = ("spec", "template", "spec")
GRACE_PERIOD = POD_SPEC + ("terminationGracePeriodSeconds",)
PARTITION = ("spec", "updateStrategy", "rollingUpdate", "partition")
PERCENT = re.compile(r"([0-9]+)%")
OPERATORS = frozenset(("In", "NotIn", "Exists", "DoesNotExist"))
ADOPTERS = frozenset(("ReplicaSet", "ReplicationController", "DaemonSet"))  # claim any orphan their selector matches


def _flow_map(labels: dict) -> str:
    """Labels as a YAML flow mapping, to paste into a manifest."""
    return "{" + ", ".join(f"{k}: {v}" for k, v in labels.items()) + "}"


def _selector_text(selector: dict) -> str:
    """A LabelSelector in words: `app=zk, tier in (db), legacy does not exist`."""
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        key, values = expression.get("key"), ", ".join(map(str, expression.get("values") or []))
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": f"{key} exists",
                      "DoesNotExist": f"{key} does not exist"}[expression["operator"]])
    return ", ".join(parts) or "every pod"


def _well_formed(selector) -> bool:
    """A LabelSelector the API accepts and sslint can read (no ${VAR} or {{ }} left to substitute)."""
    if not isinstance(selector, dict):
        return False
    if unrendered(str(selector)):
        return False
    match_labels, expressions = selector.get("matchLabels") or {}, selector.get("matchExpressions") or []
    return isinstance(match_labels, dict) and isinstance(expressions, list) and all(
        isinstance(e, dict) and isinstance(e.get("key"), str) and isinstance(e.get("operator"), str)
        and e["operator"] in OPERATORS and isinstance(e.get("values") or [], list)
        for e in expressions
    )


def _how_many(most: int, scaler: Obj | None) -> str:
    return f"can be scaled to {most} replicas by {scaler.ref}" if scaler else f"runs {most} replicas"


def _own_pods(workload: Obj, model: Model) -> dict:
    """Labels that select the workload's pods, for a fix hint: its selector's (the Kubernetes documentation's
    advice for budgets; pod labels may carry a version), unless they also select another workload's pods
    (SS404 reports that), else its pod labels."""
    match_labels = workload.get(*SELECTOR, "matchLabels")
    if not isinstance(match_labels, dict) or not match_labels:
        return workload.pod_labels
    selector = {"matchLabels": match_labels}
    shared = any((other.kind, other.name) != (workload.kind, workload.name)  # itself, or a copy (an overlay)
                 and same_namespace(other, workload) and selects(selector, labels) and not model.owned(other)
                 for other, labels in model.pod_templates.candidates(selector))  # (a dump's pods are the set's)
    return workload.pod_labels if shared and workload.pod_labels else match_labels


def _scaled_by(scaler: Obj | None, most: int) -> list[Related]:
    return [Related(scaler, scale_bounds(scaler)[2], f"{scaler.ref}, which can scale it to {most}")] if scaler else []


def _replicas_or_spec(workload: Obj) -> tuple:
    return REPLICAS if workload.get(*REPLICAS) is not None else ("spec",)


# -- SS401 -------------------------------------------------------------------------------------------


def _pods_counted(budget: Obj, workload: Obj, most: int, model: Model) -> int | None:
    """The most pods the budget's percentages and counts apply to: the workload's, plus those of every
    other pod template it selects, each at the most its autoscaler allows; None when one of those has
    no count to read (a DaemonSet runs one a node, a Job or a custom resource as it will)."""
    selector = budget.get(*SELECTOR)
    if not _well_formed(selector):
        return None
    total = most
    for other, labels in model.pod_templates.candidates(selector):
        if other.fragment or other.kind == "PodTemplate" or (other.kind, other.name) == (workload.kind, workload.name) \
                or model.owned(other):
            continue  # a patch, a template no controller runs, the workload itself or a copy of it (an overlay), or
            # in a dump of a cluster, a pod or ReplicaSet whose owner is counted already
        if same_namespace(other, budget) and same_namespace(other, workload) and selects(selector, labels):
            if other.kind == "Pod":
                total += 1
                continue
            pods = model.most_replicas(other)[0] if other.kind in WORKLOAD_KINDS - {"DaemonSet"} else None
            if pods is None:
                return None
            total += pods
    return total


def _scaled(value, pods: int) -> int | None:
    """An int-or-percent of `pods`, percentages rounded up as the disruption controller does."""
    if integer(value) is not None and value >= 0:
        return value
    match = PERCENT.fullmatch(value) if isinstance(value, str) else None
    return -(-int(match.group(1)) * pods // 100) if match and int(match.group(1)) <= 100 else None


def _blocking_field(budget: Obj, pods: int) -> tuple[str, object] | None:
    """The field (and its value) with which the budget allows no eviction among `pods` healthy pods."""
    spec = budget.mapping("spec")
    if spec.get("maxUnavailable") is not None:
        allowed = _scaled(spec["maxUnavailable"], pods)
        return ("maxUnavailable", spec["maxUnavailable"]) if allowed == 0 else None
    min_available = spec.get("minAvailable")
    required = _scaled(min_available, pods)
    return ("minAvailable", min_available) if required is not None and required >= pods else None


def disruption_budget_missing(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    labels = sts.pod_labels
    most, scaler = model.most_replicas(sts)
    if sts.fragment or not labels or not most:  # no labels yet: kustomize adds them later
        return
    # A budget is read as policy/v1 reads it, whatever its apiVersion: every version sslint targets
    # serves policy/v1 alone, and SS307 asks for a policy/v1beta1 budget to move there (where an empty
    # selector selects every pod of the namespace, and an empty budget no longer means minAvailable: 1).
    budgets = model.selecting("PodDisruptionBudget", sts, labels)
    if not budgets and most > 1:
        yield _missing_budget(sts, model, most, scaler)
    for budget in budgets:
        pods = _pods_counted(budget, sts, most, model)
        blocking = _blocking_field(budget, pods) if pods else None
        if blocking:
            yield _blocking_budget(sts, budget, pods, *blocking, version)


def _missing_budget(sts: Obj, model: Model, most: int, scaler: Obj | None) -> Finding:
    where = f"namespace {sts.namespace}" if sts.namespace else "its namespace"
    message = (f"{sts.ref} {_how_many(most, scaler)} but no PodDisruptionBudget in {where} selects its pods "
               f"({labels_text(sts.pod_labels)}): a node drain or cluster upgrade may evict several of its replicas at once")
    elsewhere = model.selecting_elsewhere("PodDisruptionBudget", sts, sts.pod_labels)
    related = _scaled_by(scaler, most)
    own = _flow_map(_own_pods(sts, model))
    budget = (f"a PodDisruptionBudget (policy/v1) in {where} with selector.matchLabels {own} and maxUnavailable: 1, "
              "so that drains evict one replica at a time.")
    fix = f"Add {budget}"
    if elsewhere:
        message += f" ({elsewhere[0].ref} selects these labels, but a budget only covers pods of its own namespace)"
        related.append(Related(elsewhere[0], ("metadata", "namespace"), f"{elsewhere[0].ref}, in another namespace"))
    elif stray := next((b for b in model.derived(_stray_budgets).get(sts.name, ()) if same_namespace(b, sts)), None):
        message += (f" ({stray.ref} selects {_selector_text(stray.get('spec', 'selector'))}, which no pod in the model "
                     "carries: was it written for these pods?)")
        related.append(Related(stray, ("spec", "selector"), f"{stray.ref}'s selector, which selects no pod"))
        fix = f"If {stray.ref} is meant for these pods, make its selector.matchLabels {own}; else add {budget}"
    return Finding(message, sts, _replicas_or_spec(sts), related=related, fix=fix)


def _stray_budgets(model: Model) -> dict[str, list[Obj]]:
    """The budgets whose selector, neither empty nor unreadable, selects no pod of the model, by the set
    names they look written for: their own name, less a -pdb or -budget suffix (zk-budget, for zk), and
    each value they ask a label to have (app: zk)."""
    strays = defaultdict(list)
    for budget in model.of_kind("PodDisruptionBudget"):
        selector = budget.get("spec", "selector")
        if not _well_formed(selector) or not (selector.get("matchLabels") or selector.get("matchExpressions")) \
                or _selects_any_pod(selector, budget, model):
            continue
        names = {budget.name, budget.name.removesuffix("-pdb"), budget.name.removesuffix("-budget")} if budget.name else set()
        names.update(str(v) for v in (selector.get("matchLabels") or {}).values())
        names.update(str(v) for e in selector.get("matchExpressions") or [] if e["operator"] == "In" for v in e.get("values") or [])
        for name in names:
            strays[name].append(budget)
    return strays


def _blocking_budget(sts: Obj, budget: Obj, pods: int, field: str, value, version: str) -> Finding:
    rounded = f", which rounds up to all {pods}" if field == "minAvailable" and isinstance(value, str) and pods > 1 else ""
    removed = versions.removed(budget.api_version, budget.kind, version)
    unserved = (f" (once it can be applied: Kubernetes {version} does not serve its apiVersion {budget.api_version}, "
                "see SS307)" if removed else "")
    if pods == 1:  # Kubernetes' documented guard of a single-instance application: often meant, so info
        return Finding(
            f"{sts.ref}: {budget.ref} sets {field}: {value} for its one pod{rounded}, so it never allows an eviction: "
            "`kubectl drain` and node upgrades wait on the node that runs the pod until someone deletes the budget "
            f"(the documented way to make a cluster's operator consult a single instance's owner){unserved}",
            sts, _replicas_or_spec(sts), severity="info",
            fix=f"If drains should not wait for a person, remove {budget.ref} (one pod cannot stay available through "
            "an eviction anyway) or run more replicas with maxUnavailable: 1; if they should, suppress this finding "
            "with that reason" + (", and move the budget to policy/v1." if removed else "."),
            related=[Related(budget, ("spec", field), f"{budget.ref}, which allows no disruption")],
        )
    return Finding(
        f"{sts.ref}: {budget.ref} sets {field}: {value} for its {pods} pod{'s' if pods != 1 else ''}{rounded}, so "
        "it never allows an eviction: `kubectl drain` and node upgrades hang on every node that runs one of these "
        f"pods{unserved}",
        sts, _replicas_or_spec(sts),
        fix=f"Set maxUnavailable: 1 on {budget.ref} (or a minAvailable below the replica count, such as the quorum "
        "size), so that drains can evict one replica at a time" + (", and move it to policy/v1." if removed else "."),
        related=[Related(budget, ("spec", field), f"{budget.ref}, which allows no disruption")],
    )


# -- SS402, SS407: spreading terms -------------------------------------------------------------------


class Term(NamedTuple):
    what: str  # how messages name it
    path: tuple  # to the term: the mapping holding labelSelector and topologyKey
    term: dict
    required_anti_affinity: bool


def _spreading_terms(workload: Obj) -> Iterator[Term]:
    anti = POD_SPEC + ("affinity", "podAntiAffinity")
    required = anti + ("requiredDuringSchedulingIgnoredDuringExecution",)
    preferred = anti + ("preferredDuringSchedulingIgnoredDuringExecution",)
    for n, term in workload.items(*required):
        yield Term("required pod anti-affinity term", required + (n,), term, True)
    for n, weighted in workload.items(*preferred):
        term = weighted.get("podAffinityTerm")
        if isinstance(term, dict):
            yield Term("preferred pod anti-affinity term", preferred + (n, "podAffinityTerm"), term, False)
    spread = POD_SPEC + ("topologySpreadConstraints",)
    for n, constraint in workload.items(*spread):
        yield Term("topology spread constraint", spread + (n,), constraint, False)


def _keeps_nodes_apart(term: Term) -> bool:
    # Two pods on one node share every node label, so a required anti-affinity on any key (zone, rack)
    # also keeps them off one node; a preference or a skew on a zone does not.
    return term.term.get("topologyKey") == NODE_KEY or term.required_anti_affinity


def _one_pod_per_node(workload: Obj, version: str) -> bool:
    """Whether no two of its pods can share a node anyway: a container asks for a host port, and the
    scheduler gives each host port of a node to one pod (with hostNetwork, every container port is
    a host port: the API server sets hostPort to it). From 1.34 the scheduler counts sidecars too."""
    host_network = workload.get(*POD_SPEC, "hostNetwork") is True
    containers = [("containers", n) for n, _ in workload.items(*POD_SPEC, "containers")]
    if versions.at_least(version, versions.SIDECAR_HOST_PORTS):
        containers += [("initContainers", n) for n, c in workload.items(*POD_SPEC, "initContainers")
                       if c.get("restartPolicy") == "Always"]
    for where in containers:
        for _, port in workload.items(*POD_SPEC, *where, "ports"):
            if (integer(port.get("hostPort")) or 0) > 0 or (host_network and (integer(port.get("containerPort")) or 0) > 0):
                return True
    return False


def anti_affinity_missing(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    most, scaler = model.most_replicas(sts)
    if sts.fragment or most is None or most < 2 or _one_pod_per_node(sts, version):
        return
    terms = [t for t in _spreading_terms(sts) if isinstance(t.term.get("topologyKey"), str)]
    if any(_keeps_nodes_apart(t) and _spreads_own_pods(t, sts, model) for t in terms):
        return
    apart_from_others = [t for t in terms if not _spreads_own_pods(t, sts, model)]  # (another application's pods)
    terms = [t for t in terms if t not in apart_from_others]
    related = _scaled_by(scaler, most)
    fix = (f"Add a preferred (or required) pod anti-affinity term, or a topology spread constraint, with topologyKey "
           f"{NODE_KEY} and a labelSelector matching the pod labels"
           + (f" ({_flow_map(own)})." if (own := _own_pods(sts, model)) else "."))
    ignored = ""
    alpha = sts.mapping("spec", "template", "metadata", "annotations").get(ALPHA_AFFINITY)
    if isinstance(alpha, str) and "podAntiAffinity" in alpha:  # (what else it holds spreads nothing)
        ignored = f" (the pod template's {ALPHA_AFFINITY} annotation has been ignored since Kubernetes 1.6)"
        fix = f"Move the affinity in the pod template's {ALPHA_AFFINITY} annotation to spec.template.spec.affinity. " + fix
    if terms:
        first, key = terms[0], terms[0].term["topologyKey"]
        yield Finding(
            f"{sts.ref} {_how_many(most, scaler)} and spreads them only by {key} ({first.what}), not across nodes: "
            f"replicas with the same {key} may share a node, and losing that node takes them down together{ignored}",
            sts, first.path + ("topologyKey",), fix=fix, related=related,
        )
        return
    if apart_from_others:
        other = apart_from_others[0]
        yield Finding(
            f"{sts.ref} {_how_many(most, scaler)}, and its {other.what} keeps them from the pods of "
            f"{_selector_text(other.term['labelSelector'])}, not from each other: with no term on its own pods across "
            f"{NODE_KEY}, the scheduler may place several (or all) replicas on one node, and losing that node takes them "
            f"down together{ignored}",
            sts, other.path + ("labelSelector",), fix=fix, related=related,
        )
        return
    yield Finding(
        f"{sts.ref} {_how_many(most, scaler)} with neither pod anti-affinity nor a topology spread constraint on "
        f"{NODE_KEY}: the scheduler may place several (or all) replicas on one node, and losing that node takes "
        f"them down together{ignored}",
        sts, _replicas_or_spec(sts), fix=fix, related=related,
    )


def _spreads_own_pods(term: Term, workload: Obj, model: Model) -> bool:
    """Whether a term spreads the workload's own pods: its selector selects them (or cannot be read: not
    this rule's to judge), or it is missing or selects nothing and looks written for them (SS407 reports
    those)."""
    selector = term.term.get("labelSelector")
    if selector == workload.get(*SELECTOR) or not _well_formed(selector) or selects(selector, workload.pod_labels):
        return True  # (the first test, the set's own selector, is the usual answer and the cheapest)
    return not _selects_any_pod(selector, workload, model) and _meant_for_own_pods(term, selector, workload.pod_labels, False)


def _reaches_other_namespaces(term: Term, workload: Obj) -> bool:
    """Whether the term also selects pods outside the workload's namespace (namespaces, namespaceSelector)."""
    if term.term.get("namespaceSelector") is not None:
        return True
    namespaces = term.term.get("namespaces")
    if not namespaces:
        return False
    return not isinstance(namespaces, list) or any(n != workload.namespace for n in namespaces)


def _selects_any_pod(selector: dict, workload: Obj, model: Model) -> bool:
    candidates = model.pod_templates.candidates(selector)
    return any(same_namespace(obj, workload) and selects(selector, labels) for obj, labels in candidates)


def _meant_for_own_pods(term: Term, selector: dict, labels: dict, spreads_itself: bool) -> bool:
    """Whether a term whose selector selects no pod looks written for the workload's own: every topology
    spread constraint (it spreads the pods it counts), and a pod anti-affinity term that asks for one of
    their label values under another key (`app In (zk)` for pods labelled app.kubernetes.io/name: zk),
    or for a near spelling of one of their keys or values (`app: zookeper`); or it asks for another
    value of one of their keys while no other term spreads them (`app: zookeeper` for app: zk). A term
    on labels of its own (strimzi.io/name, cnpg.io/cluster) keeps the pods from those of another
    application, which an operator or another repository may make."""
    if "podAntiAffinity" not in term.path:
        return True
    own = {str(key): str(value) for key, value in labels.items()}
    asked = [(str(key), str(value)) for key, value in (selector.get("matchLabels") or {}).items()]
    asked += [(str(e.get("key")), None if value is None else str(value)) for e in selector.get("matchExpressions") or []
              if isinstance(e, dict) for value in (e.get("values") if isinstance(e.get("values"), list) else [None])]
    for key, value in asked:  # (value None: Exists or DoesNotExist)
        if value in own.values() or key not in own and any(_near(key, k) for k in own):
            return True
        if key in own and (not spreads_itself or value is not None and _near(value, own[key])):
            return True
    return False


def _near(a: str, b: str) -> bool:
    return within(a, b, min(2, max(1, len(b) // 3))) is not None


def anti_affinity_selects_nothing(workload: Obj, model: Model, version: str) -> Iterator[Finding]:
    most, _ = model.most_replicas(workload)
    if workload.fragment or not workload.pod_labels or most is None or most < 2:
        return
    terms = list(_spreading_terms(workload))
    for term in terms:
        selector = term.term.get("labelSelector")
        key = term.term.get("topologyKey")
        key = key if isinstance(key, str) and key else "its topology key"  # (another shape: SS002's)
        if selector is None:  # (a null selector matches no pod: the term counts none, and spreads nothing)
            yield Finding(
                f"{workload.ref}: its {term.what} has no labelSelector, so it selects no pod, not even its own "
                f"({labels_text(workload.pod_labels)}): the scheduler never spreads the replicas by {key}, which is what "
                "the term was written for",
                workload, term.path, fix=f"Add a labelSelector that matches the pod template's labels, for example "
                f"matchLabels: {_flow_map(_own_pods(workload, model))}.",
                related=[Related(workload, POD_LABELS, f"{workload.ref}'s pod labels")],
            )
            continue
        if not _well_formed(selector) or _reaches_other_namespaces(term, workload):
            continue
        if _selects_any_pod(selector, workload, model):
            continue
        spreads_itself = any(_well_formed(t.term.get("labelSelector")) and selects(t.term["labelSelector"], workload.pod_labels)
                             for t in terms)
        if not _meant_for_own_pods(term, selector, workload.pod_labels, spreads_itself):
            continue  # it keeps the pods from another application's, made elsewhere
        yield Finding(
            f"{workload.ref}: its {term.what} selects {_selector_text(selector)}, which no pod template in the model "
            f"carries, not even its own ({labels_text(workload.pod_labels)}): the scheduler never spreads the replicas "
            f"by {key}, which is what the term was written for",
            workload, term.path + ("labelSelector",),
            fix=f"Make the labelSelector match the pod template's labels, for example matchLabels: "
            f"{_flow_map(_own_pods(workload, model))}.",
            related=[Related(workload, POD_LABELS, f"{workload.ref}'s pod labels")],
        )


# -- SS403, SS405, SS406 -----------------------------------------------------------------------------


def grace_period_zero(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    value = sts.get(*GRACE_PERIOD)
    if integer(value) is not None and value == 0:
        yield Finding(
            f"{sts.ref} sets terminationGracePeriodSeconds: 0: its pods are killed without a chance to flush data or "
            "leave their cluster, and a deletion that does not wait for the shutdown can leave two pods with one "
            "identity running at once",
            sts, GRACE_PERIOD,
        )


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _applied_replicas(sts: Obj) -> tuple[object, tuple, str] | None:
    """The spec.replicas an apply of the manifest sets, where it is written and how to say so: the
    manifest's own; for an object read from a cluster, whose spec.replicas the API server and the
    autoscaler write, the one its last `kubectl apply` set (in that annotation), if any."""
    if not sts.from_cluster:
        replicas = sts.get(*REPLICAS)
        return None if replicas is None else (replicas, REPLICAS, f"sets spec.replicas: {replicas}")
    applied = sts.mapping("metadata", "annotations").get(LAST_APPLIED)
    try:
        replicas = integer(json.loads(applied).get("spec", {}).get("replicas")) if isinstance(applied, str) else None
    except (ValueError, RecursionError, AttributeError):
        return None
    where = ("metadata", "annotations", LAST_APPLIED)
    return None if replicas is None else (replicas, where, f"was last applied with spec.replicas: {replicas}")


def replicas_managed_by_hpa(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    applied = _applied_replicas(sts) if not sts.fragment else None
    if applied is None:
        return
    replicas, where, said = applied
    for hpa in model.autoscalers_of(sts):
        low, high, _ = scale_bounds(hpa)
        if low == high == replicas:  # the autoscaler can only ever choose this same count
            continue
        between = f" between {low} and {high} replicas" if integer(low) is not None and integer(high) is not None else ""
        yield Finding(
            f"{sts.ref} {said}, but {hpa.ref} scales it{between}: every "
            f"apply resets the scale to {replicas}, undoing the autoscaler's choice until it reacts again",
            sts, where,
            related=[Related(hpa, ("spec", "scaleTargetRef"), f"{hpa.ref}, which scales {sts.ref}")],
        )
        return


def partition_exceeds_replicas(sts: Obj, model: Model, version: str) -> Iterator[Finding]:
    partition = sts.get(*PARTITION)
    most, scaler = model.most_replicas(sts)
    strategy = sts.get("spec", "updateStrategy", "type", default="RollingUpdate")
    if sts.fragment or integer(partition) is None or strategy != "RollingUpdate" or not most or partition < most:
        return
    if scaler:
        count = f"the {most} replicas {scaler.ref} can scale it to"
    else:
        unset = " (spec.replicas is unset)" if sts.get(*REPLICAS) is None else ""
        count = f"its {most} replica{'s' if most != 1 else ''}{unset}"
    first = versions.first_ordinal(sts.get("spec", "ordinals", "start"), version)
    numbered = f"its pod is numbered {first}" if most == 1 else f"its pods are numbered {first} to {first + most - 1}"
    reached = (f"{partition} or more get a new template, and there are none" if not first else
               f"{first + partition} or more (ordinals.start {first} plus the partition) get a new template, and {numbered}")
    yield Finding(
        f"{sts.ref}: rollingUpdate.partition {partition} is not below {count}: only pods with an ordinal of "
        f"{reached}, so template changes never reach any pod",
        sts, PARTITION,
        related=_scaled_by(scaler, most),
    )


# -- SS404 -------------------------------------------------------------------------------------------


def _pod_selector(workload: Obj) -> dict | None:
    """The workload's pod selector as a LabelSelector, defaulted as the API does; None where the API
    would refuse it (SS301 reports those)."""
    selector = workload.get(*SELECTOR)
    defaults_to_labels = workload.kind == "ReplicationController" or versions.defaults_selector(workload.api_version)
    if selector is None and defaults_to_labels:
        return {"matchLabels": workload.pod_labels}
    if workload.kind == "ReplicationController":
        return {"matchLabels": selector} if isinstance(selector, dict) and selector else None
    if _well_formed(selector) and (selector.get("matchLabels") or selector.get("matchExpressions")):
        return selector
    return None


def _own_pod_selector(workload: Obj) -> dict | None:
    """The pod selector of a whole workload that selects its own pods (the only kind that can fight
    over others'), else None."""
    labels = workload.pod_labels
    selector = _pod_selector(workload) if not workload.fragment and labels else None
    return selector if selector is not None and selects(selector, labels) else None


def _owns(owner: Obj, obj: Obj) -> bool:
    """In a dump of a live cluster a Deployment's ReplicaSet carries an ownerReference to it."""
    references = obj.items("metadata", "ownerReferences")
    return any(kind_of(r.get("kind"), r.get("apiVersion")) == owner.kind and r.get("name") == owner.name
               for _, r in references)


def _order(obj: Obj) -> tuple:
    return obj.source.path, obj.document.index, obj.prefix


def _apart(a: Obj, b: Obj) -> bool:
    """Pairs that are not two controllers of one namespace: the same object in two variants (overlays,
    copies of one manifest), different namespaces, or a controller and what it owns."""
    return (a.kind, a.name) == (b.kind, b.name) or not same_namespace(a, b) or _owns(a, b) or _owns(b, a)


def _selections(model: Model) -> tuple[dict, dict]:
    """For each whole workload, the other workloads whose pods its selector selects, and the reverse."""
    selectors = {w: s for kind in sorted(WORKLOAD_KINDS) for w in model.of_kind(kind)
                 if (s := _own_pod_selector(w)) is not None}
    index = LabelIndex([(w, w.pod_labels) for w in selectors])
    selected, selected_by = {}, defaultdict(list)
    for workload, selector in selectors.items():
        selected[workload] = [o for o, labels in index.candidates(selector)
                              if o is not workload and not _apart(workload, o) and selects(selector, labels)]
        for other in selected[workload]:
            selected_by[other].append(workload)
    return selected, selected_by


def duplicate_pod_selection(workload: Obj, model: Model, version: str) -> Iterator[Finding]:
    selected, selected_by = model.derived(_selections)
    mine, theirs = selected.get(workload, []), selected_by.get(workload, [])
    for other in dict.fromkeys(mine + theirs):
        selects_other, selected_by_other = other in mine, other in theirs
        # One finding per pair, on the workload whose selector reaches into the other's pods (the first in
        # file order when both do), or on this one whenever the other is context, never reported on.
        if other.context or selects_other and (not selected_by_other or _order(workload) < _order(other)):
            yield _overlap(workload, other, selects_other, selected_by_other)


def _overlap(workload: Obj, other: Obj, mine: bool, theirs: bool) -> Finding:
    def selector(w):
        return _selector_text(_pod_selector(w))

    selecting, selected = (workload, other) if mine else (other, workload)
    if mine and theirs:
        what = f"{workload.ref} and {other.ref} select each other's pods ({selector(workload)} and {selector(other)})"
        fix = (f"Give {workload.ref} and {other.ref} each a label of its own (such as app.kubernetes.io/component) "
               "in both its pod template and its selector, so that neither selects the other's pods.")
    else:
        what = (f"{selecting.ref}'s selector ({selector(selecting)}) also selects the pods of {selected.ref} "
                f"({labels_text(selected.pod_labels)})")
        fix = (f"Narrow {selecting.ref}'s selector with a label that only its own pods carry (add it to its pod "
               f"template too), or change the pod labels of {selected.ref} so that the selector no longer matches.")
    fix += " A live workload's selector cannot change in place (apps/v1): change it by recreating the workload."
    if (workload.namespace is None) != (other.namespace is None):  # one goes wherever it is applied
        placed, unplaced = (workload, other) if other.namespace is None else (other, workload)
        what += f" (when {unplaced.ref} is applied to namespace {placed.namespace})"
    # A StatefulSet adopts only pods named after it, and a Deployment's ReplicaSets select by pod-template-hash.
    adopters = [w for w in ((workload, other) if mine and theirs else (selecting,)) if w.kind in ADOPTERS]
    adoption = (f"; {adopters[0].ref} adopts the other's pods once they are orphaned (as after "
                "`kubectl delete --cascade=orphan`)" if adopters else "")
    return Finding(
        f"{what}: Kubernetes warns that controllers with overlapping selectors conflict, and Services, "
        f"PodDisruptionBudgets and autoscalers that select by these labels count both sets of pods{adoption}",
        workload, SELECTOR if mine else POD_LABELS, fix=fix,
        related=[Related(other, SELECTOR, f"{other.ref}'s selector") if theirs
                 else Related(other, POD_LABELS, f"{other.ref}'s pod labels")],
    )
