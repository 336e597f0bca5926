"""A spend cap for one run directory: tokens and/or USD over every answered request of the run.

The client checks it before each request that the cache cannot answer; once the cap is reached,
no request is sent (`BudgetReached`), and what the run has spent stays in llm/usage.jsonl.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from klear_ct.config import ConfigError, LLMConfig


class Budget:
    def __init__(self, config: LLMConfig, spent: Iterable[dict] = ()):
        """`spent`: the usage lines the run already has (its earlier commands count too)."""
        self.config = config
        self.max_tokens, self.max_cost = config.max_tokens_per_run, config.max_cost_usd_per_run
        if self.max_cost is not None and config.price_prompt_per_1m is None \
                and config.price_completion_per_1m is None:
            raise ConfigError("[llm] max_cost_usd_per_run needs price_prompt_per_1m / price_completion_per_1m")
        self.prompt_tokens = self.completion_tokens = 0
        self._lock = threading.Lock()
        for line in spent:
            self.add(int(line.get("prompt_tokens") or 0), int(line.get("completion_tokens") or 0))

    @property
    def capped(self) -> bool:
        return self.max_tokens is not None or self.max_cost is not None

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def cost_usd(self) -> float:
        return (self.prompt_tokens * (self.config.price_prompt_per_1m or 0.0)
                + self.completion_tokens * (self.config.price_completion_per_1m or 0.0)) / 1e6

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        with self._lock:
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens

    def reached(self) -> str | None:
        """Why no further request may be sent, or None."""
        if self.max_tokens is not None and self.tokens >= self.max_tokens:
            return f"the run has used {self.tokens} tokens of its cap of {self.max_tokens} ([llm] max_tokens_per_run)"
        if self.max_cost is not None and self.cost_usd >= self.max_cost:
            return (f"the run has spent ${self.cost_usd:.4f} of its cap of ${self.max_cost:g} "
                    "([llm] max_cost_usd_per_run)")
        return None

