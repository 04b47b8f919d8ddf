"""Kubernetes label selectors: does a selector select a set of labels."""

from __future__ import annotations


def labels_text(labels: dict) -> str:
    """Labels as messages write them: `app=zk, tier=db`."""
    return ", ".join(f"{k}={v}" for k, v in labels.items())


def _matches_expression(expression, labels: dict) -> bool:
    if not isinstance(expression, dict):
        return False
    key, operator = expression.get("key"), expression.get("operator")
    if not isinstance(key, str):
        return False
    values = expression.get("values") or []
    values = {str(v) for v in values} if isinstance(values, list) else set()
    if operator == "In":
        return key in labels and str(labels[key]) in values
    if operator == "NotIn":
        return key not in labels or str(labels[key]) not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    return False  # an unknown operator selects nothing (the API rejects it)


def selects(selector, labels) -> bool:
    """A LabelSelector (matchLabels / matchExpressions) against a pod's labels.
    An empty selector selects everything, as the API defines it; None selects nothing."""
    if not isinstance(selector, dict):
        return False
    labels = labels if isinstance(labels, dict) else {}
    match_labels = selector.get("matchLabels") or {}
    expressions = selector.get("matchExpressions") or []
    if not isinstance(match_labels, dict) or not isinstance(expressions, list):
        return False
    return all(k in labels and str(labels[k]) == str(v) for k, v in match_labels.items()) and all(
        _matches_expression(e, labels) for e in expressions
    )


def map_selects(selector, labels) -> bool:
    """A Service-style selector (a plain map): every pair present in the labels. An empty map
    selects nothing (a Service without a selector has no endpoints)."""
    if not isinstance(selector, dict) or not selector or not isinstance(labels, dict):
        return False
    return all(k in labels and str(labels[k]) == str(v) for k, v in selector.items())
