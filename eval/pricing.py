"""What a judge costs: API dollars per 1,000 items from measured tokens, and CPU seconds.

Prices are US dollars per million tokens (input, output), by model name. The defaults are
list prices at the time of writing and only an estimate; pass your own table as JSON
(``{"model": [input_per_1M, output_per_1M], ...}``) with ``python -m eval.run --prices FILE``.
Local models cost no API money: their cost is the CPU seconds the report shows beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1-mini": (0.40, 1.60),
    "local": (0.0, 0.0),
}


def load_prices(path: Path | None) -> dict[str, tuple[float, float]]:
    """The default table, updated from ``path`` when given."""
    prices = dict(DEFAULT_PRICES)
    if path is not None:
        data = json.loads(Path(path).read_text())
        for model, pair in data.items():
            if not (isinstance(pair, list | tuple) and len(pair) == 2):
                raise ValueError(f"{path}: {model!r} needs [input_per_1M, output_per_1M]")
            prices[model] = (float(pair[0]), float(pair[1]))
    return prices


def cost_per_1k(prompt_tokens_per_item: float, completion_tokens_per_item: float,
                model: str | None, prices: dict[str, tuple[float, float]]) -> float | None:
    """Dollars per 1,000 items, or None when the model is not in the table."""
    if model is None:
        return 0.0
    if model not in prices:
        return None
    p_in, p_out = prices[model]
    return 1000 * (prompt_tokens_per_item * p_in + completion_tokens_per_item * p_out) / 1e6
