"""Numbers and JSON values written exactly as the TypeScript side writes them (`String(x)`,
`x.toPrecision(2)`, `x.toExponential(1)`, `JSON.stringify(v)`), so that reasons, warnings and
findings are the same text in both languages (the conformance suite compares them)."""

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


def js_number(x: float) -> str:
    """ECMAScript's Number::toString: the shortest round-trip digits, fixed notation for
    1e-7 < |x| < 1e21, else `1e-7`, `1.5e+21`."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int) and abs(x) < 10**21:
        return str(x)
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    digits_tuple = Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, digits_tuple.digits))
    k = len(digits)
    n = digits_tuple.exponent + k  # the decimal point sits after n digits
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{sign}{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return f"{sign}0.{'0' * -n}{digits}"
    exponent = n - 1
    mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def _to_precision(x: float, significant: int) -> float:
    """`Number(x.toPrecision(significant))`: rounded on the exact binary value, ties away from zero."""
    exact = Decimal(x)
    quantum = Decimal(1).scaleb(exact.adjusted() - significant + 1)
    return float(exact.quantize(quantum, rounding=ROUND_HALF_UP))


def _to_exponential(x: float, fraction_digits: int) -> str:
    """`x.toExponential(fraction_digits)`: `3.0e-7`, `1.5e+5`."""
    exact = Decimal(x)
    exponent = exact.adjusted()
    quantum = Decimal(1).scaleb(-fraction_digits)
    mantissa = exact.scaleb(-exponent).quantize(quantum, rounding=ROUND_HALF_UP)
    if abs(mantissa) >= 10:
        exponent += 1
        mantissa = exact.scaleb(-exponent).quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def format_measure(x: float) -> str:
    """`3e-7`, `0.12`, `4`: two significant digits, exponent form for small and large values
    (TypeScript's `formatMeasure`)."""
    if x == 0 or not math.isfinite(x):
        return js_number(x)
    if 1e-3 <= abs(x) < 1e4:
        return js_number(_to_precision(x, 2))
    return _to_exponential(x, 1).replace(".0e", "e").replace("e+", "e")


def js_json(value: Any) -> str:
    """`JSON.stringify(value)` for plain values: no spaces, numbers as JavaScript writes them."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(js_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{js_json(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)
