"""Kubernetes resource quantities ("10Gi", "500M", "1.5", "1e3", "100m"), as exact Decimals."""

from __future__ import annotations

import re
from decimal import Decimal

_SUFFIXES = {
    "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40, "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60,
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
    "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"),
    "T": Decimal("1e12"), "P": Decimal("1e15"), "E": Decimal("1e18"),
}
_QUANTITY = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)")


def parse_quantity(value) -> Decimal | None:
    """The amount a quantity stands for, or None when Kubernetes would reject it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
        return amount if amount.is_finite() else None
    if not isinstance(value, str):
        return None
    match = _QUANTITY.fullmatch(value.strip())
    if match is None:
        return None
    number, exponent, suffix = match.groups()
    if exponent is not None:
        return Decimal(number) * Decimal(10) ** int(exponent[1:])
    return Decimal(number) * _SUFFIXES[suffix or ""]


def format_bytes(amount: Decimal) -> str:
    """A storage amount the way people write it: 10Gi, 500Mi, 3G, or plain bytes."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = _SUFFIXES[suffix]
        if amount >= unit and amount % unit == 0:
            return f"{amount // unit}{suffix}"
    return f"{amount.normalize():f}"
