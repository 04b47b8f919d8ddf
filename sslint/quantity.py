"""Kubernetes resource quantities ("10Gi", "500M", "1.5", "1e3", "100m"), as exact Decimals."""

from __future__ import annotations

import re
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, localcontext

# Arithmetic on quantities is exact for any a manifest spells (Python's default keeps 28 digits, and
# printing 1e50 bytes in Ki raised), and Kubernetes takes any decimal exponent.
_EXACT = Context(prec=1000, Emax=MAX_EMAX, Emin=MIN_EMIN)

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
    try:
        with localcontext(_EXACT):
            if exponent is not None:
                return Decimal(number).scaleb(int(exponent[1:]))
            return Decimal(number) * _SUFFIXES[suffix or ""]
    except ArithmeticError:  # (decimal's Overflow, past an exponent of 10^18)
        return None


def format_bytes(amount: Decimal) -> str:
    """A storage amount the way people write it: 10Gi, 500Mi, 3G, or plain bytes."""
    if amount.adjusted() > 30 or amount != amount.to_integral_value(context=_EXACT):
        return str(amount.normalize(_EXACT))  # 0.5, 1E-9, 1E+50: not a number of a million digits
    whole = int(amount)
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = int(_SUFFIXES[suffix])
        if whole >= unit and whole % unit == 0:
            return f"{whole // unit}{suffix}"
    return str(whole)
