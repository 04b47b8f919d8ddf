"""The check of each rule, by rule id. A check takes one object of the rule's kinds, the model and
the target Kubernetes version, and yields Findings with field paths; it never computes positions."""

from sslint.checks import identity, operations, schema, spec, storage

CHECKS = {
    "SS002": schema.schema_violation,
    "SS003": schema.defined_twice,
    "SS101": identity.service_name_missing,
    "SS102": identity.governing_service_missing,
    "SS103": identity.governing_service_not_headless,
    "SS104": identity.governing_service_selector_mismatch,
    "SS105": identity.service_name_invalid,
    "SS201": storage.shared_claim_in_template,
    "SS202": storage.volume_mount_undefined,
    "SS203": storage.claim_template_unused,
    "SS204": storage.claim_template_invalid,
    "SS205": storage.claim_template_shadowed,
    "SS206": storage.claim_retention_delete,
    "SS207": storage.claim_unprovisionable,
    "SS208": storage.pod_volume_unused,
    "SS301": spec.selector_mismatch,
    "SS302": spec.name_invalid,
    "SS303": spec.pod_template_invalid,
    "SS304": spec.spec_value_invalid,
    "SS305": spec.immutable_field_changed,
    "SS306": spec.field_ignored_by_version,
    "SS307": spec.api_version_removed,
    "SS401": operations.disruption_budget_missing,
    "SS402": operations.anti_affinity_missing,
    "SS403": operations.grace_period_zero,
    "SS404": operations.duplicate_pod_selection,
    "SS405": operations.replicas_managed_by_hpa,
    "SS406": operations.partition_exceeds_replicas,
    "SS407": operations.anti_affinity_selects_nothing,
}

# Rules whose findings come from reading the files, not from a check over objects.
LOADER_RULES = frozenset({"SS001"})
