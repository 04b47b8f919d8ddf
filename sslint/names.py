"""Kubernetes name forms (k8s.io/apimachinery validation), in one place."""

import re

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")  # most object names, label-like names
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")  # Service names: must start with a letter
MAX_LABEL = 63


def is_dns1123_label(name: str) -> bool:
    return len(name) <= MAX_LABEL and DNS1123_LABEL.fullmatch(name) is not None


def is_dns1035_label(name: str) -> bool:
    return len(name) <= MAX_LABEL and DNS1035_LABEL.fullmatch(name) is not None
