"""Kubernetes name forms (k8s.io/apimachinery validation), and near spellings of names."""

import re
from functools import cache

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")  # most object names, label-like names
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")  # Service names: must start with a letter
MAX_LABEL = 63


def is_dns1123_label(name: str) -> bool:
    return len(name) <= MAX_LABEL and DNS1123_LABEL.fullmatch(name) is not None


DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")  # most other names
MAX_SUBDOMAIN = 253


def is_dns1123_subdomain(name: str) -> bool:
    return len(name) <= MAX_SUBDOMAIN and DNS1123_SUBDOMAIN.fullmatch(name) is not None


def is_dns1035_label(name: str) -> bool:
    return len(name) <= MAX_LABEL and DNS1035_LABEL.fullmatch(name) is not None


# -- near spellings ---------------------------------------------------------------------------------

SHARED_BIGRAMS_LOST = 3  # one edit removes at most three kinds of bigram: strings sharing too few are far apart


@cache
def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


def _share_enough(first: frozenset, second: frozenset, limit: int) -> bool:
    return len(first & second) >= max(len(first), len(second)) - SHARED_BIGRAMS_LOST * limit


def within(a: str, b: str, limit: int) -> int | None:
    """The optimal string alignment distance (insertions, deletions, substitutions, adjacent swaps)
    between a and b when it is at most `limit`, else None; gives up as soon as it must exceed it."""
    if abs(len(a) - len(b)) > limit or not _share_enough(bigrams(a), bigrams(b), limit):
        return None
    # A common prefix or suffix changes no distance (so the full table says, for every pair of
    # strings of up to six letters from three): only what lies between is compared, and its bigrams
    # are tested again without the common ones, which hid how far apart the rest is.
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    a, b = a[start:len(a) - end], b[start:len(b) - end]
    # A match pairs equal letters, and so does a swap: each letter of the longer string beyond those
    # the two have in common costs an edit (app0-typo and app1234 share no letter past `app`).
    common = sum(min(a.count(letter), b.count(letter)) for letter in set(a) & set(b))
    if max(len(a), len(b)) - common > limit or not _share_enough(bigrams.__wrapped__(a), bigrams.__wrapped__(b), limit):
        return None
    # Only cells within `limit` of the diagonal can lie on an alignment that cheap; the others, and
    # any cost above the limit, are held as limit + 1.
    far = limit + 1
    previous, current = None, [min(j, far) for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        before, previous, current = previous, current, [min(i, far)] + [far] * len(b)
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cost = min(cost, before[j - 2] + 1)
            current[j] = min(cost, far)
        if min(current) > limit and (before is None or min(previous) > limit):
            return None  # every alignment already costs more (a swap looks back only one row)
    return current[len(b)] if current[len(b)] <= limit else None
