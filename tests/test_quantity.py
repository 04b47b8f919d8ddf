from decimal import Decimal

import pytest

from sslint.quantity import format_bytes, parse_quantity


@pytest.mark.parametrize(
    "text, amount",
    [
        ("10Gi", 10 * 2**30), ("1Ki", 1024), ("1.5Gi", 3 * 2**29), ("2Ti", 2 * 2**40), ("1Ei", 2**60),
        ("500M", 500_000_000), ("1k", 1000), ("3G", 3 * 10**9), ("100m", Decimal("0.1")), ("1E", 10**18),
        ("1e3", 1000), ("1E3", 1000), ("2e-3", Decimal("0.002")), (".5", Decimal("0.5")), ("+1", 1), ("0", 0),
        (10, 10), (1.5, Decimal("1.5")), ("-1Gi", -(2**30)), (" 1Gi ", 2**30),
    ],
)
def test_quantities(text, amount):
    assert parse_quantity(text) == Decimal(amount)


@pytest.mark.parametrize("text", ["10GB", "Gi", "ten", "1.2.3", "1 Gi", "1gi", "", None, True, [], {"a": 1}, "1e", float("nan")])
def test_malformed_quantities(text):
    assert parse_quantity(text) is None


def test_format_bytes():
    assert [format_bytes(Decimal(v)) for v in (10 * 2**30, 512 * 2**20, 1500, 3 * 10**9)] == ["10Gi", "512Mi", "1500", "3000000000"]


def test_any_amount_a_manifest_spells_is_exact_and_printable():
    """Python's 28 digits are not enough: 1e50 bytes used to raise when printed (an internal error in SS207)."""
    assert parse_quantity("99999999999999999999999999999999999Ei") == 99999999999999999999999999999999999 * 2**60
    assert format_bytes(parse_quantity("1000000000Ei")) == "1000000000Ei"  # (up to 10^30 bytes: with its suffix)
    assert format_bytes(parse_quantity("1e50")) == "1E+50" and format_bytes(parse_quantity("1e1000000")) == "1E+1000000"
    assert format_bytes(parse_quantity("1e-9")) == "1E-9" and format_bytes(parse_quantity("100m")) == "0.1"
    assert len(format_bytes(parse_quantity("9" * 5000))) < 40  # (no int of 5,000 digits, which Python will not print)
