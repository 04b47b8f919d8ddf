"""The check of each rule, by rule id. A check takes one object of the rule's kinds, the model and
the target Kubernetes version, and yields Findings with field paths; it never computes positions."""

from sslint.checks import identity, storage

CHECKS = {
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
}

# Rules whose findings come from reading the files, not from a check over objects.
LOADER_RULES = frozenset({"SS001"})
