"""Channel-count rounding shared by layers and families (timm's ``make_divisible``)."""

from __future__ import annotations


def make_divisible(value: float, divisor: int = 8, min_value: int | None = None, round_limit: float = 0.9) -> int:
    """Round a channel count to the nearest multiple of `divisor` (at least `min_value`, default `divisor`), one
    multiple up when that falls below `round_limit` of `value`.

    Args:
        value: the channel count, possibly fractional (``channels * ratio``).
        divisor: the multiple to round to.
        min_value: the smallest result.
        round_limit: rounding down may lose at most this fraction of `value`; 0 allows any loss.
    """
    min_value = min_value or divisor
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < round_limit * value else rounded
