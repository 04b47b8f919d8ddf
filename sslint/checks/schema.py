"""SS002: an object that does not match the Kubernetes schema of the target version, said plainly; SS003:
an object defined twice in one file."""

from __future__ import annotations

from typing import Iterator

from sslint import kubeschema, versions
from sslint.finding import Finding, Related, dotted
from sslint.model import Model, Obj, unrendered

# Missing fields that a more specific rule reports with a better message.
_REPORTED_ELSEWHERE = {("spec", "serviceName"): "SS101", ("spec", "selector"): "SS301"}
# What the API server checks only as it validates, after it has removed the fields a version does not
# keep (versions.dropped); a wrong type or an unknown field it rejects as it decodes the request.
_VALIDATED = ("required", "enum")
_TYPES = {"integer": "an integer", "string": "a string", "boolean": "true or false", "object": "a mapping",
          "array": "a list", "number": "a number", "null": "null"}


def _describe(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    return "a list" if isinstance(value, list) else "a mapping"


def _expected(schema: dict) -> str:
    if "oneOf" in schema:  # int-or-string and quantities
        kinds = [t for branch in schema["oneOf"] for t in _types(branch) if t != "null"]
        return " or ".join(dict.fromkeys(_TYPES.get(t, t) for t in kinds))
    return " or ".join(_TYPES.get(t, t) for t in _types(schema) if t != "null")


def _types(schema: dict) -> list[str]:
    kind = schema.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _findings(obj: Obj, error, version: str) -> Iterator[Finding]:
    path = tuple(error.absolute_path)
    where = dotted(path)
    if error.validator == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        for name in sorted(set(error.instance) - set(known), key=str):
            releases = kubeschema.releases_with(obj.api_version, obj.kind, path + (name,))
            if releases:  # not a misspelling: a field of another Kubernetes
                unknown = (f"{obj.ref}: field {name!r} in {where} is unknown to Kubernetes {version} (kubectl rejects it; "
                           f"the API server would drop it): ")
                feature = versions.feature_of(path + (name,))
                yield Finding(unknown + _releases_with(releases, version, feature), obj, path + (name,),
                              fix=_target(name, releases, version, feature))
                continue
            import difflib  # only for a field it does not know

            close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.75)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            fix = f"Remove {name!r} or correct its spelling" + (f" to {close[0]!r}." if close else ".")
            if close and error.instance.get(close[0]) is not None:  # (renamed, it would be a duplicate key)
                hint = f"; {close[0]!r} is set beside it"
                fix = f"Remove {name!r}: {where} sets {close[0]!r} already."
            yield Finding(
                f"{obj.ref}: unknown field {name!r} in {where}{hint} (kubectl rejects it; the API server would drop it)",
                obj,
                path + (name,),
                fix=fix,
            )
    elif error.validator == "required":
        for name in error.validator_value:
            if isinstance(error.instance, dict) and name not in error.instance and path + (name,) not in _REPORTED_ELSEWHERE:
                yield Finding(f"{obj.ref}: {where} is missing the required field {name!r}", obj, path,
                              fix=f"Add {name!r} to {where}.")
    elif error.validator in ("type", "oneOf"):
        if error.instance is None and path in _REPORTED_ELSEWHERE:
            return  # `serviceName:` (null): SS101 says what the cluster makes of it
        if unrendered(error.instance):
            return  # `replicas: ${REPLICAS:=3}`: Flux or envsubst has yet to substitute it
        expected = _expected(error.schema)
        if error.instance is None and error.validator == "oneOf":  # a quantity (Helm's `memory: {{ .Values.x }}`, empty)
            yield Finding(f"{obj.ref}: {where} is null, which the API server reads as an amount of 0", obj, path,
                          fix=f"Give {where} an amount (such as 512Mi or 500m), or remove the key.")
            return
        unquoted = isinstance(error.instance, str) and "string" not in expected and error.instance.strip().lstrip("-").isdigit()
        yield Finding(
            f"{obj.ref}: {where} is {_describe(error.instance)}, but must be {expected or 'something else'}",
            obj,
            path,
            fix=f"Write {error.instance} without quotes." if unquoted else f"Give {where} {expected or 'a valid value'}.",
        )
    else:
        yield Finding(f"{obj.ref}: {where}: {error.message}", obj, path,
                      fix="Correct the value as the Kubernetes API reference describes it.")


def _first_run(releases: list[str], version: str) -> tuple[str, str | None] | None:
    """The first releases after `version` in a row that have a field (of the bundled `releases` with
    it): (first, last), last None when every bundled release after the first has it; None when none
    after `version` has it."""
    newer = [v for v in kubeschema.VERSIONS if versions.parse(v) > versions.parse(version)]
    start = next((n for n, v in enumerate(newer) if v in releases), None)
    if start is None:
        return None
    end = next((n for n in range(start, len(newer)) if newer[n] not in releases), len(newer))
    return newer[start], (newer[end - 1] if end < len(newer) else None)


def _releases_with(releases: list[str], version: str, feature: versions.Feature | None) -> str:
    run = _first_run(releases, version)
    if run is None:  # (workloadRef on 1.36: only 1.35 had it)
        had = releases[0] if len(releases) == 1 else f"{releases[0]} to {releases[-1]}"
        return f"Kubernetes {had} had it, and later releases removed it"
    first, last = run
    if last is not None:
        return f"Kubernetes {first if first == last else f'{first} to {last}'} has it, where its feature may still be off"
    if feature is None:
        return f"Kubernetes has it from {first}, where its feature may still be off"
    since = _since(first, feature)
    features = f"its features ({feature.gate}) are" if " and " in feature.gate else f"its feature ({feature.gate}) is"
    if feature.release is None:
        return f"Kubernetes has it from {since}, and {features} off by default in every release so far"
    if versions.at_least(since, feature.release):
        return f"Kubernetes has it from {since}"
    return f"Kubernetes has it from {since}, and {features} on by default from {feature.release}"


def _since(first: str, feature: versions.Feature) -> str:
    """The first release that has the field and its feature: a regular container's restartPolicy is in the
    schema from 1.28 (for sidecars), and for it from 1.34."""
    return max(first, feature.since or first, key=versions.parse)


def _target(name: str, releases: list[str], version: str, feature: versions.Feature | None) -> str:
    run = _first_run(releases, version)
    if run is None:
        return f"Remove {name!r}."
    first, last = run
    if last is not None or feature is None:
        target = f"{first} or later" if last is None else first if first == last else f"{first} to {last}"
        return f"Remove {name!r}, or target Kubernetes {target} (--kubernetes-version) if the clusters run it with its feature on."
    gated = _since(first, feature)
    if feature.release is None:
        return f"Remove {name!r}, or target Kubernetes {gated} or later (--kubernetes-version) if the clusters turn {feature.gate} on."
    if versions.at_least(gated, feature.release):
        return f"Remove {name!r}, or target Kubernetes {gated} or later (--kubernetes-version)."
    return (f"Remove {name!r}, or target Kubernetes {feature.release} or later (--kubernetes-version), or {gated} or later "
            f"if the clusters turn {feature.gate} on.")


def schema_violation(obj: Obj, model: Model, version: str) -> Iterator[Finding]:
    if obj.fragment:
        return
    document = {k: v for k, v in obj.data.items() if k != "status"}  # status is written by the cluster
    if kubeschema.is_valid(version, obj.api_version, obj.kind, document) in (True, None):
        return  # valid, or an apiVersion the version does not serve (SS307), or a kind not bundled
    validator = kubeschema.validator_for(version, obj.api_version, obj.kind)
    seen = set()
    for error in validator.iter_errors(document):
        if error.validator in _VALIDATED and versions.dropped(tuple(error.absolute_path), version):
            continue  # the API server drops the field after decoding it, before it validates it
        for finding in _findings(obj, error, version):
            key = (finding.path, finding.message)
            if key not in seen:
                seen.add(key)
                yield finding


# -- SS003 -----------------------------------------------------------------------------------------


def defined_twice(obj: Obj, model: Model, version: str) -> Iterator[Finding]:
    first = model.derived(_first_definitions).get(id(obj))
    if first is None:
        return
    yield Finding(
        f"{obj.ref} is defined a second time in {obj.source.path}: `kubectl apply` applies this definition over the first "
        "(what only the first sets is lost), and `helm install` fails (the object already exists)",
        obj,
        ("metadata", "name"),
        fix=f"Keep one definition of {obj.ref}: remove or rename this one (a template rendered twice, or a copy "
        "left after a merge, is the usual cause).",
        related=[Related(first, ("metadata", "name"), f"{first.ref}, defined first")],
    )


# Kinds without a namespace: the API server ignores one written on them.
_CLUSTER_SCOPED = frozenset(("PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding", "Namespace"))


def _first_definitions(model: Model) -> dict[int, Obj]:
    """Each later definition of an object in one file (kind, namespace and name alike; not in a
    kustomization's patches, which are fragments) → the first; in model order, a file's documents come
    in order, one after another."""
    later = {}
    source = first = None  # the file being read, and its objects so far (a small table, however large the model)
    for obj in model.objects:
        if obj.source is not source:
            source, first = obj.source, {}
        if obj.name is not None and not obj.fragment:
            namespace = None if obj.kind in _CLUSTER_SCOPED else obj.namespace
            twin = first.setdefault((obj.kind, namespace, obj.name), obj)
            if twin is not obj:
                later[id(obj)] = twin
    return later
