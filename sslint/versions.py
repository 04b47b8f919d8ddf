"""Kubernetes versions sslint knows, and the releases where StatefulSet behaviour changes."""

from __future__ import annotations

SUPPORTED = tuple(f"1.{minor}" for minor in range(16, 38))
DEFAULT = SUPPORTED[-1]

# The one table of behaviour changes; rules ask `at_least(version, FEATURE)`.
SERVICE_NAME_OPTIONAL = "1.33"  # spec.serviceName optional; must be a DNS-1123 label when set
STATEFULSET_TEMPLATE_VALIDATED = "1.34"  # the API validates a StatefulSet's volume mounts and claim templates


def parse(version: str) -> tuple[int, int]:
    major, minor = version.split(".")
    return int(major), int(minor)


def at_least(version: str, release: str) -> bool:
    return parse(version) >= parse(release)
